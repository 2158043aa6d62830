package monitor

import (
	"testing"
)

func board(groups ...Group) *Board { return &Board{Groups: groups} }

// Diff says which groups changed, appeared or went, and nothing when
// nothing did.
func TestDiff(t *testing.T) {
	a := Group{Key: "1", Name: "发改局", Counts: Counts{Open: 2, Green: 2}}
	b := Group{Key: "2", Name: "民政局", Counts: Counts{Open: 1, Red: 1}}
	if u := Diff(nil, board(a)); !u.Full || !u.Any() {
		t.Fatalf("first board: %+v", u)
	}
	if u := Diff(board(a, b), board(a, b)); u.Any() {
		t.Fatalf("same board: %+v", u)
	}
	a2 := a
	a2.Green, a2.Yellow = 1, 1
	u := Diff(board(a, b), board(a2))
	if len(u.Changed) != 1 || u.Changed[0] != a2 || len(u.Removed) != 1 || u.Removed[0] != "2" || u.Full {
		t.Fatalf("changed and removed: %+v", u)
	}
	next := board(a, b)
	next.Urgent = []Row{{No: "X", Light: "red"}}
	if u := Diff(board(a, b), next); !u.UrgentChanged || !u.Any() {
		t.Fatalf("urgent list: %+v", u)
	}
}

// A watcher that does not read never blocks the hub: an update it has not
// taken is replaced by the full board, so it loses nothing it needs.
func TestSendNeverBlocksAndKeepsTheNewest(t *testing.T) {
	c := make(chan Update, 1)
	s := &Sub{C: c, c: c}
	first, second, third := board(), board(), board()
	s.send(Update{Board: first, Changed: []Group{{Key: "1"}}})
	s.send(Update{Board: second, Changed: []Group{{Key: "2"}}})
	s.send(Update{Board: third, Changed: []Group{{Key: "3"}}})
	u := <-s.C
	if u.Board != third || !u.Full {
		t.Fatalf("after two missed updates: %+v, want the newest board in full", u)
	}
	select {
	case u := <-s.C:
		t.Fatalf("a second update is queued: %+v", u)
	default:
	}
}
