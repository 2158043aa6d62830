package notify_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"onestop/internal/notify"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// The crash tests run this test binary again as a child process (the
// reliability/ harness's way: a real process and a real SIGKILL, which
// no goroutine can imitate). The child does one step and then waits to be
// killed.
func TestMain(m *testing.M) {
	if mode := os.Getenv("NOTIFY_CRASH_CHILD"); mode != "" {
		if err := crashChild(mode); err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func crashChild(mode string) error {
	ctx := context.Background()
	db, err := store.Open(ctx, os.Getenv("NOTIFY_CRASH_DIR"), os.Getenv("NOTIFY_CRASH_URL"))
	if err != nil {
		return err
	}
	defer db.Close()
	d := &notify.Dispatcher{DB: db, SMS: notify.HTTPGateway{URL: os.Getenv("NOTIFY_CRASH_GATEWAY")}, Text: texts, Now: time.Now,
		Lease: 5 * time.Second}
	switch mode {
	case "commit":
		// The change and its message commit together; the process dies
		// before any dispatcher runs.
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			q := db.InTx(tx)
			if _, err := q.ExecContext(ctx, `INSERT INTO regions (code, name, level, created_at, updated_at) VALUES ('431022', '宜章县', 'county', $1, $1)`, time.Now().UTC()); err != nil {
				return err
			}
			return notify.QueueMsg(ctx, q, notify.Msg{Channel: notify.SMS, To: "13800138000", Key: "notify.case.msg.accepted", Params: map[string]any{"No": "C1"}, Region: "431022"}, time.Now())
		})
		if err != nil {
			return err
		}
		fmt.Println("committed")
	case "sent":
		// Claim and send, then die before marking the row sent.
		ids, err := store.Column[int64](db.R.Query(`SELECT id FROM sms_outbox WHERE status = 'pending'`))
		if err != nil || len(ids) != 1 {
			return fmt.Errorf("pending rows %v: %v", ids, err)
		}
		if ok, err := d.Claim(ctx, ids[0], time.Now().UTC()); err != nil || !ok {
			return fmt.Errorf("claim: %v %v", ok, err)
		}
		if err := d.SMS.Send(ctx, notify.Outgoing{ID: ids[0], Channel: notify.SMS, To: "13800138000", Text: "x"}); err != nil {
			return err
		}
		fmt.Println("sent")
	case "deliver":
		n, err := d.Deliver(ctx, 10)
		if err != nil {
			return err
		}
		fmt.Println("delivered", n)
		return nil
	}
	time.Sleep(time.Minute) // killed here
	return nil
}

// gateway is an SMS provider that keeps request ids: a resend of a
// request id it has is answered 409 and not delivered again.
type gateway struct {
	mu        sync.Mutex
	requests  []string
	delivered map[string]int
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RequestID string `json:"request_id"`
		Phone     string `json:"phone"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.RequestID == "" || r.Header.Get("Idempotency-Key") != body.RequestID {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests = append(g.requests, body.RequestID)
	if g.delivered[body.RequestID] > 0 {
		http.Error(w, "duplicate request id", http.StatusConflict)
		return
	}
	g.delivered[body.RequestID]++
}

type crashWorld struct {
	t        *testing.T
	dir, url string
	db       *store.DB
	gw       *gateway
	srv      *httptest.Server
}

func newCrashWorld(t *testing.T) *crashWorld {
	w := &crashWorld{t: t, dir: t.TempDir(), gw: &gateway{delivered: map[string]int{}}}
	if base := testutil.PostgresURL(); base != "" {
		w.url = testutil.NewPostgresSchema(t, base)
	}
	db, err := store.Open(context.Background(), w.dir, w.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.db = db
	w.srv = httptest.NewServer(w.gw)
	t.Cleanup(w.srv.Close)
	return w
}

// child runs one step in a new process. With kill, it is SIGKILLed as
// soon as it prints want; without, it must finish and print want.
func (w *crashWorld) child(mode, want string, kill bool) {
	w.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "NOTIFY_CRASH_CHILD="+mode, "NOTIFY_CRASH_DIR="+w.dir, "NOTIFY_CRASH_URL="+w.url, "NOTIFY_CRASH_GATEWAY="+w.srv.URL)
	out, err := cmd.StdoutPipe()
	if err != nil {
		w.t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if kill {
		_ = cmd.Process.Signal(syscall.SIGKILL)
	}
	err = cmd.Wait()
	if strings.TrimSpace(line) != want {
		w.t.Fatalf("child %s printed %q, want %q (%v)", mode, line, want, err)
	}
	if kill {
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			w.t.Fatalf("child %s was not ended by SIGKILL: %v", mode, cmd.ProcessState)
		}
	} else if err != nil {
		w.t.Fatalf("child %s: %v", mode, err)
	}
}

func (w *crashWorld) status() (string, int) {
	var status string
	var attempts int
	if err := w.db.R.QueryRow(`SELECT status, attempts FROM sms_outbox`).Scan(&status, &attempts); err != nil {
		w.t.Fatal(err)
	}
	return status, attempts
}

// Killed between the commit and the send: the message is in the database,
// and the restarted process sends it, once.
func TestCrashBetweenCommitAndSend(t *testing.T) {
	w := newCrashWorld(t)
	w.child("commit", "committed", true)
	if len(w.gw.requests) != 0 {
		t.Fatalf("sent before the crash: %v", w.gw.requests)
	}
	if st, _ := w.status(); st != notify.Pending {
		t.Fatalf("after the crash the message is %s, want pending", st)
	}
	w.child("deliver", "delivered 1", false)
	w.child("deliver", "delivered 0", false)
	if len(w.gw.requests) != 1 || len(w.gw.delivered) != 1 {
		t.Fatalf("gateway requests %v, delivered %v: want one", w.gw.requests, w.gw.delivered)
	}
	if st, n := w.status(); st != notify.Sent || n != 1 {
		t.Fatalf("outbox row %s after %d attempts, want sent after 1", st, n)
	}
}

// Killed between the send and the mark: the restarted process (once the
// dead one's lease ran out) sends again with the same request id, which
// the gateway recognises: the citizen gets one message, the row is sent.
func TestCrashBetweenSendAndMark(t *testing.T) {
	w := newCrashWorld(t)
	w.child("commit", "committed", true)
	w.child("sent", "sent", true)
	w.child("deliver", "delivered 0", false) // the dead process's lease still holds
	// Five seconds later the lease has run out (moved, not waited for).
	if _, err := w.db.W.Exec(`UPDATE sms_outbox SET lease_until = $1`, time.Now().UTC().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	w.child("deliver", "delivered 1", false)
	if len(w.gw.requests) != 2 || w.gw.requests[0] != w.gw.requests[1] {
		t.Fatalf("gateway requests %v: want the same request id twice", w.gw.requests)
	}
	if len(w.gw.delivered) != 1 {
		t.Fatalf("delivered %v: want one message", w.gw.delivered)
	}
	if st, n := w.status(); st != notify.Sent || n != 2 {
		t.Fatalf("outbox row %s after %d attempts, want sent after 2", st, n)
	}
}
