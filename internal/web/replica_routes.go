package web

import (
	"net/http"
	"strings"
	"time"

	"onestop/internal/store"
)

// handleReads registers a read-only route whose reads may be answered by
// the read replica (serve --db-read; store.Replica), behind the same
// authentication, role and CSRF checks as handle. The choice is made here,
// route by route, and never guessed from the method: a GET that shows its
// user what they just changed (a case page, the inbox, a form, the page a
// POST redirects to) must stay on handle, since the replica may be a few
// seconds behind. The session and the signed-in account are read before
// the mark, from the primary: a fresh sign-in must not look signed out.
//
// Only GET routes may read from the replica. Writes made while serving
// one still go to the primary (store: transactions and Exec never use the
// replica), but a route that writes has no business here.
func (s *Server) handleReads(pattern string, a access, h handlerFunc) {
	if !strings.HasPrefix(pattern, http.MethodGet+" ") {
		panic("web: only GET routes may read from the replica: " + pattern)
	}
	s.handle(pattern, a, func(w http.ResponseWriter, r *http.Request) error {
		return h(w, r.WithContext(store.FromReplica(r.Context())))
	})
	s.routes[len(s.routes)-1].Replica = true
}

// replicaHealth is the replica's part of /healthz: whether the marked
// reads go to it, and if not why (a word: down, lagging …), with its lag
// and the counts of reads it answered and of those that fell back. No
// address and no error text: /healthz is public, the log has the detail.
func replicaHealth(rep *store.Replica) map[string]any {
	st := rep.Status()
	reads, fallbacks := rep.Counts()
	h := map[string]any{"in_use": st.InUse, "max_lag_seconds": rep.MaxLag.Seconds(),
		"reads": reads, "fallbacks": fallbacks}
	if st.Lag >= 0 {
		h["lag_seconds"] = st.Lag.Seconds()
	}
	if !st.InUse {
		h["fallback"] = "primary"
		h["reason"] = st.Reason
	}
	if !st.CheckedAt.IsZero() {
		h["checked_at"] = st.CheckedAt.UTC().Format(time.RFC3339)
	}
	return h
}
