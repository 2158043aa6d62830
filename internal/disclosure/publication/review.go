package publication

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/disclosure"
	"onestop/internal/org"
)

// Submit sends a draft to the office head for review.
func (s *Service) Submit(ctx context.Context, a org.Actor, id int64) error {
	return s.step(ctx, a, id, "submit", disclosure.Officer, []string{Draft}, func(tx *sql.Tx, e Entry, now time.Time) (map[string]any, error) {
		_, err := tx.ExecContext(ctx, `UPDATE disclosure_entries SET status = 'review', review_note = '', updated_at = $1 WHERE id = $2`, now, id)
		return map[string]any{"status": Review}, err
	})
}

// Return sends an entry under review back to its drafter with the head's
// reason; the deadline keeps running (it counts from the information's
// creation, not from the review).
func (s *Service) Return(ctx context.Context, a org.Actor, id int64, reason string) error {
	f := apperr.Fields{}
	reason = f.Para("reason", reason, true, MaxReason)
	if err := f.Err(); err != nil {
		return err
	}
	return s.step(ctx, a, id, "return", disclosure.Head, []string{Review}, func(tx *sql.Tx, e Entry, now time.Time) (map[string]any, error) {
		_, err := tx.ExecContext(ctx, `UPDATE disclosure_entries SET status = 'draft', review_note = $1, reviewed_by = $2, updated_at = $3 WHERE id = $4`,
			reason, a.StaffID, now, id)
		return map[string]any{"status": Draft, "reason": reason}, err
	})
}

// Publish puts an entry under review on the public disclosure section; the
// office head only (the office's review, DOMAIN §27).
func (s *Service) Publish(ctx context.Context, a org.Actor, id int64) error {
	today := s.today()
	return s.step(ctx, a, id, "publish", disclosure.Head, []string{Review}, func(tx *sql.Tx, e Entry, now time.Time) (map[string]any, error) {
		_, err := tx.ExecContext(ctx, `UPDATE disclosure_entries SET status = 'published', reviewed_by = $1, published_by = $1, published_at = $2,
			published_on = $3, review_note = '', updated_at = $2 WHERE id = $4`, a.StaffID, now, today.String(), id)
		return map[string]any{"status": Published, "published_on": today.String(), "late": e.DueOn.Before(today)}, err
	})
}

// Withdraw takes a published entry off the public section, with the
// reason on the record; the office head only.
func (s *Service) Withdraw(ctx context.Context, a org.Actor, id int64, reason string) error {
	f := apperr.Fields{}
	reason = f.Para("reason", reason, true, MaxReason)
	if err := f.Err(); err != nil {
		return err
	}
	return s.step(ctx, a, id, "withdraw", disclosure.Head, []string{Published}, func(tx *sql.Tx, e Entry, now time.Time) (map[string]any, error) {
		if e.Source != Manual {
			// Sync would publish it again at its next run: the source
			// (a catalogue item, a bulletin) is withdrawn at its source.
			return nil, apperr.New(apperr.Conflict, "disclosure_pub.error.automatic")
		}
		_, err := tx.ExecContext(ctx, `UPDATE disclosure_entries SET status = 'withdrawn', withdrawn_at = $1, withdraw_reason = $2, updated_at = $1 WHERE id = $3`,
			now, reason, id)
		return map[string]any{"status": Withdrawn, "reason": reason}, err
	})
}

// Repeal records that a published policy document was repealed (废止) on
// day: it stays published, shown as repealed from that day, so the public
// can still read what was in force when. The office head only.
func (s *Service) Repeal(ctx context.Context, a org.Actor, id int64, day string) error {
	f := apperr.Fields{}
	v := f.Text("repealed_on", day, true, 10)
	var d calendar.Date
	if !f.Has("repealed_on") {
		var err error
		if d, err = calendar.ParseDate(v); err != nil {
			f.Add("repealed_on", "calendar.bad_date")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.step(ctx, a, id, "repeal", disclosure.Head, []string{Published}, func(tx *sql.Tx, e Entry, now time.Time) (map[string]any, error) {
		f := apperr.Fields{}
		switch {
		case e.Category != disclosure.Policy:
			f.Add("repealed_on", "disclosure_pub.error.policy_only")
		case e.RepealedOn != nil:
			f.Add("repealed_on", "disclosure_pub.error.already_repealed")
		case e.IssuedOn != nil && d.Before(*e.IssuedOn):
			f.Add("repealed_on", "disclosure_pub.error.repeal_before_issue")
		}
		if err := f.Err(); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx, `UPDATE disclosure_entries SET repealed_on = $1, updated_at = $2 WHERE id = $3`, d.String(), now, id)
		return map[string]any{"repealed_on": d.String()}, err
	})
}

// step runs one change of an entry the actor acts for with duty d, from
// one of the states from, with its audit entry, in one transaction.
func (s *Service) step(ctx context.Context, a org.Actor, id int64, action string, d disclosure.Duty, from []string,
	fn func(*sql.Tx, Entry, time.Time) (map[string]any, error)) error {
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		e, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		x, err := acting(ctx, tx, a, e.OrganID, d)
		if apperr.Is(err, apperr.NotFound) {
			return errNoEntry // another organ's entry is not the actor's to know of
		}
		if err != nil {
			return err
		}
		if !slices.Contains(from, e.Status) {
			return apperr.New(apperr.Conflict, "disclosure_pub.error.state", "State", e.Status)
		}
		after, err := fn(tx, e, now)
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), action, "disclosure_entry", strconv.FormatInt(id, 10), 0, x.Organ.DepartmentID, entryAudit(e), after)
	})
}
