package xlsx_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onestop/internal/apperr"
	"onestop/internal/catalogue"
	"onestop/internal/catalogue/xlsx"
	"onestop/internal/org"
	"onestop/internal/testutil"
)

// The column titles are the documented contract (docs/catalogue-xlsx.md)
// with departments that fill the workbook by hand: the tests spell them out
// so a rename shows up here.
var titles = map[string][]string{
	"事项": {"事项编码", "事项名称", "事项类型", "实施部门编码", "服务对象", "主题", "设定依据", "受理条件", "法定时限", "承诺时限", "即办件",
		"跑动次数", "网上办理", "大厅受理", "乡镇代办", "委托受理", "超时默认", "超时默认依据", "状态", "状态原因"},
	"材料": {"事项编码", "序号", "材料名称", "必要性", "适用情形", "形式", "份数", "空白表格", "备注"},
	"收费": {"事项编码", "序号", "收费项目", "金额（元）", "收费依据"},
	"流程": {"事项编码", "序号", "环节名称", "办理角色", "时限（工作日）"},
}

var sheetOrder = []string{"事项", "材料", "收费", "流程"}

// varied fills the catalogue with items that use every column: lists,
// fees in fen, themes, every status, text that needs escaping.
func varied(t testing.TB, w *world) {
	t.Helper()
	ctx := context.Background()
	marry := content(w.Depts["MZJ"])
	marry.Name, marry.Type, marry.Audience, marry.Themes = "内地居民结婚登记", "confirmation", "citizen", []string{"婚姻登记"}
	marry.Immediate, marry.PromisedDays, marry.Steps, marry.Online, marry.Visits = true, 0, catalogue.DefaultSteps(0), false, 1
	marry.Conditions = "1. 男方年满22周岁、女方年满20周岁；\n2. 双方均无配偶。"
	marry.Materials = []catalogue.Material{
		{Name: "居民身份证", Required: true, Form: "original", Copies: 1},
		{Name: "户口簿", Required: true, Form: "original_and_copy", Copies: 2, Notes: "户口簿首页和本人页"},
		{Name: "申请结婚登记声明书", Required: true, Form: "original", Copies: 1, BlankForm: true},
		{Name: "离婚证或配偶死亡证明", Condition: "曾经结婚的", Form: "copy", Copies: 1},
	}
	w.Create(t, "MZJ-T01", marry)

	id := content(w.Depts["GAJ"])
	id.Name, id.Type, id.Audience, id.Themes = "居民身份证换领", "public_service", "citizen", []string{"户籍办理", "交通出行"}
	id.StatutoryDays, id.PromisedDays, id.Steps = 60, 20, []catalogue.Step{{Name: "受理", Role: "clerk", Days: 1}, {Name: "制证", Role: "reviewer", Days: 18},
		{Name: "签发", Role: "approver", Days: 1}, {Name: "领证", Role: "clerk", Days: 0}}
	id.Fees = []catalogue.Fee{{Name: "居民身份证工本费", AmountFen: 8000, Basis: "发改价格〔2005〕436号"}, {Name: "邮寄费", AmountFen: 1050, Basis: "湘价费〔2010〕1号"},
		{Name: "照片费", AmountFen: 1, Basis: "测试：一分钱"}}
	id.Materials = append(id.Materials, catalogue.Material{Name: "电子照片", Required: true, Form: "electronic", Copies: 3})
	id.AtTownship, id.Visits = true, 2
	w.Create(t, "GAJ-T02", id)

	food := content(w.Depts["SCJGJ"])
	food.Name, food.Audience, food.Themes = "食品经营许可（新办）", "organisation", []string{"经营许可", "企业开办"}
	food.LegalBasis = `《中华人民共和国食品安全法》第三十五条 <附件一> & "食品经营许可管理办法" 'x'`
	food.DeemedApproval, food.DeemedNote, food.Commissioned, food.AtTownship, food.Visits = true, "宜政办发〔2025〕7号", true, true, 0
	food.StatutoryDays, food.PromisedDays, food.Steps = 20, 10, catalogue.DefaultSteps(10)
	w.Create(t, "SCJGJ-T03", food)

	odd := content(w.Depts["FGJ"])
	odd.Name = "=SUM(1,2) 企业投资项目备案"
	w.Create(t, "FGJ-T04", odd)
	w.Create(t, "FGJ-T05", content(w.Depts["FGJ"]))
	w.Create(t, "FGJ-T06", content(w.Depts["FGJ"]))
	for _, s := range []struct{ code, status, reason string }{
		{"FGJ-T04", catalogue.Cancelled, "2026年事项清理取消"},
		{"FGJ-T05", catalogue.Suspended, "系统升级暂停受理"},
		{"FGJ-T06", catalogue.Suspended, "临时暂停"},
		{"FGJ-T06", catalogue.InForce, "恢复受理"},
	} {
		if _, err := w.Cat.SetStatus(ctx, w.Actors["admin"], s.code, s.status, s.reason); err != nil {
			t.Fatal(err)
		}
	}
}

