package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"onestop/internal/store"
)

// openReplica opens --db-read beside the primary, or nothing when it is
// empty. It is refused with SQLite or a primary that is not PostgreSQL:
// there is nothing such a replica could be a standby of. A replica that
// does not answer at start is not fatal: the primary serves every read
// until it does, and the log and /healthz say so.
func openReplica(ctx context.Context, db *store.DB, url string, maxLag time.Duration, log *slog.Logger) (*store.Replica, error) {
	if url == "" {
		return nil, nil
	}
	rep, err := db.OpenReplica(ctx, url, maxLag)
	if err != nil {
		return nil, fmt.Errorf("--db-read: %w", err)
	}
	if st := rep.Status(); !st.InUse {
		log.Warn("read replica not in use yet: replica-routed reads go to the primary", "replica", rep.Location,
			"reason", st.Reason, "detail", st.Detail)
	}
	return rep, nil
}
