package request_test

import (
	"testing"

	"onestop/internal/clock"
	"onestop/internal/disclosure/request"
)

// Supervision sees a request's clock as it sees a case's: the case light
// rule (yellow from one working day before the due day, red once it has
// ended), "paused" while the clock stops, and the county-wide overdue
// list holds only running clocks past their day, for those who read the
// organ.
func TestLightsAndTheOverdueList(t *testing.T) {
	f := newFixture(t)
	r := f.inPerson() // received 30 September, due 3 November
	waiting := f.inPerson()
	if _, err := f.svc.AskSupplement(f.ctx, f.staff["clerk"], waiting.No, request.SupplementAsk{What: "补正", DueOn: "2026-12-20"}); err != nil {
		t.Fatal(err)
	}
	for day, want := range map[string]clock.Light{"2026-10-30": clock.Green, "2026-11-02": clock.Yellow, "2026-11-03": clock.Yellow, "2026-11-04": clock.Red} {
		f.set(day)
		st, err := f.svc.Stand(f.ctx, r)
		if err != nil || st.Light != want || st.Paused {
			t.Errorf("%s: %+v %v, want %s", day, st, err, want)
		}
	}
	w, _, err := f.svc.Get(f.ctx, f.staff["clerk"], waiting.No)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := f.svc.Stand(f.ctx, w); !st.Paused || st.Light != "" {
		t.Fatalf("waiting for a supplement: %+v", st)
	}
	f.set("2026-11-04")
	for user, n := range map[string]int{"supervisor": 1, "clerk": 1, "reviewer": 0, "admin": 1} {
		list, err := f.svc.List(f.ctx, f.staff[user], request.Filter{Overdue: true})
		if err != nil || len(list) != n || (n == 1 && list[0].No != r.No) {
			t.Errorf("%s's overdue list: %d %v", user, len(list), err)
		}
	}
	// Supervision reads clocks, not people: the requester's identity is
	// masked for a reader without a duty at the organ.
	sup, _, err := f.svc.Get(f.ctx, f.staff["supervisor"], r.No)
	if err != nil || sup.IDNumber == r.IDNumber || sup.Phone == r.Phone || sup.Name == r.Name {
		t.Fatalf("supervisor reads %+v (%v)", sup, err)
	}
	if own, _, _ := f.svc.Get(f.ctx, f.staff["clerk"], r.No); own.IDNumber != r.IDNumber {
		t.Fatalf("the officer reads a masked ID %q", own.IDNumber)
	}
	if list, _ := f.svc.List(f.ctx, f.staff["supervisor"], request.Filter{Overdue: true}); len(list) != 1 || list[0].IDNumber == r.IDNumber {
		t.Fatalf("the overdue list shows the supervisor %+v", list)
	}
	// An organ's list needs the organ: no value is never every organ.
	if _, err := f.svc.List(f.ctx, f.staff["supervisor"], request.Filter{}); fieldKey(err, "organ_id") == "" {
		t.Fatalf("a list without an organ: %v", err)
	}
}
