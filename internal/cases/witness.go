package cases

import (
	"context"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/store"
)

// Change is one transition as its witnesses see it: the case as it will
// be written, its recorded columns before, the event appended and who
// took the action. A new case has an empty Before and Action ActSubmit.
type Change struct {
	Case     *Case
	Before   RowFacts
	Event    Event
	Actor    Actor
	Calendar *calendar.Calendar
	// Materials are the materials the action marked (every material for
	// a new case).
	Materials []Material
	// Msgs are the message keys the action tells the applicant
	// (case.msg.*), for the notifications' outbox.
	Msgs []string
}

// Action is the action taken.
func (ch Change) Action() string { return ch.Event.Action }

// Now is the instant of the transition.
func (ch Change) Now() time.Time { return ch.Event.At }

// Witness keeps something in step with the cases inside the same
// transaction: supervision's running totals and anomalies are written
// with the event that causes them, so a crash never leaves one without
// the other and a lost race writes neither. An error rolls the
// transition back.
type Witness interface {
	Witness(ctx context.Context, q store.Querier, ch Change) error
}

// Listener hears a transition after its commit (the live monitor's
// push). It must not block.
type Listener func(ch Change)

func (t *tx) witness(e Event, mats []Material) error {
	if len(t.s.Witnesses) == 0 && len(t.s.Listeners) == 0 {
		return nil
	}
	ch := Change{Case: t.c, Before: t.before, Event: e, Actor: t.a, Calendar: t.cal, Materials: mats, Msgs: t.msgs}
	for _, w := range t.s.Witnesses {
		if err := w.Witness(t.ctx, t.q, ch); err != nil {
			return err
		}
	}
	t.committed = &ch
	return nil
}

// announce tells the listeners after the commit.
func (s *Service) announce(ch *Change) {
	if ch == nil {
		return
	}
	for _, l := range s.Listeners {
		l(*ch)
	}
}
