package auth_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"onestop/internal/auth"
	"onestop/internal/testutil"
)

// The delay grows 1 s, 2 s, 4 s … after the free tries and stops at its cap.
func TestBackoffGrowsAndIsCapped(t *testing.T) {
	b := auth.Backoff{Free: 3, Base: time.Second, Cap: 15 * time.Minute}
	want := map[int]time.Duration{0: 0, 2: 0, 3: time.Second, 4: 2 * time.Second, 5: 4 * time.Second, 6: 8 * time.Second,
		12: 512 * time.Second, 13: 15 * time.Minute, 100: 15 * time.Minute}
	for n, d := range want {
		if got := b.Delay(n); got != d {
			t.Errorf("after %d failures: %v, want %v", n, got, d)
		}
	}
}

// One address guessing one account waits longer and longer; the account's
// owner at another address waits at most the short account-wide cap, and
// not at all from an address they signed in from before.
func TestThrottleSlowsTheGuesserNotTheOwner(t *testing.T) {
	ctx := context.Background()
	th := auth.DefaultThrottle(testutil.NewTestDB(t))
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	const attacker, owner, home = "10.0.0.66", "10.0.0.7", "10.0.0.8"
	wait := func(addr string) time.Duration {
		t.Helper()
		blocked, until, err := th.Blocked(ctx, "clerk", addr, now)
		if err != nil {
			t.Fatal(err)
		}
		if !blocked {
			return 0
		}
		return until.Sub(now)
	}
	// The owner signed in from home last week.
	if err := th.Succeed(ctx, "clerk", home, now.Add(-7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	for i := 0; i < 16; i++ {
		w := wait(attacker)
		waits = append(waits, w)
		now = now.Add(w) // the guesser waits exactly as long as told
		if err := th.Fail(ctx, "Clerk ", attacker, now); err != nil {
			t.Fatal(err)
		}
	}
	want := "[0s 0s 0s 1s 2s 4s 8s 16s 32s 1m4s 2m8s 4m16s 8m32s 15m0s 15m0s 15m0s]"
	if got := fmt.Sprint(waits); got != want {
		t.Fatalf("the guesser's waits: %s, want %s", got, want)
	}
	if w := wait(attacker); w != 15*time.Minute {
		t.Fatalf("the guesser's next wait: %v", w)
	}
	if w := wait(owner); w <= 0 || w > 30*time.Second {
		t.Fatalf("the owner at a new address waits %v, want a short delay of at most 30 s", w)
	}
	if w := wait(home); w != 0 {
		t.Fatalf("the owner at home waits %v", w)
	}
	now = now.Add(30 * time.Second)
	if w := wait(owner); w != 0 {
		t.Fatalf("the owner still waits %v after the short delay", w)
	}
	// Guesses from many addresses at once: every new address waits, but
	// never longer than the short cap.
	for i := 0; i < 40; i++ {
		if err := th.Fail(ctx, "clerk", fmt.Sprintf("198.51.100.%d", i), now); err != nil {
			t.Fatal(err)
		}
	}
	if w := wait(owner); w != 30*time.Second {
		t.Fatalf("after a burst from many addresses the owner waits %v, want the 30 s cap", w)
	}
	if w := wait(home); w != 0 {
		t.Fatalf("after a burst the owner at home waits %v", w)
	}
	now = now.Add(30 * time.Second)
	// The owner signing in does not reset the guesser's count.
	if err := th.Succeed(ctx, "clerk", owner, now); err != nil {
		t.Fatal(err)
	}
	if w := wait(attacker); w < 10*time.Minute {
		t.Fatalf("the owner's sign-in freed the guesser: %v", w)
	}
}

// One address failing on many accounts (password spraying) is slowed for
// every account; other addresses are not.
func TestThrottleSprayingFromOneAddress(t *testing.T) {
	ctx := context.Background()
	th := auth.DefaultThrottle(testutil.NewTestDB(t))
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 30; i++ {
		if err := th.Fail(ctx, fmt.Sprintf("user%d", i), "10.0.0.66", now); err != nil {
			t.Fatal(err)
		}
	}
	if blocked, _, _ := th.Blocked(ctx, "someone", "10.0.0.66", now); !blocked {
		t.Fatal("the spraying address is not slowed")
	}
	if blocked, _, _ := th.Blocked(ctx, "someone", "10.0.0.7", now); blocked {
		t.Fatal("another address is slowed")
	}
}
