package auth_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/auth"
	"onestop/internal/testutil"
)

// A session ends after two hours without a request, lives on while used,
// and a request within five minutes of the last note writes nothing.
func TestSessionIdleTimeout(t *testing.T) {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	now := t0
	st := auth.SessionStore{DB: db, Idle: 2 * time.Hour, Touch: 5 * time.Minute, Now: func() time.Time { return now }}
	if err := st.CommitCtx(ctx, "tok", []byte("data"), t0.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	seen := func() time.Time {
		var s time.Time
		if err := db.R.QueryRowContext(ctx, `SELECT seen_at FROM sessions WHERE token = 'tok'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s.UTC()
	}
	find := func(at time.Duration, want bool) {
		t.Helper()
		now = t0.Add(at)
		b, ok, err := st.FindCtx(ctx, "tok")
		if err != nil || ok != want || (ok && string(b) != "data") {
			t.Fatalf("at +%v: found %v %q %v, want %v", at, ok, b, err, want)
		}
	}
	find(time.Minute, true)
	if !seen().Equal(t0) {
		t.Fatalf("a request within 5 minutes rewrote seen_at: %v", seen())
	}
	find(90*time.Minute, true)
	if !seen().Equal(t0.Add(90 * time.Minute)) {
		t.Fatalf("seen_at not refreshed: %v", seen())
	}
	find(90*time.Minute+119*time.Minute, true) // 1 h 59 after the last note
	find(90*time.Minute+119*time.Minute+2*time.Hour+time.Minute, false)

	// The absolute lifetime holds however busy the session is.
	if err := st.CommitCtx(ctx, "tok2", []byte("x"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(61 * time.Minute)
	if _, ok, _ := st.FindCtx(ctx, "tok2"); ok {
		t.Fatal("session found past its absolute expiry")
	}
}