func export(t testing.TB, w *world) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := xlsx.Export(context.Background(), w.Cat, &buf); err != nil {
		t.Fatalf("export: %v", err)
	}
	return buf.Bytes()
}

func open(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// edit changes a workbook with excelize's normal mode, as a person would.
func edit(t testing.TB, data []byte, fn func(f *excelize.File)) []byte {
	t.Helper()
	f := open(t, data)
	fn(f)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// workbook writes sheets of rows; each sheet's first row should be titles.
func workbook(t testing.TB, sheets map[string][][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	first := true
	for _, name := range sheetOrder {
		rows, ok := sheets[name]
		if !ok {
			continue
		}
		if first {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
			first = false
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(name, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func header(sheet string) []any {
	out := make([]any, len(titles[sheet]))
	for i, s := range titles[sheet] {
		out[i] = s
	}
	return out
}

// rowOf finds the nth row (1-based) whose first cell is code.
func rowOf(t testing.TB, f *excelize.File, sheet, code string, nth int) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == code {
			if nth--; nth == 0 {
				return i + 1
			}
		}
	}
	t.Fatalf("no row %d of %s on %s", nth, code, sheet)
	return 0
}

func setCell(t testing.TB, f *excelize.File, sheet string, row int, title string, v any) {
	t.Helper()
	col := -1
	for i, s := range titles[sheet] {
		if s == title {
			col = i + 1
		}
	}
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
}

// appendRow copies row from of a sheet to its end, then applies changes.
func appendRow(t testing.TB, f *excelize.File, sheet string, from int, changes map[string]any) int {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	row := len(rows) + 1
	vals := make([]any, len(rows[from-1]))
	for i, v := range rows[from-1] {
		vals[i] = v
	}
	cell, _ := excelize.CoordinatesToCellName(1, row)
	if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
		t.Fatal(err)
	}
	for k, v := range changes {
		setCell(t, f, sheet, row, k, v)
	}
	return row
}

func allItems(t testing.TB, w *world) []catalogue.Item {
	t.Helper()
	var out []catalogue.Item
	for offset := 0; ; offset += 500 {
		items, total, err := w.Cat.List(context.Background(), catalogue.Filter{Status: "all", Limit: 500, Offset: offset})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, items...)
		if len(out) >= total || len(items) == 0 {
			return out
		}
	}
}

func importAs(w *world, user string, data []byte) (catalogue.ImportResult, error) {
	return xlsx.Import(context.Background(), w.Cat, w.Actors[user], bytes.NewReader(data))
}

func TestXLSXLayout(t *testing.T) {
	t.Parallel()
	w := setup(t)
	varied(t, w)
	f := open(t, export(t, w))
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"事项", "材料", "收费", "流程", "说明"}) {
		t.Fatalf("sheets: %v", got)
	}
	if i := f.GetActiveSheetIndex(); i != 0 {
		t.Errorf("active sheet %d, want 事项", i)
	}
	for _, sheet := range sheetOrder {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rows[0], titles[sheet]) {
			t.Errorf("%s titles: %v", sheet, rows[0])
		}
		panes, err := f.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s header not frozen: %+v %v", sheet, panes, err)
		}
		id, err := f.GetCellStyle(sheet, "A1")
		if err != nil {
			t.Fatal(err)
		}
		if st, err := f.GetStyle(id); err != nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("%s header not bold: %+v %v", sheet, st, err)
		}
		if width, err := f.GetColWidth(sheet, "B"); err != nil || width < 6 {
			t.Errorf("%s column width %v %v", sheet, width, err)
		}
	}
	get := func(sheet string, row int, title string) string {
		t.Helper()
		col := 0
		for i, s := range titles[sheet] {
			if s == title {
				col = i + 1
			}
		}
		cell, _ := excelize.CoordinatesToCellName(col, row)
		v, err := f.GetCellValue(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	r := rowOf(t, f, "事项", "MZJ-T01", 1)
	for title, want := range map[string]string{"事项名称": "内地居民结婚登记", "事项类型": "行政确认", "实施部门编码": "MZJ", "服务对象": "个人",
		"主题": "婚姻登记", "即办件": "是", "承诺时限": "0", "网上办理": "否", "状态": "在用"} {
		if got := get("事项", r, title); got != want {
			t.Errorf("事项 %s: %q, want %q", title, got, want)
		}
	}
	r = rowOf(t, f, "事项", "GAJ-T02", 1)
	if got := get("事项", r, "主题"); got != "户籍办理、交通出行" {
		t.Errorf("themes: %q", got)
	}
	if got := get("事项", r, "服务对象"); got != "个人" {
		t.Errorf("audience: %q", got)
	}
	if got := get("事项", rowOf(t, f, "事项", "SCJGJ-T03", 1), "服务对象"); got != "法人" {
		t.Errorf("audience: %q", got)
	}
	r = rowOf(t, f, "事项", "FGJ-T04", 1)
	if get("事项", r, "状态") != "取消" || get("事项", r, "状态原因") != "2026年事项清理取消" || get("事项", r, "事项名称") != "=SUM(1,2) 企业投资项目备案" {
		t.Errorf("cancelled row: %v", r)
	}
	if formula, _ := f.GetCellFormula("事项", fmt.Sprintf("B%d", r)); formula != "" {
		t.Errorf("a name became a formula: %q", formula)
	}
	if get("事项", rowOf(t, f, "事项", "FGJ-T05", 1), "状态") != "暂停" {
		t.Error("suspended")
	}
	// Amounts are numbers shown with two decimals.
	for i, want := range []string{"80.00", "10.50", "0.01"} {
		r := rowOf(t, f, "收费", "GAJ-T02", i+1)
		if got := get("收费", r, "金额（元）"); got != want {
			t.Errorf("amount %d: %q, want %q", i+1, got, want)
		}
		cell, _ := excelize.CoordinatesToCellName(4, r)
		if typ, _ := f.GetCellType("收费", cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("amount cell type %v", typ)
		}
	}
	r = rowOf(t, f, "材料", "MZJ-T01", 4)
	if get("材料", r, "必要性") != "情形" || get("材料", r, "适用情形") != "曾经结婚的" || get("材料", r, "形式") != "复印件" || get("材料", r, "序号") != "4" {
		t.Errorf("conditional material row %d", r)
	}
	if get("材料", rowOf(t, f, "材料", "MZJ-T01", 2), "形式") != "原件和复印件" || get("材料", rowOf(t, f, "材料", "MZJ-T01", 3), "空白表格") != "是" {
		t.Error("material forms")
	}
	if get("流程", rowOf(t, f, "流程", "GAJ-T02", 3), "办理角色") != "首席代表" || get("流程", rowOf(t, f, "流程", "GAJ-T02", 2), "时限（工作日）") != "18" {
		t.Error("steps")
	}
	// Drop-down lists for the columns with fixed values.
	dvs, err := f.GetDataValidations("事项")
	if err != nil || len(dvs) < 5 {
		t.Errorf("data validations: %d %v", len(dvs), err)
	}
	// The help sheet explains every column.
	help, err := f.GetRows("说明")
	if err != nil {
		t.Fatal(err)
	}
	explained := map[string]bool{}
	for _, r := range help {
		if len(r) > 2 && r[2] != "" {
			explained[r[0]+"/"+r[1]] = true
		}
	}
	for _, sheet := range sheetOrder {
		for _, title := range titles[sheet] {
			if !explained[sheet+"/"+title] {
				t.Errorf("说明 does not explain %s/%s", sheet, title)
			}
		}
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	t.Parallel()
	w := setup(t)
	varied(t, w)
	data := export(t, w)
	before := w.Counts(t)
	items := allItems(t, w)

	// Into the same database: nothing changes.
	res, err := importAs(w, "admin", data)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if res != (catalogue.ImportResult{Unchanged: len(items)}) {
		t.Fatalf("re-import of an export: %+v, want %d unchanged", res, len(items))
	}
	if after := w.Counts(t); after != before {
		t.Fatalf("re-import changed the database: %v → %v", before, after)
	}
	if again := allItems(t, w); !reflect.DeepEqual(again, items) {
		t.Fatal("re-import changed items")
	}

	// Into a fresh database with the same departments: the same catalogue.
	// (The fresh demo brings its own catalogue: those items are unchanged.)
	fresh := setup(t)
	had := map[string]catalogue.Item{}
	for _, it := range allItems(t, fresh) {
		had[it.Code] = it
	}
	wantRes := catalogue.ImportResult{}
	for _, it := range items {
		old, ok := had[it.Code]
		switch {
		case !ok:
			wantRes.Created++
		case sameContent(old, it):
			wantRes.Unchanged++
		default:
			wantRes.Updated++
		}
		if !ok {
			old = catalogue.Item{Status: catalogue.InForce}
		}
		if old.Status != it.Status || old.StatusReason != it.StatusReason {
			wantRes.StatusChanged++
		}
	}
	if wantRes.Created < 6 || wantRes.StatusChanged < 3 {
		t.Fatalf("the fresh database already has this test's items: %+v", wantRes)
	}
	res, err = importAs(fresh, "admin", data)
	if err != nil {
		t.Fatalf("import into a fresh database: %v", err)
	}
	if res != wantRes {
		t.Fatalf("fresh import: %+v, want %+v", res, wantRes)
	}
	got := allItems(t, fresh)
	if len(got) != len(items) {
		t.Fatalf("fresh database has %d items, want %d", len(got), len(items))
	}
	for i, a := range items {
		b := got[i]
		if a.Code != b.Code || a.Status != b.Status || a.StatusReason != b.StatusReason || a.DepartmentCode != b.DepartmentCode ||
			a.TypeName != b.TypeName || (a.CancelledOn == nil) != (b.CancelledOn == nil) {
			t.Errorf("item %s: %+v\nwant %+v", a.Code, b, a)
		}
		if !sameContent(a, b) {
			t.Errorf("content of %s:\n got %+v\nwant %+v", a.Code, b.Content, a.Content)
		}
	}
	// And the fresh database exports the same workbook, cell for cell.
	again := open(t, export(t, fresh))
	orig := open(t, data)
	for _, sheet := range sheetOrder {
		x, _ := orig.GetRows(sheet, excelize.Options{RawCellValue: true})
		y, _ := again.GetRows(sheet, excelize.Options{RawCellValue: true})
		if !reflect.DeepEqual(x, y) {
			t.Errorf("sheet %s differs after the round trip", sheet)
		}
	}
}

// sameContent compares items of two databases: department ids belong to
// each database, so departments compare by code.
func sameContent(a, b catalogue.Item) bool {
	ca, cb := a.Content, b.Content
	ca.DepartmentID, cb.DepartmentID = 0, 0
	return a.DepartmentCode == b.DepartmentCode && catalogue.Equal(ca, cb)
}

func TestXLSXImportChanges(t *testing.T) {
	t.Parallel()
	w := setup(t)
	varied(t, w)
	n := len(allItems(t, w))
	data := edit(t, export(t, w), func(f *excelize.File) {
		setCell(t, f, "事项", rowOf(t, f, "事项", "GAJ-T02", 1), "事项名称", "居民身份证换领（到期）")
		r := rowOf(t, f, "事项", "MZJ-T01", 1)
		setCell(t, f, "事项", r, "状态", "暂停")
		setCell(t, f, "事项", r, "状态原因", "婚姻登记系统升级")
		// FGJ-T05 blank status: kept as it is (suspended).
		setCell(t, f, "事项", rowOf(t, f, "事项", "FGJ-T05", 1), "状态", "")
		// A new item, hand-typed, with its lists; the rows of a list need
		// not be in order, 序号 orders them.
		r = appendRow(t, f, "事项", rowOf(t, f, "事项", "SCJGJ-T03", 1), map[string]any{"事项编码": "scjgj-t09", "事项名称": "食品经营许可（变更）",
			"超时默认": "", "超时默认依据": "", "主题": "经营许可，企业开办", "状态": ""})
		_ = r
		appendRow(t, f, "材料", 2, map[string]any{"事项编码": "SCJGJ-T09", "序号": 2, "材料名称": "变更申请书", "必要性": "必要", "形式": "原件"})
		appendRow(t, f, "材料", 2, map[string]any{"事项编码": "SCJGJ-T09", "序号": "1", "材料名称": "食品经营许可证", "必要性": "必要", "形式": "原件"})
		for i, s := range catalogue.DefaultSteps(10) {
			appendRow(t, f, "流程", 2, map[string]any{"事项编码": "SCJGJ-T09", "序号": i + 1, "环节名称": s.Name,
				"办理角色": map[string]string{"clerk": "受理人员", "reviewer": "审核人员", "approver": "首席代表"}[s.Role], "时限（工作日）": s.Days})
		}
		appendRow(t, f, "收费", 2, map[string]any{"事项编码": "SCJGJ-T09", "序号": 1, "收费项目": "证书工本费", "金额（元）": "12.3"})
	})
	res, err := importAs(w, "admin", data)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if want := (catalogue.ImportResult{Created: 1, Updated: 1, Unchanged: n - 1, StatusChanged: 1}); res != want {
		t.Fatalf("result %+v, want %+v", res, want)
	}
	ctx := context.Background()
	it, err := w.Cat.Item(ctx, "GAJ-T02")
	if err != nil || it.Version != 2 || it.Name != "居民身份证换领（到期）" || it.ChangeNote != "名称" {
		t.Fatalf("updated: %+v %v", it, err)
	}
	it, _ = w.Cat.Item(ctx, "MZJ-T01")
	if it.Status != catalogue.Suspended || it.StatusReason != "婚姻登记系统升级" || it.Version != 1 {
		t.Fatalf("status: %+v", it)
	}
	it, _ = w.Cat.Item(ctx, "FGJ-T05")
	if it.Status != catalogue.Suspended {
		t.Fatalf("blank status changed the item: %+v", it)
	}
	it, err = w.Cat.Item(ctx, "SCJGJ-T09")
	if err != nil || it.Name != "食品经营许可（变更）" || it.DeemedApproval || len(it.Materials) != 2 || it.Materials[0].Name != "食品经营许可证" ||
		len(it.Fees) != 1 || it.Fees[0].AmountFen != 1230 || len(it.Steps) != 4 || !reflect.DeepEqual(it.Themes, []string{"经营许可", "企业开办"}) {
		t.Fatalf("created: %+v %v", it, err)
	}
	// Cancelling by import records the day, like SetStatus; cancelling
	// again with another reason keeps the first day.
	data = edit(t, export(t, w), func(f *excelize.File) {
		r := rowOf(t, f, "事项", "SCJGJ-T09", 1)
		setCell(t, f, "事项", r, "状态", "取消")
		setCell(t, f, "事项", r, "状态原因", "重复事项")
	})
	if res, err := importAs(w, "admin", data); err != nil || res.StatusChanged != 1 || res.Updated != 0 {
		t.Fatalf("cancel by import: %+v %v", res, err)
	}
	it, _ = w.Cat.Item(ctx, "SCJGJ-T09")
	if it.Status != catalogue.Cancelled || it.CancelledOn == nil || it.CancelledOn.Day() != 26 {
		t.Fatalf("cancelled by import: %+v", it)
	}
}

// problem is what a test expects of one RowError.
type problem struct {
	sheet  string
	row    int
	column string
	key    string
}

func problemsOf(t testing.TB, err error) ([]problem, *xlsx.ImportError) {
	t.Helper()
	var ie *xlsx.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("want *ImportError, got %v", err)
	}
	var out []problem
	for _, r := range ie.Rows {
		out = append(out, problem{r.Sheet, r.Row, r.Column, r.Msg.Key})
	}
	return out, ie
}

func TestXLSXBrokenRows(t *testing.T) {
	t.Parallel()
	w := setup(t)
	varied(t, w)
	var want []problem
	data := edit(t, export(t, w), func(f *excelize.File) {
		bad := func(sheet string, row int, column, key string, v any) {
			if v != nil {
				setCell(t, f, sheet, row, column, v)
			}
			want = append(want, problem{sheet, row, column, key})
		}
		gaj := rowOf(t, f, "事项", "GAJ-T02", 1)
		// Copies of a clean row first: one repeats a code, one has a bad
		// code (and so no lists: two problems of the row as a whole).
		dup := appendRow(t, f, "事项", gaj, nil)
		bad("事项", dup, "事项编码", "catalogue.xlsx_duplicate_code", nil)
		badCode := appendRow(t, f, "事项", gaj, map[string]any{"事项编码": "gaj t02"})
		bad("事项", badCode, "事项编码", "catalogue.code_format", nil)
		bad("事项", badCode, "", "catalogue.material_needed", nil)
		bad("事项", badCode, "", "catalogue.steps_needed", nil)
		bad("事项", gaj, "网上办理", "catalogue.xlsx_choose", "对")
		bad("事项", gaj, "服务对象", "catalogue.xlsx_choose", "市民")
		mzj := rowOf(t, f, "事项", "MZJ-T01", 1)
		bad("事项", mzj, "实施部门编码", "catalogue.xlsx_unknown_department", "XXX")
		bad("事项", mzj, "事项类型", "catalogue.xlsx_choose", "行政审批")
		food := rowOf(t, f, "事项", "SCJGJ-T03", 1)
		bad("事项", food, "法定时限", "catalogue.xlsx_whole_number", "二十")
		bad("事项", food, "跑动次数", "catalogue.xlsx_whole_number", "1.5")
		bad("事项", food, "超时默认依据", "error.required", "")
		fgj5 := rowOf(t, f, "事项", "FGJ-T05", 1)
		bad("事项", fgj5, "法定时限", "", 3)
		bad("事项", fgj5, "承诺时限", "catalogue.promised_over_statutory", nil)
		fgj6 := rowOf(t, f, "事项", "FGJ-T06", 1)
		bad("事项", fgj6, "状态", "", "取消")
		bad("事项", fgj6, "状态原因", "error.required", "")

		m := appendRow(t, f, "材料", 2, map[string]any{"事项编码": "NOPE-1"})
		bad("材料", m, "事项编码", "catalogue.xlsx_no_such_item", nil)
		r := rowOf(t, f, "材料", "GAJ-T02", 1)
		bad("材料", r, "形式", "catalogue.xlsx_choose", "传真")
		bad("材料", r, "份数", "catalogue.copies_range", 0)
		bad("材料", rowOf(t, f, "材料", "GAJ-T02", 2), "序号", "catalogue.xlsx_seq", "第二")

		bad("收费", rowOf(t, f, "收费", "GAJ-T02", 1), "金额（元）", "catalogue.xlsx_amount", "八十元")
		bad("收费", rowOf(t, f, "收费", "GAJ-T02", 2), "金额（元）", "catalogue.xlsx_amount", "10.505")
		bad("收费", rowOf(t, f, "收费", "GAJ-T02", 3), "收费项目", "error.required", "")

		bad("流程", rowOf(t, f, "流程", "GAJ-T02", 2), "序号", "catalogue.xlsx_duplicate_seq", 1)
		bad("流程", rowOf(t, f, "流程", "GAJ-T02", 3), "办理角色", "catalogue.xlsx_choose", "科长")
		// An immediate item whose steps take days: Validate's rule, put on
		// the first step row of that item.
		bad("流程", rowOf(t, f, "流程", "MZJ-T01", 1), "时限（工作日）", "catalogue.steps_sum", 2)
	})
	// Only rows with a problem are expected: drop the helper entries.
	var expected []problem
	for _, p := range want {
		if p.key != "" {
			expected = append(expected, p)
		}
	}
	before := w.Counts(t)
	itemsBefore := allItems(t, w)
	_, err := importAs(w, "admin", data)
	got, ie := problemsOf(t, err)
	if !sameProblems(got, expected) {
		t.Errorf("problems:\n got %v\nwant %v", got, expected)
	}
	if apperr.CodeOf(err) != apperr.Invalid || apperr.As(err).Msg.Key != "catalogue.xlsx_rejected" || apperr.As(err).Msg.Args["Count"] != len(ie.Rows) {
		t.Errorf("as apperr: %v", apperr.As(err))
	}
	if msg := ie.Error(); !strings.Contains(msg, "nothing imported") || !strings.Contains(msg, "sheet 事项 row") {
		t.Errorf("Error(): %s", msg)
	}
	// Problems come in sheet, row, column order.
	order := map[string]int{"事项": 0, "材料": 1, "收费": 2, "流程": 3}
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		if order[a.sheet] > order[b.sheet] || (a.sheet == b.sheet && a.row > b.row) {
			t.Errorf("out of order: %v before %v", a, b)
		}
	}
	// Messages carry their arguments.
	for _, r := range ie.Rows {
		switch r.Msg.Key {
		case "catalogue.xlsx_duplicate_code":
			if r.Msg.Args["Code"] != "GAJ-T02" || r.Msg.Args["Row"] == nil {
				t.Errorf("duplicate code args: %v", r.Msg.Args)
			}
		case "catalogue.xlsx_unknown_department":
			if r.Msg.Args["Value"] != "XXX" {
				t.Errorf("department args: %v", r.Msg.Args)
			}
		}
	}
	if after := w.Counts(t); after != before {
		t.Fatalf("a refused import changed the database: %v → %v", before, after)
	}
	if !reflect.DeepEqual(allItems(t, w), itemsBefore) {
		t.Fatal("a refused import changed items")
	}
}

// sameProblems compares as sets: the order is checked separately.
func sameProblems(got, want []problem) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[problem]int{}
	for _, p := range got {
		seen[p]++
	}
	for _, p := range want {
		if seen[p]--; seen[p] < 0 {
			return false
		}
	}
	return true
}

func TestXLSXNotAWorkbook(t *testing.T) {
	t.Parallel()
	w := setup(t)
	before := w.Counts(t)
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	fw, _ := zw.Create("readme.txt")
	fmt.Fprint(fw, "not a workbook")
	zw.Close()
	for name, data := range map[string][]byte{
		"empty":     nil,
		"csv":       []byte("事项编码,事项名称\nMZJ-001,结婚登记\n"),
		"fake zip":  []byte("PK\x03\x04 not really a zip"),
		"plain zip": zipped.Bytes(),
	} {
		_, err := importAs(w, "admin", data)
		if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || ae.Msg.Key != "catalogue.xlsx_unreadable" {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A workbook without the sheets.
	_, err := importAs(w, "admin", workbook(t, map[string][][]any{"事项": {header("事项")}}))
	got, _ := problemsOf(t, err)
	want := []problem{{"材料", 0, "", "catalogue.xlsx_sheet_missing"}, {"收费", 0, "", "catalogue.xlsx_sheet_missing"}, {"流程", 0, "", "catalogue.xlsx_sheet_missing"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("missing sheets: %v", got)
	}
	// Missing columns and an empty sheet.
	items := header("事项")
	items = append(items[:11:11], items[12:]...) // no 跑动次数
	_, err = importAs(w, "admin", workbook(t, map[string][][]any{"事项": {items, {"MZJ-T01"}}, "材料": {}, "收费": {header("收费")},
		"流程": {{"事项编码", "序号", "环节名称", "办理角色", "时限(工作日)"}}}))
	got, _ = problemsOf(t, err)
	want = []problem{{"事项", 1, "跑动次数", "catalogue.xlsx_column_missing"}, {"材料", 1, "", "catalogue.xlsx_header_missing"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("missing columns: %v", got)
	}
	if after := w.Counts(t); after != before {
		t.Fatalf("changed the database: %v → %v", before, after)
	}
}

func TestXLSXPermissions(t *testing.T) {
	t.Parallel()
	w := setup(t)
	varied(t, w)
	data := export(t, w)
	for _, u := range []string{"clerk", "township", "supervisor", "leader"} {
		_, err := importAs(w, u, data)
		wantCode(t, err, apperr.Forbidden)
	}
	// A department admin may import their own department's rows only:
	// every other row is reported, and nothing is imported.
	before := w.Counts(t)
	_, err := importAs(w, "deptadmin", data)
	got, _ := problemsOf(t, err)
	f := open(t, data)
	rows, _ := f.GetRows("事项")
	flagged := map[int]bool{}
	for _, p := range got {
		if p.key != "catalogue.xlsx_other_department" || p.sheet != "事项" {
			t.Errorf("unexpected problem %v", p)
		}
		flagged[p.row] = true
	}
	for i, r := range rows[1:] {
		if other := r[3] != "FGJ"; other != flagged[i+2] {
			t.Errorf("row %d (%s of %s): flagged %v", i+2, r[0], r[3], flagged[i+2])
		}
	}
	if after := w.Counts(t); after != before {
		t.Fatalf("changed the database: %v → %v", before, after)
	}
	// Their own rows import; an existing code of another department is
	// not theirs to take over.
	row := func(code, dept string) []any {
		return []any{code, "企业投资项目备案（变更）", "行政备案", dept, "法人", "企业开办", "《企业投资项目核准和备案管理条例》第十三条", "",
			5, 2, "否", 0, "是", "是", "否", "否", "否", "", "", ""}
	}
	steps := [][]any{header("流程"), {"FGJ-T09", 1, "受理", "受理人员", 1}, {"FGJ-T09", 2, "审核", "首席代表", 1},
		{"MZJ-T01", 1, "受理", "受理人员", 1}, {"MZJ-T01", 2, "审核", "首席代表", 1}}
	mats := [][]any{header("材料"), {"FGJ-T09", 1, "项目备案变更申请表", "必要", "", "电子", 1, "是", ""},
		{"MZJ-T01", 1, "项目备案变更申请表", "必要", "", "电子", 1, "是", ""}}
	_, err = importAs(w, "deptadmin", workbook(t, map[string][][]any{"事项": {header("事项"), row("FGJ-T09", "FGJ"), row("MZJ-T01", "FGJ")},
		"材料": mats, "收费": {header("收费")}, "流程": steps}))
	got, _ = problemsOf(t, err)
	if want := []problem{{"事项", 3, "事项编码", "catalogue.xlsx_other_department"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("taking over another department's code: %v", got)
	}
	res, err := importAs(w, "deptadmin", workbook(t, map[string][][]any{"事项": {header("事项"), row("fgj-t09", "fgj")},
		"材料": mats[:2], "收费": {header("收费")}, "流程": steps[:3]}))
	if err != nil || res != (catalogue.ImportResult{Created: 1}) {
		t.Fatalf("own department: %+v %v", res, err)
	}
	it, err := w.Cat.Item(context.Background(), "FGJ-T09")
	if err != nil || it.DepartmentCode != "FGJ" || it.Type != "filing" || it.ChangeNote != "表格导入新增" || it.Materials[0].Form != "electronic" {
		t.Fatalf("imported item: %+v %v", it, err)
	}
}

// bigSteps is a workbook whose 流程 sheet has rows written by row(i) for
// the data rows 2 to last.
func bigSteps(t testing.TB, last int, row func(sw *excelize.StreamWriter, i int) error) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "事项")
	for _, s := range sheetOrder[1:] {
		f.NewSheet(s)
	}
	for _, s := range []string{"事项", "材料", "收费"} {
		h := header(s)
		f.SetSheetRow(s, "A1", &h)
	}
	sw, err := f.NewStreamWriter("流程")
	if err != nil {
		t.Fatal(err)
	}
	sw.SetRow("A1", header("流程"))
	for i := 2; i <= last; i++ {
		if err := row(sw, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	f.WriteTo(&buf)
	return buf.Bytes()
}

func TestXLSXTooLarge(t *testing.T) {
	t.Parallel()
	w := setup(t)
	data := bigSteps(t, xlsx.MaxImportRows+2, func(sw *excelize.StreamWriter, i int) error {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		return sw.SetRow(cell, []any{"MZJ-T01", i - 1, "受理", "受理人员", 0})
	})
	_, err := importAs(w, "admin", data)
	ae := apperr.As(err)
	if ae == nil || ae.Code != apperr.TooLarge || ae.Msg.Key != "catalogue.xlsx_too_many_rows" || ae.Msg.Args["Sheet"] != "流程" || ae.Msg.Args["Max"] != xlsx.MaxImportRows {
		t.Fatalf("too many rows: %v", err)
	}
	// Blank rows do not count: 20,000 rows of data after a gap are fine
	// as far as size goes (they fail as rows of an unknown item).
	data = bigSteps(t, 10, func(sw *excelize.StreamWriter, i int) error {
		cell, _ := excelize.CoordinatesToCellName(1, i*1000)
		return sw.SetRow(cell, []any{"MZJ-T01", i - 1, "受理", "受理人员", 0})
	})
	if _, err := importAs(w, "admin", data); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("sparse rows: %v", err)
	}
	// A small file whose rows reach the last column would make the
	// decoder pad every row to 16,384 cells: refused quickly.
	data = bigSteps(t, xlsx.MaxImportRows, func(sw *excelize.StreamWriter, i int) error {
		cell, _ := excelize.CoordinatesToCellName(16384, i)
		return sw.SetRow(cell, []any{"x"})
	})
	_, err = importAs(w, "admin", data)
	if ae := apperr.As(err); ae == nil || ae.Code != apperr.TooLarge || ae.Msg.Key != "catalogue.xlsx_too_many_cells" {
		t.Fatalf("wide rows: %v", err)
	}
}

// FuzzImportXLSX feeds the importer damaged workbooks: it must answer with
// an error, never panic. The seeds are a valid export and some mutations.
// It runs on a county of two departments and two items, without the demo,
// so that each input costs milliseconds.
func FuzzImportXLSX(f *testing.F) {
	ctx := context.Background()
	db := testutil.NewTestDB(f)
	clock := func() time.Time { return now }
	os := &org.Service{DB: db, Now: clock}
	// An admin of no centre is the installation's first, county-wide.
	root := org.Actor{Username: "root", Name: "root", Role: org.CentreAdmin, Province: true, Address: "192.0.2.1"}
	w := &world{DB: db, Cat: &catalogue.Service{DB: db, Now: clock}, Org: os, Actors: map[string]org.Actor{"admin": root}, Depts: map[string]int64{}}
	for _, d := range []org.DepartmentInput{{Code: "MZJ", Name: "宜章县民政局", ShortName: "民政局", Mode: "seated"},
		{Code: "GAJ", Name: "宜章县公安局", ShortName: "公安局", Mode: "seated"}} {
		dept, err := os.CreateDepartment(ctx, root, d)
		if err != nil {
			f.Fatal(err)
		}
		w.Depts[d.Code] = dept.ID
	}
	c := content(w.Depts["MZJ"])
	c.Themes = []string{"婚姻登记"}
	c.Materials = append(c.Materials, catalogue.Material{Name: "户口簿", Condition: "户籍不在本县的", Form: "copy", Copies: 2})
	c.Fees = []catalogue.Fee{{Name: "工本费", AmountFen: 1050, Basis: "x"}}
	w.Create(f, "MZJ-T01", c)
	w.Create(f, "GAJ-T01", content(w.Depts["GAJ"]))
	if _, err := w.Cat.SetStatus(ctx, root, "GAJ-T01", catalogue.Cancelled, "清理取消"); err != nil {
		f.Fatal(err)
	}
	valid := export(f, w)
	if res, err := xlsx.Import(ctx, w.Cat, root, bytes.NewReader(valid)); err != nil || res.Unchanged != 2 {
		f.Fatalf("the valid seed: %+v %v", res, err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte{})
	f.Add([]byte("PK\x03\x04"))
	flipped := append([]byte(nil), valid...)
	for i := 100; i < len(flipped); i += 997 {
		flipped[i] ^= 0x5a
	}
	f.Add(flipped)
	f.Add(edit(f, valid, func(x *excelize.File) {
		x.SetCellValue("事项", "I2", "1e400")
		x.SetCellValue("事项", "J2", "-9999999999999")
		x.SetCellValue("收费", "D2", "1e300")
		x.SetCellValue("材料", "B2", "0x10")
		x.SetCellValue("材料", "A3", "GAJ-T01")
		x.SetCellValue("流程", "XFD3", "far away")
		x.SetCellValue("流程", "A100000", "MZJ-T01")
		x.DeleteSheet("说明")
	}))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := xlsx.Import(ctx, w.Cat, root, bytes.NewReader(data))
		// The importer turns a decoder panic into an error so a server
		// survives it; the fuzzer must still see it.
		if err != nil && strings.Contains(err.Error(), "decoder panic") {
			t.Fatal(err)
		}
	})
}
