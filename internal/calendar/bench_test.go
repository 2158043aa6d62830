package calendar

import (
	"strconv"
	"testing"
)

// The supervision sweep recomputes deadlines for every open case (order of
// 100k); these show the cost per case and that a walk does not allocate per
// day.
func BenchmarkAddWorkingDays(b *testing.B) {
	c := MustNew(Builtin()...)
	start := d("2025-01-01")
	for _, n := range []int{20, 60, 300} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				c.AddWorkingDays(start.AddDays(i%700), n)
				i++
			}
		})
	}
}

func BenchmarkDeadline(b *testing.B) {
	c := MustNew(Builtin()...)
	start := d("2025-01-01")
	for _, n := range []int{20, 300} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				c.Deadline(start.AddDays(i%700), n)
				i++
			}
		})
	}
}

func BenchmarkWorkingDaysBetween(b *testing.B) {
	c := MustNew(Builtin()...)
	a, z := d("2025-01-01"), d("2026-12-31")
	b.ReportAllocs()
	for b.Loop() {
		c.WorkingDaysBetween(a, z)
	}
}

// TestDeadlineDoesNotAllocate pins the zero-allocation claim of Deadline.
func TestDeadlineDoesNotAllocate(t *testing.T) {
	c := MustNew(Builtin()...)
	from := d("2025-01-20")
	allocs := testing.AllocsPerRun(100, func() {
		c.Deadline(from, 300)
		c.WorkingDaysBetween(from, d("2026-12-31"))
	})
	if allocs != 0 {
		t.Errorf("Deadline/WorkingDaysBetween allocate %v times per call", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() { c.AddWorkingDays(from, 300) })
	if allocs > 8 {
		t.Errorf("AddWorkingDays(…, 300) allocates %v times; the explanation should need a handful", allocs)
	}
}
