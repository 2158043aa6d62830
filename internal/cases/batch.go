package cases

import (
	"context"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/catalogue"
	"onestop/internal/store"
)

// Batch runs several transitions inside one transaction of the caller's:
// a bundle (并联审批) opens all its sub-cases at once, or ends the open
// siblings of a refused part, and either all of it commits or none.
type Batch struct {
	s    *Service
	q    store.Querier
	cal  *calendar.Calendar
	now  time.Time
	done []*tx
}

// Batch starts a batch on q (a transaction's querier) at the instant now.
func (s *Service) Batch(q store.Querier, cal *calendar.Calendar, now time.Time) *Batch {
	return &Batch{s: s, q: q, cal: cal, now: now}
}

// Part is a sub-case to open: the bundle has checked the intake (the
// applicant, the item in force, the channel), so this only records it.
type Part struct {
	Item         catalogue.Item
	ApplicantID  int64
	CentreID     int64
	FirstContact int64
	Channel      string
	BundleID     int64
	Materials    []MaterialChange
}

// Open opens one part as an ordinary case of its item's department.
func (b *Batch) Open(ctx context.Context, a Actor, p Part) (*Case, error) {
	t, err := b.s.open(ctx, b.q, a, opening{item: p.Item, applicantID: p.ApplicantID, centreID: p.CentreID, firstContact: p.FirstContact,
		channel: p.Channel, bundleID: p.BundleID, materials: p.Materials}, b.cal, b.now)
	if err != nil {
		return nil, err
	}
	b.done = append(b.done, t)
	return t.c, nil
}

// Act takes one action on a case as Service.Act does.
func (b *Batch) Act(ctx context.Context, a Actor, no, action string, in Input) (*Case, error) {
	t, c, err := b.s.act(ctx, b.q, a, no, action, in, b.cal, b.now)
	if err != nil {
		return nil, err
	}
	c.Version++
	b.done = append(b.done, t)
	return c, nil
}

// Announce tells the observer and the listeners once the caller's
// transaction has committed.
func (b *Batch) Announce() {
	for _, t := range b.done {
		b.s.observeTransition(t.action)
		b.s.announce(t.committed)
	}
}
