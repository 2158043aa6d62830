package checkpoint

import (
	"context"
	"crypto/ed25519"
	"fmt"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// Problem is one way a checkpoint does not hold.
type Problem struct {
	Day    string
	Reason string
}

func (p Problem) String() string { return "checkpoint " + p.Day + ": " + p.Reason }

// CheckChain checks checkpoints sorted by day, as published or saved: each
// is signed by a known key over its own fields, the days follow each other
// without a gap, and each names the digest of the one before it. The
// first one's prev cannot be checked without the day before it.
func CheckChain(cps []Checkpoint, keys map[string]ed25519.PublicKey) []Problem {
	var out []Problem
	for i, c := range cps {
		if msg := c.checkSignature(keys); msg != "" {
			out = append(out, Problem{c.Day, msg})
		}
		if c.Statement != "" && c.Statement != c.statement() {
			out = append(out, Problem{c.Day, "the published statement differs from the checkpoint's fields"})
		}
		if i == 0 {
			continue
		}
		p := cps[i-1]
		pd, err1 := calendar.ParseDate(p.Day)
		d, err2 := calendar.ParseDate(c.Day)
		switch {
		case err1 != nil || err2 != nil:
			out = append(out, Problem{c.Day, "not a day"})
		case !pd.AddDays(1).Equal(d):
			out = append(out, Problem{c.Day, fmt.Sprintf("the checkpoints of the days after %s and before %s are missing", p.Day, c.Day)})
		case c.Prev != p.Digest():
			out = append(out, Problem{c.Day, fmt.Sprintf("prev does not name the checkpoint of %s (a day replaced or rewritten)", p.Day)})
		}
	}
	return out
}

// CheckEvents recomputes each checkpoint's day from the events in the
// database and reports the days whose events no longer hash to the
// published root: an event deleted, added, moved to another day or
// rewritten (even with its case's chain recomputed), or a case deleted.
func CheckEvents(ctx context.Context, q store.Querier, cps []Checkpoint) ([]Problem, error) {
	var out []Problem
	for _, c := range cps {
		d, err := calendar.ParseDate(c.Day)
		if err != nil {
			out = append(out, Problem{c.Day, "not a day"})
			continue
		}
		now, err := compute(ctx, q, d)
		if err != nil {
			return out, err
		}
		switch {
		case now.Events != c.Events:
			out = append(out, Problem{c.Day, fmt.Sprintf("the day had %d events when checkpointed, the database now holds %d (events or cases deleted or added)",
				c.Events, now.Events)})
		case now.Root != c.Root:
			out = append(out, Problem{c.Day, "the day's events no longer hash to the checkpoint's root (an event rewritten)"})
		}
	}
	return out, nil
}

// VerifyStored checks the database's own checkpoints: their chain and
// signatures under the recorded public keys (plus extra, e.g. the key
// file's), the events of every checkpointed day, and that no event lies
// before the first checkpoint (earlier checkpoints deleted). It returns
// the number of checkpoints checked.
func VerifyStored(ctx context.Context, db *store.DB, extra map[string]ed25519.PublicKey, report func(Problem)) (int, error) {
	s := &Service{DB: db}
	pubs, err := s.Keys(ctx)
	if err != nil {
		return 0, fmt.Errorf("checkpoint keys: %w", err)
	}
	keys := KeyMap(pubs)
	for id, k := range extra {
		keys[id] = k
	}
	var all []Checkpoint
	for off := 0; ; off += 1000 {
		page, _, err := s.List(ctx, calendar.Date{}, calendar.Date{}, 1000, off)
		if err != nil {
			return 0, err
		}
		all = append(all, page...)
		if len(page) < 1000 {
			break
		}
	}
	if len(all) == 0 {
		return 0, nil
	}
	for _, p := range CheckChain(all, keys) {
		report(p)
	}
	if all[0].Prev != "" {
		report(Problem{all[0].Day, "the first stored checkpoint names a previous one, which is gone"})
	}
	first, _ := calendar.ParseDate(all[0].Day)
	var before int
	if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM case_events WHERE at < $1`, first.Time(clock.Shanghai).UTC()).Scan(&before); err != nil {
		return 0, err
	}
	if before > 0 {
		report(Problem{all[0].Day, fmt.Sprintf("%d events lie before the first checkpoint (earlier checkpoints deleted, or events back-dated)", before)})
	}
	probs, err := CheckEvents(ctx, db.Read(), all)
	for _, p := range probs {
		report(p)
	}
	return len(all), err
}
