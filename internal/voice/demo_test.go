package voice_test

import (
	"testing"

	"onestop/internal/demo"
	"onestop/internal/voice"
)

// The demo's enquiries: an answered consultation, a complaint referred to
// a correction order, an overdue help request on supervision's board; a
// second start adds nothing.
func TestDemoEnquiries(t *testing.T) {
	f := newFixture(t)
	for range 2 {
		if err := demo.EnsureEnquiries(f.ctx, f.db, f.clock(), nil); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.svc.Find(f.ctx, voice.Filter{Kinds: voice.Kinds})
	if err != nil || len(got) != 3 {
		t.Fatalf("%d enquiries (%v)", len(got), err)
	}
	byKind := map[voice.Kind]*voice.Enquiry{}
	for _, e := range got {
		byKind[e.Kind] = e
	}
	if e := byKind[voice.Consult]; e == nil || e.State != voice.Answered || e.Reply == "" {
		t.Errorf("consultation: %+v", e)
	}
	if e := byKind[voice.Complaint]; e == nil || e.State != voice.Open || e.OrderID == 0 {
		t.Errorf("complaint: %+v", e)
	}
	b, err := f.svc.Supervise(f.ctx, f.staff("supervisor"))
	if err != nil || len(b.Overdue) != 1 || b.Overdue[0].Kind != voice.Help || b.Overdue[0].Standing.Light != "red" {
		t.Errorf("board: %+v %v", b, err)
	}
}
