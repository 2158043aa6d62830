package voice

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
	"onestop/internal/store"
)

// DefaultReplyDays are the reply limits in working days a county starts
// with (docs/DOMAIN.md §15). No national text fixes a number for a service
// centre's own consultations and help requests; 国办发〔2020〕53号 (on the
// 12345 hotlines) asks for answers at once where possible and within set
// limits otherwise, and local 12345 rules commonly give help requests a
// few working days and complaints about ten. A complaint under the
// 信访工作条例 (2022) Art. 35 must be concluded within 60 days of
// acceptance, so MaxReplyDays keeps any setting well inside that.
var DefaultReplyDays = map[Kind]int{Consult: 5, Complaint: 10, Help: 3}

// Bounds of a configured reply limit (working days). 40 working days
// stay within the 60 calendar days of 信访工作条例 Art. 35 even across
// the longest holiday.
const (
	MinReplyDays = 1
	MaxReplyDays = 40
)

// ReplyDays returns the reply limits of a county: its supervisor's
// settings over the defaults.
func (s *Service) ReplyDays(ctx context.Context, county string) (map[Kind]int, error) {
	return replyDays(ctx, s.DB.Read(), county)
}

func replyDays(ctx context.Context, q store.Querier, county string) (map[Kind]int, error) {
	out := map[Kind]int{}
	for k, v := range DefaultReplyDays {
		out[k] = v
	}
	rows, err := q.QueryContext(ctx, `SELECT kind, reply_days FROM enquiry_deadlines WHERE region_code = $1`, county)
	if err != nil {
		return nil, fmt.Errorf("enquiry deadlines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		if Kind(k).Valid() {
			out[Kind(k)] = n
		}
	}
	return out, rows.Err()
}

// SetReplyDays changes a county's reply limits: only its county-wide
// supervisor. The change holds for enquiries filed afterwards; filed ones
// keep the deadline they were told. It is written to the audit log.
func (s *Service) SetReplyDays(ctx context.Context, a org.Actor, days map[Kind]int) error {
	if a.Role != org.Supervisor || !a.CountyWide() || a.County() == "" {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	f := apperr.Fields{}
	for k, n := range days {
		if !k.Valid() {
			return apperr.New(apperr.Invalid, "error.invalid")
		}
		if n < MinReplyDays || n > MaxReplyDays {
			f.Add("days_"+string(k), "voice.days_range", "Min", MinReplyDays, "Max", MaxReplyDays)
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	county := a.County()
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := replyDays(ctx, tx, county)
		if err != nil {
			return err
		}
		after := map[Kind]int{}
		for k, v := range before {
			after[k] = v
		}
		kinds := make([]Kind, 0, len(days))
		for k := range days {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		for _, k := range kinds {
			after[k] = days[k]
			if _, err := tx.ExecContext(ctx, `INSERT INTO enquiry_deadlines (region_code, kind, reply_days, updated_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (region_code, kind) DO UPDATE SET reply_days = excluded.reply_days, updated_at = excluded.updated_at`,
				county, string(k), days[k], now); err != nil {
				return fmt.Errorf("enquiry deadlines: %w", err)
			}
		}
		return audit.Write(ctx, tx, now, a.Who(), "update", "enquiry_deadlines", county, a.CentreID, 0, before, after)
	})
}
