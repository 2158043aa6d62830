package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/bundles"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/modes"
	"onestop/internal/org"
)

// caseView is what the case page (staff) and my-case page (applicant) get.
type caseView struct {
	C        *cases.Case
	Notes    []string
	Events   []eventView
	Docs     []docView
	Messages []messageView
	Actions  map[string]bool
	Order    []string
	ItemURL  string
	Full     bool // the viewer may see the applicant's whole ID number
	Posted   string
	Supplied []supplementItem // what the last supplement notice asked for
	Pause    []string
	// CoverCandidates: whom the department admin may assign when A, B
	// and the chief representative are all away (case_cover.go).
	CoverCandidates []cases.CoverCandidate
	Delivery        []string
	MaxExtend       int
	Missing         []string // required materials not received yet
	FileBase        string   // where material files are served
	Mine            bool     // the applicant's own view (/my/cases/…)
	// Ratings are the applicant's ratings of the case with the replies
	// and revisits (ratings_public.go); nil on staff pages.
	Ratings *caseRatings
	// Clock details a clerk asks about at the window: the suspension in
	// force and the extension granted, and the years without holiday data.
	Suspended    *pauseView
	Extension    *extensionView
	MissingYears string
	// Mode is the acceptance mode (告知承诺, 容缺), nil for a normal one.
	Mode *modes.CaseMode
	// Shared are the materials of the case's bundle, handed in once for
	// every part (nil for a case on its own).
	Shared []bundles.Material
	// Payment is the case's payment notice section (payments_pages.go).
	Payment *casePayment
	p       *Page
}

// pauseView is the suspension in force: the special procedure, since when,
// and what the applicant was told it would take.
type pauseView struct {
	Reason   string
	From     time.Time
	Expected int
	Until    calendar.Date // From + Expected calendar days (the notice says "N 日")
	Over     bool          // today is past Until
}

// extensionView is the one extension: how long, who signed it off, why.
type extensionView struct {
	Days     int
	Approver string
	At       time.Time
	Reason   string
}

// eventView is one line of the timeline.
type eventView struct {
	Seq     int
	At      time.Time
	Actor   string
	Role    string
	Place   string
	Action  string
	Details []detail
}

// ID gives a field of an action form its element id: the form that was
// posted gets the f-<field> ids the error summary links to; the others get
// ids of their own so the page has no duplicates.
func (v *caseView) ID(action, field string) string {
	if action == v.Posted {
		return "f-" + field
	}
	return action + "-" + field
}

// Val is what the posted form held in a field (empty for other forms).
func (v *caseView) Val(action, field string) string {
	if action != v.Posted {
		return ""
	}
	return v.p.Form[field]
}

// Err is the problem with a field of the posted form.
func (v *caseView) Err(action, field string) string {
	if action != v.Posted {
		return ""
	}
	return v.p.Errors[field]
}

// MaterialErr is the problem with a material row of the posted form.
func (v *caseView) MaterialErr(action string, seq int) string {
	if e := v.Err(action, fmt.Sprintf("materials.%d.note", seq)); e != "" {
		return e
	}
	return v.Err(action, fmt.Sprintf("materials.%d", seq))
}

// Listed reports whether the last supplement notice named the material.
func (v *caseView) Listed(seq int) bool {
	return slices.ContainsFunc(v.Supplied, func(s supplementItem) bool { return s.Seq == seq })
}

func (s *Server) caseView(p *Page, c *cases.Case, viewer *org.Actor, fileBase string) *caseView {
	v := &caseView{C: c, p: p, ItemURL: fmt.Sprintf("/guide/items/%s?v=%d", c.ItemCode, c.ItemVersion), Order: actionOrder,
		Pause: cases.PauseReasons, Delivery: cases.DeliveryMethods, MaxExtend: cases.MaxExtension, FileBase: fileBase}
	if c.Clock != nil {
		v.Notes = p.CaseNotes(c.Clock.Explanation)
		var ys []string
		for _, y := range c.Clock.MissingYears {
			ys = append(ys, strconv.Itoa(y))
		}
		v.MissingYears = strings.Join(ys, "、")
	}
	if c.Paused {
		for _, pa := range c.Pauses {
			if pa.To == nil {
				from := clock.Today(pa.From)
				until := from.AddDays(pa.ExpectedDays)
				v.Suspended = &pauseView{Reason: pa.Reason, From: pa.From, Expected: pa.ExpectedDays, Until: until,
					Over: pa.ExpectedDays > 0 && clock.Today(s.Now()).After(until)}
			}
		}
	}
	for _, e := range c.Events {
		if e.Action != cases.ActExtend {
			continue
		}
		var pl struct {
			Days   int    `json:"days"`
			Reason string `json:"reason"`
		}
		_ = json.Unmarshal(e.Payload, &pl)
		v.Extension = &extensionView{Days: pl.Days, Approver: e.Actor, At: e.At, Reason: pl.Reason}
	}
	for _, e := range c.Events {
		v.Events = append(v.Events, eventView{Seq: e.Seq, At: e.At, Actor: e.Actor, Role: e.Role, Place: e.Place, Action: e.Action,
			Details: p.eventDetails(e.Payload)})
	}
	v.Messages = p.caseMessages(c)
	v.Supplied, _ = lastSupplement(c)
	for _, m := range c.Materials {
		if m.Required && m.Status != "received" {
			v.Missing = append(v.Missing, m.Name)
		}
	}
	if viewer != nil {
		v.Full = seesFullNumbers(*viewer)
		v.Actions = allowedActions(c, cases.StaffActor(*viewer))
		v.Docs = caseDocs(c, "/cases")
		maskCase(c, viewer)
	} else {
		v.Full, v.Mine = true, true
		v.Actions = map[string]bool{}
		v.Docs = caseDocs(c, "/my/cases")
	}
	return v
}

// casePage shows one case to staff in scope; anyone else gets "not found"
// (the engine answers the same for a missing case and one out of scope).
func (s *Server) casePage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCase(w, r, "", nil)
}

func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, posted string, failure error) error {
	a := actor(r)
	c, err := s.Cases.Get(r.Context(), cases.StaffActor(a), caseNo(r))
	if err != nil {
		return err
	}
	p := s.page(r, "case.title")
	p.Title = p.T("case.title_no", "No", c.No)
	if failure != nil {
		ae := apperr.As(failure)
		p.Problem = s.i18n.Msg(p.Lang, ae.Msg)
		for f, m := range ae.Fields {
			p.Errors[f] = s.i18n.Msg(p.Lang, m)
		}
		p.Status = statusOf(ae.Code)
		for k, vs := range r.PostForm {
			if k != "csrf_token" && len(vs) > 0 {
				p.Form[k] = vs[0]
			}
		}
		if ae.Code == apperr.Conflict && ae.Msg.Key == "case.changed" {
			// The page now shows the state someone else left the case in;
			// the stale form values mean nothing any more.
			p.Form, posted = map[string]string{}, ""
		}
	}
	v := s.caseView(p, c, &a, "/cases")
	v.Posted = posted
	if v.Payment, err = s.casePayment(r, c, &a); err != nil {
		return err
	}
	if v.Mode, err = s.Modes.OfCase(r.Context(), c.ID); err != nil {
		return err
	}
	if c.BundleNo != "" {
		if v.Shared, err = s.Bundles.Shared(r.Context(), c.BundleNo); err != nil {
			return err
		}
	}
	if v.CoverCandidates, err = s.Cases.CoverCandidates(r.Context(), a, c); err != nil {
		return err
	}
	p.Data = v
	return s.render(w, r, "case", p)
}

// actionForm is what an action form posts besides materials.
type actionForm struct {
	Version      int    `json:"version"`
	Reason       string `json:"reason"`
	RightOrgan   string `json:"right_organ"`
	Opinion      string `json:"opinion"`
	PauseReason  string `json:"pause_reason"`
	ExpectedDays int    `json:"expected_days"`
	Days         int    `json:"days"`
	Delivery     string `json:"delivery"`
}

// caseAction performs one action from the case page's forms. The hidden
// version field makes a stale page fail with "the case changed" instead of
// acting on a state the clerk never saw; the page then shows the new state.
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request) error {
	action := r.PathValue("action")
	if !knownAction(action) {
		return apperr.New(apperr.NotFound, "case.unknown_action", "Action", action)
	}
	return s.caseActionNamed(w, r, action)
}

// caseActionNamed performs an action the route names (the case page's
// forms, and the acceptance modes' own actions: modes.go).
func (s *Server) caseActionNamed(w http.ResponseWriter, r *http.Request, action string) error {
	a := actor(r)
	ca := cases.StaffActor(a)
	no := caseNo(r)
	c, err := s.Cases.Get(r.Context(), ca, no)
	if err != nil {
		return err
	}
	in, err := s.actionInput(r, ca, c, action)
	if err == nil {
		_, err = s.actCase(r, ca, no, action, in)
	}
	return s.finishAction(w, r, err, func(err error) error { return s.renderCase(w, r, action, err) }, "case.done."+action, "/cases/"+no)
}

// finishAction answers a case action form, for staff and applicants alike:
// a user's mistake (invalid input, a stale page, no right to act, a file
// too large) shows the case page again with the message and what was
// typed; success flashes and goes back to the case (post/redirect/get).
func (s *Server) finishAction(w http.ResponseWriter, r *http.Request, err error, rerender func(error) error, done, back string) error {
	if err != nil {
		switch apperr.CodeOf(err) {
		case apperr.Invalid, apperr.Conflict, apperr.Forbidden, apperr.TooLarge:
			return rerender(err)
		}
		return err
	}
	s.flash(r, done)
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// actionInput reads an action form into the engine's Input: the common
// fields, and per material the supplement rows (status + note) or what a
// clerk received at the window (paper or a scanned file).
func (s *Server) actionInput(r *http.Request, who cases.Actor, c *cases.Case, action string) (cases.Input, error) {
	var f actionForm
	if err := parseAnyForm(r); err != nil {
		return cases.Input{}, err
	}
	if err := decodeValues(r.PostForm, &f); err != nil {
		return cases.Input{}, err
	}
	in := cases.Input{Version: f.Version, Reason: f.Reason, RightOrgan: f.RightOrgan, Opinion: f.Opinion, PauseReason: f.PauseReason,
		ExpectedDays: f.ExpectedDays, Days: f.Days, Delivery: f.Delivery}
	switch action {
	case cases.ActSupplement:
		for _, m := range c.Materials {
			st := r.PostFormValue(fmt.Sprintf("m%d_status", m.Seq))
			if st == "" {
				continue
			}
			in.Materials = append(in.Materials, cases.MaterialChange{Seq: m.Seq, Status: st, Note: r.PostFormValue(fmt.Sprintf("m%d_note", m.Seq))})
		}
	case cases.ActResubmit, cases.ActSupply:
		ch, err := s.receivedMaterials(r, who, c, true)
		if err != nil {
			return in, err
		}
		in.Materials = ch
		if len(ch) == 0 {
			fe := apperr.Fields{}
			fe.Add("materials", "case.nothing_received")
			return in, fe.Err()
		}
	}
	return in, nil
}
