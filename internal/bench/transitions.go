package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo/bulk"
	"onestop/internal/org"
	"onestop/internal/store"
)

// flow is a case's way from acceptance to delivery for one item: who does
// each action, in order, as the engine's rules require.
type flow struct {
	item  catalogue.Item
	clerk bulk.Staff
	steps []flowStep
}

type flowStep struct {
	action string
	actor  cases.Actor
	in     cases.Input
}

// orgActor turns a staff row into the engine's actor.
func orgActor(s bulk.Staff) org.Actor { return s.OrgActor("127.0.0.1") }

// chooseFlow picks an item decided by review (not on the spot), preferring
// the longest review chain (so forward is among the actions), whose
// department has a hall clerk and a holder for each step. Items of the
// department `avoid` are skipped so leftover prepared cases do not fill
// that department's inbox, which the HTTP benchmark reads.
func chooseFlow(ctx context.Context, db *store.DB, avoid int64) (*flow, error) {
	county, err := bulk.LoadCounty(ctx, db)
	if err != nil {
		return nil, err
	}
	var best *flow
	for _, it := range county.Items() {
		if cases.DecidedOnAcceptance(&it) || (avoid != 0 && it.DepartmentID == avoid) {
			continue
		}
		f := itemFlow(county, it)
		if f != nil && (best == nil || len(f.steps) > len(best.steps)) {
			best = f
		}
	}
	if best == nil {
		return nil, errors.New("no item with a staffed review chain to run transitions on")
	}
	return best, nil
}

// itemFlow is one case's way for an item decided by review: accept, each
// review step by its holder, complete and deliver at the window; nil when
// the item's department has no hall clerk. The transitions row and the
// lifecycle rows (lifecycle.go) both drive cases along it.
func itemFlow(county *bulk.County, it catalogue.Item) *flow {
	clerk := county.HallClerk(it.DepartmentID)
	if clerk.ID == 0 {
		return nil
	}
	ca := cases.StaffActor(orgActor(clerk))
	f := &flow{item: it, clerk: clerk}
	f.steps = append(f.steps, flowStep{action: cases.ActAccept, actor: ca})
	i := cases.NextReviewStep(it.Steps, 0)
	for i >= 0 {
		h := cases.StaffActor(orgActor(county.Holder(it.DepartmentID, it.Steps[i].Role)))
		if i == cases.DecisionStep(it.Steps) {
			f.steps = append(f.steps, flowStep{action: cases.ActApprove, actor: h, in: cases.Input{Opinion: "同意"}})
			break
		}
		f.steps = append(f.steps, flowStep{action: cases.ActForward, actor: h, in: cases.Input{Opinion: "材料齐全，拟同意。"}})
		i = cases.NextReviewStep(it.Steps, i)
	}
	f.steps = append(f.steps, flowStep{action: cases.ActComplete, actor: ca}, flowStep{action: cases.ActDeliver, actor: ca, in: cases.Input{Delivery: "window"}})
	return f
}

// review is the flow's steps between acceptance and completion: what a
// bundle's part goes through in its own department.
func (f *flow) review() []flowStep { return f.steps[1 : len(f.steps)-2] }

// act runs one step of the flow on case no.
func (s flowStep) act(ctx context.Context, eng *cases.Service, no string) error {
	if _, err := eng.Act(ctx, s.actor, no, s.action, s.in); err != nil {
		return fmt.Errorf("%s %s: %w", s.action, no, err)
	}
	return nil
}

// casePool hands out prepared case numbers to the transition clients.
type casePool struct {
	mu  sync.Mutex
	nos []string
}

func (p *casePool) take() (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.nos) == 0 {
		return "", false
	}
	no := p.nos[0]
	p.nos = p.nos[1:]
	return no, true
}

func (p *casePool) add(nos []string) {
	p.mu.Lock()
	p.nos = append(p.nos, nos...)
	p.mu.Unlock()
}

func (p *casePool) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.nos)
}

// runTransitions drives prepared cases from the pool through the flow with
// `clients` goroutines, each on its own cases, for about d; it returns
// completed transitions per second. Running out of prepared cases ends it
// early, and the rate is taken over the time actually used. A case a
// client was in the middle of when time ran out is left where it stands.
func runTransitions(ctx context.Context, eng *cases.Service, f *flow, pool *casePool, clients int, d time.Duration) (float64, error) {
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) && ctx.Err() == nil {
				no, ok := pool.take()
				if !ok {
					return
				}
				for _, s := range f.steps {
					if !time.Now().Before(end) || ctx.Err() != nil {
						return
					}
					if err := s.act(ctx, eng, no); err != nil {
						once.Do(func() { firstErr = err })
						return
					}
					n.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(n.Load()) / time.Since(start).Seconds(), ctx.Err()
}
