package cases_test

import (
	"context"
	"testing"

	"onestop/internal/calendar"
)

// An admin's calendar edit holds for this process's next transition at
// once: the engine's SaveYear clears the engine's own cache, so no caller
// has to remember to.
func TestSaveYearClearsTheCachedCalendar(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	before, err := w.eng.WorkingCalendar(ctx) // cached from here on
	if err != nil {
		t.Fatal(err)
	}
	const year = 2031
	if before.Has(year) {
		t.Fatalf("the shipped calendar already has %d", year)
	}
	y := calendar.YearData{Year: year, Source: "测试通知",
		Holidays: []calendar.Period{{Name: "元旦", From: calendar.MustParseDate("2031-01-01"), To: calendar.MustParseDate("2031-01-01")}}}
	if err := w.eng.SaveYear(ctx, w.orgs["admin"], y); err != nil {
		t.Fatal(err)
	}
	after, err := w.eng.WorkingCalendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Has(year) {
		t.Fatalf("the engine still uses the calendar it read before the edit")
	}
	if working, _ := after.IsWorkingDay(calendar.MustParseDate("2031-01-01")); working {
		t.Fatal("the new holiday is a working day")
	}
}
