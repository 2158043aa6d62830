package web

import (
	"net/http"
	"strconv"

	"github.com/xuri/excelize/v2"

	"onestop/internal/disclosure"
	"onestop/internal/disclosure/annual"
)

// The report's outputs: the printable page in the national layout, the
// public page of a published report (the same layout, no sign-in) and
// the workbook.

func (s *Server) discReportPrint(w http.ResponseWriter, r *http.Request) error {
	id, err := discReportID(r)
	if err != nil {
		return err
	}
	p := s.page(r, "disclosure_report.title")
	if err := s.discReportOn(r, p, id, true); err != nil {
		return err
	}
	return s.render(w, r, "disclosure_report_print", p)
}

// discReportPublic is a published report for everyone; any other report
// is not found.
func (s *Server) discReportPublic(w http.ResponseWriter, r *http.Request) error {
	id, err := discReportID(r)
	if err != nil {
		return err
	}
	rep, err := s.DisclosureReports.Public(r.Context(), id)
	if err != nil {
		return err
	}
	p := s.page(r, "disclosure_report.title")
	v := p.discView(rep, nil, true)
	p.Title, p.Data = v.Title, v
	return s.render(w, r, "disclosure_report_print", p)
}

// discReportExport is the report's tables as a workbook, one sheet per
// table, laid out as the format draws them (merged headings), the same
// figures as the page.
func (s *Server) discReportExport(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.discReportOf(r)
	if err != nil {
		return err
	}
	p := s.page(r, "disclosure_report.title")
	v := p.discView(rep, nil, true)
	f := excelize.NewFile()
	defer f.Close()
	t := func(key string) string { return p.T(key) }
	num := func(c discCell) any {
		if n, err := strconv.ParseInt(c.Value, 10, 64); err == nil {
			return n
		}
		if x, err := strconv.ParseFloat(c.Value, 64); err == nil {
			return x
		}
		return c.Value
	}
	type sheet struct {
		name   string
		rows   [][]any
		merges [][2]string
	}
	// Table 二.
	t2 := sheet{name: t("disclosure_report.table2")}
	t2.rows = append(t2.rows, []any{v.Title}, []any{t("disclosure_report.s2")},
		[]any{t("disclosure_report.t2.art1")},
		[]any{t("disclosure_report.t2.content"), t("disclosure_report.t2.issued"), t("disclosure_report.t2.repealed"), t("disclosure_report.t2.in_force")})
	for _, row := range v.Policy {
		t2.rows = append(t2.rows, []any{row.Label, num(row.Cells[0]), num(row.Cells[1]), num(row.Cells[2])})
	}
	section := func(art, head string, rows ...discRow) {
		t2.rows = append(t2.rows, []any{t(art)}, []any{t("disclosure_report.t2.content"), t(head)})
		n := len(t2.rows)
		t2.merges = append(t2.merges, [2]string{xlsxCell(2, n), xlsxCell(4, n)})
		for _, row := range rows {
			t2.rows = append(t2.rows, []any{row.Label, num(row.Cells[0])})
			t2.merges = append(t2.merges, [2]string{xlsxCell(2, len(t2.rows)), xlsxCell(4, len(t2.rows))})
		}
	}
	section("disclosure_report.t2.art5", "disclosure_report.t2.decisions", v.Decisions[0])
	section("disclosure_report.t2.art6", "disclosure_report.t2.decisions", v.Decisions[1:]...)
	section("disclosure_report.t2.art8", "disclosure_report.t2.fees", discRow{Label: t("disclosure_report.t2.fees_fen"), Cells: []discCell{v.Fees}})
	// Table 三: three heading rows, then a label in column A (一, 二,
	// 三, 四), B (the groups) and C (their numbered rows), values from D.
	t3 := sheet{name: t("disclosure_report.table3")}
	head1 := []any{t("disclosure_report.t3.note"), "", "", t("disclosure_report.t3.applicants")}
	head2 := []any{"", "", "", t("disclosure_report.col.person"), t("disclosure_report.t3.orgs"), "", "", "", "", t("disclosure_report.col.total")}
	head3 := []any{"", "", "", ""}
	for _, col := range disclosure.ApplicantTypes[1:] {
		head3 = append(head3, t("disclosure_report.col."+string(col)))
	}
	t3.rows = [][]any{{v.Title}, {t("disclosure_report.s3")}, head1, head2, head3}
	t3.merges = [][2]string{{"A3", "C5"}, {"D3", "J3"}, {"D4", "D5"}, {"E4", "I4"}, {"J4", "J5"}}
	for _, row := range v.T3 {
		line := []any{"", "", ""}
		switch row.Kind {
		case "top":
			line[0] = row.Label
		case "single":
			line[1] = row.Label
		case "item":
			line[1], line[2] = row.GroupLabel, row.Label
		}
		if row.ResultsSpan > 0 {
			line[0] = t("disclosure_report.t3.results")
		}
		for _, c := range row.Cells {
			line = append(line, num(c))
		}
		total, _ := strconv.ParseInt(row.Total, 10, 64)
		t3.rows = append(t3.rows, append(line, total))
	}
	// Table 四: one row of fifteen figures under three headings.
	t4 := sheet{name: t("disclosure_report.table4")}
	h1 := []any{t("disclosure_report.t4.review"), "", "", "", "", t("disclosure_report.t4.suit")}
	h2 := []any{"", "", "", "", "", t("disclosure_report.t4.suit_direct"), "", "", "", "", t("disclosure_report.t4.suit_after_review")}
	var h3, vals []any
	for i, c := range v.T4 {
		h3 = append(h3, t("disclosure_report.t4."+annual.T4Cols[i%len(annual.T4Cols)]))
		vals = append(vals, num(c))
	}
	t4.rows = [][]any{{v.Title}, {t("disclosure_report.s4")}, h1, h2, h3, vals}
	t4.merges = [][2]string{{"A3", "E4"}, {"F3", "O3"}, {"F4", "J4"}, {"K4", "O4"}}
	for i, sh := range []sheet{t2, t3, t4} {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		for j, cells := range sh.rows {
			if err := f.SetSheetRow(sh.name, xlsxCell(1, j+1), &cells); err != nil {
				return err
			}
		}
		for _, m := range sh.merges {
			if err := f.MergeCell(sh.name, m[0], m[1]); err != nil {
				return err
			}
		}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="disclosure-report-`+strconv.Itoa(rep.Year)+`-`+itoa(rep.Organ.ID)+`.xlsx"`)
	return f.Write(w)
}

func xlsxCell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}
