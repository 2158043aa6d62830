package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/queue"
	"onestop/internal/store"
)

// demoQueueGroups are the county hall's queue groups (排队叫号): a letter per
// business, the windows of the departments listed; the comprehensive
// group E takes every other seated department's windows.
var demoQueueGroups = []struct {
	prefix, name string
	depts        []string
}{
	{"A", "不动产登记", []string{"BDC"}},
	{"B", "社保医保", []string{"RSJ", "YBJ"}},
	{"C", "公安户政", []string{"GAJ"}},
	{"D", "企业开办", []string{"SCJGJ", "SWJ"}},
	{"E", "综合受理", nil},
}

// seedQueueGroups sets up the hall's queue groups through the queue
// service, as the hall's admin.
func seedQueueGroups(ctx context.Context, db *store.DB, now time.Time) error {
	os := &org.Service{DB: db, Now: func() time.Time { return now }}
	admin, err := os.StaffByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	a := admin.Actor("demo")
	hall, err := os.Centre(ctx, a.CentreID)
	if err != nil {
		return err
	}
	ws, _, err := os.Windows(ctx, a, org.WindowFilter{CentreID: hall.ID}, org.ListOptions{Limit: 500})
	if err != nil {
		return err
	}
	deptCode := map[int64]string{}
	ds, _, err := os.Departments(ctx, org.DepartmentFilter{}, org.ListOptions{Limit: 500})
	if err != nil {
		return err
	}
	for _, d := range ds {
		deptCode[d.ID] = d.Code
	}
	claimed := map[string]bool{}
	for _, g := range demoQueueGroups {
		for _, d := range g.depts {
			claimed[d] = true
		}
	}
	svc := &queue.Service{DB: db, Now: func() time.Time { return now }}
	for i, g := range demoQueueGroups {
		in := queue.GroupInput{Prefix: g.prefix, Name: g.name, Position: i + 1}
		for _, w := range ws {
			code := deptCode[w.DepartmentID]
			mine := !claimed[code]
			for _, d := range g.depts {
				mine = mine || d == code
			}
			if (g.depts == nil) == !claimed[code] && mine {
				in.WindowIDs = append(in.WindowIDs, w.ID)
			}
		}
		if len(g.depts) == 1 {
			for id, code := range deptCode {
				if code == g.depts[0] {
					in.DepartmentID = id
				}
			}
		}
		if _, err := svc.CreateGroup(ctx, a, hall, in); err != nil {
			return err
		}
	}
	return nil
}

// EnsureQueue gives the demo hall a day of tickets: the previous day from
// 08:30 to 17:00, every ticket called, most served, some no-shows, one
// transfer; and this morning's line, a few still waiting. Run once: a
// database with tickets is left alone.
func EnsureQueue(ctx context.Context, db *store.DB, now time.Time) error {
	var n int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM queue_tickets`).Scan(&n); err != nil || n > 0 {
		return err
	}
	os := &org.Service{DB: db, Now: func() time.Time { return now }}
	admin, err := os.StaffByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	groups, err := (&queue.Service{DB: db, Now: time.Now}).Groups(ctx, admin.CentreID)
	if err != nil || len(groups) == 0 {
		return err
	}
	clerks := map[int64]org.Actor{} // window → its clerk
	staff, _, err := os.StaffList(ctx, admin.Actor("demo"), org.StaffFilter{CentreID: admin.CentreID, Role: org.Clerk}, org.ListOptions{Limit: 500})
	if err != nil {
		return err
	}
	for _, st := range staff {
		if st.WindowID != 0 {
			clerks[st.WindowID] = st.Actor("demo")
		}
	}
	at := now
	svc := &queue.Service{DB: db, Now: func() time.Time { return at }}
	rng := rand.New(rand.NewPCG(15, 4))
	sh := now.In(clock.Shanghai)
	yesterday := time.Date(sh.Year(), sh.Month(), sh.Day()-1, 8, 30, 0, 0, clock.Shanghai)
	// Yesterday: a ticket every few minutes per group; each served at once
	// by the group's first free window, after a wait that grows with the
	// morning rush.
	for _, g := range groups {
		var staffed []int64
		for _, w := range g.WindowIDs {
			if _, ok := clerks[w]; ok {
				staffed = append(staffed, w)
			}
		}
		if len(staffed) == 0 {
			continue
		}
		free := map[int64]time.Time{}
		for t := yesterday; t.Hour() < 17; t = t.Add(time.Duration(4+rng.IntN(10)) * time.Minute) {
			at = t
			tk, err := svc.Issue(ctx, queue.IssueInput{CentreID: admin.CentreID, GroupID: g.ID, Channel: []string{queue.Kiosk, queue.Kiosk, queue.Portal}[rng.IntN(3)],
				Phone: fmt.Sprintf("138%08d", rng.IntN(100000000))})
			if err != nil {
				return err
			}
			w := staffed[rng.IntN(len(staffed))]
			clerk := clerks[w]
			start := t
			if free[w].After(t) {
				start = free[w]
			}
			at = start.Add(time.Duration(1+rng.IntN(12)) * time.Minute)
			if _, err := svc.CallNext(ctx, clerk); err != nil {
				return err
			}
			if rng.IntN(12) == 0 {
				at = at.Add(2 * time.Minute)
				if _, err := svc.NoShow(ctx, clerk, tk.ID); err != nil {
					return err
				}
				free[w] = at
				continue
			}
			at = at.Add(time.Minute)
			if _, err := svc.Start(ctx, clerk, tk.ID); err != nil {
				return err
			}
			at = at.Add(time.Duration(4+rng.IntN(16)) * time.Minute)
			if _, err := svc.Finish(ctx, clerk, tk.ID); err != nil {
				return err
			}
			free[w] = at
		}
	}
	// This morning: a short line in each group, the last hour, the first
	// of each called to a window just now (the screen shows the calls).
	for i, g := range groups {
		for k := range 3 + i {
			at = now.Add(-time.Duration(60-k*7-i) * time.Minute)
			if _, err := svc.Issue(ctx, queue.IssueInput{CentreID: admin.CentreID, GroupID: g.ID, Channel: queue.Kiosk}); err != nil {
				return err
			}
		}
	}
	for i, g := range groups {
		for _, w := range g.WindowIDs {
			if clerk, ok := clerks[w]; ok && clerk.Username != "clerk" {
				at = now.Add(-time.Duration(5-i) * time.Minute)
				if _, err := svc.CallNext(ctx, clerk); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}
