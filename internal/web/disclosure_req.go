package web

import (
	"net/http"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/disclosure"
	discreq "onestop/internal/disclosure/request"
)

// Requests for disclosure (依申请公开, issue 16 item 2) on the portal: a
// signed-in applicant files one, follows it under /my/disclosure-requests
// with its history and deadline, supplies the one supplement, and reads
// and prints the acknowledgement and the reply. The rules are
// internal/disclosure/request's; another applicant's number is "not found".
// The paths avoid /disclosure/… , the publication's, so no two wildcard
// patterns can collide when the branches meet.
func (s *Server) registerDisclosureRequests() {
	s.handle("GET /my/disclosure-requests/new", everyone, s.discApplyForm)
	s.handle("POST /my/disclosure-requests", everyone, s.discApply)
	s.handle("GET /my/disclosure-requests", everyone, s.myDiscRequests)
	s.handle("GET /my/disclosure-requests/{no}", everyone, s.myDiscRequest)
	s.handle("POST /my/disclosure-requests/{no}/supply", everyone, s.myDiscSupply)
	s.handle("GET /my/disclosure-requests/{no}/receipt", everyone, s.myDiscReceipt)
	s.handle("GET /my/disclosure-requests/{no}/reply", everyone, s.myDiscReply)
	s.registerDisclosureRequestStaff()
}

// discFormView is the filing form's data (portal and office).
type discFormView struct {
	Organs   []discreq.Organ
	Types    []disclosure.ApplicantType
	Forms    []string
	Channels []disclosure.Channel // the office's form only
	Max      int
}

func (s *Server) discFormPage(r *http.Request, title string, channels []disclosure.Channel) (*Page, error) {
	organs, err := s.DiscRequests.PublicOrgans(r.Context())
	if err != nil {
		return nil, err
	}
	p := s.page(r, title)
	p.Data = &discFormView{Organs: organs, Types: disclosure.ApplicantTypes, Forms: discreq.Forms, Channels: channels, Max: discreq.MaxContent}
	return p, nil
}

var discFormFields = []string{"organ_id", "applicant_type", "name", "id_number", "phone", "email", "address", "content", "form", "channel", "received_on"}

// discInput reads the filing form.
func discInput(r *http.Request, f apperr.Fields) discreq.Input {
	form := r.PostForm
	return discreq.Input{OrganID: formID(f, "organ_id", form.Get("organ_id")), ApplicantType: disclosure.ApplicantType(form.Get("applicant_type")),
		Name: form.Get("name"), IDNumber: form.Get("id_number"), Phone: form.Get("phone"), Email: form.Get("email"), Address: form.Get("address"),
		Content: form.Get("content"), Form: form.Get("form"), Channel: disclosure.Channel(form.Get("channel")), ReceivedOn: form.Get("received_on")}
}

// discApplyForm is the portal's form, prefilled from the signed-in
// applicant's account; signing in comes first (the request is theirs to
// follow).
func (s *Server) discApplyForm(w http.ResponseWriter, r *http.Request) error {
	id := s.Sessions.GetInt64(r.Context(), sessApplicant)
	if id == 0 {
		return toSignin(w, r)
	}
	a, err := s.Applicants.ByID(r.Context(), id)
	if err != nil {
		return err
	}
	p, err := s.discFormPage(r, "disclosure_req.apply.title", nil)
	if err != nil {
		return err
	}
	p.Form["name"], p.Form["id_number"], p.Form["phone"], p.Form["email"] = a.Name, a.IDNumber, a.Phone, a.Email
	p.Form["applicant_type"], p.Form["form"] = string(disclosure.Person), "electronic"
	if a.Kind != "citizen" {
		p.Form["applicant_type"] = ""
	}
	if o := r.URL.Query().Get("organ"); len(o) < 20 {
		p.Form["organ_id"] = o
	}
	return s.render(w, r, "disclosure_req_apply", p)
}

func (s *Server) discApply(w http.ResponseWriter, r *http.Request) error {
	id := s.Sessions.GetInt64(r.Context(), sessApplicant)
	if id == 0 {
		return toSignin(w, r)
	}
	return s.discFile(w, r, "disclosure_req.apply.title", "disclosure_req_apply", nil, "disclosure_req.apply.done", "/my/disclosure-requests/",
		func(in discreq.Input) (*discreq.Request, error) {
			return s.DiscRequests.FileOnline(r.Context(), id, in)
		})
}

// discFile files the form with file; every problem comes back on the
// form (title, tmpl) with what was typed.
func (s *Server) discFile(w http.ResponseWriter, r *http.Request, title, tmpl string, channels []disclosure.Channel, flash, base string,
	file func(discreq.Input) (*discreq.Request, error)) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	f := apperr.Fields{}
	in := discInput(r, f)
	var q *discreq.Request
	err := f.Err()
	if err == nil {
		q, err = file(in)
	}
	if err != nil {
		p, perr := s.discFormPage(r, title, channels)
		if perr != nil {
			return perr
		}
		for _, k := range discFormFields {
			p.Form[k] = r.PostForm.Get(k)
		}
		return s.formFailed(w, r, tmpl, p, err)
	}
	s.flash(r, flash)
	http.Redirect(w, r, base+q.No, http.StatusSeeOther)
	return nil
}

// discFailed is the page to show a step's refusal on: field errors
// under prefix+field, the typed values kept; nil and err itself for
// anything but a user's mistake.
func (s *Server) discFailed(r *http.Request, err error, prefix string) (*Page, error) {
	ae := apperr.As(err)
	if ae == nil || (ae.Code != apperr.Invalid && ae.Code != apperr.Conflict) {
		return nil, err
	}
	p := s.page(r, "disclosure_req.one")
	p.Problem, p.Status = s.i18n.Msg(p.Lang, ae.Msg), statusOf(ae.Code)
	for k, m := range ae.Fields {
		p.Errors[prefix+k] = s.i18n.Msg(p.Lang, m)
	}
	for k := range r.PostForm {
		p.Form[prefix+k] = r.PostForm.Get(k)
	}
	return p, nil
}

// discReqListView is a list of requests (the requester's, an organ's, the
// overdue) with each one's standing.
type discReqListView struct {
	Items  []discListed
	Organs []disclosure.Access
	Organ  int64
	Status string
	Acts   bool // the viewer may register requests for the organ
}

type discListed struct {
	*discreq.Request
	Standing discreq.Standing
}

func (s *Server) discListed(r *http.Request, items []*discreq.Request) ([]discListed, error) {
	out := make([]discListed, 0, len(items))
	for _, q := range items {
		st, err := s.DiscRequests.Stand(r.Context(), q)
		if err != nil {
			return nil, err
		}
		out = append(out, discListed{Request: q, Standing: st})
	}
	return out, nil
}

func (s *Server) myDiscRequests(w http.ResponseWriter, r *http.Request) error {
	id := s.Sessions.GetInt64(r.Context(), sessApplicant)
	if id == 0 {
		return toSignin(w, r)
	}
	items, err := s.DiscRequests.Mine(r.Context(), id)
	if err != nil {
		return err
	}
	v := &discReqListView{}
	if v.Items, err = s.discListed(r, items); err != nil {
		return err
	}
	p := s.page(r, "disclosure_req.mine.title")
	p.Data = v
	return s.render(w, r, "disclosure_req_mine", p)
}

// discReqView is one request's page (requester or office) and its printouts.
type discReqView struct {
	*discreq.Request
	Standing discreq.Standing
	Events   []discreq.Event
	Reply    *discreq.Event // the reply or concluding notice, once closed
	Asked    *discreq.Event // the supplement notice
	Mine     bool
	Base     string // /my/disclosure-requests or /disclosure-requests
	// The office's actions open to the viewer now.
	Acts, Head bool
	Outcomes   []disclosure.Outcome
	Notices    []disclosure.Outcome
	ReplyTypes []disclosure.ReplyType
}

func (s *Server) discReqView(r *http.Request, q *discreq.Request, mine bool) (*discReqView, error) {
	v := &discReqView{Request: q, Mine: mine, Base: "/disclosure-requests"}
	if mine {
		v.Base = "/my/disclosure-requests"
	}
	var err error
	if v.Standing, err = s.DiscRequests.Stand(r.Context(), q); err != nil {
		return nil, err
	}
	if v.Events, err = s.DiscRequests.Events(r.Context(), q); err != nil {
		return nil, err
	}
	v.Asked = discreq.Last(v.Events, discreq.EvSupplementAsked)
	if q.Status == discreq.Closed {
		if v.Reply = discreq.Last(v.Events, discreq.EvReplied); v.Reply == nil {
			v.Reply = discreq.Last(v.Events, discreq.EvClosed)
		}
	}
	return v, nil
}

// ownDisc is the signed-in applicant's own request; ok is false when
// nobody is signed in (the caller sends them to sign in).
func (s *Server) ownDisc(r *http.Request) (*discreq.Request, bool, error) {
	id := s.Sessions.GetInt64(r.Context(), sessApplicant)
	if id == 0 {
		return nil, false, nil
	}
	q, err := s.DiscRequests.Own(r.Context(), id, r.PathValue("no"))
	return q, true, err
}

func (s *Server) myDiscRequest(w http.ResponseWriter, r *http.Request) error {
	return s.renderMyDisc(w, r, nil)
}

func (s *Server) renderMyDisc(w http.ResponseWriter, r *http.Request, p *Page) error {
	q, ok, err := s.ownDisc(r)
	if !ok {
		return toSignin(w, r)
	}
	if err != nil {
		return err
	}
	v, err := s.discReqView(r, q, true)
	if err != nil {
		return err
	}
	if p == nil {
		p = s.page(r, "disclosure_req.one")
	}
	p.Title = p.T("disclosure_req.one_title", "No", q.No)
	p.Data = v
	return s.render(w, r, "disclosure_req_my", p)
}

// myDiscSupply is the requester's supplement, on the page that asked for it.
func (s *Server) myDiscSupply(w http.ResponseWriter, r *http.Request) error {
	id := s.Sessions.GetInt64(r.Context(), sessApplicant)
	if id == 0 {
		return toSignin(w, r)
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	q, err := s.DiscRequests.Supply(r.Context(), id, r.PathValue("no"), r.PostForm.Get("text"))
	if err != nil {
		p, err := s.discFailed(r, err, "")
		if p == nil {
			return err
		}
		return s.renderMyDisc(w, r, p)
	}
	s.flash(r, "disclosure_req.done.supplied")
	http.Redirect(w, r, "/my/disclosure-requests/"+q.No, http.StatusSeeOther)
	return nil
}

func (s *Server) myDiscReceipt(w http.ResponseWriter, r *http.Request) error {
	return s.myDiscPrint(w, r, "disclosure_req_receipt", "disclosure_req.receipt.title")
}

func (s *Server) myDiscReply(w http.ResponseWriter, r *http.Request) error {
	return s.myDiscPrint(w, r, "disclosure_req_notice", "disclosure_req.notice.title")
}

func (s *Server) myDiscPrint(w http.ResponseWriter, r *http.Request, tmpl, title string) error {
	q, ok, err := s.ownDisc(r)
	if !ok {
		return toSignin(w, r)
	}
	if err != nil {
		return err
	}
	return s.renderDiscPrint(w, r, q, true, tmpl, title)
}

// renderDiscPrint is a printout: the acknowledgement (回执) once there is
// a receipt day, the reply notice (告知书) once concluded.
func (s *Server) renderDiscPrint(w http.ResponseWriter, r *http.Request, q *discreq.Request, mine bool, tmpl, title string) error {
	if tmpl == "disclosure_req_receipt" && q.ReceivedOn == nil {
		return apperr.New(apperr.Conflict, "disclosure_req.error.not_received")
	}
	if tmpl == "disclosure_req_notice" && q.Status != discreq.Closed {
		return apperr.New(apperr.Conflict, "disclosure_req.error.not_closed")
	}
	v, err := s.discReqView(r, q, mine)
	if err != nil {
		return err
	}
	p := s.page(r, title)
	p.Title = p.T(title) + " " + q.No
	p.Data = v
	return s.render(w, r, tmpl, p)
}

// ReplyField reads one field of the reply event's data ("" when none).
func (v *discReqView) ReplyField(name string) string {
	if v.Reply == nil {
		return ""
	}
	s, _ := v.Reply.Data[name].(string)
	return strings.TrimSpace(s)
}
