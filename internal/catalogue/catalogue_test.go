package catalogue_test

import (
	"context"
	"strings"
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/catalogue"
	"onestop/internal/catalogue/cataloguetest"
)

// The catalogue packages share one test world (cataloguetest).
var (
	setup   = cataloguetest.Setup
	content = cataloguetest.Content
)

func wantField(t testing.TB, err error, field, key string) *apperr.Error {
	t.Helper()
	ae := apperr.As(err)
	if ae == nil || ae.Fields[field].Key != key {
		t.Fatalf("want field %s: %s, got %v", field, key, err)
	}
	return ae
}

func wantCode(t testing.TB, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}

func TestContentRules(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	dept := w.Depts["MZJ"]
	type change func(c *catalogue.Content)
	cases := []struct {
		name       string
		change     change
		field, key string
	}{
		{"name missing", func(c *catalogue.Content) { c.Name = " " }, "name", "error.required"},
		{"name too long", func(c *catalogue.Content) { c.Name = strings.Repeat("婚", 101) }, "name", "error.too_long"},
		{"name control character", func(c *catalogue.Content) { c.Name = "结婚\x00登记" }, "name", "error.bad_characters"},
		{"unknown type", func(c *catalogue.Content) { c.Type = "permit" }, "type", "error.choose"},
		{"unknown department", func(c *catalogue.Content) { c.DepartmentID = 987654 }, "department_id", "org.department.missing"},
		{"unknown audience", func(c *catalogue.Content) { c.Audience = "everyone" }, "audience", "error.choose"},
		{"unknown theme", func(c *catalogue.Content) { c.Themes = []string{"婚姻登记", "星际旅行"} }, "themes", "catalogue.theme_unknown"},
		{"legal basis missing", func(c *catalogue.Content) { c.LegalBasis = "" }, "legal_basis", "error.required"},
		{"conditions too long", func(c *catalogue.Content) { c.Conditions = strings.Repeat("条", 2001) }, "conditions", "error.too_long"},
		{"statutory zero", func(c *catalogue.Content) { c.StatutoryDays = 0 }, "statutory_days", "catalogue.statutory_range"},
		{"statutory over a year", func(c *catalogue.Content) { c.StatutoryDays = 251 }, "statutory_days", "catalogue.statutory_range"},
		{"immediate with promised days", func(c *catalogue.Content) { c.Immediate = true }, "promised_days", "catalogue.immediate_no_promise"},
		{"promised missing", func(c *catalogue.Content) { c.PromisedDays, c.Steps = 0, catalogue.DefaultSteps(0) }, "promised_days", "catalogue.promised_min"},
		{"promised over statutory", func(c *catalogue.Content) { c.PromisedDays, c.Steps = 21, catalogue.DefaultSteps(21) }, "promised_days", "catalogue.promised_over_statutory"},
		{"visits negative", func(c *catalogue.Content) { c.Visits = -1 }, "visits", "catalogue.visits_range"},
		{"visits over five", func(c *catalogue.Content) { c.Visits = 6 }, "visits", "catalogue.visits_range"},
		{"no channel", func(c *catalogue.Content) {
			c.Online, c.AtHall, c.AtTownship, c.Commissioned = false, false, false, true
		}, "channels", "catalogue.no_channel"},
		{"deemed approval without note", func(c *catalogue.Content) { c.DeemedApproval = true }, "deemed_note", "error.required"},
		{"deemed approval of an immediate item", func(c *catalogue.Content) {
			c.Immediate, c.PromisedDays, c.Steps, c.DeemedApproval, c.DeemedNote = true, 0, catalogue.DefaultSteps(0), true, "县政府令第3号"
		}, "deemed_approval", "catalogue.deemed_immediate"},
		{"promised item without a required material", func(c *catalogue.Content) {
			c.Materials = []catalogue.Material{{Name: "授权委托书", Condition: "委托他人办理的", Form: "original", Copies: 1}}
		}, "materials", "catalogue.material_needed"},
		{"material name missing", func(c *catalogue.Content) { c.Materials[0].Name = "" }, "materials.1.name", "error.required"},
		{"conditional material without its condition", func(c *catalogue.Content) {
			c.Materials = append(c.Materials, catalogue.Material{Name: "授权委托书", Form: "original", Copies: 1})
		}, "materials.2.condition", "error.required"},
		{"material form unknown", func(c *catalogue.Content) { c.Materials[0].Form = "fax" }, "materials.1.form", "error.choose"},
		{"material copies zero", func(c *catalogue.Content) { c.Materials[0].Copies = 0 }, "materials.1.copies", "catalogue.copies_range"},
		{"material copies 100", func(c *catalogue.Content) { c.Materials[0].Copies = 100 }, "materials.1.copies", "catalogue.copies_range"},
		{"material notes control character", func(c *catalogue.Content) { c.Materials[0].Notes = "第一行\a第二行" }, "materials.1.notes", "error.bad_characters"},
		{"material name line break", func(c *catalogue.Content) { c.Materials[0].Name = "申请表\n原件" }, "materials.1.name", "error.bad_characters"},
		{"fee without amount", func(c *catalogue.Content) {
			c.Fees = []catalogue.Fee{{Name: "工本费", AmountFen: 500, Basis: "湘价费〔2010〕1号"}, {Name: "证书费", Basis: "湘价费〔2010〕1号"}}
		}, "fees.2.amount_fen", "catalogue.fee_amount"},
		{"fee negative", func(c *catalogue.Content) { c.Fees = []catalogue.Fee{{Name: "工本费", AmountFen: -1, Basis: "x"}} }, "fees.1.amount_fen", "catalogue.fee_amount"},
		{"fee over a hundred million yuan", func(c *catalogue.Content) {
			c.Fees = []catalogue.Fee{{Name: "工本费", AmountFen: 100_000_000_01, Basis: "x"}}
		}, "fees.1.amount_fen", "catalogue.fee_amount"},
		{"fee name missing", func(c *catalogue.Content) { c.Fees = []catalogue.Fee{{AmountFen: 100, Basis: "x"}} }, "fees.1.name", "error.required"},
		{"fee basis missing", func(c *catalogue.Content) { c.Fees = []catalogue.Fee{{Name: "工本费", AmountFen: 100}} }, "fees.1.basis", "error.required"},
		{"no steps", func(c *catalogue.Content) { c.Steps = nil }, "steps", "catalogue.steps_needed"},
		{"steps not summing to the promise", func(c *catalogue.Content) { c.Steps[1].Days++ }, "steps", "catalogue.steps_sum"},
		{"step name missing", func(c *catalogue.Content) { c.Steps[0].Name = "" }, "steps.1.name", "error.required"},
		{"step role unknown", func(c *catalogue.Content) { c.Steps[1].Role = "boss" }, "steps.2.role", "error.choose"},
		{"step days negative", func(c *catalogue.Content) { c.Steps[0].Days, c.Steps[1].Days = -1, c.Steps[1].Days+2 }, "steps.1.days", "catalogue.step_days"},
	}
	existing := w.Create(t, "MZJ-T90", content(dept))
	before := w.Counts(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := content(dept)
			c.Materials = append([]catalogue.Material(nil), c.Materials...)
			tc.change(&c)
			_, err := w.Cat.Create(ctx, w.Actors["admin"], "MZJ-T91", c, "")
			wantCode(t, err, apperr.Invalid)
			wantField(t, err, tc.field, tc.key)
			// The same content is refused as an edit, too.
			_, _, err = w.Cat.Update(ctx, w.Actors["admin"], existing.Code, c, "")
			wantField(t, err, tc.field, tc.key)
			// And the pure check agrees with the service.
			_, err = c.Validate(c.Type == "licensing", c.DepartmentID == dept)
			wantField(t, err, tc.field, tc.key)
		})
	}
	if after := w.Counts(t); after != before {
		t.Fatalf("rejected changes changed the database: %v → %v", before, after)
	}
	// Messages carry what the translation needs.
	c := content(dept)
	c.PromisedDays, c.Steps = 21, catalogue.DefaultSteps(21)
	_, err := w.Cat.Create(ctx, w.Actors["admin"], "MZJ-T91", c, "")
	if ae := wantField(t, err, "promised_days", "catalogue.promised_over_statutory"); ae.Fields["promised_days"].Args["Statutory"] != 20 {
		t.Fatalf("args: %+v", ae.Fields["promised_days"])
	}
	c = content(dept)
	c.Steps[1].Days = 7
	_, err = w.Cat.Create(ctx, w.Actors["admin"], "MZJ-T91", c, "")
	if ae := wantField(t, err, "steps", "catalogue.steps_sum"); ae.Fields["steps"].Args["Sum"] != 9 || ae.Fields["steps"].Args["Promised"] != 5 {
		t.Fatalf("args: %+v", ae.Fields["steps"])
	}
	c = content(dept)
	c.Themes = []string{"星际旅行"}
	_, err = w.Cat.Create(ctx, w.Actors["admin"], "MZJ-T91", c, "")
	if ae := wantField(t, err, "themes", "catalogue.theme_unknown"); ae.Fields["themes"].Args["Theme"] != "星际旅行" {
		t.Fatalf("args: %+v", ae.Fields["themes"])
	}
	// Every problem is reported at once, not only the first.
	c = content(dept)
	c.Name, c.LegalBasis, c.Visits = "", "", 9
	_, err = w.Cat.Create(ctx, w.Actors["admin"], "bad code", c, "")
	for _, f := range []string{"code", "name", "legal_basis", "visits"} {
		if _, ok := apperr.As(err).Fields[f]; !ok {
			t.Fatalf("missing %s in %v", f, err)
		}
	}
}

