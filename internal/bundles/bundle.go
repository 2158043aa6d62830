// Package bundles runs parallel approval (并联审批) and life-event bundles
// (一件事一次办): one application for a catalogue composite, one acceptance
// at the lead department's window, one sub-case per participating item
// (an ordinary case of its own department, on its own clock), shared
// materials entered once, an outcome by the composite's refusal rule, and
// one combined delivery. The case engine knows a sub-case only by its
// bundle_id; this package keeps the bundle in step as a case witness.
package bundles

import (
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
	"onestop/internal/payments"
	"onestop/internal/store"
)

// States of a bundle.
const (
	Received   = "received"    // one application, not yet accepted
	InProgress = "in_progress" // accepted: the sub-cases run
	Decided    = "decided"     // every sub-case decided (outcome says how)
	Delivered  = "delivered"   // the combined result handed over
)

// Outcomes of a decided bundle.
const (
	Approved = "approved" // every part approved
	Partial  = "partial"  // keep-the-rest: some parts refused, the others stand
	Refused  = "refused"  // all-or-nothing: a refused part ended the bundle
)

// Service runs bundles.
type Service struct {
	DB        *store.DB
	Cases     *cases.Service
	Catalogue *catalogue.Service
	Now       func() time.Time
	// Payments issues the bundle's one payment notice (IssueNotice).
	Payments *payments.Service
}

// New builds the service.
func New(db *store.DB, cs *cases.Service, cat *catalogue.Service, now func() time.Time) *Service {
	return &Service{DB: db, Cases: cs, Catalogue: cat, Now: now}
}

// Material is one shared material, entered once for every part.
type Material struct {
	Seq      int    `json:"seq"`
	Name     string `json:"name"`
	Required bool   `json:"required"`
	Status   string `json:"status"` // missing, received
}

// Part is one sub-case as the bundle page shows it.
type Part struct {
	No           string         `json:"no"`
	ItemCode     string         `json:"item_code"`
	ItemName     string         `json:"item_name"`
	DepartmentID int64          `json:"department_id"`
	Department   string         `json:"department"`
	State        string         `json:"state"`
	Decision     string         `json:"decision,omitempty"`
	Paused       bool           `json:"paused"`
	PromisedDays int            `json:"promised_days"`
	Deadline     *calendar.Date `json:"deadline,omitempty"`
	Light        clock.Light    `json:"light,omitempty"`
}

// Bundle is a bundle as its page and the API show it.
type Bundle struct {
	ID               int64      `json:"-"`
	No               string     `json:"no"`
	CompositeCode    string     `json:"composite_code"`
	CompositeName    string     `json:"composite_name"`
	LeadDepartmentID int64      `json:"lead_department_id"`
	LeadDepartment   string     `json:"lead_department"`
	CentreID         int64      `json:"centre_id"`
	RegionCode       string     `json:"-"`
	ApplicantID      int64      `json:"applicant_id"`
	ApplicantName    string     `json:"applicant_name"`
	Channel          string     `json:"channel"`
	RefusalRule      string     `json:"refusal_rule"`
	PromisedDays     int        `json:"promised_days"`
	State            string     `json:"state"`
	Outcome          string     `json:"outcome,omitempty"`
	Version          int        `json:"version"`
	ReceivedAt       time.Time  `json:"received_at"`
	AcceptedAt       *time.Time `json:"accepted_at,omitempty"`
	DecidedAt        *time.Time `json:"decided_at,omitempty"`
	DeliveredAt      *time.Time `json:"delivered_at,omitempty"`
	// Deadline is the bundle's promised day: its promised working days
	// from acceptance.
	Deadline  *calendar.Date `json:"deadline,omitempty"`
	Materials []Material     `json:"materials"`
	Parts     []Part         `json:"parts"`
}

// Departments lists the participating departments (each part's).
func (b *Bundle) Departments() map[int64]bool {
	out := map[int64]bool{b.LeadDepartmentID: true}
	for _, p := range b.Parts {
		out[p.DepartmentID] = true
	}
	return out
}

// decided reports whether a sub-case in state s needs nothing more from
// its department: a decision was taken, or the case ended without one.
func decided(s string) bool {
	switch s {
	case cases.Received, cases.Supplement, cases.InProgress:
		return false
	}
	return true
}
