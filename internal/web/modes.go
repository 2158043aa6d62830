package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/modes"
	"onestop/internal/org"
)

// Acceptance modes (issue 14 §3): the catalogue admin's per-item settings
// (/admin/items/{code}/modes), the department's verifications of
// commitments (/verifications), and the supply of 容缺 materials by the
// window (/cases/{no}/supply) and the applicant (/my/cases/{no}/supply).
// modes.Service and the case engine decide scope and every rule.
var verifiers = roles(org.Reviewer, org.Approver)

func init() {
	auditAreas["item_modes"] = []string{"modes"}
}

func (s *Server) registerModes() {
	s.handle("GET /admin/items/{code}/modes", itemManagers, s.manages(s.itemModesPage))
	s.handle("POST /admin/items/{code}/modes", itemManagers, s.manages(s.itemModesSave))
	s.handle("GET /verifications", verifiers, s.verificationsPage)
	s.handle("POST /verifications/{no}", verifiers, s.verificationOutcome)
	s.handle("POST /cases/{no}/supply", clerks, s.caseSupply)
	s.handle("POST /my/cases/{no}/supply", everyone, s.mySupply)
}

// itemModesView is the settings form's data.
type itemModesView struct {
	Item     catalogue.Item
	Settings modes.Settings
}

// Replaces and IsMinor tick a material's boxes.
func (v *itemModesView) Replaces(name string) bool { return slices.Contains(v.Settings.Replaced, name) }
func (v *itemModesView) IsMinor(name string) bool  { return slices.Contains(v.Settings.Minor, name) }

func (s *Server) itemModesPage(w http.ResponseWriter, r *http.Request) error {
	it, st, err := s.Modes.Settings(r.Context(), itemCode(r))
	if err != nil {
		return err
	}
	// Anyone who keeps a catalogue reads the form, as they read the item's
	// (/admin/items/{code}); saving is the item's department's (Save).
	p := s.page(r, "modes.settings_title")
	p.Title = p.T("modes.settings_title_item", "Name", it.Name)
	p.Form = formValues(modesForm{VerifyDays: st.VerifyDays, Terms: st.Terms, SupplyDays: st.SupplyDays, Margin: st.Margin,
		Commitment: st.Commitment, Lenient: st.Lenient})
	p.Data = &itemModesView{Item: it, Settings: st}
	return s.render(w, r, "item_modes", p)
}

// modesForm is the settings form's scalar fields; the material lists are
// repeated "replaced" and "minor" boxes.
type modesForm struct {
	Commitment bool   `json:"commitment"`
	VerifyDays int    `json:"verify_days"`
	Terms      string `json:"terms"`
	Lenient    bool   `json:"lenient"`
	SupplyDays int    `json:"supply_days"`
	Margin     int    `json:"margin"`
}

func (s *Server) itemModesSave(w http.ResponseWriter, r *http.Request) error {
	it, _, err := s.Modes.Settings(r.Context(), itemCode(r))
	if err != nil {
		return err
	}
	p := s.page(r, "modes.settings_title")
	p.Title = p.T("modes.settings_title_item", "Name", it.Name)
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	var f modesForm
	err = decodeValues(r.PostForm, &f)
	in := modes.Settings{Commitment: f.Commitment, Replaced: r.PostForm["replaced"], VerifyDays: f.VerifyDays, Terms: f.Terms,
		Lenient: f.Lenient, Minor: r.PostForm["minor"], SupplyDays: f.SupplyDays, Margin: f.Margin}
	p.Form = formValues(f)
	p.Data = &itemModesView{Item: it, Settings: in}
	if err == nil {
		_, err = s.Modes.Save(r.Context(), actor(r), it.Code, in)
	}
	if err != nil {
		return s.formFailed(w, r, "item_modes", p, err)
	}
	s.flash(r, "modes.saved")
	http.Redirect(w, r, "/guide/items/"+it.Code, http.StatusSeeOther)
	return nil
}

func (s *Server) verificationsPage(w http.ResponseWriter, r *http.Request) error {
	items, err := s.Modes.Verifications(r.Context(), actor(r))
	if err != nil {
		return err
	}
	p := s.page(r, "modes.verifications_title")
	p.Data = items
	return s.render(w, r, "verifications", p)
}

