package cases

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"onestop/internal/calendar"
)

// Replaying the record: supervision (internal/anomaly) applies its rules to
// every stored event, including events the engine never wrote (the bulk
// generator, a restore, a direct write with a rechained hash). It folds
// each event's record into the row facts as verify does, and reads the case
// as it stood from them, so the rules see the same Change the engine's
// witness would have seen.

// Fold applies an event's record to the facts (the row columns it changed)
// and returns the materials it marked. An event without a record changes
// nothing.
func (f *RowFacts) Fold(payload json.RawMessage) []MaterialFact {
	var p struct {
		Record *eventRecord `json:"record"`
	}
	if json.Unmarshal(payload, &p) != nil || p.Record == nil {
		return nil
	}
	for k, val := range p.Record.Row {
		for i, name := range rowFields {
			if name == k {
				f[i] = val
			}
		}
	}
	return p.Record.Materials
}

// Into sets the recorded columns of c from the facts: the inverse of
// FactsOf for every column the record covers. Columns a malformed record
// leaves unreadable stay zero.
func (f RowFacts) Into(c *Case) {
	g := f.Field
	c.State, c.Decision, c.Deemed = g("state"), g("decision"), g("deemed") == "true"
	c.ApplicantID, c.ItemVersionID = factID(g("applicant_id")), factID(g("item_version_id"))
	c.DepartmentID, c.CentreID, c.Channel = factID(g("department_id")), factID(g("centre_id")), g("channel")
	c.Step, _ = strconv.Atoi(g("step"))
	c.StepRole, c.AssigneeID, c.Paused = g("step_role"), factID(g("assignee_id")), g("paused") == "true"
	c.ExtensionDays, _ = strconv.Atoi(g("extension_days"))
	c.PromisedDays, _ = strconv.Atoi(g("promised_days"))
	c.StatutoryDays, _ = strconv.Atoi(g("statutory_days"))
	c.FeesFen, c.Delivery = factID(g("fees_fen")), g("delivery")
	if t := factAt(g("received_at")); t != nil {
		c.ReceivedAt = *t
	}
	c.NoticeDue, c.AcceptedAt, c.DecidedAt = factAt(g("notice_due")), factAt(g("accepted_at")), factAt(g("decided_at"))
	c.CompletedAt, c.DeliveredAt, c.ClosedAt = factAt(g("completed_at")), factAt(g("delivered_at")), factAt(g("closed_at"))
	c.Deadline, c.StatutoryDeadline, c.Provisional = factDate(g("deadline")), factDate(g("statutory_deadline")), g("provisional") == "true"
	c.Pauses = nil
	for _, s := range strings.Split(g("pauses"), ";") {
		parts := strings.Split(s, "/")
		if len(parts) != 4 {
			continue
		}
		p := Pause{Reason: parts[2], To: factAt(parts[1])}
		if t := factAt(parts[0]); t != nil {
			p.From = *t
		}
		p.ExpectedDays, _ = strconv.Atoi(parts[3])
		c.Pauses = append(c.Pauses, p)
	}
}

func factID(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func factAt(s string) *time.Time {
	t, err := time.Parse("2006-01-02T15:04:05.000Z", s)
	if err != nil {
		return nil
	}
	return &t
}

func factDate(s string) *calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return nil
	}
	return &d
}
