package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"onestop/internal/store"
)

// Dispatcher delivers the outbox. Several may run at once (two server
// processes on one PostgreSQL): each row is claimed by a lease before it
// is sent, so only one sends it.
//
// Sent once: the row is claimed (lease_until, attempts+1) before the send
// and marked sent after it. A crash before the send leaves a claimed row
// whose lease runs out; it is sent after the restart. A crash after the
// send and before the mark sends it again — with the same RequestID (the
// SMS request id, the e-mail's Message-ID), which the gateway recognises
// as a resend. Marking before the send instead would lose the message in
// that crash: a duplicate the gateway can drop beats a notice nobody gets.
type Dispatcher struct {
	DB *store.DB
	// SMS and Mail deliver their channels; a channel without a sender
	// waits (its rows stay pending) until one is configured.
	SMS  Sender
	Mail Sender
	// Text renders a template key in a language (the translation files).
	Text func(lang, key string, args map[string]any) string
	Now  func() time.Time
	Log  *slog.Logger

	// Lease is how long a claim holds: longer than any send takes.
	Lease time.Duration
	// MaxAttempts failed sends make a row failed; before that attempt n
	// waits Backoff·2^(n-1), at most MaxBackoff.
	MaxAttempts int
	Backoff     time.Duration
	MaxBackoff  time.Duration
}

// Defaults of the dispatcher.
const (
	DefaultLease       = 2 * time.Minute
	DefaultMaxAttempts = 8
	DefaultBackoff     = time.Minute
	DefaultMaxBackoff  = 4 * time.Hour
)

func (d *Dispatcher) lease() time.Duration       { return orDefault(d.Lease, DefaultLease) }
func (d *Dispatcher) backoffBase() time.Duration { return orDefault(d.Backoff, DefaultBackoff) }
func (d *Dispatcher) maxAttempts() int {
	if d.MaxAttempts > 0 {
		return d.MaxAttempts
	}
	return DefaultMaxAttempts
}

func orDefault(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

// RetryDelay is the wait after the n-th failed attempt: exponential, capped.
func (d *Dispatcher) RetryDelay(n int) time.Duration {
	limit := orDefault(d.MaxBackoff, DefaultMaxBackoff)
	delay := d.backoffBase()
	for i := 1; i < n && delay < limit; i++ {
		delay *= 2
	}
	return min(delay, limit)
}

// Deliver sends what is due, oldest first, at most limit messages, and
// reports how many went out.
func (d *Dispatcher) Deliver(ctx context.Context, limit int) (int, error) {
	now := d.Now().UTC()
	channels := []string{}
	if d.SMS != nil {
		channels = append(channels, SMS)
	}
	if d.Mail != nil {
		channels = append(channels, Email)
	}
	if len(channels) == 0 {
		return 0, nil
	}
	w := &store.Where{}
	w.Add("status = ?", Pending)
	w.Add("next_attempt_at <= ?", now)
	w.Add("(lease_until IS NULL OR lease_until <= ?)", now)
	if len(channels) == 1 {
		w.Add("channel = ?", channels[0])
	}
	lim := w.Bind(limit)
	ids, err := store.Column[int64](d.DB.W.QueryContext(ctx, `SELECT id FROM sms_outbox`+w.String()+` ORDER BY next_attempt_at, id LIMIT `+lim, w.Args()...))
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	sent := 0
	for _, id := range ids {
		ok, err := d.deliverOne(ctx, id)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// Claim takes the row for this dispatcher until the lease ends: false
// when another process holds it, or it was sent or failed meanwhile.
func (d *Dispatcher) Claim(ctx context.Context, id int64, now time.Time) (bool, error) {
	res, err := d.DB.Exec(ctx, `UPDATE sms_outbox SET lease_until = $1, attempts = attempts + 1
		WHERE id = $2 AND status = 'pending' AND (lease_until IS NULL OR lease_until <= $3)`, now.Add(d.lease()), id, now)
	if err != nil {
		return false, fmt.Errorf("outbox claim: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (d *Dispatcher) deliverOne(ctx context.Context, id int64) (bool, error) {
	now := d.Now().UTC()
	if ok, err := d.Claim(ctx, id, now); err != nil || !ok {
		return false, err
	}
	m, err := d.read(ctx, id)
	if err != nil {
		return false, err
	}
	out, err := d.render(m)
	if err == nil {
		sender := d.SMS
		if m.Channel == Email {
			sender = d.Mail
		}
		err = sender.Send(ctx, out)
	}
	after := d.Now().UTC()
	if err == nil {
		_, err := d.DB.Exec(ctx, `UPDATE sms_outbox SET status = 'sent', sent_at = $1, lease_until = NULL WHERE id = $2 AND status = 'pending'`, after, id)
		return err == nil, err
	}
	if ctx.Err() != nil {
		// Shutting down: the lease runs out and the next start sends it.
		return false, nil
	}
	status, next := Pending, after.Add(d.RetryDelay(m.Attempts))
	if m.Attempts >= d.maxAttempts() || errors.Is(err, errPermanent) {
		status = Failed
	}
	msg := err.Error()
	if r := []rune(msg); len(r) > 500 {
		msg = string(r[:500])
	}
	if _, err := d.DB.Exec(ctx, `UPDATE sms_outbox SET status = $1, next_attempt_at = $2, lease_until = NULL, last_error = $3 WHERE id = $4 AND status = 'pending'`,
		status, next, msg, id); err != nil {
		return false, err
	}
	if d.Log != nil {
		d.Log.Warn("message not sent", "id", id, "channel", m.Channel, "attempts", m.Attempts, "status", status, "err", msg)
	}
	return false, nil
}

func (d *Dispatcher) read(ctx context.Context, id int64) (Message, error) {
	ms, err := messages(ctx, d.DB.W, `SELECT `+messageCols+` FROM sms_outbox WHERE id = $1`, id)
	if err == nil && len(ms) == 0 {
		err = sql.ErrNoRows
	}
	if err != nil {
		return Message{}, err
	}
	return ms[0], nil
}

// errPermanent marks a failure no retry can mend (a template missing from
// the translation files): the row fails at once for the admin to see.
var errPermanent = errors.New("permanent")

// render writes the message in the recipient's language.
func (d *Dispatcher) render(m Message) (Outgoing, error) {
	out := Outgoing{ID: m.ID, Channel: m.Channel, To: m.To(), Text: m.Text, Key: m.Key, Lang: m.Lang}
	if m.Key == "" {
		return out, nil
	}
	args := map[string]any{}
	if m.Params != "" {
		if err := json.Unmarshal([]byte(m.Params), &args); err != nil {
			return out, fmt.Errorf("%w: params: %v", errPermanent, err)
		}
	}
	out.Params = map[string]string{}
	for k, v := range args {
		out.Params[k] = fmt.Sprint(v)
	}
	if d.Text == nil {
		return out, fmt.Errorf("%w: no translations", errPermanent)
	}
	out.Text = d.Text(m.Lang, m.Key, args)
	if out.Text == m.Key {
		return out, fmt.Errorf("%w: template %s missing", errPermanent, m.Key)
	}
	out.Subject = d.Text(m.Lang, "notify.subject", args)
	return out, nil
}

// Run delivers every interval until ctx ends.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := d.Deliver(ctx, 100); err != nil && ctx.Err() == nil && d.Log != nil {
			d.Log.Error("outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