func TestContentNormalised(t *testing.T) {
	t.Parallel()
	w := setup(t)
	c := content(w.Depts["MZJ"])
	c.Name = "  结婚登记 "
	c.Themes = []string{" 婚姻登记", "", "婚姻登记"}
	c.Materials = append(c.Materials, catalogue.Material{Name: "户口簿", Required: true, Condition: "必要材料不需要情形", Form: "original", Copies: 1})
	c.DeemedNote = "没有超时默认时不保存"
	it := w.Create(t, "mzj-t01 ", c)
	if it.Code != "MZJ-T01" || it.Name != "结婚登记" || len(it.Themes) != 1 || it.Materials[1].Condition != "" || it.DeemedNote != "" || it.Version != 1 {
		t.Fatalf("not normalised: %+v", it)
	}
	if it.ChangeNote != "新增事项" || it.TypeName != "行政许可" || it.DepartmentCode != "MZJ" || it.Status != catalogue.InForce {
		t.Fatalf("item: %+v", it)
	}
	// An immediate item: no promised days, steps of zero days.
	im := content(w.Depts["MZJ"])
	im.Immediate, im.PromisedDays, im.Steps, im.Materials = true, 0, catalogue.DefaultSteps(0), nil
	if _, err := w.Cat.Create(context.Background(), w.Actors["admin"], "MZJ-T02", im, ""); err != nil {
		t.Fatalf("immediate item without materials: %v", err)
	}
}

