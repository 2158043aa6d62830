package web

import (
	"strconv"
	"strings"

	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/annual"
)

// discView is a report as its pages draw it: the three tables of the
// national format (国办公开办函〔2021〕30号) with labels, the sections and
// what the viewer may do.
type discView struct {
	R           *annual.Report
	Title       string
	Status      string
	Edit        bool // an officer on a draft
	Approve     bool // the head on a draft
	Reopen      bool // the head on an approved report
	Publish     bool // the head on an approved report
	Policy      []discRow
	Decisions   []discRow
	Fees        discCell
	T3          []discRow
	T4          []discCell
	T4Heads     []string
	Fee         string // section 六's fee statement
	Violations  []string
	Adjustments []discAdj
	Options     []discOption
	PublicPath  string
	Printing    bool
}

type discCell struct {
	Key, Value, Computed string
	Adjusted             bool
}

// discRow is a table row. For table 三, Kind says how the national layout
// draws it: "top" (一, 二, 四), "single" ((一), (二), (七)), "item" (a
// numbered row of a group; GroupSpan > 0 on the group's first) or
// "subtotal" (a group's subtotal, on the working page only).
type discRow struct {
	Key, Label, Kind, GroupLabel string
	GroupSpan, ResultsSpan       int
	Cells                        []discCell
	Total                        string
}

type discAdj struct {
	Cell, Computed, Was, Set, Reason, By, At string
}

type discOption struct{ Key, Label string }

// discCell is one cell; the working page marks a hand-adjusted one with
// the counted value, the printed and public report state only the value.
func (p *Page) discCell(rep *annual.Report, key string, printing bool) discCell {
	c := discCell{Key: key, Value: strconv.FormatInt(rep.Cells[key], 10), Computed: strconv.FormatInt(rep.Computed[key], 10)}
	if key == annual.FeesFen {
		c.Value, c.Computed = annual.Wan(rep.Cells[key]), annual.Wan(rep.Computed[key])
	}
	_, c.Adjusted = rep.Adjusted[key]
	c.Adjusted = c.Adjusted && !printing
	return c
}

// discT3Rows are table 三's rows in the national layout, with the group
// subtotals after each group (the print leaves them out, as the format
// does: there they are implied).
func (p *Page) discT3Rows(rep *annual.Report, printing bool) []discRow {
	groupSize := map[disclosure.Group]int{}
	for _, o := range disclosure.OutcomeRows {
		groupSize[o.Group]++
	}
	var rows []discRow
	seen := map[disclosure.Group]bool{}
	for _, key := range annual.T3Rows() {
		row := discRow{Key: key, Label: p.T("disclosure_report.row." + key), Total: strconv.FormatInt(rep.Cells.ColumnTotal(key), 10)}
		switch key {
		case annual.RowNew, annual.RowCarried, annual.RowForward:
			row.Kind = "top"
		case string(disclosure.Disclosed):
			// 三 spans the outcome rows, (七) and (working page) the subtotals.
			row.Kind, row.ResultsSpan = "single", len(disclosure.OutcomeRows)+1
			if !printing {
				row.ResultsSpan += 4
			}
		case string(disclosure.Partial), annual.RowTotal:
			row.Kind = "single"
		default:
			if strings.HasPrefix(key, "g") && len(key) == 2 {
				if printing {
					continue
				}
				row.Kind = "subtotal"
				break
			}
			o, _ := disclosure.Outcome(key).Row()
			row.Kind = "item"
			if !seen[o.Group] {
				seen[o.Group] = true
				row.GroupLabel, row.GroupSpan = p.T("disclosure_report.group."+strconv.Itoa(int(o.Group))), groupSize[o.Group]
			}
		}
		for _, col := range disclosure.ApplicantTypes {
			row.Cells = append(row.Cells, p.discCell(rep, annual.T3(key, col), printing))
		}
		rows = append(rows, row)
	}
	return rows
}

