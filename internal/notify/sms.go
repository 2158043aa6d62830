// Package notify sends text messages to citizens through an outbox: the
// message is a row written in the same transaction as the change it
// reports (a one-time code, a warning to an account's owner), and a sender
// delivers the rows later. A message is never lost when the gateway is
// down, and never sent for a change that was rolled back.
package notify

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"onestop/internal/ident"
	"onestop/internal/store"
)

// Queue adds one message to the outbox, inside q (a transaction, usually).
func Queue(ctx context.Context, q store.Querier, phone, text string, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO sms_outbox (phone, text, created_at) VALUES ($1, $2, $3)`, phone, text, now.UTC())
	if err != nil {
		return fmt.Errorf("sms outbox: %w", err)
	}
	return nil
}

// Recent counts the messages queued for phone since a time.
func Recent(ctx context.Context, q store.Querier, phone string, since time.Time) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sms_outbox WHERE phone = $1 AND created_at > $2`, phone, since.UTC()).Scan(&n); err != nil {
		return 0, fmt.Errorf("sms outbox: %w", err)
	}
	return n, nil
}

// Sender hands one message to a gateway.
type Sender interface {
	Send(ctx context.Context, phone, text string) error
}

// LogSender stands in for a gateway: it logs that a message went out,
// with the phone masked and without the text, because the text carries
// one-time codes and the log is read by more people than the citizen.
// The text stays in sms_outbox for a developer to read. (《个人信息保护法》
// 第五十一条: de-identification as a security measure.)
type LogSender struct {
	Log *slog.Logger
}

// Send logs the message.
func (l LogSender) Send(_ context.Context, phone, text string) error {
	l.Log.Info("sms sent", "phone", ident.MaskPhone(phone), "chars", len([]rune(text)))
	return nil
}

// ConsoleSender prints every message whole, phone and text, on the
// console that started the server. It is the demo's gateway: the person
// trying the demo is both the operator and the citizen waiting for the
// code, and the demo's people are invented. A real installation never
// uses it (its console output is a log).
type ConsoleSender struct {
	W io.Writer
}

// Send prints the message.
func (c ConsoleSender) Send(_ context.Context, phone, text string) error {
	_, err := fmt.Fprintf(c.W, "SMS → %s: %s\n", phone, text)
	return err
}

// Message is one row of the outbox.
type Message struct {
	ID        int64
	Phone     string
	Text      string
	CreatedAt time.Time
	SentAt    *time.Time
}

// Deliver sends what is waiting, oldest first, at most limit messages. A
// row is marked sent before it is handed to the sender, under its
// sent_at IS NULL condition: of several server processes delivering at
// once exactly one sends each message (a gateway failure then loses that
// message rather than texting a code twice; the citizen asks again).
func Deliver(ctx context.Context, db *store.DB, s Sender, now time.Time, limit int) (int, error) {
	rows, err := db.W.QueryContext(ctx, `SELECT id, phone, text FROM sms_outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return 0, fmt.Errorf("sms outbox: %w", err)
	}
	var waiting []Message
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.Phone, &m.Text); err != nil {
			rows.Close()
			return 0, err
		}
		waiting = append(waiting, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range waiting {
		res, err := db.Exec(ctx, `UPDATE sms_outbox SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL`, now.UTC(), m.ID)
		if err != nil {
			return sent, fmt.Errorf("sms outbox: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue // another process took it
		}
		if err := s.Send(ctx, m.Phone, m.Text); err != nil {
			return sent, fmt.Errorf("sms send %d: %w", m.ID, err)
		}
		sent++
	}
	return sent, nil
}

// Outbox lists the messages to one phone, newest first (for tests and a
// developer without a gateway).
func Outbox(ctx context.Context, db *store.DB, phone string) ([]Message, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT id, phone, text, created_at, sent_at FROM sms_outbox WHERE phone = $1 ORDER BY id DESC`, phone)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.Phone, &m.Text, &m.CreatedAt, &m.SentAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
