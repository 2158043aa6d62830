package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/ident"
	"onestop/internal/org"
)

// Window intake (窗口收件) in under a minute of typing: the ID number and
// the item in one short form (Enter), then the materials received on paper
// (Space on each, Enter). A returning applicant is found by the number; a
// new one is registered on the same page. Everything works without
// JavaScript; cases.js only shows the applicant's name while typing.

// intakeView is what the intake page gets.
type intakeView struct {
	Items     []catalogue.Item // what this clerk may receive
	Item      *catalogue.Item  // the item picked
	Choices   []catalogue.Item // several items matched what was typed
	Several   string           // says so
	Applicant *applicants.Applicant
	Register  bool // the number is new: show the registration fields
	Ready     bool // applicant (or registration) and item known: show the materials
	Kinds     []string
	Pickups   []string // a township's window asks where the result is collected
	// Modes are the item's acceptance modes and the applicant's credit
	// marks (modes.go), once the form is ready.
	Modes *modeOffer
}

// clerkItems lists the in-force items a clerk may receive: their own
// department's and those commissioned to the centre (委托受理); at a
// township centre only those handled there (engine: case.not_at_township).
func (s *Server) clerkItems(ctx context.Context, a org.Actor) ([]catalogue.Item, error) {
	var out []catalogue.Item
	for off := 0; ; off += 500 {
		list, total, err := s.Cases.Catalogue.List(ctx, catalogue.Filter{County: a.County(), Limit: 500, Offset: off})
		if err != nil {
			return nil, err
		}
		for _, it := range list {
			if it.DepartmentID != a.DepartmentID && !it.Commissioned {
				continue
			}
			if a.CentreKind != "hall" && !it.AtTownship {
				continue
			}
			out = append(out, it)
		}
		if off+len(list) >= total || len(list) == 0 {
			return out, nil
		}
	}
}

// pickItem resolves what the clerk typed: a code (the datalist's value)
// exactly, else a part of a name or code; several matches are offered.
func pickItem(items []catalogue.Item, typed string) (*catalogue.Item, []catalogue.Item) {
	t := strings.TrimSpace(typed)
	if t == "" {
		return nil, nil
	}
	for i := range items {
		if strings.EqualFold(items[i].Code, t) {
			return &items[i], nil
		}
	}
	// A datalist entry typed in full ("CODE 名称") also picks by its code.
	if code, _, ok := strings.Cut(t, " "); ok {
		for i := range items {
			if strings.EqualFold(items[i].Code, code) {
				return &items[i], nil
			}
		}
	}
	var hits []catalogue.Item
	lt := strings.ToLower(t)
	for _, it := range items {
		if strings.Contains(strings.ToLower(it.Name), lt) || strings.Contains(strings.ToLower(it.Code), lt) {
			hits = append(hits, it)
		}
	}
	if len(hits) == 1 {
		return &hits[0], nil
	}
	return nil, hits
}

// guessKind: a resident ID number is a citizen's, anything else an
// organisation's credit code (the registration checks the number).
func guessKind(number string) string {
	if _, err := ident.ResidentID(number); err == nil {
		return applicants.Citizen
	}
	if len(number) == 18 && (number[17] == 'X' || number[17] == 'x' || (number[17] >= '0' && number[17] <= '9')) && isDigits(number[:17]) {
		return applicants.Citizen
	}
	return applicants.Organisation
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// intakeState works out the page from the typed number and item.
func (s *Server) intakeState(r *http.Request, p *Page, number, typed string) (*intakeView, error) {
	ctx := r.Context()
	a := actor(r)
	items, err := s.clerkItems(ctx, a)
	if err != nil {
		return nil, err
	}
	v := &intakeView{Items: items, Kinds: []string{applicants.Citizen, applicants.Organisation}}
	if a.CentreKind != "hall" {
		v.Pickups = cases.Pickups
	}
	number = strings.ToUpper(strings.TrimSpace(number))
	p.Form["id_number"], p.Form["item"] = number, typed
	// Received from a queue ticket: the form carries it to the case.
	p.Form["ticket"] = r.FormValue("ticket")
	submitted := r.URL.Query().Has("id_number") || r.Method == http.MethodPost
	if !submitted {
		return v, nil
	}
	if number == "" {
		p.Errors["id_number"] = p.T("error.required")
	} else {
		ap, err := s.Applicants.ByNumber(ctx, number)
		switch {
		case err == nil:
			v.Applicant = &ap
		case apperr.Is(err, apperr.NotFound):
			v.Register = true
			if p.Form["kind"] == "" {
				p.Form["kind"] = guessKind(number)
			}
		default:
			return nil, err
		}
	}
	v.Item, v.Choices = pickItem(items, typed)
	switch {
	case strings.TrimSpace(typed) == "":
		p.Errors["item"] = p.T("error.required")
	case v.Item == nil && len(v.Choices) == 0:
		p.Errors["item"] = p.T("intake.item_none")
	case v.Item == nil:
		// Not a mistake: the clerk picks one of the matches below.
		v.Several = p.T("intake.item_several", "N", len(v.Choices))
	default:
		p.Form["item"] = v.Item.Code
	}
	v.Ready = v.Item != nil && (v.Applicant != nil || v.Register)
	if v.Ready {
		var id int64
		if v.Applicant != nil {
			id = v.Applicant.ID
		}
		if v.Modes, err = s.offerModes(r, v.Item.Code, id, &a); err != nil {
			return nil, err
		}
	}
	if len(p.Errors) > 0 && !v.Ready {
		p.Problem = p.T("error.invalid")
		p.Status = http.StatusUnprocessableEntity
	}
	return v, nil
}

func (s *Server) intakePage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "intake.title")
	q := r.URL.Query()
	v, err := s.intakeState(r, p, q.Get("id_number"), q.Get("item"))
	if err != nil {
		return err
	}
	p.Data = v
	return s.render(w, r, "intake", p)
}