// discCellLabel names a cell for the adjustment form and its history.
func (p *Page) discCellLabel(key string) string {
	parts := strings.Split(key, ".")
	switch {
	case len(parts) == 3 && parts[0] == "t2":
		return p.T("disclosure_report.table2") + " · " + p.T("disclosure_report.t2."+parts[1]) + " · " + p.T("disclosure_report.t2."+parts[2])
	case len(parts) == 2 && parts[0] == "t2":
		return p.T("disclosure_report.table2") + " · " + p.T("disclosure_report.t2."+parts[1])
	case len(parts) == 3 && parts[0] == "t3":
		return p.T("disclosure_report.table3") + " · " + p.T("disclosure_report.col."+parts[2]) + " · " + p.T("disclosure_report.row."+parts[1])
	case len(parts) == 3 && parts[0] == "t4":
		return p.T("disclosure_report.table4") + " · " + p.T("disclosure_report.t4."+parts[1]) + " · " + p.T("disclosure_report.t4."+parts[2])
	}
	return key
}

func (p *Page) discView(rep *annual.Report, adj []annual.AdjustmentRecord, printing bool) *discView {
	v := &discView{R: rep, Status: p.T("disclosure_report.status." + rep.Status), Printing: printing,
		Title: p.T("disclosure_report.doc_title", "Organ", rep.Organ.Name, "Year", rep.Year)}
	officer, head := rep.Access.Acts(disclosure.Officer), rep.Access.Acts(disclosure.Head)
	v.Edit = officer && rep.Status == annual.Draft
	v.Approve = head && rep.Status == annual.Draft
	v.Reopen = head && rep.Status == annual.Approved
	v.Publish = head && rep.Status == annual.Approved
	if rep.Status == annual.Published {
		v.PublicPath = annual.PublicPath(rep.ID)
	}
	for _, k := range annual.PolicyKinds {
		row := discRow{Key: k, Label: p.T("disclosure_report.t2." + k)}
		for _, c := range annual.PolicyCols {
			row.Cells = append(row.Cells, p.discCell(rep, annual.T2(k, c), printing))
		}
		v.Policy = append(v.Policy, row)
	}
	for _, k := range []string{annual.Licensing, annual.Penalty, annual.Enforcement} {
		v.Decisions = append(v.Decisions, discRow{Key: k, Label: p.T("disclosure_report." + k), Cells: []discCell{p.discCell(rep, k, printing)}})
	}
	v.Fees = p.discCell(rep, annual.FeesFen, printing)
	v.T3 = p.discT3Rows(rep, printing)
	for _, k := range annual.AppealKinds {
		for _, c := range annual.T4Cols {
			v.T4 = append(v.T4, p.discCell(rep, annual.T4(k, c), printing))
			v.T4Heads = append(v.T4Heads, p.T("disclosure_report.t4."+c))
		}
	}
	if n := rep.Cells[annual.FeeNotices]; n == 0 && rep.Cells[annual.FeeFen] == 0 {
		v.Fee = p.T("disclosure_report.fee_none")
	} else {
		v.Fee = p.T("disclosure_report.fee", "Notices", n, "Yuan", strconv.FormatFloat(float64(rep.Cells[annual.FeeFen])/100, 'f', 2, 64))
	}
	for _, x := range rep.Violations {
		kv := []any{}
		for k, a := range x.Args {
			kv = append(kv, k, a)
		}
		v.Violations = append(v.Violations, p.T("disclosure_report.check."+x.Rule, kv...))
	}
	for _, a := range adj {
		d := discAdj{Cell: p.discCellLabel(a.Cell), Computed: strconv.FormatInt(a.Computed, 10), Was: strconv.FormatInt(a.Was, 10),
			Set: strconv.FormatInt(a.Set, 10), Reason: a.Reason, By: a.Staff, At: a.At.In(clock.Shanghai).Format("2006-01-02 15:04")}
		if a.Cell == annual.FeesFen {
			d.Computed, d.Was, d.Set = annual.Wan(a.Computed), annual.Wan(a.Was), annual.Wan(a.Set)
		}
		v.Adjustments = append(v.Adjustments, d)
	}
	if v.Edit {
		for _, k := range annual.Keys() {
			if annual.Adjustable(k) {
				v.Options = append(v.Options, discOption{Key: k, Label: p.discCellLabel(k)})
			}
		}
	}
	return v
}
