package auth_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/auth"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

func addStaff(t *testing.T, db *store.DB, id int64, username string) {
	t.Helper()
	now := time.Now().UTC()
	if _, err := db.W.ExecContext(context.Background(), `INSERT INTO staff (id, username, name, role, password_hash, created_at, updated_at)
		VALUES ($1, $2, $2, 'clerk', 'x', $3, $3)`, id, username, now); err != nil {
		t.Fatal(err)
	}
}

// A token works until it expires or is revoked; its owner chooses the
// lifetime within the maximum; one person cannot revoke another's token.
func TestTokenLifetimeAndRevocation(t *testing.T) {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	addStaff(t, db, 1, "clerk")
	addStaff(t, db, 2, "reviewer")
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	staffOf := func(tok string, at time.Time) int64 {
		t.Helper()
		id, err := auth.TokenStaff(ctx, db, tok, at)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	short, err := auth.NewToken(ctx, db.W, 1, "short", t0, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	long, err := auth.NewToken(ctx, db.W, 1, "too long", t0, 10*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	deflt, err := auth.NewToken(ctx, db.W, 1, "default", t0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if staffOf(short, t0.Add(29*24*time.Hour)) != 1 || staffOf(short, t0.Add(30*24*time.Hour)) != 0 {
		t.Fatal("a 30-day token must work for 30 days and not after")
	}
	if staffOf(long, t0.Add(364*24*time.Hour)) != 1 || staffOf(long, t0.Add(366*24*time.Hour)) != 0 {
		t.Fatal("a token asked for 10 years must end after the maximum of a year")
	}
	if staffOf(deflt, t0.Add(89*24*time.Hour)) != 1 || staffOf(deflt, t0.Add(91*24*time.Hour)) != 0 {
		t.Fatal("the default lifetime is 90 days")
	}
	list, err := auth.Tokens(ctx, db.R, 1)
	if err != nil || len(list) != 3 {
		t.Fatalf("list: %v %v", list, err)
	}
	var defaultID int64
	for _, tk := range list {
		if tk.Name == "default" {
			defaultID = tk.ID
		}
	}
	// The reviewer cannot revoke the clerk's token by its id.
	if ok, err := auth.RevokeToken(ctx, db.W, 2, defaultID, t0); ok || err != nil {
		t.Fatalf("revoked someone else's token: %v %v", ok, err)
	}
	if staffOf(deflt, t0) != 1 {
		t.Fatal("another person's revoke ended the token")
	}
	if ok, err := auth.RevokeToken(ctx, db.W, 1, defaultID, t0); !ok || err != nil {
		t.Fatalf("owner's revoke: %v %v", ok, err)
	}
	if staffOf(deflt, t0) != 0 {
		t.Fatal("a revoked token still works")
	}
	if ok, _ := auth.RevokeToken(ctx, db.W, 1, defaultID, t0); ok {
		t.Fatal("a token revoked twice")
	}
	// Tokens from before expiry existed end a year after creation.
	if _, err := db.W.ExecContext(ctx, `UPDATE api_tokens SET expires_at = NULL WHERE name = 'short'`); err != nil {
		t.Fatal(err)
	}
	if staffOf(short, t0.Add(364*24*time.Hour)) != 1 || staffOf(short, t0.Add(366*24*time.Hour)) != 0 {
		t.Fatal("a token without expiry must end a year after creation")
	}
}

// A session remembers whose it is, and ending an account's sessions ends
// only those.
func TestEndStaffSessions(t *testing.T) {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	owners := map[string]auth.SessionOwner{"a": {StaffID: 1}, "b": {StaffID: 1, ApplicantID: 9}, "c": {StaffID: 2}, "d": {}, "e": {ApplicantID: 9}}
	st := auth.SessionStore{DB: db, Owner: func(b []byte) auth.SessionOwner { return owners[string(b)] }}
	t0 := time.Now()
	exp := t0.Add(3 * time.Hour)
	for tok := range owners {
		if err := st.CommitCtx(ctx, tok, []byte(tok), exp); err != nil {
			t.Fatal(err)
		}
	}
	live := func() string {
		s := ""
		for _, tok := range []string{"a", "b", "c", "d", "e"} {
			if _, ok, _ := st.FindCtx(ctx, tok); ok {
				s += tok
			}
		}
		return s
	}
	if err := auth.EndStaffSessions(ctx, db.W, 1, t0); err != nil {
		t.Fatal(err)
	}
	if got := live(); got != "cde" {
		t.Fatalf("after ending staff 1: %q live, want cde", got)
	}
	if err := auth.EndApplicantSessions(ctx, db.W, 9, t0); err != nil {
		t.Fatal(err)
	}
	if got := live(); got != "cd" {
		t.Fatalf("after ending applicant 9: %q live, want cd", got)
	}
	// A request of an ended session that was still running saves it at
	// its end: the session stays ended.
	if err := st.CommitCtx(ctx, "a", []byte("a"), exp); err != nil {
		t.Fatal(err)
	}
	if got := live(); got != "cd" {
		t.Fatalf("an ended session saved back to life: %q live, want cd", got)
	}
	// A fresh session of the same account (signing in again) works.
	owners["f"] = auth.SessionOwner{StaffID: 1}
	if err := st.CommitCtx(ctx, "f", []byte("f"), exp); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.FindCtx(ctx, "f"); !ok {
		t.Fatal("a new session after the end is not found")
	}
	// An hour after the end the sweep deletes the ended rows, not the
	// live ones.
	if err := st.Sweep(ctx, t0.Add(61*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&rows); err != nil || rows != 3 {
		t.Fatalf("after the sweep %d rows (%v), want c, d and f", rows, err)
	}
}