// verificationOutcome records one verification: outcome=passed, or
// outcome=false with the reasons, which revokes the decision.
func (s *Server) verificationOutcome(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	no := caseNo(r)
	// Another department's case is "not found" whatever the form says.
	if _, err := s.Cases.Get(r.Context(), cases.StaffActor(actor(r)), no); err != nil {
		return err
	}
	outcome, reason := r.PostFormValue("outcome"), r.PostFormValue("reason")
	var err error
	switch outcome {
	case "passed", "false":
		_, err = s.Modes.Outcome(r.Context(), actor(r), no, outcome == "passed", reason)
	default:
		f := apperr.Fields{}
		f.Add("outcome", "error.choose")
		err = f.Err()
	}
	if err != nil {
		ae := apperr.As(err)
		if ae == nil || ae.Code == apperr.NotFound || ae.Code == apperr.Forbidden {
			return err
		}
		items, lerr := s.Modes.Verifications(r.Context(), actor(r))
		if lerr != nil {
			return lerr
		}
		p := s.page(r, "modes.verifications_title")
		p.Form["no"], p.Form["reason"], p.Form["outcome"] = no, reason, outcome
		p.Data = items
		return s.formFailed(w, r, "verifications", p, err)
	}
	s.flash(r, "modes.done."+outcome)
	http.Redirect(w, r, "/cases/"+no, http.StatusSeeOther)
	return nil
}

func (s *Server) caseSupply(w http.ResponseWriter, r *http.Request) error {
	return s.caseActionNamed(w, r, cases.ActSupply)
}

func (s *Server) mySupply(w http.ResponseWriter, r *http.Request) error {
	return s.myAct(w, r, cases.ActSupply)
}

// modeOffer is what an intake or apply form offers: the item's modes, and
// why 告知承诺 is refused to this applicant (their credit marks; staff see
// the list, the applicant their latest reason).
type modeOffer struct {
	Settings modes.Settings
	Marks    []modes.CreditMark
	Marked   string
}

// Any reports whether the item offers a mode besides the normal one.
func (o *modeOffer) Any() bool { return o != nil && (o.Settings.Commitment || o.Settings.Lenient) }

// offerModes reads the item's modes and the applicant's marks (applicantID
// 0: not known yet, a new registration).
func (s *Server) offerModes(r *http.Request, code string, applicantID int64, staff *org.Actor) (*modeOffer, error) {
	_, st, err := s.Modes.Settings(r.Context(), code)
	if err != nil {
		return nil, err
	}
	o := &modeOffer{Settings: st}
	if applicantID == 0 || !st.Commitment {
		return o, nil
	}
	if staff != nil {
		if o.Marks, err = s.Modes.CreditMarks(r.Context(), *staff, applicantID); err != nil {
			return nil, err
		}
		if len(o.Marks) > 0 {
			o.Marked = o.Marks[0].Reason
		}
		return o, nil
	}
	o.Marked, err = s.Modes.OwnMark(r.Context(), applicantID)
	return o, err
}

// modeSummary shows an event's "mode" record on the case timeline in
// words: the mode, then what it replaced or left owed and the deadlines.
func (p *Page) modeSummary(v any) string {
	m, _ := v.(map[string]any)
	mode, _ := m["mode"].(string)
	if mode == "" {
		return ""
	}
	names := func(k string) string {
		var out []string
		list, _ := m[k].([]any)
		for _, x := range list {
			out = append(out, fmt.Sprint(x))
		}
		return strings.Join(out, "、")
	}
	parts := []string{p.T("modes.mode." + mode)}
	if n := names("materials"); n != "" && mode == modes.Commitment {
		parts = append(parts, p.T("modes.case_replaced", "Names", n))
	}
	if n := names("owed"); n != "" {
		parts = append(parts, p.T("modes.case_owed", "Names", n))
	}
	if d, ok := m["supply_due"].(string); ok {
		parts = append(parts, p.T("modes.case_supply_due", "Date", d))
	}
	if d, ok := m["verify_due"].(string); ok {
		parts = append(parts, p.T("modes.case_verify_due", "Date", d))
	}
	if o, ok := m["outcome"].(string); ok {
		parts = append(parts, p.T("modes.outcome."+o))
	}
	if b, _ := m["supplied"].(bool); b {
		parts = append(parts, p.T("modes.case_supplied"))
	}
	return strings.Join(parts, " · ")
}
