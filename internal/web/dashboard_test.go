package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/tally"
)

func init() {
	// Issue 12 §5: the leader's dashboard, read-only, for leaders and
	// supervisors.
	expected["GET /supervision/dashboard"] = supervisionUsers
}

// The dashboard on 20 April 2026 compares April so far (the 28th's
// figures are not yet in: 10 received, 8 completed, 7 on time, 22 days)
// with March and April 2025 from the hand-counted totals, lists the worst departments by
// on-time rate (FGJ 75.0% before MZJ 100.0%), draws the twelve months,
// and puts the demo's year beside the county's published record.
func TestDashboardFigures(t *testing.T) {
	w := newBulletinWorld(t)
	w.srv.Now = func() time.Time { return time.Date(2026, 4, 20, 2, 0, 0, 0, time.UTC) }
	// April 2025: MZJ received 3, completed 2, both on time.
	if err := tally.Add(context.Background(), w.db.W, tally.Key{Day: calendar.MustParseDate("2025-04-09"), DepartmentID: w.mzj, CentreID: w.hall},
		map[tally.Column]int{tally.Received: 3, tally.Accepted: 3, tally.Completed: 2, tally.OnTime: 2, tally.UsedDays: 6, tally.PromisedDays: 8}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"leader", "supervisor"} {
		res, body := w.login(u).get("/supervision/dashboard")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", u, res.StatusCode)
		}
		cmp := between(body, `data-testid="dash-compare"`, "</table>")
		for _, row := range [][]string{
			{"收件", "10 ↓", "12", "3"},
			{"办结", "8 ↓", "10", "2"},
			{"按时办结率", "87.5% ↓", "90.0%", "100.0%"},
			{"平均用时（工作日）", "2.8 ↓", "3.0", "3.0"},
		} {
			got := tableRow(t, cmp, row[0])
			if strings.Join(got, "|") != strings.Join(row[1:], "|") {
				t.Errorf("%s: %v, want %v", row[0], got, row[1:])
			}
		}
		worst := between(body, `data-testid="dash-worst"`, "</table>")
		if i, j := strings.Index(worst, w.fgjName), strings.Index(worst, w.mzjName); i < 0 || j < 0 || i > j || !strings.Contains(worst, "75.0%") {
			t.Errorf("worst departments out of order:\n%s", worst)
		}
		if strings.Count(body, "<svg") < 3 || !strings.Contains(body, "2025-05") || !strings.Contains(body, "2026-04") {
			t.Error("no twelve-month trend from May 2025 to April 2026")
		}
		head := between(body, `data-testid="dash-headline"`, "</section>")
		if tableRow(t, head, "收件")[0] != "22" || !strings.Contains(head, "98,883") || !strings.Contains(head, "98.55%") || !strings.Contains(head, "9.2") {
			t.Errorf("headline:\n%s", head)
		}
		if !strings.Contains(body, `href="/supervision/orders"`) || strings.Contains(body, "<form") && strings.Contains(between(body, "<main", "</main>"), `method="post"`) {
			t.Error("the dashboard should link to the orders and offer no change")
		}
		_, home := w.login(u).get("/")
		if !strings.Contains(home, `href="/supervision/dashboard"`) {
			t.Errorf("%s's home page does not lead to the dashboard", u)
		}
	}
	_, en := w.login("leader").get("/supervision/dashboard?lang=en")
	if m := untranslated.FindString(en); m != "" || !strings.Contains(en, "Leader&#39;s dashboard") {
		t.Errorf("English dashboard: untranslated %q", m)
	}
	for _, u := range []string{"clerk", "admin", "reviewer"} {
		if res, _ := w.login(u).get("/supervision/dashboard"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", u, res.StatusCode)
		}
	}
}

// The red card counts the open cases whose light is red by the case
// engine's rule: none while the case is within its promised limit, one
// once its deadline has passed.
func TestDashboardCountsRedCases(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, no, cases.ActAccept, nil)
	red := func() string {
		_, body := cf.login("leader").get("/supervision/dashboard")
		card := between(body, `data-testid="dash-red"`, "</a>")
		return card[strings.Index(card, "<b>")+3 : strings.Index(card, "</b>")]
	}
	if n := red(); n != "0" {
		t.Fatalf("%s red on the day of acceptance", n)
	}
	cf.set(at("2026-10-30"))
	if n := red(); n != "1" {
		t.Fatalf("%s red a month later, want 1", n)
	}
	// A second case accepted that day is within its limit; a third is
	// received but not accepted, measured against its notice deadline.
	clerk = cf.login("clerk") // a month on, the morning's session is gone
	second := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, second, cases.ActAccept, nil)
	cf.intake(clerk, "T-001", 1, 2)
	if n := red(); n != "1" {
		t.Fatalf("%s red with two cases in time, want 1", n)
	}
	cf.set(at("2026-12-01"))
	if n := red(); n != "3" {
		t.Fatalf("%s red when all three are late, want 3", n)
	}
}
