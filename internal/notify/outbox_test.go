package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/internal/notify"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

type recorder struct {
	mu   sync.Mutex
	sent []notify.Outgoing
	fail error
}

func (r *recorder) Send(_ context.Context, m notify.Outgoing) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.sent = append(r.sent, m)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

// texts is the translations a test renders with: language, key and the
// case number; the key itself for a template that does not exist.
func texts(lang, key string, args map[string]any) string {
	if key == "notify.missing" {
		return key
	}
	return lang + ":" + key + ":No=" + fmt.Sprint(args["No"])
}

type clockAt struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clockAt) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clockAt) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func dispatcher(db *store.DB, sms, mail notify.Sender, c *clockAt) *notify.Dispatcher {
	return &notify.Dispatcher{DB: db, SMS: sms, Mail: mail, Text: texts, Now: c.now}
}

// Every queued message is sent once, even by several dispatchers at once,
// and the log sender writes neither the number nor the text.
func TestDeliverOnce(t *testing.T) {
	db := testutil.NewTestDB(t)
	ctx := context.Background()
	c := &clockAt{t: time.Date(2030, 1, 1, 2, 0, 0, 0, time.UTC)}
	for range 20 {
		if err := notify.Queue(ctx, db.W, "13800138000", "code 123456", c.now()); err != nil {
			t.Fatal(err)
		}
	}
	r := &recorder{}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := dispatcher(db, r, nil, c).Deliver(ctx, 100); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if r.count() != 20 {
		t.Fatalf("sent %d of 20", r.count())
	}
	seen := map[string]bool{}
	for _, m := range r.sent {
		if seen[m.RequestID()] {
			t.Fatalf("%s sent twice", m.RequestID())
		}
		seen[m.RequestID()] = true
	}
	if n, err := dispatcher(db, r, nil, c).Deliver(ctx, 100); err != nil || n != 0 {
		t.Fatalf("second delivery: %d %v", n, err)
	}
	ms, err := notify.Outbox(ctx, db, "13800138000")
	if err != nil || len(ms) != 20 || ms[0].SentAt == nil || ms[0].Status != notify.Sent {
		t.Fatalf("outbox: %d %v", len(ms), err)
	}

	var buf bytes.Buffer
	if err := notify.Queue(ctx, db.W, "13900139000", "您的验证码是 654321", c.now()); err != nil {
		t.Fatal(err)
	}
	if _, err := dispatcher(db, notify.LogSender{Log: slog.New(slog.NewTextHandler(&buf, nil))}, nil, c).Deliver(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if log := buf.String(); !strings.Contains(log, "message sent") || strings.Contains(log, "13900139000") || strings.Contains(log, "654321") {
		t.Fatalf("log: %q", log)
	}
}

// A claimed row is left alone by another dispatcher until its lease runs
// out (the claimer died between claim and send); then it is taken again,
// and a row sent or failed is never claimed.
func TestClaimLease(t *testing.T) {
	db := testutil.NewTestDB(t)
	ctx := context.Background()
	c := &clockAt{t: time.Date(2030, 1, 1, 2, 0, 0, 0, time.UTC)}
	if err := notify.Queue(ctx, db.W, "13800138000", "hello", c.now()); err != nil {
		t.Fatal(err)
	}
	id := lastID(t, db)
	a := dispatcher(db, &recorder{}, nil, c)
	a.Lease = time.Minute
	b := dispatcher(db, &recorder{}, nil, c)
	if ok, err := a.Claim(ctx, id, c.now()); err != nil || !ok {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, _ := b.Claim(ctx, id, c.now().Add(59*time.Second)); ok {
		t.Fatal("a second dispatcher claimed a row under another's lease")
	}
	// The dispatcher b does not send it either while the lease holds.
	rb := &recorder{}
	c.add(30 * time.Second)
	if n, err := dispatcher(db, rb, nil, c).Deliver(ctx, 10); err != nil || n != 0 || rb.count() != 0 {
		t.Fatalf("delivered under a lease: %d %v", n, err)
	}
	c.add(31 * time.Second)
	if n, err := dispatcher(db, rb, nil, c).Deliver(ctx, 10); err != nil || n != 1 {
		t.Fatalf("after the lease: %d %v", n, err)
	}
	if ok, _ := b.Claim(ctx, id, c.now().Add(time.Hour)); ok {
		t.Fatal("a sent row was claimed again")
	}
	var attempts int
	if err := db.R.QueryRow(`SELECT attempts FROM sms_outbox WHERE id = $1`, id).Scan(&attempts); err != nil || attempts != 2 {
		t.Fatalf("attempts %d (%v), want 2: the lost claim counts", attempts, err)
	}
}

// A failing gateway: the row waits longer after each failure, up to the
// cap, and fails after the last attempt with the gateway's error kept.
func TestBackoffThenFailed(t *testing.T) {
	db := testutil.NewTestDB(t)
	ctx := context.Background()
	c := &clockAt{t: time.Date(2030, 1, 1, 2, 0, 0, 0, time.UTC)}
	if err := notify.QueueMsg(ctx, db.W, notify.Msg{Channel: notify.SMS, To: "13800138000", Key: "notify.k", Params: map[string]any{"No": "X1"}}, c.now()); err != nil {
		t.Fatal(err)
	}
	id := lastID(t, db)
	r := &recorder{fail: errors.New("gateway 503")}
	d := dispatcher(db, r, nil, c)
	d.MaxAttempts, d.Backoff, d.MaxBackoff = 5, time.Minute, 5*time.Minute
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute}
	for i, w := range want {
		if n, err := d.Deliver(ctx, 10); err != nil || n != 0 {
			t.Fatalf("attempt %d: %d %v", i+1, n, err)
		}
		var next time.Time
		var status, lastErr string
		if err := db.R.QueryRow(`SELECT next_attempt_at, status, last_error FROM sms_outbox WHERE id = $1`, id).Scan(&next, &status, &lastErr); err != nil {
			t.Fatal(err)
		}
		if got := next.Sub(c.now()); got != w || status != notify.Pending || lastErr != "gateway 503" {
			t.Fatalf("after attempt %d: waits %s (want %s), %s, %q", i+1, got, w, status, lastErr)
		}
		// Not due yet: nothing is tried.
		c.add(w - time.Second)
		if _, err := d.Deliver(ctx, 10); err != nil {
			t.Fatal(err)
		}
		c.add(time.Second)
	}
	if _, err := d.Deliver(ctx, 10); err != nil {
		t.Fatal(err)
	}
	var status string
	var attempts int
	if err := db.R.QueryRow(`SELECT status, attempts FROM sms_outbox WHERE id = $1`, id).Scan(&status, &attempts); err != nil || status != notify.Failed || attempts != 5 {
		t.Fatalf("after the last attempt: %s %d %v", status, attempts, err)
	}
	r.fail = nil
	c.add(24 * time.Hour)
	if n, _ := d.Deliver(ctx, 10); n != 0 || r.count() != 0 {
		t.Fatal("a failed message was sent without the admin's retry")
	}
}

// A template is rendered in the recipient's language when sent, e-mail
// goes to the mail sender, and a template missing from the translation
// files fails at once instead of texting the key.
func TestRenderedByChannelAndLanguage(t *testing.T) {
	db := testutil.NewTestDB(t)
	ctx := context.Background()
	c := &clockAt{t: time.Date(2030, 1, 1, 2, 0, 0, 0, time.UTC)}
	q := db.W
	must(t, notify.QueueMsg(ctx, q, notify.Msg{Channel: notify.SMS, To: "13800138000", Key: "notify.a", Params: map[string]any{"No": "N1"}}, c.now()))
	must(t, notify.QueueMsg(ctx, q, notify.Msg{Channel: notify.Email, To: "a@example.cn", Key: "notify.a", Lang: "en", Params: map[string]any{"No": "N2"}}, c.now()))
	must(t, notify.QueueMsg(ctx, q, notify.Msg{Channel: notify.SMS, To: "13800138001", Key: "notify.missing"}, c.now()))
	sms, mail := &recorder{}, &recorder{}
	if n, err := dispatcher(db, sms, mail, c).Deliver(ctx, 10); err != nil || n != 2 {
		t.Fatalf("delivered %d %v", n, err)
	}
	if len(sms.sent) != 1 || sms.sent[0].Text != "zh-CN:notify.a:No=N1" || sms.sent[0].To != "13800138000" {
		t.Fatalf("sms: %+v", sms.sent)
	}
	if len(mail.sent) != 1 || mail.sent[0].Text != "en:notify.a:No=N2" || mail.sent[0].To != "a@example.cn" {
		t.Fatalf("mail: %+v", mail.sent)
	}
	var status, lastErr string
	if err := db.R.QueryRow(`SELECT status, last_error FROM sms_outbox WHERE phone = '13800138001'`).Scan(&status, &lastErr); err != nil ||
		status != notify.Failed || !strings.Contains(lastErr, "notify.missing") {
		t.Fatalf("missing template: %s %q %v", status, lastErr, err)
	}
}

// The demo's console shows the whole text, so the person trying the demo
// can read the code; the log sender never does (TestDeliverOnce).
func TestConsoleSenderPrintsTheWholeText(t *testing.T) {
	var b strings.Builder
	if err := (notify.ConsoleSender{W: &b}).Send(context.Background(), notify.Outgoing{Channel: notify.SMS, To: "13800138000", Text: "验证码 123456"}); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); !strings.Contains(got, "13800138000") || !strings.Contains(got, "验证码 123456") {
		t.Fatalf("console shows %q", got)
	}
}

func lastID(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var id int64
	if err := db.R.QueryRow(`SELECT MAX(id) FROM sms_outbox`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
