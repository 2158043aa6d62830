package monitor

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/cases"
)

// Hub keeps the live boards: one computation per (scope, grouping) shared
// by everyone watching it, recomputed when a case changes in this process
// (Changed, a cases.Listener) and on every Tick (lights change with the
// date alone, and other processes sharing the database change cases this
// one never hears of). Watchers get updates through a buffered channel of
// one: a watcher too slow to take an update has it replaced by a full
// board, so nobody ever blocks the case engine or another watcher.
type Hub struct {
	Monitor *Monitor
	Log     *slog.Logger
	// Tick is the periodic recompute (default 15 s); Settle the pause after
	// a change before recomputing, so a burst of transitions costs one
	// computation (default 250 ms); Max the watchers at once (default 200).
	Tick   time.Duration
	Settle time.Duration
	Max    int

	mu     sync.Mutex
	feeds  map[string]*feed
	n      int
	closed bool
	stop   chan struct{}
	wg     sync.WaitGroup
}

// Update is what a watcher receives: the board, and what changed since
// the last one it was sent (Full: everything, for a first update or after
// one was dropped).
type Update struct {
	Board   *Board
	Full    bool
	Changed []Group  // groups whose counts changed or that appeared
	Removed []string // keys of groups with no open case any more
	// UrgentChanged tells that the list of urgent cases changed.
	UrgentChanged bool
}

// Sub is one watcher.
type Sub struct {
	C    <-chan Update
	c    chan Update
	f    *feed
	h    *Hub
	once sync.Once
}

type feed struct {
	key  string
	sc   Scope
	by   Dim
	kick chan struct{}
	quit chan struct{}
	subs map[*Sub]bool // watcher → still needs its first (full) update
	last *Board
}

// ErrBusy is answered when Max watchers are already connected.
var ErrBusy = apperr.New(apperr.TooMany, "monitor.busy")

func (h *Hub) init() {
	if h.feeds == nil {
		h.feeds = map[string]*feed{}
		h.stop = make(chan struct{})
	}
}

// Subscribe starts watching the board of sc grouped by by.
func (h *Hub) Subscribe(sc Scope, by Dim) (*Sub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.init()
	max := h.Max
	if max <= 0 {
		max = 200
	}
	if h.closed || h.n >= max {
		return nil, ErrBusy
	}
	key := sc.key() + "/" + string(by)
	f := h.feeds[key]
	if f == nil {
		f = &feed{key: key, sc: sc, by: by, kick: make(chan struct{}, 1), quit: make(chan struct{}), subs: map[*Sub]bool{}}
		h.feeds[key] = f
		h.wg.Add(1)
		go h.run(f)
	}
	c := make(chan Update, 1)
	s := &Sub{C: c, c: c, f: f, h: h}
	if f.last != nil {
		c <- Update{Board: f.last, Full: true}
		f.subs[s] = false
	} else {
		f.subs[s] = true
	}
	h.n++
	return s, nil
}

// Done is closed when the hub closes (the server is shutting down).
func (s *Sub) Done() <-chan struct{} { return s.h.stop }

// Close stops watching; the last watcher of a board stops its
// computation.
func (s *Sub) Close() {
	s.once.Do(func() {
		h := s.h
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(s.f.subs, s)
		h.n--
		if len(s.f.subs) == 0 && h.feeds[s.f.key] == s.f {
			delete(h.feeds, s.f.key)
			close(s.f.quit)
		}
	})
}

// Changed is the case engine's listener: it asks every board to recompute
// soon, and never blocks.
func (h *Hub) Changed(cases.Change) { h.Kick() }

// Kick asks every board to recompute soon.
func (h *Hub) Kick() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.feeds {
		select {
		case f.kick <- struct{}{}:
		default: // one is pending already
		}
	}
}

// Close ends every stream and computation (graceful shutdown: a stream
// would otherwise keep its connection busy forever) and waits for the
// computations to stop.
func (h *Hub) Close() {
	h.mu.Lock()
	h.init()
	if !h.closed {
		h.closed = true
		close(h.stop)
	}
	h.mu.Unlock()
	h.wg.Wait()
}

// Watchers counts the connected watchers.
func (h *Hub) Watchers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

func (h *Hub) run(f *feed) {
	defer h.wg.Done()
	tick, settle := h.Tick, h.Settle
	if tick <= 0 {
		tick = 15 * time.Second
	}
	if settle <= 0 {
		settle = 250 * time.Millisecond
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-h.stop:
		case <-f.quit:
		}
		cancel()
	}()
	for {
		h.compute(ctx, f)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-f.kick:
			select {
			case <-ctx.Done():
				return
			case <-time.After(settle):
			}
		}
	}
}

func (h *Hub) compute(ctx context.Context, f *feed) {
	b, err := h.Monitor.Board(ctx, f.sc, f.by)
	if err != nil {
		if ctx.Err() == nil && h.Log != nil {
			h.Log.Warn("live monitor", "err", err)
		}
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	diff := Diff(f.last, b)
	f.last = b
	for s, first := range f.subs {
		switch {
		case first:
			f.subs[s] = false
			s.send(Update{Board: b, Full: true})
		case diff.Any():
			s.send(diff)
		}
	}
}

// Any reports whether the update says anything new.
func (u Update) Any() bool {
	return u.Full || len(u.Changed) > 0 || len(u.Removed) > 0 || u.UrgentChanged
}

// send delivers u without blocking: an update the watcher has not taken
// yet is replaced by the full board, which says everything the lost one
// did.
func (s *Sub) send(u Update) {
	select {
	case s.c <- u:
		return
	default:
	}
	select {
	case <-s.c:
	default:
	}
	s.c <- Update{Board: u.Board, Full: true}
}

// Diff tells what changed from prev to next (everything when prev is
// nil).
func Diff(prev, next *Board) Update {
	u := Update{Board: next}
	if prev == nil {
		u.Full = true
		return u
	}
	old := make(map[string]Group, len(prev.Groups))
	for _, g := range prev.Groups {
		old[g.Key] = g
	}
	for _, g := range next.Groups {
		if o, ok := old[g.Key]; !ok || o != g {
			u.Changed = append(u.Changed, g)
		}
		delete(old, g.Key)
	}
	for k := range old {
		u.Removed = append(u.Removed, k)
	}
	u.UrgentChanged = !reflect.DeepEqual(prev.Urgent, next.Urgent)
	return u
}
