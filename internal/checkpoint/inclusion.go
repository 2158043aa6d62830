package checkpoint

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"onestop/internal/clock"
	"onestop/internal/store"
)

// ErrNotSealed: the day has no checkpoint yet (it is today, or the
// writer has not run since it ended).
var ErrNotSealed = errors.New("the day is not checkpointed yet")

// Inclusion proves that one event is among the events a checkpoint
// sealed: its hash is leaf Index of the day's Size sorted leaves, and
// Path leads from it to the checkpoint's root (VerifyPath).
type Inclusion struct {
	Day       string   `json:"day"`
	EventHash string   `json:"event_hash"`
	Index     int      `json:"index"`
	Size      int      `json:"size"`
	Path      []string `json:"path"`
}

// Prove finds the checkpoint of the Shanghai day of at and the proof
// that the event with hash eventHash is among its leaves. A day not yet
// checkpointed answers ErrNotSealed; a day whose events no longer make
// its sealed root, or an event not among them (the record changed since),
// is an error naming it, with the checkpoint.
func (s *Service) Prove(ctx context.Context, q store.Querier, at time.Time, eventHash string) (*Checkpoint, *Inclusion, error) {
	d := clock.Today(at)
	cps, _, err := s.List(ctx, d, d, 1, 0)
	if err != nil {
		return nil, nil, err
	}
	if len(cps) == 0 {
		return nil, nil, ErrNotSealed
	}
	leaves, err := dayLeaves(ctx, q, d)
	if err != nil {
		return nil, nil, err
	}
	// The proof is drawn from the events as they are now: if they no
	// longer make the sealed root, no proof drawn from them may pass for
	// the checkpoint's.
	if int64(len(leaves)) != cps[0].Events || Root(leaves) != cps[0].Root {
		return &cps[0], nil, fmt.Errorf("the events of %s no longer hash to its checkpoint's root (the record changed after it was sealed)", d)
	}
	want, err := hex.DecodeString(eventHash)
	if err != nil {
		return nil, nil, fmt.Errorf("event hash %q is not hex", eventHash)
	}
	for i, l := range leaves {
		if bytes.Equal(l, want) {
			return &cps[0], &Inclusion{Day: d.String(), EventHash: eventHash, Index: i, Size: len(leaves), Path: Path(leaves, i)}, nil
		}
	}
	return &cps[0], nil, fmt.Errorf("event %s is not among the %d events of %s", eventHash, len(leaves), d)
}
