package web

import (
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
)

// docKinds are the official documents the engine issues.
var docKinds = []string{"receipt", "acceptance", "supplement", "non_acceptance", "approval", "refusal", "suspension", "extension",
	"commitment", "revocation"}

// docView is what a printable document page gets: the case, the document
// and the event that issued it, read from the record (so a reprint shows
// what was issued, not what the case says now).
type documentView struct {
	C        *cases.Case
	Kind     string
	Seq      int
	IssuedAt time.Time
	Payload  docPayload
	Event    *cases.Event
	Organ    string // the department deciding: its full name
	QR       template.URL
	QRText   string
	// RateQR and RateText are the receipt's rating link (好差评): it
	// carries a signed token for this case only (ratings.Service.QRToken),
	// so whoever holds the receipt rates without signing in.
	RateQR   template.URL
	RateText string
	Received []string
	Deemed   bool
	// The deadlines the document states: as recorded by the event that
	// issued it (older records: the case's current ones).
	Deadline          *calendar.Date
	StatutoryDeadline *calendar.Date
	Provisional       bool
	// DeliveryDue is the last day to deliver the licence (Art. 44), on an
	// approval.
	DeliveryDue *calendar.Date
	// Signer is who signed the event off (the approver of an extension).
	Signer string
	// To is the addressee as recorded when the document was issued.
	To string
	docLang
}

// ReceivedHas reports whether a material was handed in with the
// application, as the receipt recorded it.
func (v *documentView) ReceivedHas(name string) bool { return slices.Contains(v.Received, name) }

// docPayload is the union of what the issuing events record.
type docPayload struct {
	Reason       string           `json:"reason"`
	Remedy       string           `json:"remedy"`
	RightOrgan   string           `json:"right_organ"`
	Opinion      string           `json:"opinion"`
	Materials    []supplementItem `json:"materials"`
	Received     []string         `json:"received"`
	PauseReason  string           `json:"pause_reason"`
	ExpectedDays int              `json:"expected_days"`
	Note         string           `json:"note"`
	Days         int              `json:"days"`
	Rule         string           `json:"rule"`
	Deadline     string           `json:"deadline"`
	Statutory    string           `json:"statutory_deadline"`
	Provisional  bool             `json:"provisional"`
	DeliveryDue  string           `json:"delivery_due"`
	Addressee    string           `json:"addressee"`
	// Mode is what the acceptance modes recorded (internal/modes): the
	// commitment's terms and replaced materials, the owed materials and
	// their supply deadline.
	Mode modeRecord `json:"mode"`
}

// modeRecord is an event's "mode" record.
type modeRecord struct {
	Mode      string   `json:"mode"`
	Materials []string `json:"materials"`
	Terms     string   `json:"terms"`
	Owed      []string `json:"owed"`
	SupplyDue string   `json:"supply_due"`
	VerifyDue string   `json:"verify_due"`
}

// caseDocument prints one document: to staff in scope (/cases/…) and to
// the applicant (/my/cases/…). ?seq= picks one of several of a kind (a
// second supplement notice); without it, the latest.
func (s *Server) caseDocument(w http.ResponseWriter, r *http.Request) error {
	ca, ok, err := s.caseViewer(r)
	if !ok || err != nil {
		return signinOr(w, r, err)
	}
	kind := r.PathValue("kind")
	if !slices.Contains(docKinds, kind) {
		return apperr.NotFoundf("entity.document")
	}
	c, err := s.Cases.Get(r.Context(), ca, caseNo(r))
	if err != nil {
		return err
	}
	seq, _ := strconv.Atoi(r.URL.Query().Get("seq"))
	var doc *cases.Document
	for i := range c.Documents {
		d := &c.Documents[i]
		if d.Kind == kind && (seq == 0 || d.EventSeq == seq) {
			doc = d
		}
	}
	if doc == nil {
		return apperr.NotFoundf("entity.document")
	}
	v := &documentView{C: c, Kind: kind, Seq: doc.EventSeq, IssuedAt: doc.IssuedAt, Organ: c.Department}
	if c.Item != nil && c.Item.Department != "" {
		v.Organ = c.Item.Department
	}
	for i := range c.Events {
		if c.Events[i].Seq == doc.EventSeq {
			v.Event = &c.Events[i]
			_ = json.Unmarshal(c.Events[i].Payload, &v.Payload)
			v.Deemed = c.Events[i].Action == cases.ActDeemApprove || c.Events[i].Action == cases.ActDeemAccept
		}
	}
	if kind == "receipt" {
		v.Received = v.Payload.Received
	}
	if v.Event != nil {
		v.Signer = v.Event.Actor
	}
	// Older records did not keep the addressee: the applicant as now.
	v.To = c.ApplicantName
	if v.Payload.Addressee != "" {
		v.To = v.Payload.Addressee
	}
	v.Deadline, v.StatutoryDeadline, v.Provisional = c.Deadline, c.StatutoryDeadline, c.Provisional
	if kind == "acceptance" || kind == "extension" || (kind == "approval" && v.Deemed) {
		if d, err := calendar.ParseDate(v.Payload.Deadline); err == nil {
			v.Deadline, v.Provisional = &d, v.Payload.Provisional
		}
		if d, err := calendar.ParseDate(v.Payload.Statutory); err == nil {
			v.StatutoryDeadline = &d
		}
	}
	if kind == "approval" {
		if d, err := calendar.ParseDate(v.Payload.DeliveryDue); err == nil {
			v.DeliveryDue = &d
		} else if c.DecidedAt != nil {
			cal, err := s.Cases.WorkingCalendar(r.Context())
			if err != nil {
				return err
			}
			d := cal.AddWorkingDays(clock.Today(*c.DecidedAt), cases.DeliveryDays).Deadline
			v.DeliveryDue = &d
		}
	}
	if ca.Staff != nil && !seesFullNumbers(*ca.Staff) {
		maskCase(c, ca.Staff)
		v.To = applicants.Applicant{Kind: c.ApplicantKind, Name: v.To}.Masked().Name
	}
	// The QR code opens the public progress query for this case (the phone
	// number is asked there, never put in the code).
	v.QRText = s.publicURL("/progress?no=" + url.QueryEscape(c.No))
	png, err := qrPNG(v.QRText)
	if err != nil {
		return err
	}
	v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	if kind == "receipt" {
		tok, err := s.Ratings.QRToken(r.Context(), c)
		if err != nil {
			return err
		}
		v.RateText = s.publicURL(rateURL(c.No, tok, ""))
		if png, err = qrPNG(v.RateText); err != nil {
			return err
		}
		v.RateQR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	p := s.page(r, "doc."+kind)
	v.docLang = newDocLang(p)
	p.Data = v
	return s.render(w, r, "doc", p)
}

// maskAddressees masks the addressee recorded in the events of a case
// shown to staff who need not see the applicant's name (maskCase).
func maskAddressees(c *cases.Case) {
	for i := range c.Events {
		var m map[string]any
		if json.Unmarshal(c.Events[i].Payload, &m) != nil {
			continue
		}
		name, ok := m["addressee"].(string)
		if !ok {
			continue
		}
		m["addressee"] = applicants.Applicant{Kind: c.ApplicantKind, Name: name}.Masked().Name
		if b, err := json.Marshal(m); err == nil {
			c.Events[i].Payload = b
		}
	}
}
