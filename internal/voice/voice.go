// Package voice is the citizen's voice to the hall: consultations (咨询),
// complaints (投诉) and help requests (求助), issue 13 §3. Each is filed with
// a tracking number and a reply deadline in working days; a consultation is
// answered by its department, a help request by the centre, a complaint by
// supervision (directly, or through a correction order to a department).
// Every step is one transaction that writes the enquiry's event and, for
// staff, the audit log.
package voice

import (
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/corrections"
	"onestop/internal/store"
)

// Kind is what the asker wants.
type Kind string

const (
	Consult   Kind = "consult"   // 咨询, numbers ZX-YYYYMMDD-NNNN, answered by the department
	Complaint Kind = "complaint" // 投诉, numbers TS-YYYYMMDD-NNNN, handled by supervision (order flow)
	Help      Kind = "help"      // 求助, numbers QZ-YYYYMMDD-NNNN, answered by the centre
)

// Kinds lists every kind in the order the pages show them.
var Kinds = []Kind{Consult, Complaint, Help}

// Prefix is the kind's tracking-number prefix (the pinyin initials of
// 咨询, 投诉, 求助); "" for an unknown kind.
func (k Kind) Prefix() string {
	switch k {
	case Consult:
		return "ZX"
	case Complaint:
		return "TS"
	case Help:
		return "QZ"
	}
	return ""
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return k.Prefix() != "" }

// States of an enquiry: open until answered; answered until the asker
// confirms or staff close it; closed for good.
const (
	Open     = "open"
	Answered = "answered"
	Closed   = "closed"
)

// States lists the states in lifecycle order (filters).
var States = []string{Open, Answered, Closed}

// Channels an enquiry arrives through.
var Channels = []string{"portal", "open311", "window", "phone"}

// Limits of what an enquiry says (characters).
const (
	MaxSubject  = 100
	MaxBody     = 2000
	MaxName     = 50
	MaxAddress  = 200
	MaxDeviceID = 100
	MaxMediaURL = 500
	MaxReply    = 2000
	maxCaseNo   = 40
)

// Input is one filed enquiry. Field errors (apperr.Fields) use these json names.
type Input struct {
	Kind         Kind   `json:"kind"`
	DepartmentID int64  `json:"department_id"` // consult: which department (required); complaint: optional
	CentreID     int64  `json:"centre_id"`     // help: which centre (0 = the county hall)
	CaseNo       string `json:"case_no"`       // optional: the case it is about (complaint/consult)
	Subject      string `json:"subject"`       // required, ≤ MaxSubject
	Body         string `json:"body"`          // required, ≤ MaxBody; longer is refused, never cut
	Name         string `json:"name"`
	Phone        string `json:"phone"` // required on the portal, at the window and on the phone (the reply goes by SMS)
	Email        string `json:"email"`
	ApplicantID  int64  `json:"-"`       // set when a signed-in applicant files it
	Channel      string `json:"channel"` // one of Channels
	Address      string `json:"address"` // Open311 address_string (free text location)
	Lat          *float64
	Long         *float64
	DeviceID     string `json:"device_id"`
	AccountID    string `json:"account_id"`
	MediaURL     string `json:"media_url"`
	Public       bool   `json:"public"`    // the asker agreed that the text may be shown publicly
	ClientID     int64  `json:"client_id"` // the Open311 client (api key) that filed it, 0 otherwise
	// County is the county (division code) whose hall receives an
	// enquiry naming no department and no centre: an Open311 client's
	// jurisdiction. "" means the department's county, else the first hall.
	County string `json:"-"`
	// From is the sender's network address on the portal (Limits); it is
	// not stored with the enquiry.
	From string `json:"-"`
}

// Enquiry is an enquiry as lists, the tracking page, Open311 and the API
// show it. It carries no personal data of the asker (see Record).
type Enquiry struct {
	ID           int64         `json:"-"`
	No           string        `json:"no"`
	Kind         Kind          `json:"kind"`
	State        string        `json:"state"`
	Subject      string        `json:"subject"`
	Body         string        `json:"body"`
	RegionCode   string        `json:"region_code"`
	DepartmentID int64         `json:"department_id,omitempty"`
	Department   string        `json:"department"` // responsible department (name), "" if the centre
	CentreID     int64         `json:"centre_id"`
	Centre       string        `json:"centre"`
	CaseNo       string        `json:"case_no,omitempty"`
	Channel      string        `json:"channel"`
	Received     time.Time     `json:"received"`
	ReplyDays    int           `json:"reply_days"`
	Due          calendar.Date `json:"due"` // reply deadline (working days from receipt, configurable per kind)
	Reply        string        `json:"reply"`
	RepliedAt    *time.Time    `json:"replied_at,omitempty"`
	ClosedAt     *time.Time    `json:"closed_at,omitempty"`
	Updated      time.Time     `json:"updated"`
	Address      string        `json:"address,omitempty"`
	Lat          *float64      `json:"lat,omitempty"`
	Long         *float64      `json:"long,omitempty"`
	MediaURL     string        `json:"media_url,omitempty"`
	Public       bool          `json:"public"`
	OrderID      int64         `json:"order_id,omitempty"` // the correction order a complaint was turned into
	// OrderDepartmentID is the department that order went to: its admin
	// and approver read the complaint they must answer for.
	OrderDepartmentID int64 `json:"-"`
	Version           int   `json:"version"`
}

// Filter narrows Find.
type Filter struct {
	Nos   []string // exact numbers (Open311 service_request_id list)
	Kind  Kind     // one kind, or "" to use Kinds
	Kinds []Kind   // several kinds; with Kind "" and no Kinds Find refuses: no value never means all
	From  time.Time
	To    time.Time // received in [From, To); zero = unbounded on that side
	State string    // "", "open", "answered", "closed"
	// County keeps the enquiries placed in that county (its division
	// code): a province's database holds several, and a list cut to Limit
	// before keeping one county's would let another's crowd it out.
	County string
	Limit  int // 0 = DefaultLimit; at most MaxLimit
	// Offset skips that many results (paging).
	Offset int
}

// Paging bounds of Find and List.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Service files, reads and moves enquiries.
type Service struct {
	DB *store.DB
	// Cases gives the working-day calendar the case clock uses (so a
	// reply deadline counts holidays exactly as a case's does) and the
	// light rule of the inbox.
	Cases *cases.Service
	Now   func() time.Time
	// Orders issues the correction order a complaint is turned into.
	Orders *corrections.Service
	// Text renders the SMS that tells the asker a reply is there (the
	// translations, in the default language); nil sends none.
	Text func(lang, key string, args map[string]any) string
	// TrackURL is where the asker reads the reply (the public URL of
	// /voice/track), named in the SMS.
	TrackURL string
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }
