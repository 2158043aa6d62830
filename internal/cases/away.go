package cases

import (
	"context"

	"onestop/internal/attendance"
)

// awayNow reads attendance's facts for "away now" (attendance.Away) as
// of the service's clock, for the inbox's A/B cover predicate.
func (s *Service) awayNow(ctx context.Context) (attendance.Away, error) {
	cal, err := s.WorkingCalendar(ctx)
	if err != nil {
		return attendance.Away{}, err
	}
	return attendance.AwayNow(ctx, s.DB.Read(), cal, s.Now())
}
