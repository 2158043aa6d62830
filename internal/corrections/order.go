// Package corrections is the supervisor's correction orders (督办/纠错,
// docs/DOMAIN.md §6: "a supervision notice with a deadline … rectification
// and accountability"): an order to a department about cases or anomalies,
// with a deadline in working days; the department replies with what it
// did; the supervisor accepts, returns or escalates to the leader. Each
// step is one transaction that appends a hash-chained event and moves the
// order's version, so two people acting at once cannot both win.
package corrections

import (
	"encoding/json"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
)

// States of an order.
const (
	Issued    = "issued"    // waiting for the department's reply
	Replied   = "replied"   // waiting for the supervisor
	Accepted  = "accepted"  // closed: the reply was accepted
	Returned  = "returned"  // the reply was not enough: a new reply is needed
	Escalated = "escalated" // put before the leader; the department may still reply
)

// States lists the states in lifecycle order (for filters).
var States = []string{Issued, Replied, Returned, Escalated, Accepted}

// Actions on an order after it is issued.
const (
	ActIssue    = "issue"
	ActReply    = "reply"
	ActAccept   = "accept"
	ActReturn   = "return"
	ActEscalate = "escalate"
)

// Actions lists the steps the API and the detail page offer.
var Actions = []string{ActReply, ActAccept, ActReturn, ActEscalate}

// Limits of what an order says (working days, characters).
const (
	MinDeadlineDays = 1
	MaxDeadlineDays = 60
	MaxSubject      = 100
	MaxText         = 2000
	MaxItems        = 50
)

// Order is a correction order as its pages and the API show it.
type Order struct {
	ID           int64          `json:"id"`
	No           string         `json:"no"`
	RegionCode   string         `json:"region_code"`
	DepartmentID int64          `json:"department_id"`
	Department   string         `json:"department"`
	CentreID     int64          `json:"centre_id"`
	Centre       string         `json:"centre"`
	IssuedByID   int64          `json:"issued_by_id"`
	IssuedBy     string         `json:"issued_by"`
	IssuedAt     time.Time      `json:"issued_at"`
	Subject      string         `json:"subject"`
	Instruction  string         `json:"instruction"`
	DeadlineDays int            `json:"deadline_days"`
	Due          calendar.Date  `json:"due"`
	State        string         `json:"state"`
	Version      int            `json:"version"`
	EscalatedAt  *time.Time     `json:"escalated_at,omitempty"`
	ClosedAt     *time.Time     `json:"closed_at,omitempty"`
	LastHash     string         `json:"-"`
	Standing     clock.Standing `json:"standing"`
	// Overdue: past its due day and not accepted (red by itself, computed
	// on read from due and today).
	Overdue bool   `json:"overdue"`
	Items   []Item `json:"items"`
	// EnquiryID is the complaint the order came from (internal/voice), 0
	// for none.
	EnquiryID int64 `json:"-"`
	// EnquiryNo is that complaint's tracking number.
	EnquiryNo string  `json:"enquiry_no,omitempty"`
	Events    []Event `json:"events,omitempty"`
}

// Open reports whether the order still waits for someone.
func (o *Order) Open() bool { return o.ClosedAt == nil }

// Item is one thing an order is about.
type Item struct {
	CaseID    int64  `json:"-"`
	CaseNo    string `json:"case_no,omitempty"`
	AnomalyID int64  `json:"anomaly_id,omitempty"`
}

// Event is one step on an order's record.
type Event struct {
	Seq     int             `json:"seq"`
	At      time.Time       `json:"at"`
	ActorID int64           `json:"actor_id,omitempty"`
	Actor   string          `json:"actor"`
	Role    string          `json:"role"`
	Action  string          `json:"action"`
	Text    string          `json:"text"`
	Facts   json.RawMessage `json:"facts"`
	// State is the order's state after the step (from the facts).
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// sees reports whether a may read the order: a county-wide supervisor or
// leader their county's (a province-wide one every county's); the
// department's admin and approver (首席代表) their department's. Anyone
// else is answered "not found".
func sees(a org.Actor, o *Order) bool {
	switch a.Role {
	case org.Supervisor, org.Leader:
		return a.CountyWide() && a.CoversRegion(o.RegionCode)
	case org.DeptAdmin, org.Approver:
		return a.DepartmentID != 0 && a.DepartmentID == o.DepartmentID
	}
	return false
}

// Answerer reports whether the role speaks for its department on an
// order: the department admin (部门管理员), who runs the department's part of
// the hall, and the approver, the department's chief representative
// (首席代表) who holds its authority there. Clerks and reviewers handle
// cases; they do not answer for the department.
func Answerer(r org.Role) bool { return r == org.DeptAdmin || r == org.Approver }

// Check is the one rule of who may take which step in which state. It is
// asked after sees (an order out of scope is "not found") and after the
// version check. The leader only reads; a department only replies; a
// supervisor never replies, so nobody accepts their own reply.
func Check(o *Order, a org.Actor, action string) error {
	switch action {
	case ActReply:
		if !Answerer(a.Role) || a.DepartmentID != o.DepartmentID {
			return apperr.New(apperr.Forbidden, "order.not_yours")
		}
		return inState(o, action, Issued, Returned, Escalated)
	case ActAccept, ActReturn:
		if a.Role != org.Supervisor {
			return apperr.New(apperr.Forbidden, "order.supervisor_only")
		}
		return inState(o, action, Replied)
	case ActEscalate:
		if a.Role != org.Supervisor {
			return apperr.New(apperr.Forbidden, "order.supervisor_only")
		}
		return inState(o, action, Issued, Replied, Returned)
	}
	return apperr.New(apperr.NotFound, "order.unknown_action", "Action", action)
}

// Allowed lists the steps a may take on o now (the detail page's forms).
func Allowed(o *Order, a org.Actor) []string {
	var out []string
	for _, act := range Actions {
		if Check(o, a, act) == nil {
			out = append(out, act)
		}
	}
	return out
}

func inState(o *Order, action string, states ...string) error {
	for _, s := range states {
		if o.State == s {
			return nil
		}
	}
	return apperr.New(apperr.Conflict, "order.wrong_state", "Action", action, "State", o.State)
}
