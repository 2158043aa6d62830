package publication_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/demo"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/publication"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

type world struct {
	db       *store.DB
	svc      *publication.Service
	as       map[string]org.Actor
	gov, dep int64 // the county government's organ; the clerk's department's
	now      time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, as: map[string]org.Actor{}, now: time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)} // Friday 4 December 2026
	w.svc = &publication.Service{DB: db, Now: func() time.Time { return w.now },
		Calendar: func(ctx context.Context) (*calendar.Calendar, error) { return cases.Calendar(ctx, db.Read()) },
		Text:     func(lang, key string, args map[string]any) string { return key }}
	os := &org.Service{DB: db, Now: w.svc.Now}
	for _, u := range []string{"admin", "clerk", "reviewer", "approver", "supervisor", "township"} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		w.as[u] = st.Actor("192.0.2.7")
	}
	db.R.QueryRow(`SELECT id FROM disclosure_organs WHERE kind = 'government'`).Scan(&w.gov)
	db.R.QueryRow(`SELECT id FROM disclosure_organs WHERE department_id = $1`, w.as["clerk"].DepartmentID).Scan(&w.dep)
	if w.gov == 0 || w.dep == 0 {
		t.Fatal("the demo has no organs")
	}
	return w
}

func fieldOf(err error) map[string]apperr.Msg {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Fields
	}
	return nil
}

func policy(created string) publication.Input {
	return publication.Input{Category: "policy", DocKind: "normative", Title: "关于规范涉企收费的通知", DocNo: "县政办发〔2026〕21号",
		Body: "各乡镇人民政府，县直各单位：为规范涉企收费……", CreatedOn: created, IssuedOn: created}
}

