// Package notify tells people things through one transactional outbox:
// a message is a row of sms_outbox written in the same transaction as the
// change it reports (a one-time code, a case accepted, a light turned
// red), and a dispatcher delivers the rows later by SMS or e-mail. A
// message is never lost when a gateway is down or the process dies, and
// never sent for a change that was rolled back. docs/ARCHITECTURE.md §16
// tells why it is sent once.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"onestop/internal/org"
	"onestop/internal/store"
)

// Channels.
const (
	SMS   = "sms"
	Email = "email"
)

// States of an outbox row.
const (
	Pending = "pending"
	Sent    = "sent"
	Failed  = "failed"
)

// DefaultLang is the language of a message to someone who chose none.
const DefaultLang = "zh-CN"

// Msg is one message to queue: a template key from the notify.*.toml
// translation files and its parameters, rendered in Lang when it is sent
// (so a wording fix reaches the messages still waiting).
type Msg struct {
	Channel string
	// To is the phone number (SMS) or the address (e-mail).
	To     string
	Key    string
	Params map[string]any
	Lang   string
	// Region is a division code of the place the message is about (a
	// case's centre); its county's admin sees the row on /admin/outbox.
	Region string
}

// QueueMsg adds a message to the outbox inside q (the transaction of the
// change it reports). Another package calls it with its own template key,
// as the fees' payment notice does.
func QueueMsg(ctx context.Context, q store.Querier, m Msg, now time.Time) error {
	if m.Channel != SMS && m.Channel != Email {
		return fmt.Errorf("outbox: unknown channel %q", m.Channel)
	}
	params := ""
	if len(m.Params) > 0 {
		b, err := json.Marshal(m.Params)
		if err != nil {
			return fmt.Errorf("outbox params: %w", err)
		}
		params = string(b)
	}
	lang := m.Lang
	if lang == "" {
		lang = DefaultLang
	}
	phone, email := m.To, ""
	if m.Channel == Email {
		phone, email = "", m.To
	}
	county := org.Actor{RegionCode: m.Region}.County() // one rule for "the county of a code"
	return insert(ctx, q, m.Channel, phone, email, "", m.Key, params, lang, county, now)
}

// Queue adds a text message already written (a one-time code) inside q.
func Queue(ctx context.Context, q store.Querier, phone, text string, now time.Time) error {
	return insert(ctx, q, SMS, phone, "", text, "", "", DefaultLang, "", now)
}

func insert(ctx context.Context, q store.Querier, channel, phone, email, text, key, params, lang, region string, now time.Time) error {
	now = now.UTC()
	_, err := q.ExecContext(ctx, `INSERT INTO sms_outbox (channel, phone, email, text, template_key, params, lang, region_code, created_at, next_attempt_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, channel, phone, email, text, key, params, lang, region, now, now)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// Recent counts the texts written out (Queue: codes and replies a
// visitor's form causes) for phone since a time: the flood guard of the
// registration form. The notices of the phone's own cases are not the
// visitor's doing and do not count.
func Recent(ctx context.Context, q store.Querier, phone string, since time.Time) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sms_outbox WHERE phone = $1 AND created_at > $2 AND template_key = ''`, phone, since.UTC()).Scan(&n); err != nil {
		return 0, fmt.Errorf("sms outbox: %w", err)
	}
	return n, nil
}

// Message is one row of the outbox.
type Message struct {
	ID          int64
	Channel     string
	Phone       string
	Email       string
	Text        string
	Key         string
	Params      string
	Lang        string
	Region      string
	Status      string
	Attempts    int
	LastError   string
	CreatedAt   time.Time
	NextAttempt *time.Time
	SentAt      *time.Time
}

// To is the recipient on the message's channel.
func (m Message) To() string {
	if m.Channel == Email {
		return m.Email
	}
	return m.Phone
}

const messageCols = `id, channel, phone, email, text, template_key, params, lang, region_code, status, attempts, last_error, created_at, next_attempt_at, sent_at`

// messages reads outbox rows: query selects messageCols.
func messages(ctx context.Context, q store.Querier, query string, args ...any) ([]Message, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.Channel, &m.Phone, &m.Email, &m.Text, &m.Key, &m.Params, &m.Lang, &m.Region, &m.Status, &m.Attempts,
			&m.LastError, &m.CreatedAt, &m.NextAttempt, &m.SentAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Outbox lists the messages to one phone, newest first (for tests and a
// developer without a gateway).
func Outbox(ctx context.Context, db *store.DB, phone string) ([]Message, error) {
	return messages(ctx, db.Read(), `SELECT `+messageCols+` FROM sms_outbox WHERE phone = $1 ORDER BY id DESC`, phone)
}
