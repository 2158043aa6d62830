package web

import (
	"net/http"
	"slices"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/org"
	"onestop/internal/queue"
)

// Calling from the clerk's workbench (叫号): the panel on /workbench of a
// clerk whose window serves a queue group — call next, recall, start,
// finish, no-show, transfer, a ticket for a walk-in, and "receive a case
// from this ticket". The queue service holds a clerk to their own window
// and centre; these handlers only read the form and go back to the
// workbench.

var queueClerks = roles(org.Clerk)

func (s *Server) registerQueueDesk() {
	s.handle("POST /workbench/queue/next", queueClerks, s.queueNext)
	s.handle("POST /workbench/queue/issue", queueClerks, s.queueWalkIn)
	s.handle("POST /workbench/queue/{id}/{action}", queueClerks, s.queueAct)
}

// queueDesk is the panel's data.
type queueDesk struct {
	Current *queue.Ticket
	// Mine are the groups the window calls for, Others those a ticket may
	// be transferred to.
	Mine, Others []queue.Group
	Waiting      map[string]int
}

// Serves reports whether the window calls for any group.
func (d *queueDesk) Serves() bool { return len(d.Mine) > 0 }

// queueDeskOf reads the panel of a clerk at a window; nil for anyone else.
func (s *Server) queueDeskOf(r *http.Request, a org.Actor) (*queueDesk, error) {
	if a.Role != org.Clerk || a.WindowID == 0 {
		return nil, nil
	}
	ctx := r.Context()
	gs, err := s.Queue.Groups(ctx, a.CentreID)
	if err != nil || len(gs) == 0 {
		return nil, err
	}
	d := &queueDesk{Waiting: map[string]int{}}
	for _, g := range gs {
		if slices.Contains(g.WindowIDs, a.WindowID) {
			d.Mine = append(d.Mine, g)
		} else {
			d.Others = append(d.Others, g)
		}
	}
	if d.Current, err = s.Queue.AtWindow(ctx, a); err != nil {
		return nil, err
	}
	sc, err := s.Queue.Screen(ctx, a.CentreID)
	if err != nil {
		return nil, err
	}
	for _, g := range sc.Groups {
		d.Waiting[g.Prefix] = g.Waiting
	}
	return d, nil
}

// queueDone goes back to the workbench; a refusal the clerk can act on
// (nobody waiting, the window busy, a wrong choice) is said there, any
// other error (a ticket not theirs: not found) is the error page.
func (s *Server) queueDone(w http.ResponseWriter, r *http.Request, err error, ok string) error {
	if err != nil {
		ae := apperr.As(err)
		if ae == nil || (ae.Code != apperr.Conflict && ae.Code != apperr.Invalid) {
			return err
		}
		ok = ae.Msg.Key
		for _, m := range ae.Fields {
			ok = m.Key
		}
	}
	s.flash(r, ok)
	http.Redirect(w, r, "/workbench", http.StatusSeeOther)
	return nil
}

func (s *Server) queueNext(w http.ResponseWriter, r *http.Request) error {
	_, err := s.Queue.CallNext(r.Context(), actor(r))
	return s.queueDone(w, r, err, "queue.called")
}

// queueWalkIn gives a walk-in a number in one of the window's centre's
// groups.
func (s *Server) queueWalkIn(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	a := actor(r)
	f := apperr.Fields{}
	in := queue.IssueInput{CentreID: a.CentreID, GroupID: formID(f, "group", r.PostFormValue("group")), Channel: queue.Window, Clerk: &a}
	if err := f.Err(); err != nil {
		return s.queueDone(w, r, err, "")
	}
	t, err := s.Queue.Issue(r.Context(), in)
	if err != nil {
		return s.queueDone(w, r, err, "")
	}
	http.Redirect(w, r, "/queue/tickets/"+strconv.FormatInt(t.ID, 10)+"?no="+t.No, http.StatusSeeOther)
	return nil
}

// queueAct is recall, start, finish, no-show and transfer of the ticket at
// the clerk's window.
func (s *Server) queueAct(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFoundf("entity.ticket")
	}
	ctx, a := r.Context(), actor(r)
	switch r.PathValue("action") {
	case "recall":
		_, err = s.Queue.Recall(ctx, a, id)
	case "start":
		_, err = s.Queue.Start(ctx, a, id)
	case "finish":
		_, err = s.Queue.Finish(ctx, a, id)
	case "no-show":
		_, err = s.Queue.NoShow(ctx, a, id)
	case "transfer":
		f := apperr.Fields{}
		g := formID(f, "group", r.PostFormValue("group"))
		if err = f.Err(); err == nil {
			_, err = s.Queue.Transfer(ctx, a, id, g)
		}
	default:
		return apperr.NotFoundf("entity.ticket")
	}
	return s.queueDone(w, r, err, "queue.done_"+r.PathValue("action"))
}

// linkTicket records that the case just received came from the ticket at
// the clerk's window (the intake form carries its id). The case stands
// either way; a link refused (the ticket moved on meanwhile) is logged.
func (s *Server) linkTicket(r *http.Request, caseNo string) {
	id, err := strconv.ParseInt(r.PostFormValue("ticket"), 10, 64)
	if err != nil || id <= 0 {
		return
	}
	if err := s.Queue.Link(r.Context(), actor(r), id, caseNo); err != nil {
		s.Log.Warn("queue ticket link", "ticket", id, "case", caseNo, "err", err)
	}
}