// The review cycle on the clock: an officer drafts (deadline 20 working
// days from creation, 条例 Art. 26), submits; the head returns with a
// reason, then publishes; the public sees it only then; the head repeals it
// and it shows as repealed, still published; every step is audited.
func TestDraftReviewPublishRepeal(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	clerk, head := w.as["clerk"], w.as["approver"]

	// Created Monday 16 November 2026: the 20th working day after is
	// Monday 14 December (no holidays between).
	e, err := w.svc.Draft(ctx, clerk, w.dep, policy("2026-11-16"))
	if err != nil {
		t.Fatal(err)
	}
	if e.DueOn.String() != "2026-12-14" || e.Status != publication.Draft {
		t.Fatalf("draft: due %s status %s", e.DueOn, e.Status)
	}
	// Not published yet: the public never sees a draft.
	if _, err := w.svc.PublicEntry(ctx, e.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("a draft is public: %v", err)
	}
	// An officer may not publish; the head may not publish a draft.
	if err := w.svc.Submit(ctx, clerk, e.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Publish(ctx, clerk, e.ID); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("officer publishes: %v", err)
	}
	if err := w.svc.Return(ctx, head, e.ID, ""); fieldOf(err)["reason"].Key == "" {
		t.Fatalf("return without a reason: %v", err)
	}
	if err := w.svc.Return(ctx, head, e.ID, "文号有误"); err != nil {
		t.Fatal(err)
	}
	_, e, _ = w.svc.Get(ctx, clerk, e.ID)
	if e.Status != publication.Draft || e.ReviewNote != "文号有误" {
		t.Fatalf("returned: %+v", e)
	}
	if err := w.svc.Publish(ctx, head, e.ID); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("publishing a draft: %v", err)
	}
	in := policy("2026-11-16")
	in.DocNo = "县政办发〔2026〕22号"
	if _, err := w.svc.Update(ctx, clerk, e.ID, in); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Submit(ctx, clerk, e.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Publish(ctx, head, e.ID); err != nil {
		t.Fatal(err)
	}
	pub, err := w.svc.PublicEntry(ctx, e.ID)
	if err != nil || pub.DocNo != "县政办发〔2026〕22号" || pub.PublishedOn == nil || pub.PublishedOn.String() != "2026-12-04" {
		t.Fatalf("published: %+v %v", pub, err)
	}
	today := calendar.MustParseDate("2026-12-04")
	if !pub.InForce(today) || pub.State(today) != publication.Published {
		t.Fatal("an issued, unrepealed policy document is not in force")
	}
	if err := w.svc.Repeal(ctx, head, e.ID, "2026-11-01"); fieldOf(err)["repealed_on"].Key == "" {
		t.Fatalf("repealed before it was issued: %v", err)
	}
	if err := w.svc.Repeal(ctx, clerk, e.ID, "2026-12-04"); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("officer repeals: %v", err)
	}
	if err := w.svc.Repeal(ctx, head, e.ID, "2026-12-04"); err != nil {
		t.Fatal(err)
	}
	pub, _ = w.svc.PublicEntry(ctx, e.ID)
	if pub.State(today) != publication.Repealed || pub.InForce(today) || !pub.InForce(calendar.MustParseDate("2026-12-03")) {
		t.Fatalf("repealed: state %s", pub.State(today))
	}
	var audits int
	w.db.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'disclosure_entry' AND entity_id = $1`, fmt.Sprint(e.ID)).Scan(&audits)
	if audits != 7 { // create, submit, return, update, submit, publish, repeal; nothing for refusals
		t.Fatalf("%d audit entries, want 7", audits)
	}
	// Withdrawal needs a reason and takes it off the public section.
	if err := w.svc.Withdraw(ctx, head, e.ID, " "); fieldOf(err)["reason"].Key == "" {
		t.Fatalf("withdraw without a reason: %v", err)
	}
	if err := w.svc.Withdraw(ctx, head, e.ID, "被新文件替代"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.PublicEntry(ctx, e.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("a withdrawn entry is public: %v", err)
	}
}

// Bad input is a field error each, and nothing is saved; no grant, no
// drafting; another organ's entry is "not found".
func TestDraftRefusals(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	clerk := w.as["clerk"]
	count := func() (n int) {
		w.db.R.QueryRow(`SELECT COUNT(*) FROM disclosure_entries`).Scan(&n)
		return n
	}
	before := count()
	cases := []struct {
		field string
		in    publication.Input
	}{
		{"created_on", func() publication.Input { in := policy("2026-12-05"); return in }()}, // tomorrow
		{"created_on", publication.Input{Category: "plans", Title: "x", CreatedOn: strings.Repeat("9", 50000)}},
		{"category", publication.Input{Category: "services", Title: "x", CreatedOn: "2026-12-01"}},
		{"category", publication.Input{Category: "", Title: "x", CreatedOn: "2026-12-01"}},
		{"doc_kind", publication.Input{Category: "decisions", Title: "x", CreatedOn: "2026-12-01"}},
		{"doc_kind", publication.Input{Category: "plans", DocKind: "penalty", Title: "x", CreatedOn: "2026-12-01"}},
		{"issued_on", publication.Input{Category: "policy", DocKind: "rule", Title: "x", CreatedOn: "2026-12-01"}},
		{"issued_on", publication.Input{Category: "plans", Title: "x", CreatedOn: "2026-12-01", IssuedOn: "2026-12-01"}},
		{"link", publication.Input{Category: "plans", Title: "x", CreatedOn: "2026-12-01", Link: "javascript:alert(1)"}},
		{"title", publication.Input{Category: "plans", Title: strings.Repeat("长", 50000), CreatedOn: "2026-12-01"}},
	}
	for _, c := range cases {
		if _, err := w.svc.Draft(ctx, clerk, w.dep, c.in); fieldOf(err)[c.field].Key == "" {
			t.Errorf("%s: %v", c.field, err)
		}
	}
	if n := count() - before; n != 0 {
		t.Fatalf("%d entries saved from bad input", n)
	}
	// The clerk holds no duty at the county government: not found.
	if _, err := w.svc.Draft(ctx, clerk, w.gov, policy("2026-12-01")); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("drafting for another organ: %v", err)
	}
	// A supervisor reads every organ but drafts for none.
	if _, err := w.svc.Draft(ctx, w.as["supervisor"], w.dep, policy("2026-12-01")); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("supervisor drafts: %v", err)
	}
	// The government's entry is not the clerk's to read or change.
	e, err := w.svc.Draft(ctx, w.as["admin"], w.gov, policy("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.Get(ctx, clerk, e.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("clerk reads the government's draft: %v", err)
	}
	if err := w.svc.Submit(ctx, clerk, e.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("clerk submits the government's draft: %v", err)
	}
	// A township's admin is no county-wide reader: no overdue list.
	if _, _, err := w.svc.OverdueAll(ctx, w.as["township"], 20, 0); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("township reads the overdue list: %v", err)
	}
	// An unknown filter value is an error, never "every category".
	if _, _, err := w.svc.Public(ctx, publication.Filter{Category: "nonsense"}); fieldOf(err)["category"].Key == "" {
		t.Fatalf("unknown category: %v", err)
	}
}

// Overdue: a draft past its deadline is on the organ's list and the
// county's; published entries are never overdue.
func TestOverdue(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	e, err := w.svc.Draft(ctx, w.as["clerk"], w.dep, publication.Input{Category: "plans", Title: "逾期的规划", CreatedOn: "2026-10-09"})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Overdue(calendar.MustParseDate("2026-12-04")) {
		t.Fatalf("created 9 October, due %s, not overdue on 4 December", e.DueOn)
	}
	_, list, _, err := w.svc.Catalogue(ctx, w.as["approver"], publication.Filter{OrganID: w.dep, Overdue: true})
	if err != nil || !has(list, e.ID) {
		t.Fatalf("the organ's overdue list lacks it: %v", err)
	}
	all, _, err := w.svc.OverdueAll(ctx, w.as["supervisor"], 100, 0)
	if err != nil || !has(all, e.ID) {
		t.Fatalf("the county's overdue list lacks it: %v", err)
	}
	for _, x := range all {
		if x.Status == publication.Published {
			t.Fatalf("a published entry is overdue: %+v", x)
		}
	}
	// Public search finds only published entries, by title, number or body.
	res, _, err := w.svc.Public(ctx, publication.Filter{Q: "逾期的规划"})
	if err != nil || len(res) != 0 {
		t.Fatalf("public search finds a draft: %d %v", len(res), err)
	}
	res, _, err = w.svc.Public(ctx, publication.Filter{Q: "营商环境"})
	if err != nil || len(res) != 1 || res[0].Status != publication.Published {
		t.Fatalf("public search by title: %+v %v", res, err)
	}
}

func has(list []publication.Entry, id int64) bool {
	for _, e := range list {
		if e.ID == id {
			return true
		}
	}
	return false
}

// Automatic publication is idempotent: a second run changes nothing; a
// renamed item updates its entry; a suspended one withdraws it; a
// withdrawn bulletin is withdrawn.
func TestSync(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	if err := demo.GenerateCases(ctx, w.db, demo.CaseOptions{PerDay: 2, Days: 5, Until: w.now, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	first, err := w.svc.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var items int
	w.db.R.QueryRow(`SELECT COUNT(*) FROM items i JOIN disclosure_organs o ON o.department_id = i.department_id WHERE i.status = 'in_force'`).Scan(&items)
	if first[publication.FromItems] != items || items == 0 {
		t.Fatalf("first run: %v, want %d services", first, items)
	}
	if first[publication.FromCases] == 0 {
		t.Fatalf("first run published no case publicity: %v", first)
	}
	again, err := w.svc.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for src, n := range again {
		if n != 0 {
			t.Fatalf("second run changed %d %s entries", n, src)
		}
	}
	var dup int
	w.db.R.QueryRow(`SELECT COUNT(*) FROM (SELECT source_ref FROM disclosure_entries WHERE source <> 'manual' GROUP BY source, source_ref HAVING COUNT(*) > 1) d`).Scan(&dup)
	if dup != 0 {
		t.Fatalf("%d duplicated sources", dup)
	}
	// Rename an item (a new current version) and suspend another.
	var code, other string
	w.db.R.QueryRow(`SELECT i.code FROM items i JOIN disclosure_organs o ON o.department_id = i.department_id WHERE i.status = 'in_force' ORDER BY i.id LIMIT 1`).Scan(&code)
	w.db.R.QueryRow(`SELECT i.code FROM items i JOIN disclosure_organs o ON o.department_id = i.department_id WHERE i.status = 'in_force' ORDER BY i.id DESC LIMIT 1`).Scan(&other)
	if _, err := w.db.W.Exec(`UPDATE item_versions SET name = '改名后的事项' WHERE item_id = (SELECT id FROM items WHERE code = $1) AND version = (SELECT current_version FROM items WHERE code = $1)`, code); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.W.Exec(`UPDATE items SET status = 'suspended', status_reason = '法规修订' WHERE code = $1`, other); err != nil {
		t.Fatal(err)
	}
	third, err := w.svc.Sync(ctx)
	if err != nil || third[publication.FromItems] != 2 {
		t.Fatalf("after a rename and a suspension: %v %v", third, err)
	}
	var title, status string
	w.db.R.QueryRow(`SELECT title, status FROM disclosure_entries WHERE source = 'catalogue' AND source_ref = $1`, code).Scan(&title, &status)
	if title != "改名后的事项" || status != publication.Published {
		t.Fatalf("renamed item: %q %s", title, status)
	}
	w.db.R.QueryRow(`SELECT status FROM disclosure_entries WHERE source = 'catalogue' AND source_ref = $1`, other).Scan(&status)
	if status != publication.Withdrawn {
		t.Fatalf("suspended item's entry is %s", status)
	}
	// Published entries from sources are on the public section.
	res, total, err := w.svc.Public(ctx, publication.Filter{Category: disclosure.Services, Limit: 5})
	if err != nil || total != items-1 || len(res) != 5 {
		t.Fatalf("public services: %d of %d (%v)", len(res), total, err)
	}
}
