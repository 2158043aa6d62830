package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/org"
)

// The case pages (网上审批): the clerk's window intake and workbench, the
// case page with its actions and printable documents, the applicant's side
// (apply online, my cases), the public progress query and deadline
// calculator, the calendar admin, and the JSON API with the same rules. The
// engine (internal/cases) decides every transition and every scope
// question; these handlers parse, ask it, and show what it answered.

var (
	clerks = roles(org.Clerk)
	// calendarEditors: the county hall's centre admin keeps the holiday
	// table (cases.SaveYear checks the same).
	calendarEditors = access{Roles: []org.Role{org.CentreAdmin}, CountyWide: true}
)

func (s *Server) registerCases() {
	s.handle("GET /workbench", anyStaff, s.workbench)
	s.handle("GET /workbench/intake", clerks, s.intakePage)
	s.handle("POST /workbench/intake", clerks, s.intakeSubmit)
	s.handle("GET /cases/{no}", anyStaff, s.casePage)
	s.handle("POST /cases/{no}/actions/{action}", caseWorkers, s.caseAction)
	s.handle("GET /cases/{no}/files/{sha}", anyStaff, s.caseFile)
	s.handle("GET /cases/{no}/documents/{kind}", anyStaff, s.caseDocument)

	// The applicant's side: public routes, because an applicant's session is
	// not a staff login; each handler sends a visitor without one to /signin.
	s.handle("GET /apply/{code}", everyone, s.applyPage)
	s.handle("POST /apply/{code}", everyone, s.applySubmit)
	s.handle("GET /my/cases", everyone, s.myCases)
	s.handle("GET /my/cases/{no}", everyone, s.myCase)
	s.handle("POST /my/cases/{no}/resubmit", everyone, s.myResubmit)
	s.handle("POST /my/cases/{no}/withdraw", everyone, s.myWithdraw)
	s.handle("GET /my/cases/{no}/files/{sha}", everyone, s.caseFile)
	s.handle("GET /my/cases/{no}/documents/{kind}", everyone, s.caseDocument)

	s.handle("GET /progress", everyone, s.progressPage)
	s.handle("GET /calendar/deadline", everyone, s.deadlinePage)
	s.handle("GET /admin/calendar", anyStaff, s.calendarAdmin)
	s.handle("POST /admin/calendar", calendarEditors, s.calendarSave)

	s.handle("POST /api/v1/cases", everyone, s.apiSubmitCase)
	s.handle("GET /api/v1/cases", anyStaff, s.apiInbox)
	s.handle("GET /api/v1/cases/{no}", everyone, s.apiCase)
	s.handle("POST /api/v1/cases/{no}/actions/{action}", everyone, s.apiCaseAction)
	s.handle("GET /api/v1/my/cases", everyone, s.apiMyCases)
	s.handle("POST /api/v1/files", everyone, s.apiUpload)
	s.handle("GET /api/v1/progress", everyone, s.apiProgress)
	s.handle("GET /api/v1/calendar/deadline", everyone, s.apiDeadline)
	s.handle("GET /api/v1/calendar/years", everyone, s.apiCalendarYears)
	s.handle("PUT /api/v1/calendar/years/{year}", calendarEditors, s.apiCalendarSaveYear)
}

// caseActor is who acts on a case in this request: the signed-in staff
// member, else the signed-in applicant. ok is false for a visitor.
func (s *Server) caseActor(r *http.Request) (cases.Actor, bool, error) {
	info := reqInfo(r)
	if info.Actor != nil {
		return cases.StaffActor(*info.Actor), true, nil
	}
	return s.applicantActor(r)
}

// applicantActor is the signed-in applicant, whatever else is signed in
// (the applicant pages act for the applicant only).
func (s *Server) applicantActor(r *http.Request) (cases.Actor, bool, error) {
	id := s.Sessions.GetInt64(r.Context(), sessApplicant)
	if id == 0 {
		return cases.Actor{}, false, nil
	}
	a, err := s.Applicants.ByID(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) {
		return cases.Actor{}, false, nil
	}
	if err != nil {
		return cases.Actor{}, false, err
	}
	return cases.Actor{ApplicantID: a.ID, ApplicantName: a.Name, Address: clientAddress(r)}, true, nil
}

// toSignin sends a visitor to the applicant sign-in.
func toSignin(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

// caseNo reads the {no} path segment; numbers are stored upper-case.
func caseNo(r *http.Request) string { return strings.ToUpper(strings.TrimSpace(r.PathValue("no"))) }

// maskCase hides the applicant's identity from staff who do not handle
// cases (the same rule as the applicant lists).
func maskCase(c *cases.Case, a *org.Actor) {
	if a == nil || seesFullNumbers(*a) {
		return
	}
	m := applicants.Applicant{Kind: c.ApplicantKind, IDNumber: c.ApplicantNumber, Name: c.ApplicantName, Phone: c.ApplicantPhone}.Masked()
	c.ApplicantNumber, c.ApplicantName, c.ApplicantPhone = m.IDNumber, m.Name, m.Phone
	maskAddressees(c)
}

// CaseRole names the role an event was recorded under.
func (p *Page) CaseRole(role string) string {
	if org.Role(role).Valid() {
		return p.T("role." + role)
	}
	return p.T("case.role." + role)
}

// CaseLight is the words for a light, so it never relies on colour alone.
func (p *Page) CaseLight(l clock.Light) string {
	if l == "" {
		return p.T("case.light.none")
	}
	return p.T("case.light." + string(l))
}

// CaseNotes renders a clock's explanation in the page's language.
func (p *Page) CaseNotes(notes []calendar.Note) []string {
	out := make([]string, 0, len(notes))
	for _, n := range notes {
		out = append(out, p.noteText(n))
	}
	return out
}

// noteText is Note.Text, with the pause reason (stored as a code such as
// expert_review) translated first.
func (p *Page) noteText(n calendar.Note) string {
	if n.Kind == calendar.NotePause && n.Reason != "" && slices.Contains(cases.PauseReasons, n.Reason) {
		n.Reason = p.T("case.pause." + n.Reason)
	}
	return n.Text(p.Lang)
}

// detail is one translated line of an event's payload.
type detail struct{ Label, Value string }

// payloadOrder is the order details are shown in; keys not listed (new
// ones the engine may add) follow in alphabetical order.
var payloadOrder = []string{"item_code", "item_version", "channel", "received", "step", "from_step", "acting_for", "assigned_by", "opinion", "reason",
	"right_organ", "materials", "pause_reason", "expected_days", "note", "days", "delivery", "deadline", "statutory_deadline", "provisional",
	"delivery_due", "rule"}

// hiddenPayload are keys kept in the record but not shown on the timeline:
// the remedy and the addressee are printed on the document, and the record
// is the row image for verify, not for reading.
var hiddenPayload = []string{"remedy", "addressee", "record"}

// payloadDates are the keys holding a calendar day ("2026-11-26").
var payloadDates = []string{"deadline", "statutory_deadline", "delivery_due"}

// eventDetails turns an event's payload into labelled lines.
func (p *Page) eventDetails(payload []byte) []detail {
	var m map[string]any
	if json.Unmarshal(payload, &m) != nil || len(m) == 0 {
		return nil
	}
	var keys []string
	for _, k := range payloadOrder {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range m {
		if !slices.Contains(payloadOrder, k) && !slices.Contains(hiddenPayload, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	var out []detail
	for _, k := range append(keys, rest...) {
		v := p.payloadValue(k, m[k])
		if v == "" {
			continue
		}
		out = append(out, detail{Label: p.payloadLabel(k), Value: v})
	}
	return out
}

// payloadLabel names a payload key; a key the engine adds before its label
// is written shows in words made from the key, never as a raw identifier.
func (p *Page) payloadLabel(k string) string {
	if label := p.T("case.payload." + k); label != "case.payload."+k {
		return label
	}
	return strings.ReplaceAll(k, "_", " ")
}

func (p *Page) payloadValue(key string, v any) string {
	if s, ok := v.(string); ok && slices.Contains(payloadDates, key) {
		if d, err := calendar.ParseDate(s); err == nil {
			return p.CaseDay(d)
		}
		return s
	}
	switch key {
	case "provisional":
		if b, _ := v.(bool); b {
			return p.T("case.provisional_tag")
		}
		return ""
	case "days":
		if n, ok := v.(float64); ok {
			return p.T("case.n_days", "N", int64(n))
		}
	case "channel":
		return p.T("case.channel." + fmt.Sprint(v))
	case "pause_reason":
		return p.T("case.pause." + fmt.Sprint(v))
	case "delivery":
		return p.T("case.delivery." + fmt.Sprint(v))
	case "mode":
		return p.modeSummary(v)
	case "materials":
		var parts []string
		list, _ := v.([]any)
		for _, x := range list {
			m, _ := x.(map[string]any)
			s := fmt.Sprint(m["name"]) + "（" + p.T("case.material."+fmt.Sprint(m["status"]))
			if n, _ := m["note"].(string); n != "" {
				s += "：" + n
			}
			parts = append(parts, s+"）")
		}
		return strings.Join(parts, "；")
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, fmt.Sprint(e))
		}
		return strings.Join(parts, "、")
	case float64:
		return fmt.Sprint(int64(x))
	}
	return fmt.Sprint(v)
}

// supplementListed is what the last supplement notice of a case asked for.
type supplementItem struct {
	Seq    int    `json:"seq"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Note   string `json:"note"`
}

func lastSupplement(c *cases.Case) (items []supplementItem, at time.Time) {
	for i := len(c.Events) - 1; i >= 0; i-- {
		e := c.Events[i]
		if e.Action != cases.ActSupplement {
			continue
		}
		var pl struct {
			Materials []supplementItem `json:"materials"`
		}
		_ = json.Unmarshal(e.Payload, &pl)
		return pl.Materials, e.At
	}
	return nil, time.Time{}
}

// eventAt finds the event that wrote something at instant t (a message or a
// document is written in the same transaction as its event, at its time).
func eventAt(c *cases.Case, action string, t time.Time) *cases.Event {
	for i := range c.Events {
		if c.Events[i].Action == action && c.Events[i].At.Equal(t) {
			return &c.Events[i]
		}
	}
	return nil
}

// messageView is one message to the applicant, translated, with the
// materials a supplement notice named.
type messageView struct {
	At        time.Time
	Text      string
	Materials []supplementItem
}

func (p *Page) caseMessages(c *cases.Case) []messageView {
	var out []messageView
	for _, m := range c.Messages {
		// A message names the deadline it was sent with (recorded in its
		// event), not today's: "accepted, due 9 Oct" stays true after a
		// later extension, which sends its own message.
		deadline := p.CaseDay(c.Deadline)
		var pl struct {
			Materials []supplementItem `json:"materials"`
			Deadline  string           `json:"deadline"`
			Pickup    string           `json:"pickup_centre"`
		}
		if e := eventAt(c, m.Kind, m.At); e != nil {
			_ = json.Unmarshal(e.Payload, &pl)
			if d, err := calendar.ParseDate(pl.Deadline); err == nil && m.Kind != cases.ActDeemApprove {
				deadline = p.CaseDay(d)
			}
		}
		// The pick-up centre as recorded when the notice went out.
		v := messageView{At: m.At, Text: p.T(m.Text, "Deadline", deadline, "Centre", cmp.Or(pl.Pickup, c.PickupCentre))}
		if m.Kind == cases.ActSupplement {
			v.Materials = pl.Materials
		}
		out = append(out, v)
	}
	return out
}

// docView is one issued document with the link to print it.
type docView struct {
	Kind     string
	IssuedAt time.Time
	URL      string
}

func caseDocs(c *cases.Case, base string) []docView {
	var out []docView
	for _, d := range c.Documents {
		out = append(out, docView{Kind: d.Kind, IssuedAt: d.IssuedAt, URL: fmt.Sprintf("%s/%s/documents/%s?seq=%d", base, c.No, d.Kind, d.EventSeq)})
	}
	return out
}

// allowedActions asks the case rules (cases.Allowed) which forms the case
// page offers this actor. The engine asks the same rules when the form is
// posted, and may still refuse (another person was faster), saying why.
func allowedActions(c *cases.Case, a cases.Actor) map[string]bool {
	set := map[string]bool{}
	for _, act := range actionOrder {
		if cases.Allowed(c, a, cases.Action(act)) {
			set[act] = true
		}
	}
	return set
}

// actionOrder is the order the action forms appear in.
var actionOrder = []string{cases.ActAccept, cases.ActSupplement, cases.ActResubmit, cases.ActForward, cases.ActApprove, cases.ActRefuse,
	cases.ActComplete, cases.ActDeliver, cases.ActSuspend, cases.ActResume, cases.ActExtend, cases.ActDecline, cases.ActWithdraw}

// knownAction reports whether the action is one a person may post.
func knownAction(a string) bool { return slices.Contains(actionOrder, a) }

// CaseSize shows a file size in KB or MB.
func (p *Page) CaseSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
