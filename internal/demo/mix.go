package demo

import (
	"math/rand/v2"
	"strings"

	"onestop/internal/catalogue"
)

// ItemMix draws the items cases are opened for in the proportions a county
// hall sees them; the demo's engine-driven cases and the bulk
// generator share it so both databases look alike.
type ItemMix struct {
	Items   []catalogue.Item
	weights []int
	total   int
}

// Add puts an item into the mix with its department's weight: the busiest
// windows of a county hall are police (ID cards, household registration),
// market regulation, real estate, social security and tax; immediate
// items come half as often again.
func (m *ItemMix) Add(it catalogue.Item) {
	w := 10
	// A province's counties append their division code (MZJ431021).
	switch strings.TrimRight(it.DepartmentCode, "0123456789") {
	case "GAJ", "SCJGJ", "BDC", "RSJ", "YBJ", "SWJ":
		w = 40
	case "MZJ", "GJJ", "WJJ":
		w = 20
	}
	if it.Immediate {
		w += w / 2
	}
	m.Items = append(m.Items, it)
	m.weights = append(m.weights, w)
	m.total += w
}

// Pick draws one item; the mix must not be empty.
func (m *ItemMix) Pick(rng *rand.Rand) catalogue.Item {
	r := rng.IntN(m.total)
	for i, w := range m.weights {
		if r < w {
			return m.Items[i]
		}
		r -= w
	}
	return m.Items[len(m.Items)-1]
}

// ArrivalMinute is the minute of the day an applicant walks in: two thirds
// in the morning hours (8:30–12:00), the rest in the afternoon
// (14:30–17:30), as a county hall sees it. The demo and the bulk generator
// share it.
func ArrivalMinute(rng *rand.Rand) int {
	if rng.IntN(3) < 2 {
		return 8*60 + 30 + rng.IntN(210)
	}
	return 14*60 + 30 + rng.IntN(180)
}
