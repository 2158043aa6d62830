package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/internal/notify"
	"onestop/internal/testutil"
)

type recorder struct {
	mu   sync.Mutex
	sent []string
}

func (r *recorder) Send(_ context.Context, phone, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, phone+" "+text)
	return nil
}

// Every queued message is sent once, even by several senders at once,
// and the log sender writes neither the number nor the text.
func TestDeliverOnce(t *testing.T) {
	db := testutil.NewTestDB(t)
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 2, 0, 0, 0, time.UTC)
	for i := 0; i < 20; i++ {
		if err := notify.Queue(ctx, db.W, "13800138000", "code 123456", now); err != nil {
			t.Fatal(err)
		}
	}
	r := &recorder{}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := notify.Deliver(ctx, db, r, now, 100); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(r.sent) != 20 {
		t.Fatalf("sent %d of 20", len(r.sent))
	}
	if n, err := notify.Deliver(ctx, db, r, now, 100); err != nil || n != 0 {
		t.Fatalf("second delivery: %d %v", n, err)
	}
	ms, err := notify.Outbox(ctx, db, "13800138000")
	if err != nil || len(ms) != 20 || ms[0].SentAt == nil {
		t.Fatalf("outbox: %d %v", len(ms), err)
	}

	var buf bytes.Buffer
	if err := notify.Queue(ctx, db.W, "13900139000", "您的验证码是 654321", now); err != nil {
		t.Fatal(err)
	}
	if _, err := notify.Deliver(ctx, db, notify.LogSender{Log: slog.New(slog.NewTextHandler(&buf, nil))}, now, 100); err != nil {
		t.Fatal(err)
	}
	if log := buf.String(); !strings.Contains(log, "sms sent") || strings.Contains(log, "13900139000") || strings.Contains(log, "654321") {
		t.Fatalf("log: %q", log)
	}
}

// The demo's console shows the whole text, so the person trying the demo
// can read the code; the log sender never does (TestDeliverOnce).
func TestConsoleSenderPrintsTheWholeText(t *testing.T) {
	var b strings.Builder
	if err := (notify.ConsoleSender{W: &b}).Send(context.Background(), "13800138000", "验证码 123456"); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); !strings.Contains(got, "13800138000") || !strings.Contains(got, "验证码 123456") {
		t.Fatalf("console shows %q", got)
	}
}
