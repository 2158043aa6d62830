package anomaly

import (
	"encoding/json"
	"time"

	"onestop/internal/cases"
	"onestop/internal/clock"
)

// Input is one transition as the rules read it: the engine's Change (the
// case after, its recorded columns before, the event, the actor), the case
// as it stood before (read from those columns), and what the case's earlier
// record says that the rules need (History).
type Input struct {
	cases.Change
	// Before is the case as it stood before the event, with its clock as
	// of the event; nil for a new case.
	Before *cases.Case
	Prior  History
}

// History is what a case's earlier events say, for the rules that look
// back: the last receipt of materials, the last supplement notice and
// which materials changed since, and how many review steps passed.
type History struct {
	ReceiptSeq    int
	ReceiptAt     time.Time
	SupplementSeq int
	// Changed marks the materials received since the last supplement
	// notice (by material seq).
	Changed  map[int]bool
	Forwards int
}

// Add takes one event into the history (after the rules saw it).
func (h *History) Add(e cases.Event, mats []cases.MaterialFact) {
	switch e.Action {
	case cases.ActSubmit, cases.ActResubmit:
		h.ReceiptSeq, h.ReceiptAt = e.Seq, e.At
	case cases.ActSupplement:
		h.SupplementSeq, h.Changed = e.Seq, map[int]bool{}
		return
	case cases.ActForward:
		h.Forwards++
	}
	if h.SupplementSeq != 0 && e.Action != cases.ActSupplement {
		for _, m := range mats {
			if m.Status == "received" || m.Status == "not_applicable" {
				h.Changed[m.Seq] = true
			}
		}
	}
}

// needsHistory: the actions whose rules read the history; the witness
// reads a case's earlier events only for these.
func needsHistory(action string) bool {
	switch action {
	case cases.ActAccept, cases.ActSupplement, cases.ActApprove, cases.ActRefuse:
		return true
	}
	return false
}

// NewInput builds the rules' input from a transition, reading the case as
// it stood from ch.Before. light is the engine's light rule.
func NewInput(ch cases.Change, prior History, light clock.LightRule) Input {
	in := Input{Change: ch, Prior: prior}
	if ch.Case != nil && ch.Before != (cases.RowFacts{}) {
		b := &cases.Case{ID: ch.Case.ID, No: ch.Case.No, Item: ch.Case.Item, DepartmentMode: ch.Case.DepartmentMode, RegionCode: ch.Case.RegionCode,
			DeemedAllowed: ch.Case.DeemedAllowed}
		ch.Before.Into(b)
		// The engine recorded that the step's A person was away and who
		// acted for them (A/B cover); the rules take the cover as given.
		var p struct {
			ActingFor string `json:"acting_for"`
		}
		if jsonUnmarshal(ch.Event.Payload, &p) == nil && p.ActingFor != "" {
			b.AssigneeAbsent, b.AssigneeUncovered = true, true
		}
		cases.Clock(b, ch.Calendar, ch.Event.At, light)
		in.Before = b
	}
	return in
}

// seqs is the event that raised a finding, when there is one.
func (in Input) seqs() []int {
	if in.Event.Seq == 0 {
		return []int{}
	}
	return []int{in.Event.Seq}
}

func jsonUnmarshal(b []byte, v any) error {
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, v)
}
