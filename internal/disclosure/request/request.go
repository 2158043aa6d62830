// Package request is disclosure on request (依申请公开, issue 16 item 2;
// docs/DOMAIN.md §28): filing by channel with the legal receipt day, the
// 20-working-day clock with its one supplement, third-party consultation,
// one extension and fee notice, the seven Art. 36 replies and the notices
// that conclude a request otherwise. Every step is one transaction that
// writes the request, its event row and the audit log; the requester is
// told by SMS on a supplement notice, an extension and the reply.
package request

import (
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/disclosure"
	"onestop/internal/store"
)

// Status of a request: filed (online, not yet confirmed: no receipt day),
// open (the clock runs), supplement (waiting for the one supplement; the
// clock restarts when it arrives), consulting (a third party has been
// asked; the time is not counted), fee_due (a fee notice is unpaid; not
// counted), closed.
const (
	Filed      = "filed"
	Open       = "open"
	Supplement = "supplement"
	Consulting = "consulting"
	FeeDue     = "fee_due"
	Closed     = "closed"
)

// Statuses lists the statuses in lifecycle order (filters).
var Statuses = []string{Filed, Open, Supplement, Consulting, FeeDue, Closed}

// Forms are how the requester may want the information (条例 Art. 29(3)).
var Forms = []string{"paper", "electronic", "inspect"}

// Event kinds (disclosure_request_events.kind).
const (
	EvFiled              = "filed"
	EvConfirmed          = "confirmed"
	EvSupplementAsked    = "supplement_asked"
	EvSupplementReceived = "supplement_received"
	EvConsultSent        = "consult_sent"
	EvConsultAnswered    = "consult_answered"
	EvExtended           = "extended"
	EvFeeNotice          = "fee_notice"
	EvFeePaid            = "fee_paid"
	EvReplied            = "replied"
	EvClosed             = "closed"
)

// Limits of what a request says (characters).
const (
	MaxName    = 100
	MaxContent = 4000
	MaxText    = 2000
	MaxAddress = 200
	// FeePayDays: a fee notice unpaid for 20 working days after the day
	// it was given concludes the request (国办函〔2020〕109号 第七条).
	FeePayDays = 20
)

// Request is a request as the office, the requester and the API read it.
type Request struct {
	ID                   int64                    `json:"-"`
	No                   string                   `json:"no"`
	OrganID              int64                    `json:"organ_id"`
	Organ                string                   `json:"organ"`
	ApplicantType        disclosure.ApplicantType `json:"applicant_type"`
	ApplicantID          int64                    `json:"-"`
	Name                 string                   `json:"name"`
	IDNumber             string                   `json:"id_number"`
	Phone                string                   `json:"phone"`
	Email                string                   `json:"email,omitempty"`
	Address              string                   `json:"address,omitempty"`
	Channel              disclosure.Channel       `json:"channel"`
	Content              string                   `json:"content"`
	Form                 string                   `json:"form"`
	ReceivedOn           *calendar.Date           `json:"received_on,omitempty"`
	ClockFrom            *calendar.Date           `json:"clock_from,omitempty"`
	DueOn                *calendar.Date           `json:"due_on,omitempty"`
	Status               string                   `json:"status"`
	SupplementAskedOn    *calendar.Date           `json:"supplement_asked_on,omitempty"`
	SupplementDueOn      *calendar.Date           `json:"supplement_due_on,omitempty"`
	SupplementReceivedOn *calendar.Date           `json:"supplement_received_on,omitempty"`
	ExtensionDays        int                      `json:"extension_days"`
	PausedDays           int                      `json:"paused_days"`
	FeeFen               int64                    `json:"fee_fen"`
	ReplyType            disclosure.ReplyType     `json:"reply_type,omitempty"`
	Outcome              disclosure.Outcome       `json:"outcome,omitempty"`
	ClosedOn             *calendar.Date           `json:"closed_on,omitempty"`
	CreatedAt            time.Time                `json:"created_at"`
	UpdatedAt            time.Time                `json:"updated_at"`
	RegionCode           string                   `json:"-"`
}

// Event is one step on a request's record.
type Event struct {
	Kind        string         `json:"kind"`
	Day         calendar.Date  `json:"day"`
	At          time.Time      `json:"at"`
	StaffID     int64          `json:"staff_id,omitempty"`
	Staff       string         `json:"staff,omitempty"`
	ByApplicant bool           `json:"by_applicant,omitempty"`
	Note        string         `json:"note,omitempty"`
	Data        map[string]any `json:"data,omitempty"`
}

// Service files, moves and reads requests.
type Service struct {
	DB *store.DB
	// Cases gives the working-day calendar and the light rule the case
	// clock uses: one calendar and one colour rule for every clock.
	Cases *cases.Service
	Now   func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }
