package web

import (
	"net/http"
	"time"

	"onestop/internal/notify"
	"onestop/internal/org"
)

// The notification pages: an applicant's choice of channel (/me/notify),
// a staff member's notes (/notes, the bell) and the hall admin's outbox
// (/admin/outbox) with a retry per failed message.

func (s *Server) registerNotify() {
	s.handle("GET /me/notify", everyone, s.notifyPrefsPage)
	s.handle("POST /me/notify", everyone, s.saveNotifyPrefs)
	s.handle("GET /notes", anyStaff, s.notesPage)
	s.handle("POST /notes/read", anyStaff, s.notesRead)
	s.handle("GET /admin/outbox", hallAdmin, s.outboxPage)
	s.handle("POST /admin/outbox/{id}/retry", hallAdmin, s.outboxRetry)
}

// signedInApplicant is the applicant of this browser's session, 0 for
// none (the caller sends them to sign in).
func (s *Server) signedInApplicant(w http.ResponseWriter, r *http.Request) int64 {
	id := s.Sessions.GetInt64(r.Context(), sessApplicant)
	if id == 0 {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
	}
	return id
}

type notifyPrefsView struct {
	By, Langs []string
	Phone     string
}

func (s *Server) notifyPrefsPage(w http.ResponseWriter, r *http.Request) error {
	id := s.signedInApplicant(w, r)
	if id == 0 {
		return nil
	}
	p, err := s.notifyPrefsForm(r, id, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, "me_notify", p)
}

// notifyPrefsForm is the choice page filled with what was typed (typed),
// or else with the saved choice.
func (s *Server) notifyPrefsForm(r *http.Request, id int64, typed *notify.Preference) (*Page, error) {
	pref, err := notify.Preferences(r.Context(), s.DB, id)
	if err != nil {
		return nil, err
	}
	shown := pref
	if typed != nil {
		shown = *typed
	}
	p := s.page(r, "notify.pref.title")
	p.Form["notify_by"], p.Form["email"], p.Form["lang"] = shown.By, shown.Email, shown.Lang
	p.Data = notifyPrefsView{By: notify.ByChoices, Langs: notify.LangChoices, Phone: pref.Phone}
	return p, nil
}

func (s *Server) saveNotifyPrefs(w http.ResponseWriter, r *http.Request) error {
	id := s.signedInApplicant(w, r)
	if id == 0 {
		return nil
	}
	in := notify.Preference{By: r.PostFormValue("notify_by"), Email: r.PostFormValue("email"), Lang: r.PostFormValue("lang")}
	if err := notify.SetPreferences(r.Context(), s.DB, id, in, s.Now()); err != nil {
		p, perr := s.notifyPrefsForm(r, id, &in)
		if perr != nil {
			return perr
		}
		return s.formFailed(w, r, "me_notify", p, err)
	}
	s.flash(r, "notify.pref.saved")
	http.Redirect(w, r, "/me/notify", http.StatusSeeOther)
	return nil
}

// noteView is a staff note in the reader's language.
type noteView struct {
	CaseNo string
	Text   string
	At     time.Time
	Unread bool
}

func (s *Server) notesPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "notify.notes.title")
	notes, err := notify.Notes(r.Context(), s.DB, actor(r).StaffID, 200)
	if err != nil {
		return err
	}
	list := make([]noteView, len(notes))
	for i, n := range notes {
		list[i] = noteView{CaseNo: n.CaseNo, Text: s.i18n.T(p.Lang, n.Key, n.Params), At: n.CreatedAt, Unread: n.ReadAt == nil}
	}
	p.Data = list
	return s.render(w, r, "notes", p)
}

func (s *Server) notesRead(w http.ResponseWriter, r *http.Request) error {
	if err := notify.MarkRead(r.Context(), s.DB, actor(r).StaffID, s.Now()); err != nil {
		return err
	}
	http.Redirect(w, r, "/notes", http.StatusSeeOther)
	return nil
}

// outboxScope: a province-wide admin sees every county's messages, a hall
// admin their county's (hallAdmin lets no one else in).
func outboxScope(a org.Actor) notify.Scope {
	if a.Province {
		return notify.Scope{All: true}
	}
	return notify.Scope{County: a.County()}
}

type outboxView struct {
	Messages []notify.Message
	States   []string
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "notify.outbox.title")
	status := r.URL.Query().Get("status")
	list, err := notify.List(r.Context(), s.DB, outboxScope(actor(r)), status, 500)
	if err != nil {
		return err
	}
	p.Form["status"] = status
	p.Data = outboxView{Messages: list, States: notify.ListStates}
	return s.render(w, r, "outbox", p)
}

func (s *Server) outboxRetry(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r.PathValue("id"), "entity.outbox_message")
	if err != nil {
		return err
	}
	if err := notify.Retry(r.Context(), s.DB, outboxScope(actor(r)), id, s.Now()); err != nil {
		return err
	}
	s.flash(r, "notify.outbox.retried")
	http.Redirect(w, r, "/admin/outbox", http.StatusSeeOther)
	return nil
}