func TestCodesAndPermissions(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	w.Create(t, "MZJ-T01", content(w.Depts["MZJ"]))
	before := w.Counts(t)
	for _, code := range []string{"", "AB", "-ABC", "MZJ_001", "MZJ 001", "结婚-001", strings.Repeat("A", 41)} {
		_, err := w.Cat.Create(ctx, w.Actors["admin"], code, content(w.Depts["MZJ"]), "")
		wantField(t, err, "code", "catalogue.code_format")
	}
	// Codes are case-insensitive: a lower-case duplicate is a duplicate.
	_, err := w.Cat.Create(ctx, w.Actors["admin"], "mzj-t01", content(w.Depts["MZJ"]), "")
	wantCode(t, err, apperr.Conflict)
	wantField(t, err, "code", "error.duplicate")
	for _, u := range []string{"clerk", "township", "supervisor", "leader"} {
		_, err := w.Cat.Create(ctx, w.Actors[u], "MZJ-T02", content(w.Depts["MZJ"]), "")
		wantCode(t, err, apperr.Forbidden)
	}
	if after := w.Counts(t); after != before {
		t.Fatalf("rejected creates changed the database: %v → %v", before, after)
	}
	// A department admin lists items for their own department only, even
	// when the form names another.
	it, err := w.Cat.Create(ctx, w.Actors["deptadmin"], "FGJ-T01", content(w.Depts["MZJ"]), "")
	if err != nil || it.DepartmentID != w.Depts["FGJ"] {
		t.Fatalf("dept admin create: %+v %v", it, err)
	}
}

