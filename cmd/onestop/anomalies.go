package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"onestop/internal/anomaly"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// cmdAnomalies replays the whole case record through supervision's
// anomaly rules and then looks at the open cases' lights as of now. The
// engine raises anomalies as cases move; records it did not write — a bulk
// load (gen), a restore, a direct write — are checked only this way. What
// is already raised is never raised again, so it is safe to run at any
// time, also beside a running server.
func cmdAnomalies(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("anomalies", "onestop anomalies — replay every case record through the anomaly rules (after gen, a restore or a direct write); raises only what is missing", stderr)
	var c common
	c.register(fs)
	yellow := fs.String("yellow-days", strconv.Itoa(clock.DefaultLightRule.YellowDaysLeft), "light rule, as given to serve")
	if err := fs.Parse(args); err != nil {
		return err
	}
	light, err := parseYellowDays(*yellow)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, c.data, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := anomaly.Scan(ctx, db, anomaly.ScanOptions{Light: light})
	if err != nil {
		return err
	}
	svc := anomaly.New(db, time.Now)
	svc.Light = light
	n, err := svc.Sweep(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ok: %d cases, %d events replayed; %d anomalies raised from the record, %d from the open cases' lights\n", r.Cases, r.Events, r.Raised, n)
	return nil
}
