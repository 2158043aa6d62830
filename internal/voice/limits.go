package voice

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/store"
)

// Limits of the public forms (issue 13 §6: throttled per address and per
// account): so many filings per sender within a window. A kiosk or a
// family shares an address, so the address gets an hour; a phone or an
// account gets a day.
var Limits = []Limit{
	{Sender: "addr", Max: 5, Window: time.Hour},
	{Sender: "phone", Max: 10, Window: 24 * time.Hour},
	{Sender: "applicant", Max: 10, Window: 24 * time.Hour},
}

// Limit is one sender's allowance.
type Limit struct {
	Sender string
	Max    int
	Window time.Duration
}

// keep is how long a filing is remembered: the longest window.
const keep = 24 * time.Hour

// senders are the keys a filing counts under (only those it has).
func senders(in Input) map[string]string {
	out := map[string]string{}
	if in.From != "" {
		out["addr"] = "addr:" + in.From
	}
	if in.Phone != "" {
		out["phone"] = "phone:" + in.Phone
	}
	if in.ApplicantID != 0 {
		out["applicant"] = "applicant:" + strconv.FormatInt(in.ApplicantID, 10)
	}
	return out
}

// admit refuses a filing over any sender's limit and otherwise counts it,
// inside the filing's transaction (so a refused or failed filing counts
// nothing). Channels other than the public ones are not limited here:
// Open311 clients are limited by their key, staff by their account.
func admit(ctx context.Context, q store.Querier, in Input, now time.Time) error {
	if in.Channel != "portal" {
		return nil
	}
	keys := senders(in)
	for _, l := range Limits {
		key, ok := keys[l.Sender]
		if !ok {
			continue
		}
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM enquiry_filings WHERE key = $1 AND at > $2`, key, now.Add(-l.Window)).Scan(&n); err != nil {
			return fmt.Errorf("enquiry limits: %w", err)
		}
		if n >= l.Max {
			return apperr.New(apperr.TooMany, "voice.throttled."+l.Sender, "Max", l.Max)
		}
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM enquiry_filings WHERE at < $1`, now.Add(-keep)); err != nil {
		return err
	}
	for _, key := range keys {
		if _, err := q.ExecContext(ctx, `INSERT INTO enquiry_filings (key, at) VALUES ($1, $2)`, key, now); err != nil {
			return err
		}
	}
	return nil
}
