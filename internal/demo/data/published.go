package data

// PublishedFigures are the figures the county published about its centre's
// work, over the period it named (docs/DOMAIN.md §1, with the source).
// The leader's dashboard shows the demo data's year beside them, as a
// sanity check that the generated county works at the real one's scale.
type PublishedFigures struct {
	Months    int // the period the figures cover, about 18 months
	Received  int
	Completed int
	// AvgDaysBefore and AvgDays are the average working days per case
	// before and after the centre's reform.
	AvgDaysBefore, AvgDays float64
	FeesYuan               float64 // fees collected, yuan
	CasesPerDay            int     // "100+ a day"
}

// Published is the demo county's published record: 98,883 cases
// received and 97,449 completed (98.55%) over about 18 months, the
// average cut from 19.2 to 9.2 working days.
var Published = PublishedFigures{
	Months:        18,
	Received:      98883,
	Completed:     97449,
	AvgDaysBefore: 19.2,
	AvgDays:       9.2,
	FeesYuan:      335731900,
	CasesPerDay:   100,
}

// CompletionRate is completed ÷ received as published (98.55%).
func (p PublishedFigures) CompletionRate() float64 { return float64(p.Completed) / float64(p.Received) }

// PerYear scales a count over the published period to twelve months, so
// it compares with one year of demo data.
func (p PublishedFigures) PerYear(n int) float64 { return float64(n) * 12 / float64(p.Months) }
