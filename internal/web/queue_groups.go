package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/org"
	"onestop/internal/queue"
)

// Editing and retiring a queue group (issue 15 §4): the centre admin's
// form at /admin/queue/groups/{id}. queue.Service decides who and what
// (Manages: another centre's group is not found).

func (s *Server) registerQueueGroups() {
	s.handle("GET /admin/queue/groups/{id}", queueAdmins, s.queueGroupPage)
	s.handle("POST /admin/queue/groups/{id}", queueAdmins, s.queueGroupSave)
	s.handle("POST /admin/queue/groups/{id}/retire", queueAdmins, s.queueGroupRetire)
}

// queueGroupView is the form's data: the group and the centre's windows
// and their departments to choose from.
type queueGroupView struct {
	G           queue.GroupRecord
	Windows     []org.Window
	Departments []org.Window // one window per department: its id and name
}

// Serves reports whether the group is called by window id (the form's ticks).
func (v *queueGroupView) Serves(id int64) bool { return slices.Contains(v.G.WindowIDs, id) }

func (s *Server) queueGroupData(r *http.Request) (*Page, *queueGroupView, error) {
	id, err := pathID(r, "entity.queue_group")
	if err != nil {
		return nil, nil, err
	}
	ctx, a := r.Context(), actor(r)
	g, err := s.Queue.GroupOf(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	v := &queueGroupView{G: g}
	if v.Windows, _, err = s.Org.Windows(ctx, a, org.WindowFilter{CentreID: g.CentreID}, org.ListOptions{Limit: 500}); err != nil {
		return nil, nil, err
	}
	seen := map[int64]bool{}
	for _, w := range v.Windows {
		if !seen[w.DepartmentID] {
			seen[w.DepartmentID] = true
			v.Departments = append(v.Departments, w)
		}
	}
	p := s.page(r, "queue.group_edit")
	p.Form["prefix"], p.Form["name"], p.Form["department_id"] = g.Prefix, g.Name, strconv.FormatInt(g.DepartmentID, 10)
	p.Data = v
	return p, v, nil
}

func (s *Server) queueGroupPage(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.queueGroupData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, "queue_group", p)
}

func (s *Server) queueGroupSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	p, v, err := s.queueGroupData(r)
	if err != nil {
		return err
	}
	f := apperr.Fields{}
	in := queue.GroupInput{Prefix: r.PostFormValue("prefix"), Name: r.PostFormValue("name"),
		DepartmentID: formID(f, "department_id", r.PostFormValue("department_id"))}
	v.G.WindowIDs = nil
	for _, x := range r.PostForm["windows"] {
		id := formID(f, "windows", x)
		in.WindowIDs = append(in.WindowIDs, id)
		v.G.WindowIDs = append(v.G.WindowIDs, id)
	}
	for _, k := range []string{"prefix", "name", "department_id"} {
		p.Form[k] = r.PostFormValue(k)
	}
	if err := f.Err(); err != nil {
		return s.formFailed(w, r, "queue_group", p, err)
	}
	if _, err := s.Queue.UpdateGroup(r.Context(), actor(r), v.G.ID, in); err != nil {
		return s.formFailed(w, r, "queue_group", p, err)
	}
	s.flash(r, "queue.group_saved")
	http.Redirect(w, r, "/admin/queue?centre="+url.QueryEscape(v.G.Centre.Code), http.StatusSeeOther)
	return nil
}

// queueGroupRetire retires the group; a refusal (tickets still open
// today, already retired) is said on the form.
func (s *Server) queueGroupRetire(w http.ResponseWriter, r *http.Request) error {
	p, v, err := s.queueGroupData(r)
	if err != nil {
		return err
	}
	if err := s.Queue.RetireGroup(r.Context(), actor(r), v.G.ID); err != nil {
		return s.formFailed(w, r, "queue_group", p, err)
	}
	s.flash(r, "queue.group_retired_done")
	http.Redirect(w, r, "/admin/queue?centre="+url.QueryEscape(v.G.Centre.Code), http.StatusSeeOther)
	return nil
}