func TestVersions(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	c := content(w.Depts["FGJ"])
	w.Create(t, "FGJ-T01", c)
	other := w.Create(t, "MZJ-T01", content(w.Depts["MZJ"]))

	// Identical content (nil and empty lists alike) makes no version.
	same := c
	same.Themes, same.Fees = []string{}, []catalogue.Fee{}
	it, changed, err := w.Cat.Update(ctx, w.Actors["deptadmin"], "FGJ-T01", same, "")
	if err != nil || changed || it.Version != 1 {
		t.Fatalf("identical save: %+v %v %v", it, changed, err)
	}
	before := w.Counts(t)
	c2 := c
	c2.PromisedDays, c2.Steps = 3, catalogue.DefaultSteps(3)
	c2.Materials = append([]catalogue.Material{}, c.Materials...)
	c2.Materials = append(c2.Materials, catalogue.Material{Name: "营业执照", Required: true, Form: "copy", Copies: 1})
	it, changed, err = w.Cat.Update(ctx, w.Actors["deptadmin"], "FGJ-T01", c2, "")
	if err != nil || !changed || it.Version != 2 || it.PromisedDays != 3 {
		t.Fatalf("edit: %+v %v %v", it, changed, err)
	}
	for _, label := range []string{"承诺时限", "申请材料", "办理流程"} {
		if !strings.Contains(it.ChangeNote, label) {
			t.Fatalf("change note %q does not name %s", it.ChangeNote, label)
		}
	}
	if strings.Contains(it.ChangeNote, "名称") || strings.Contains(it.ChangeNote, "法定时限") {
		t.Fatalf("change note names unchanged fields: %q", it.ChangeNote)
	}
	if after := w.Counts(t); after[0] != before[0] || after[1] != before[1]+1 {
		t.Fatalf("one new version expected: %v → %v", before, after)
	}
	// The old version stays readable: cases name the version they were
	// accepted under.
	old, err := w.Cat.ItemVersion(ctx, "FGJ-T01", 1)
	if err != nil || old.Version != 1 || old.PromisedDays != 5 || len(old.Materials) != 1 || !catalogue.Equal(old.Content, c) {
		t.Fatalf("version 1: %+v %v", old, err)
	}
	if _, err := w.Cat.ItemVersion(ctx, "FGJ-T01", 3); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("version 3: %v", err)
	}
	vs, err := w.Cat.Versions(ctx, "FGJ-T01")
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Note != "新增事项" {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	// A given note is kept as written.
	c3 := c2
	c3.Visits = 0
	it, _, err = w.Cat.Update(ctx, w.Actors["admin"], "FGJ-T01", c3, "  按2026年清理结果调整 ")
	if err != nil || it.Version != 3 || it.ChangeNote != "按2026年清理结果调整" {
		t.Fatalf("note: %+v %v", it, err)
	}
	// A department admin may not edit another department's item, nor move
	// their own item to another department.
	before = w.Counts(t)
	_, _, err = w.Cat.Update(ctx, w.Actors["deptadmin"], other.Code, other.Content, "")
	wantCode(t, err, apperr.Forbidden)
	moved := c3
	moved.DepartmentID = w.Depts["MZJ"]
	_, _, err = w.Cat.Update(ctx, w.Actors["deptadmin"], "FGJ-T01", moved, "")
	wantCode(t, err, apperr.Forbidden)
	_, _, err = w.Cat.Update(ctx, w.Actors["clerk"], "FGJ-T01", c, "")
	wantCode(t, err, apperr.Forbidden)
	_, _, err = w.Cat.Update(ctx, w.Actors["admin"], "NOPE-1", c, "")
	wantCode(t, err, apperr.NotFound)
	if after := w.Counts(t); after != before {
		t.Fatalf("refused edits changed the database: %v → %v", before, after)
	}
	// The centre admin may move an item; the note says so.
	it, _, err = w.Cat.Update(ctx, w.Actors["admin"], "FGJ-T01", moved, "")
	if err != nil || it.DepartmentCode != "MZJ" || it.ChangeNote != "实施部门" {
		t.Fatalf("move: %+v %v", it, err)
	}
}

