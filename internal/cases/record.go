package cases

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"onestop/internal/calendar"
)

// The record proves the rows beside it. Each event's payload carries,
// under "record", what the event changed: the case-row columns whose value
// it changed (with the new value), the documents it issued, the messages
// it sent and the materials it marked (with the file hashes). The event
// hash covers the payload, so `onestop verify` folds the events of a case
// and compares the result with the case row, case_documents,
// case_messages and case_materials: an edit of any of them without a new
// event shows. Only the values are recorded, never the rule that produced
// them, so verify needs none of the engine's rules.

// recordKey is the payload key of an event's record.
const recordKey = "record"

// rowFields are the case-row columns the record covers, in RowFacts order.
// What a citizen or an auditor relies on: the state and decision, who
// applied, which item and department, every date and deadline, and the
// pauses of the clock.
var rowFields = [...]string{"state", "decision", "deemed", "applicant_id", "item_version_id", "department_id", "centre_id", "channel",
	"step", "step_role", "assignee_id", "paused", "extension_days", "promised_days", "statutory_days", "fees_fen", "delivery",
	"received_at", "notice_due", "accepted_at", "decided_at", "completed_at", "delivered_at", "closed_at",
	"deadline", "statutory_deadline", "provisional", "pauses"}

// RowFacts is a case row's recorded columns as text, "" for none.
type RowFacts [len(rowFields)]string

// Field is the recorded column name as text ("" for none, or for a name
// the record does not cover): a witness compares Before with the case to
// see which dates a transition set.
func (f RowFacts) Field(name string) string {
	for i, n := range rowFields {
		if n == name {
			return f[i]
		}
	}
	return ""
}

// FactsOf returns the recorded columns of a case.
func FactsOf(c *Case) RowFacts {
	return RowFacts{c.State, c.Decision, flag(c.Deemed), num(c.ApplicantID), num(c.ItemVersionID), num(c.DepartmentID), num(c.CentreID), c.Channel,
		strconv.Itoa(c.Step), c.StepRole, num(c.AssigneeID), flag(c.Paused), strconv.Itoa(c.ExtensionDays), strconv.Itoa(c.PromisedDays),
		strconv.Itoa(c.StatutoryDays), num(c.FeesFen), c.Delivery,
		instant(&c.ReceivedAt), instant(c.NoticeDue), instant(c.AcceptedAt), instant(c.DecidedAt), instant(c.CompletedAt), instant(c.DeliveredAt),
		instant(c.ClosedAt), day(c.Deadline), day(c.StatutoryDeadline), flag(c.Provisional), pauses(c.Pauses)}
}

// Named is the recorded columns by column name (the evidence bundle's
// case facts).
func (f RowFacts) Named() map[string]string {
	m := make(map[string]string, len(f))
	for i, name := range rowFields {
		m[name] = f[i]
	}
	return m
}

// pauses is the pause ledger (行政许可法 Art. 45: time excluded from the
// limit) as one value: from/to/reason/days per pause, in order. Only the
// events that open or close a pause change it, so only they record it.
func pauses(ps []Pause) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, "%s/%s/%s/%d", instant(&p.From), instant(p.To), p.Reason, p.ExpectedDays)
	}
	return b.String()
}

func flag(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func num(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func instant(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func day(d *calendar.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// MaterialFact is a material as an event left it.
type MaterialFact struct {
	Seq    int    `json:"seq"`
	Status string `json:"status"`
	SHA256 string `json:"sha256,omitempty"`
}

// eventRecord is the payload's "record".
type eventRecord struct {
	Row       map[string]string `json:"row,omitempty"`
	Docs      []string          `json:"docs,omitempty"`
	Msgs      []string          `json:"msgs,omitempty"`
	Materials []MaterialFact    `json:"materials,omitempty"`
}

// Record writes into an event's payload what the event changed: the row
// columns that differ between before and after, the documents and
// messages, and the materials marked. The engine's commit calls it for
// every event; it is exported only so the benchmark's bulk loader records
// the same, without a second copy of the format.
func Record(payload map[string]any, before, after RowFacts, docs, msgs []string, mats []Material) {
	r := eventRecord{Docs: docs, Msgs: msgs}
	for i := range after {
		if after[i] != before[i] {
			if r.Row == nil {
				r.Row = map[string]string{}
			}
			r.Row[rowFields[i]] = after[i]
		}
	}
	for _, m := range mats {
		r.Materials = append(r.Materials, MaterialFact{Seq: m.Seq, Status: m.Status, SHA256: m.FileSHA})
	}
	payload[recordKey] = r
}
