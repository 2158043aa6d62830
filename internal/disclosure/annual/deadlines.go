package annual

import (
	"context"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/org"
)

// Deadline is the day an organ's report for a year is due (条例 Art. 49):
// a department's by 31 January of the next year, the government's by 31
// March. Calendar days, not working days: the Regulations name the dates.
func Deadline(o disclosure.Organ, year int) calendar.Date {
	if o.Kind == disclosure.Government {
		return calendar.Date{Year: year + 1, Month: time.March, Day: 31}
	}
	return calendar.Date{Year: year + 1, Month: time.January, Day: 31}
}

// Due is one organ's report for a year as the deadline watch shows it.
type Due struct {
	Organ disclosure.Organ `json:"organ"`
	Year  int              `json:"year"`
	// Status is the report's status, or "missing" when none was made.
	Status      string        `json:"status"`
	ReportID    int64         `json:"report_id,omitempty"`
	Deadline    calendar.Date `json:"deadline"`
	PublishedOn string        `json:"published_on,omitempty"`
	// DaysLeft is the calendar days from today to the deadline: negative
	// when it has passed. Late: the deadline has passed and the report is
	// not published, or it was published after it.
	DaysLeft int  `json:"days_left"`
	Late     bool `json:"late"`
}

// Missing is the status of a report not yet made.
const Missing = "missing"

// Watch lists, for every organ the actor reads, its report for last year
// (the year before today's, Shanghai): published, approved, draft or
// missing, with the days left or late.
func (s *Service) Watch(ctx context.Context, a org.Actor) ([]Due, error) {
	today := clock.Today(s.now())
	year := today.Year - 1
	reports, err := s.List(ctx, a, Filter{Year: year})
	if err != nil {
		return nil, err
	}
	byOrgan := map[int64]Report{}
	for _, r := range reports {
		byOrgan[r.Organ.ID] = r
	}
	organs, err := disclosure.Organs(ctx, s.DB.Read(), a)
	if err != nil {
		return nil, err
	}
	var out []Due
	for _, x := range organs {
		d := Due{Organ: x.Organ, Year: year, Status: Missing, Deadline: Deadline(x.Organ, year)}
		d.DaysLeft = today.DaysUntil(d.Deadline)
		if r, ok := byOrgan[x.Organ.ID]; ok {
			d.Status, d.ReportID, d.PublishedOn = r.Status, r.ID, r.PublishedOn
		}
		if d.Status == Published {
			d.Late = d.PublishedOn > d.Deadline.String()
		} else {
			d.Late = today.After(d.Deadline)
		}
		out = append(out, d)
	}
	return out, nil
}