// intakeSubmit registers a new applicant if needed and submits the case
// with the materials ticked as received on paper; the clerk lands on the
// new case's page, where the receipt is ready to print.
func (s *Server) intakeSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	p := s.page(r, "intake.title")
	for _, k := range []string{"kind", "name", "phone", "contact_name", "pickup"} {
		p.Form[k] = r.PostFormValue(k)
	}
	if r.PostFormValue("confirm_check") != "" {
		p.Form["confirm_check"] = "on"
	}
	p.Form["mode"] = r.PostFormValue("mode")
	v, err := s.intakeState(r, p, r.PostFormValue("id_number"), r.PostFormValue("item"))
	if err != nil {
		return err
	}
	p.Data = v
	for k := range r.PostForm {
		if strings.HasPrefix(k, "m") && strings.HasSuffix(k, "_paper") {
			p.Form[k] = "on"
		}
	}
	if !v.Ready {
		return s.render(w, r, "intake", p)
	}
	ctx := r.Context()
	a := actor(r)
	if v.Applicant == nil {
		in := applicants.Input{Kind: p.Form["kind"], IDNumber: p.Form["id_number"], Name: p.Form["name"], Phone: p.Form["phone"],
			ContactName: p.Form["contact_name"], ConfirmCheck: p.Form["confirm_check"] != ""}
		ap, err := s.Applicants.Register(ctx, in, false)
		if err != nil {
			if ae := apperr.As(err); ae != nil && ae.Fields["id_number"].Key == "applicant.check_confirm" {
				p.Form["show_confirm"] = "1"
			}
			return s.formFailed(w, r, "intake", p, err)
		}
		v.Applicant, v.Register = &ap, false
	}
	var ms []cases.MaterialChange
	for i := range v.Item.Materials {
		if r.PostFormValue(fmt.Sprintf("m%d_paper", i+1)) != "" {
			ms = append(ms, cases.MaterialChange{Seq: i + 1, Paper: true})
		}
	}
	c, err := s.Cases.Submit(ctx, cases.StaffActor(a), cases.SubmitInput{ItemCode: v.Item.Code, ApplicantID: v.Applicant.ID, Materials: ms,
		Pickup: p.Form["pickup"], Mode: p.Form["mode"]})
	if err != nil {
		if ae := apperr.As(err); ae != nil && ae.Code == apperr.Invalid {
			// The engine names item_code and applicant_id; the form calls
			// them item and id_number.
			if m, ok := ae.Fields["item_code"]; ok {
				p.Errors["item"] = s.i18n.Msg(p.Lang, m)
			}
			if m, ok := ae.Fields["applicant_id"]; ok {
				p.Errors["id_number"] = s.i18n.Msg(p.Lang, m)
			}
		}
		return s.formFailed(w, r, "intake", p, err)
	}
	s.linkTicket(r, c.No)
	s.flash(r, "intake.done")
	http.Redirect(w, r, "/cases/"+c.No+"?received=1", http.StatusSeeOther)
	return nil
}

// MaterialKey is the form field of a material's "received on paper" box.
func (v *intakeView) MaterialKey(i int) string { return "m" + strconv.Itoa(i+1) + "_paper" }
