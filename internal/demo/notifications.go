package demo

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"onestop/internal/notify"
	"onestop/internal/store"
)

// EnsureNotifications seeds, once, what the notification pages show
// (issue 14 §4): e-mail addresses for the reviewer and the approver (their
// notes go there too), one applicant who chose SMS and e-mail in English,
// notes on the reviewer's bell, and two messages the gateways refused, for
// the admin's outbox page and its retry button. New cases add their own
// messages as they move.
func EnsureNotifications(ctx context.Context, db *store.DB, now time.Time) error {
	var done string
	err := db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'demo_notifications'`).Scan(&done)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		q := db.InTx(tx)
		for user, mail := range map[string]string{"reviewer": "reviewer@zwfw.example.cn", "approver": "approver@zwfw.example.cn"} {
			if _, err := q.ExecContext(ctx, `UPDATE staff SET email = $1 WHERE username = $2`, mail, user); err != nil {
				return err
			}
		}
		var appID int64
		var phone string
		err := q.QueryRowContext(ctx, `SELECT id, phone FROM applicants WHERE kind = 'citizen' AND phone <> '' ORDER BY id LIMIT 1`).Scan(&appID, &phone)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			phone = "13800138000" // the demo's applicants come later, with its cases
		case err != nil:
			return err
		default:
			if _, err := q.ExecContext(ctx, `UPDATE applicants SET notify_by = 'both', email = 'citizen@example.cn', notify_lang = 'en' WHERE id = $1`, appID); err != nil {
				return err
			}
		}
		var staffID int64
		var region string
		if err := q.QueryRowContext(ctx, `SELECT s.id, COALESCE(c.region_code, '') FROM staff s LEFT JOIN centres c ON c.id = s.centre_id WHERE s.username = 'reviewer'`).Scan(&staffID, &region); err != nil {
			return err
		}
		notes := []struct {
			key    string
			params map[string]any
			ago    time.Duration
		}{
			{"notify.staff.new_work", map[string]any{"No": "示例", "Item": "食品经营许可", "Deadline": now.AddDate(0, 0, 7).Format("2006-01-02")}, 3 * time.Hour},
			{"notify.staff.light.yellow", map[string]any{"No": "示例", "Item": "食品经营许可", "Deadline": now.AddDate(0, 0, 1).Format("2006-01-02")}, time.Hour},
		}
		for _, n := range notes {
			if err := notify.TellStaff(ctx, q, staffID, 0, region, n.key, n.params, now.Add(-n.ago)); err != nil {
				return err
			}
		}
		msg := notify.Msg{Channel: notify.SMS, To: phone, Key: "notify.case.msg.accepted", Params: map[string]any{"No": "示例", "Item": "食品经营许可", "Deadline": "2026-12-31"}, Region: region}
		if err := notify.QueueMsg(ctx, q, msg, now.Add(-26*time.Hour)); err != nil {
			return err
		}
		msg.Channel, msg.To = notify.Email, "no-such-mailbox@example.cn"
		if err := notify.QueueMsg(ctx, q, msg, now.Add(-25*time.Hour)); err != nil {
			return err
		}
		// The two just queued failed every attempt (the demo's log sender
		// would otherwise send them at once).
		if _, err := q.ExecContext(ctx, `UPDATE sms_outbox SET status = 'failed', attempts = $1,
			last_error = CASE channel WHEN 'sms' THEN 'sms gateway: 503 Service Unavailable: 通道拥塞' ELSE 'smtp: 550 5.1.1 mailbox unavailable' END
			WHERE id IN (SELECT id FROM sms_outbox ORDER BY id DESC LIMIT 2)`, notify.DefaultMaxAttempts); err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('demo_notifications', 'done')`)
		return err
	})
}
