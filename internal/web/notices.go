package web

import (
	"net/http"
	"slices"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/notice"
	"onestop/internal/org"
)

// Notices (通知公告, issue 13 §1): a centre's admin writes them, the portal
// shows the published ones. notice.Service decides scope: another
// centre's notice is "not found" to an admin.
var noticeWriters = roles(org.CentreAdmin)

// The audit log shows a notice's fields in the notices' words.
func init() { auditAreas["notice"] = []string{"notice.field"} }

func (s *Server) registerNotices() {
	s.handle("GET /notices", everyone, s.noticesPage)
	s.handle("GET /notices/{id}", everyone, s.noticePage)
	s.handle("GET /admin/notices", noticeWriters, s.adminNotices)
	s.handle("GET /admin/notices/new", noticeWriters, s.noticeNew)
	s.handle("POST /admin/notices", noticeWriters, s.noticeCreate)
	s.handle("GET /admin/notices/{id}", noticeWriters, s.noticeEdit)
	s.handle("POST /admin/notices/{id}", noticeWriters, s.noticeUpdate)
	s.handle("POST /admin/notices/{id}/{action}", noticeWriters, s.noticeStep)
}

// noticeID reads {id}; anything but a positive number names no notice.
func noticeID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("entity.notice")
	}
	return id, nil
}

type noticesView struct {
	Items []notice.Notice
	Pager pager
	State string
	// States are the admin list's filter choices.
	States []string
}

func (s *Server) noticesPage(w http.ResponseWriter, r *http.Request) error {
	limit, offset := pageParams(r, 20, 100)
	items, total, err := s.Notices.Latest(r.Context(), notice.Filter{Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	p := s.page(r, "notice.title")
	p.Data = noticesView{Items: items, Pager: newPager(r, total, offset, limit)}
	return s.render(w, r, "notices", p)
}

func (s *Server) noticePage(w http.ResponseWriter, r *http.Request) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	n, err := s.Notices.Public(r.Context(), id)
	if err != nil {
		return err
	}
	p := s.page(r, "notice.title")
	p.Title = n.Title
	p.Data = n
	return s.render(w, r, "notice", p)
}

func (s *Server) adminNotices(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r)
	f := notice.Filter{State: q.Text("state")}
	if f.State != "" && !slices.Contains(notice.States, f.State) {
		q.f.Add("state", "error.choose") // an unknown state is a mistake, never "all"
	}
	f.Limit, f.Offset = q.Page(20, 100)
	if err := q.Err(); err != nil {
		return err
	}
	items, total, err := s.Notices.Mine(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	p := s.page(r, "notice.admin_title")
	p.Data = noticesView{Items: items, Pager: newPager(r, total, f.Offset, f.Limit), State: f.State, States: notice.States}
	return s.render(w, r, "notices_admin", p)
}

// noticeMax are the form's length caps, the service's own.
var noticeMax = map[string]int{"title": notice.MaxTitle, "body": notice.MaxBody}

// noticeFormView is the edit form's data: the notice being edited, nil
// for a new one.
type noticeFormView struct {
	Notice *notice.Notice
	Max    map[string]int
}

func (s *Server) noticeForm(w http.ResponseWriter, r *http.Request, p *Page, n *notice.Notice) error {
	p.Data = noticeFormView{Notice: n, Max: noticeMax}
	return s.render(w, r, "notice_form", p)
}

func (s *Server) noticeNew(w http.ResponseWriter, r *http.Request) error {
	return s.noticeForm(w, r, s.page(r, "notice.new"), nil)
}

func noticeInput(r *http.Request) notice.Input {
	return notice.Input{Title: r.PostFormValue("title"), Body: r.PostFormValue("body")}
}

func (s *Server) noticeCreate(w http.ResponseWriter, r *http.Request) error {
	in := noticeInput(r)
	n, err := s.Notices.Create(r.Context(), actor(r), in)
	if err != nil {
		p := s.page(r, "notice.new")
		p.Form["title"], p.Form["body"] = in.Title, in.Body
		p.Data = noticeFormView{Max: noticeMax}
		return s.formFailed(w, r, "notice_form", p, err)
	}
	s.flash(r, "notice.saved")
	http.Redirect(w, r, "/admin/notices/"+strconv.FormatInt(n.ID, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) noticeEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	n, err := s.Notices.Get(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	p := s.page(r, "notice.edit")
	p.Form["title"], p.Form["body"], p.Form["version"] = n.Title, n.Body, strconv.Itoa(n.Version)
	return s.noticeForm(w, r, p, &n)
}

func (s *Server) noticeUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	a := actor(r)
	cur, err := s.Notices.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	in := noticeInput(r)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if _, err := s.Notices.Update(r.Context(), a, id, version, in); err != nil {
		p := s.page(r, "notice.edit")
		p.Form["title"], p.Form["body"], p.Form["version"] = in.Title, in.Body, strconv.Itoa(cur.Version)
		p.Data = noticeFormView{Notice: &cur, Max: noticeMax}
		return s.formFailed(w, r, "notice_form", p, err)
	}
	s.flash(r, "notice.saved")
	http.Redirect(w, r, "/admin/notices/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// noticeStep publishes or withdraws.
func (s *Server) noticeStep(w http.ResponseWriter, r *http.Request) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	a := actor(r)
	switch r.PathValue("action") {
	case "publish":
		err = s.Notices.Publish(r.Context(), a, id)
	case "withdraw":
		err = s.Notices.Withdraw(r.Context(), a, id)
	default:
		return apperr.NotFoundf("entity.page")
	}
	if err != nil {
		return err
	}
	s.flash(r, "notice.done."+r.PathValue("action"))
	http.Redirect(w, r, "/admin/notices/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}
