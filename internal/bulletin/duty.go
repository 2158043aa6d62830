package bulletin

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"onestop/internal/duty"
)

// DutyRow is one department's leaders' window duty in a month's bulletin
// (一把手窗口值守, issue 15 §3; docs/DOMAIN.md §25): the figures and the red
// mark, not the head's name — a published bulletin carries no personal
// data, and the department is what the bulletin ranks.
type DutyRow struct {
	Department string `json:"department"`
	Required   int    `json:"required"`
	Scheduled  int    `json:"scheduled"`
	Recorded   int    `json:"recorded"`
	Short      bool   `json:"short"`
}

// DutyRows is a month's duty (duty.Month) as the bulletin shows it.
func DutyRows(ms []duty.DepartmentMonth) []DutyRow {
	out := make([]DutyRow, len(ms))
	for i, m := range ms {
		out[i] = DutyRow{Department: m.DepartmentName, Required: m.Required, Scheduled: m.Scheduled, Recorded: m.Recorded, Short: m.Short}
	}
	return out
}

// DutyLabels are the duty sheet's words in the reader's language.
type DutyLabels struct {
	Sheet   string
	Heading string
	// Header gives the column headers: department, required, scheduled,
	// recorded, short.
	Header func(key string) string
	Short  string // the red mark's word (不足)
}

// dutySheet adds the month's duty table as its own sheet, a short row
// filled red as on the page.
func dutySheet(f *excelize.File, rows []DutyRow, l DutyLabels) error {
	sh := l.Sheet
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	red, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "9C0006"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}})
	if err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	if err := f.SetCellValue(sh, "A1", l.Heading); err != nil {
		return err
	}
	keys := []string{"department", "required", "scheduled", "recorded", "short"}
	for i, k := range keys {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		if err := f.SetCellValue(sh, cell, l.Header(k)); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, "A2", "E2", header); err != nil {
		return err
	}
	for i, r := range rows {
		n := i + 3
		mark := ""
		if r.Short {
			mark = l.Short
		}
		for j, v := range []any{r.Department, r.Required, r.Scheduled, r.Recorded, mark} {
			cell, _ := excelize.CoordinatesToCellName(j+1, n)
			if err := f.SetCellValue(sh, cell, v); err != nil {
				return err
			}
		}
		if r.Short {
			if err := f.SetCellStyle(sh, fmt.Sprintf("A%d", n), fmt.Sprintf("E%d", n), red); err != nil {
				return err
			}
		}
	}
	return f.SetColWidth(sh, "A", "A", 28)
}
