package web

import (
	"fmt"
	"net/http"
	"time"
)

// streamEvents is the one server-sent-event loop of the server (the live
// monitor's board, the hall's queue screen): headers, a retry hint, a
// heartbeat so proxies keep a quiet stream open, and an end after
// streamLife (the browser reconnects at once, and the reconnection passes
// the route's checks again). Each value from updates becomes one event
// named event whose data is what data returns; nil data skips the value
// (nothing changed), an error ends the stream. It returns when the client
// goes, done closes (the server shuts down) or the life ends.
func streamEvents[T any](w http.ResponseWriter, r *http.Request, done <-chan struct{}, updates <-chan T, event string,
	data func(T) ([]byte, error)) error {
	rc := http.NewResponseController(w)
	// The server's write timeout is for ordinary answers; a stream lives
	// longer (bounded by streamLife instead).
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx in front: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 3000\n\n"); err != nil {
		return nil
	}
	if rc.Flush() != nil {
		return nil
	}
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	end := time.NewTimer(streamLife)
	defer end.Stop()
	id := 0
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-done:
			return nil
		case <-end.C:
			return nil
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return nil
			}
		case u := <-updates:
			b, err := data(u)
			if err != nil {
				return nil
			}
			if b == nil {
				continue
			}
			id++
			if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", id, event, b); err != nil || rc.Flush() != nil {
				return nil
			}
		}
	}
}
