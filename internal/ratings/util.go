package ratings

import (
	"strconv"
	"time"

	"onestop/internal/clock"
)

func itoa(n int) string { return strconv.Itoa(n) }

// todayAfter reports whether the Shanghai day of now is past days
// calendar days after the day of at.
func todayAfter(now, at time.Time, days int) bool {
	return clock.Today(now).After(clock.Today(at).AddDays(days))
}
