package queue

import (
	"sync"
	"time"

	"onestop/internal/apperr"
)

// Hub tells the hall screens of a centre that its queue changed: Changed
// (the Service's hook) kicks every watcher of the centre through a
// buffered channel of one, so it never blocks a call; the watcher then
// reads the screen afresh (a kick missed while one is pending says
// nothing more). Other processes sharing the database are not heard, so
// every watcher is also kicked each Tick.
type Hub struct {
	// Max bounds the watchers at once (default 200); Tick is the re-read
	// without a change heard (default 15 s).
	Max  int
	Tick time.Duration

	mu     sync.Mutex
	subs   map[int64]map[*Watch]bool
	n      int
	closed bool
	stop   chan struct{}
	ticks  bool
}

// Watch is one screen watching a centre.
type Watch struct {
	C      <-chan struct{}
	c      chan struct{}
	centre int64
	h      *Hub
	once   sync.Once
}

// ErrBusy is answered when Max watchers are already connected.
var ErrBusy = apperr.New(apperr.TooMany, "queue.busy")

func (h *Hub) init() {
	if h.subs == nil {
		h.subs = map[int64]map[*Watch]bool{}
		h.stop = make(chan struct{})
	}
}

// Subscribe starts watching a centre.
func (h *Hub) Subscribe(centreID int64) (*Watch, error) {
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
	if !h.ticks {
		h.ticks = true
		go h.tick()
	}
	c := make(chan struct{}, 1)
	// The first kick is the screen as it is now.
	c <- struct{}{}
	w := &Watch{C: c, c: c, centre: centreID, h: h}
	if h.subs[centreID] == nil {
		h.subs[centreID] = map[*Watch]bool{}
	}
	h.subs[centreID][w] = true
	h.n++
	return w, nil
}

// Changed kicks the watchers of a centre; it never blocks.
func (h *Hub) Changed(centreID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for w := range h.subs[centreID] {
		w.kick()
	}
}

func (w *Watch) kick() {
	select {
	case w.c <- struct{}{}:
	default: // one is pending already
	}
}

func (h *Hub) tick() {
	every := h.Tick
	if every <= 0 {
		every = 15 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			h.mu.Lock()
			for _, ws := range h.subs {
				for w := range ws {
					w.kick()
				}
			}
			h.mu.Unlock()
		}
	}
}

// Done is closed when the hub closes (shutdown).
func (w *Watch) Done() <-chan struct{} { return w.h.stop }

// Close stops watching.
func (w *Watch) Close() {
	w.once.Do(func() {
		h := w.h
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.subs[w.centre], w)
		if len(h.subs[w.centre]) == 0 {
			delete(h.subs, w.centre)
		}
		h.n--
	})
}

// Close ends every watch (graceful shutdown).
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.init()
	if !h.closed {
		h.closed = true
		close(h.stop)
	}
}