func TestChanges(t *testing.T) {
	t.Parallel()
	a := content(1)
	b := a
	if got := catalogue.Changes(a, b); len(got) != 0 {
		t.Fatalf("no changes: %v", got)
	}
	b.Name, b.Online, b.Fees = "新名称", false, []catalogue.Fee{{Name: "x", AmountFen: 1, Basis: "y"}}
	got := strings.Join(catalogue.Changes(a, b), "、")
	if got != "名称、网上办理、收费" {
		t.Fatalf("changes: %s", got)
	}
	// An empty list and a missing list are the same.
	b = a
	a.Themes, b.Themes = nil, []string{}
	if got := catalogue.Changes(a, b); len(got) != 0 || !catalogue.Equal(a, b) {
		t.Fatalf("nil vs empty: %v", got)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	w.Create(t, "FGJ-T01", content(w.Depts["FGJ"]))
	w.Create(t, "MZJ-T01", content(w.Depts["MZJ"]))
	inList := func(f catalogue.Filter, code string) bool {
		t.Helper()
		f.Limit = 500
		items, _, err := w.Cat.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Code == code {
				return true
			}
		}
		return false
	}
	// Refusals change nothing.
	_, err := w.Cat.SetStatus(ctx, w.Actors["admin"], "FGJ-T01", catalogue.Cancelled, "  ")
	wantField(t, err, "reason", "error.required")
	_, err = w.Cat.SetStatus(ctx, w.Actors["admin"], "FGJ-T01", catalogue.Suspended, "")
	wantField(t, err, "reason", "error.required")
	_, err = w.Cat.SetStatus(ctx, w.Actors["admin"], "FGJ-T01", "deleted", "不要了")
	wantField(t, err, "status", "error.choose")
	_, err = w.Cat.SetStatus(ctx, w.Actors["admin"], "FGJ-T01", catalogue.Cancelled, strings.Repeat("因", 501))
	wantField(t, err, "reason", "error.too_long")
	_, err = w.Cat.SetStatus(ctx, w.Actors["deptadmin"], "MZJ-T01", catalogue.Cancelled, "不归我管")
	wantCode(t, err, apperr.Forbidden)
	_, err = w.Cat.SetStatus(ctx, w.Actors["clerk"], "FGJ-T01", catalogue.Cancelled, "窗口无权")
	wantCode(t, err, apperr.Forbidden)
	_, err = w.Cat.SetStatus(ctx, w.Actors["admin"], "NOPE-1", catalogue.Cancelled, "没有这个事项")
	wantCode(t, err, apperr.NotFound)
	if it, _ := w.Cat.Item(ctx, "FGJ-T01"); it.Status != catalogue.InForce || it.StatusReason != "" {
		t.Fatalf("refused status changes changed the item: %+v", it)
	}

	// Cancelling records the Shanghai calendar day and hides the item.
	it, err := w.Cat.SetStatus(ctx, w.Actors["deptadmin"], "FGJ-T01", catalogue.Cancelled, "2026年事项清理取消")
	if err != nil || it.Status != catalogue.Cancelled || it.StatusReason != "2026年事项清理取消" || it.CancelledOn == nil {
		t.Fatalf("cancel: %+v %v", it, err)
	}
	if y, m, d := it.CancelledOn.Date(); y != 2026 || m != 11 || d != 26 {
		t.Fatalf("cancelled on %v", it.CancelledOn)
	}
	if inList(catalogue.Filter{}, "FGJ-T01") || inList(catalogue.Filter{Q: "测试许可"}, "FGJ-T01") {
		t.Fatal("a cancelled item is in the default list")
	}
	if !inList(catalogue.Filter{Status: catalogue.Cancelled}, "FGJ-T01") || !inList(catalogue.Filter{Status: "all"}, "FGJ-T01") {
		t.Fatal("a cancelled item is missing from the cancelled and all lists")
	}
	if inList(catalogue.Filter{Status: catalogue.Cancelled}, "MZJ-T01") {
		t.Fatal("an item in force is in the cancelled list")
	}
	// The item and its versions stay readable (cases point at them).
	if got, err := w.Cat.Item(ctx, "FGJ-T01"); err != nil || got.Status != catalogue.Cancelled {
		t.Fatalf("cancelled item: %+v %v", got, err)
	}
	// Suspending hides it too.
	if _, err := w.Cat.SetStatus(ctx, w.Actors["admin"], "MZJ-T01", catalogue.Suspended, "系统升级暂停受理"); err != nil {
		t.Fatal(err)
	}
	if inList(catalogue.Filter{}, "MZJ-T01") || !inList(catalogue.Filter{Status: catalogue.Suspended}, "MZJ-T01") {
		t.Fatal("suspended item listing")
	}
	// Restoring needs no reason and clears the day.
	it, err = w.Cat.SetStatus(ctx, w.Actors["admin"], "FGJ-T01", catalogue.InForce, "")
	if err != nil || it.Status != catalogue.InForce || it.CancelledOn != nil || it.StatusReason != "" {
		t.Fatalf("restore: %+v %v", it, err)
	}
	if !inList(catalogue.Filter{}, "FGJ-T01") {
		t.Fatal("restored item not listed")
	}
	// Status changes make no content versions.
	if vs, _ := w.Cat.Versions(ctx, "FGJ-T01"); len(vs) != 1 {
		t.Fatalf("versions after status changes: %d", len(vs))
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	before, err := w.Cat.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	free := content(w.Depts["MZJ"])
	free.Online = false
	immediate := content(w.Depts["MZJ"])
	immediate.Type, immediate.Immediate, immediate.PromisedDays, immediate.Steps = "confirmation", true, 0, catalogue.DefaultSteps(0)
	immediate.Online = false
	paid := content(w.Depts["FGJ"])
	paid.Fees = []catalogue.Fee{{Name: "工本费", AmountFen: 1050, Basis: "湘价费〔2010〕1号"}}
	paid.DeemedApproval, paid.DeemedNote = true, "宜政发〔2025〕3号"
	w.Create(t, "MZJ-T01", free)
	w.Create(t, "MZJ-T02", immediate)
	w.Create(t, "FGJ-T01", paid)
	w.Create(t, "FGJ-T02", content(w.Depts["FGJ"]))
	w.Create(t, "FGJ-T03", content(w.Depts["FGJ"]))
	if _, err := w.Cat.SetStatus(ctx, w.Actors["admin"], "FGJ-T02", catalogue.Cancelled, "清理取消"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Cat.SetStatus(ctx, w.Actors["admin"], "FGJ-T03", catalogue.Suspended, "暂停"); err != nil {
		t.Fatal(err)
	}
	st, err := w.Cat.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	delta := func(name string, got, was, want int) {
		t.Helper()
		if got-was != want {
			t.Errorf("%s: %d → %d, want +%d", name, was, got, want)
		}
	}
	delta("reviewed", st.Reviewed, before.Reviewed, 5)
	delta("in force", st.InForce, before.InForce, 3)
	delta("in force seated", st.InForceSeated, before.InForceSeated, 3)
	delta("suspended", st.Suspended, before.Suspended, 1)
	delta("cancelled", st.Cancelled, before.Cancelled, 1)
	delta("cancelled licensing", st.CancelledByType["licensing"], before.CancelledByType["licensing"], 1)
	delta("licensing", st.ByType["licensing"], before.ByType["licensing"], 2)
	delta("confirmation", st.ByType["confirmation"], before.ByType["confirmation"], 1)
	delta("immediate", st.Immediate, before.Immediate, 1)
	delta("online", st.Online, before.Online, 1)
	delta("deemed approval", st.DeemedApproval, before.DeemedApproval, 1)
	delta("free", st.Free, before.Free, 2)
	byDept := func(s catalogue.Stats, code string) catalogue.DepartmentStats {
		for _, d := range s.Departments {
			if d.Code == code {
				return d
			}
		}
		return catalogue.DepartmentStats{}
	}
	f0, f1 := byDept(before, "FGJ"), byDept(st, "FGJ")
	delta("FGJ in force", f1.InForce, f0.InForce, 1)
	delta("FGJ suspended", f1.Suspended, f0.Suspended, 1)
	delta("FGJ cancelled", f1.Cancelled, f0.Cancelled, 1)
	m0, m1 := byDept(before, "MZJ"), byDept(st, "MZJ")
	delta("MZJ in force", m1.InForce, m0.InForce, 2)
	delta("MZJ confirmation", m1.ByType["confirmation"], m0.ByType["confirmation"], 1)
	if f1.Name != "宜章县发展和改革局" || f1.Mode != "seated" {
		t.Errorf("department: %+v", f1)
	}
}

func TestComposites(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	w.Create(t, "SCJGJ-T01", content(w.Depts["SCJGJ"]))
	w.Create(t, "SCJGJ-T02", content(w.Depts["SCJGJ"]))
	w.Create(t, "FGJ-T01", content(w.Depts["FGJ"]))
	w.Create(t, "MZJ-T01", content(w.Depts["MZJ"]))
	if _, err := w.Cat.SetStatus(ctx, w.Actors["admin"], "MZJ-T01", catalogue.Cancelled, "清理取消"); err != nil {
		t.Fatal(err)
	}
	good := catalogue.CompositeInput{Code: "BL-T01", Name: "开办餐饮店“一件事”", LeadDepartmentID: w.Depts["SCJGJ"],
		StatutoryDays: 45, PromisedDays: 10, ItemCodes: []string{"SCJGJ-T01", "FGJ-T01"}}
	before := w.Counts(t)
	cases := []struct {
		name       string
		change     func(in *catalogue.CompositeInput)
		field, key string
	}{
		{"bad code", func(in *catalogue.CompositeInput) { in.Code = "一件事" }, "code", "catalogue.code_format"},
		{"no name", func(in *catalogue.CompositeInput) { in.Name = "" }, "name", "error.required"},
		{"over the joint limit", func(in *catalogue.CompositeInput) { in.StatutoryDays = 46 }, "statutory_days", "catalogue.parallel_statutory"},
		{"no statutory limit", func(in *catalogue.CompositeInput) { in.StatutoryDays = 0 }, "statutory_days", "catalogue.parallel_statutory"},
		{"promised over statutory", func(in *catalogue.CompositeInput) { in.StatutoryDays, in.PromisedDays = 20, 21 }, "promised_days", "catalogue.promised_over_statutory"},
		{"one department", func(in *catalogue.CompositeInput) { in.ItemCodes = []string{"SCJGJ-T01", "SCJGJ-T02"} }, "item_codes", "catalogue.composite_two_departments"},
		{"lead not among the departments", func(in *catalogue.CompositeInput) { in.LeadDepartmentID = w.Depts["MZJ"] }, "lead_department_id", "catalogue.composite_lead"},
		{"unknown item", func(in *catalogue.CompositeInput) { in.ItemCodes = append(in.ItemCodes, "NOPE-1") }, "item_codes", "catalogue.composite_item_missing"},
		{"cancelled item", func(in *catalogue.CompositeInput) { in.ItemCodes = append(in.ItemCodes, "MZJ-T01") }, "item_codes", "catalogue.composite_item_missing"},
		{"item twice", func(in *catalogue.CompositeInput) { in.ItemCodes = append(in.ItemCodes, "FGJ-T01") }, "item_codes", "catalogue.composite_item_repeated"},
	}
	for _, tc := range cases {
		in := good
		in.ItemCodes = append([]string(nil), good.ItemCodes...)
		tc.change(&in)
		_, err := w.Cat.CreateComposite(ctx, w.Actors["admin"], in)
		wantCode(t, err, apperr.Invalid)
		wantField(t, err, tc.field, tc.key)
	}
	for _, u := range []string{"deptadmin", "township", "clerk", "supervisor"} {
		_, err := w.Cat.CreateComposite(ctx, w.Actors[u], good)
		wantCode(t, err, apperr.Forbidden)
	}
	if after := w.Counts(t); after != before {
		t.Fatalf("refused composites changed the database: %v → %v", before, after)
	}
	c, err := w.Cat.CreateComposite(ctx, w.Actors["admin"], good)
	if err != nil || c.Code != "BL-T01" || len(c.Items) != 2 || c.Items[0].Code != "SCJGJ-T01" || c.Items[1].Code != "FGJ-T01" ||
		c.LeadDepartment != "宜章县市场监督管理局" || c.PromisedDays != 10 {
		t.Fatalf("composite: %+v %v", c, err)
	}
	_, err = w.Cat.CreateComposite(ctx, w.Actors["admin"], good)
	wantCode(t, err, apperr.Conflict)
	wantField(t, err, "code", "error.duplicate")
	all, err := w.Cat.Composites(ctx)
	if err != nil || len(all) < 1 {
		t.Fatalf("composites: %v %v", all, err)
	}
	if _, err := w.Cat.Composite(ctx, "NOPE-1"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("unknown composite: %v", err)
	}
}
