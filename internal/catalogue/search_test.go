package catalogue_test

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"onestop/internal/catalogue"
)

// TestChineseSearch pins keyword search: the same assertions hold on SQLite
// and PostgreSQL (the suite runs this test on both).
func TestChineseSearch(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	mine := map[string]bool{}
	mk := func(code, dept, name string, themes ...string) {
		c := content(w.Depts[dept])
		c.Name, c.Themes = name, themes
		w.Create(t, code, c)
		mine[code] = true
	}
	mk("MZJ-T01", "MZJ", "结婚登记", "婚姻登记")
	mk("MZJ-T02", "MZJ", "离婚登记", "婚姻登记")
	mk("MZJ-T03", "MZJ", "补领结婚证", "婚姻登记")
	mk("SCJGJ-T04", "SCJGJ", "食品经营许可（新办）", "经营许可")
	mk("SCJGJ-T05", "SCJGJ", "个体工商户设立登记", "企业开办")
	mk("XFJY-T06", "XFJY", "消防安全检查（100%抽查_试点）")
	mk("FGJ-T07", "FGJ", "Wi-Fi Hotspot 备案")

	// search answers the codes of this test's items a query finds, in
	// the order found (the demo may hold items of its own).
	find := func(f catalogue.Filter) []string {
		t.Helper()
		f.Limit = 500
		items, total, err := w.Cat.List(ctx, f)
		if err != nil {
			t.Fatalf("search %+v: %v", f, err)
		}
		if total != len(items) {
			t.Fatalf("search %+v: total %d, %d items", f, total, len(items))
		}
		out := []string{}
		for _, it := range items {
			if mine[it.Code] {
				out = append(out, it.Code)
			}
		}
		return out
	}
	search := func(q string) []string { t.Helper(); return find(catalogue.Filter{Q: q}) }
	set := func(codes ...string) []string { out := append([]string{}, codes...); sort.Strings(out); return out }
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"结婚登记", set("MZJ-T01")},
		{"婚", set("MZJ-T01", "MZJ-T02", "MZJ-T03")},
		{"结婚", set("MZJ-T01", "MZJ-T03")},
		{"登记", set("MZJ-T01", "MZJ-T02", "MZJ-T03", "SCJGJ-T05")}, // 补领结婚证 by its theme 婚姻登记
		{"食品经营", set("SCJGJ-T04")},
		{"（新办）", set("SCJGJ-T04")},
		{"登记 个体", set("SCJGJ-T05")},
		{"个体  登记 ", set("SCJGJ-T05")},
		{"登记 食品", set()},
		{"民政局", set("MZJ-T01", "MZJ-T02", "MZJ-T03")},
		{"市场监督管理局", set("SCJGJ-T04", "SCJGJ-T05")},
		{"市场监管局 食品", set("SCJGJ-T04")},
		{"企业开办", set("SCJGJ-T05")},
		{"MZJ-T02", set("MZJ-T02")},
		{"mzj-t02", set("MZJ-T02")},
		{"Mzj", set("MZJ-T01", "MZJ-T02", "MZJ-T03")},
		{"wi-fi", set("FGJ-T07")},
		{"HOTSPOT", set("FGJ-T07")},
		{"%", set("XFJY-T06")},
		{"_", set("XFJY-T06")},
		{"100%", set("XFJY-T06")},
		{"0%抽", set("XFJY-T06")},
		{"抽查_试点", set("XFJY-T06")},
		{`\`, set()},
		{"'", set()},
		{"宇宙飞船驾驶证", set()},
	} {
		got := search(tc.q)
		sort.Strings(got)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("search %q: got %v, want %v", tc.q, got, tc.want)
		}
	}
	// Names that start with the first word come first.
	if got := search("结婚"); !reflect.DeepEqual(got, []string{"MZJ-T01", "MZJ-T03"}) {
		t.Errorf("order of 结婚: %v", got)
	}
	// A query of nothing but spaces lists everything in force.
	all, _, err := w.Cat.List(ctx, catalogue.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	spaces, _, err := w.Cat.List(ctx, catalogue.Filter{Q: " \u3000 ", Limit: 500})
	if err != nil || len(spaces) != len(all) {
		t.Fatalf("blank query: %d items, %v; want %d", len(spaces), err, len(all))
	}
	// An absurdly long word is cut, not sent to the database whole.
	if _, _, err := w.Cat.List(ctx, catalogue.Filter{Q: strings.Repeat("婚", 5000)}); err != nil {
		t.Fatal(err)
	}
	// Search combines with the other filters, and cancelled items need
	// their status asked for.
	if _, err := w.Cat.SetStatus(ctx, w.Actors["admin"], "MZJ-T02", catalogue.Cancelled, "清理取消"); err != nil {
		t.Fatal(err)
	}
	if got := search("婚"); !reflect.DeepEqual(set(got...), set("MZJ-T01", "MZJ-T03")) {
		t.Errorf("after cancelling: %v", got)
	}
	if got := find(catalogue.Filter{Q: "离婚", Status: "all"}); !reflect.DeepEqual(got, []string{"MZJ-T02"}) {
		t.Errorf("cancelled item with status all: %v", got)
	}
	if got := find(catalogue.Filter{Q: "离婚", Status: catalogue.Cancelled}); !reflect.DeepEqual(got, []string{"MZJ-T02"}) {
		t.Errorf("cancelled item with status cancelled: %v", got)
	}
	if got := find(catalogue.Filter{Q: "登记", DepartmentID: w.Depts["SCJGJ"]}); !reflect.DeepEqual(got, []string{"SCJGJ-T05"}) {
		t.Errorf("department filter: %v", got)
	}
	if got := find(catalogue.Filter{Theme: "婚姻登记"}); !reflect.DeepEqual(set(got...), set("MZJ-T01", "MZJ-T03")) {
		t.Errorf("theme filter: %v", got)
	}
	if got := find(catalogue.Filter{Q: "mzj", Type: "confirmation"}); len(got) != 0 {
		t.Errorf("type filter: %v", got)
	}
	// Paging: limit and offset over a stable order, total unaffected.
	page1, total, err := w.Cat.List(ctx, catalogue.Filter{Q: "婚", Limit: 1})
	if err != nil || len(page1) != 1 || total < 2 {
		t.Fatalf("page 1: %v %d %v", page1, total, err)
	}
	page2, total2, err := w.Cat.List(ctx, catalogue.Filter{Q: "婚", Limit: 1, Offset: 1})
	if err != nil || len(page2) != 1 || total2 != total || page2[0].Code == page1[0].Code {
		t.Fatalf("page 2: %v %d %v", page2, total2, err)
	}
}

// TestListPages: pages of any size, read one after another, give the same
// items in the same order as one long page (the page's ids are sorted
// first and its content fetched after), and a page past the end still
// says how many there are.
func TestListPages(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	for _, q := range []string{"", "登记"} {
		all, total, err := w.Cat.List(ctx, catalogue.Filter{Q: q, Limit: 500})
		if err != nil || total != len(all) || total < 30 {
			t.Fatalf("q=%q: %d of %d, %v", q, len(all), total, err)
		}
		var paged []string
		for off := 0; off < total; off += 7 {
			page, n, err := w.Cat.List(ctx, catalogue.Filter{Q: q, Limit: 7, Offset: off})
			if err != nil || n != total {
				t.Fatalf("q=%q offset %d: total %d, %v", q, off, n, err)
			}
			for _, it := range page {
				if it.Code == "" || it.Name == "" || len(it.Steps) == 0 {
					t.Fatalf("q=%q offset %d: item without content: %+v", q, off, it)
				}
				paged = append(paged, it.Code)
			}
		}
		var want []string
		for _, it := range all {
			want = append(want, it.Code)
		}
		if !reflect.DeepEqual(paged, want) {
			t.Fatalf("q=%q: paged order differs from one page", q)
		}
		past, n, err := w.Cat.List(ctx, catalogue.Filter{Q: q, Limit: 10, Offset: total + 5})
		if err != nil || len(past) != 0 || n != total {
			t.Fatalf("q=%q past the end: %d items, total %d (want %d), %v", q, len(past), n, total, err)
		}
	}
	none, n, err := w.Cat.List(ctx, catalogue.Filter{Q: "没有这样的事项"})
	if err != nil || len(none) != 0 || n != 0 {
		t.Fatalf("no match: %d items, total %d, %v", len(none), n, err)
	}
}
