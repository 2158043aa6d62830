package bulletin

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"onestop/internal/tally"
)

// Labels are the workbook's words in the reader's language.
type Labels struct {
	Sheet   string
	Heading string // the bulletin's title and period, the first row
	Name    string // the group column's header (部门, 中心 …)
	County  string // the county column's header, when shown
	Total   string
	Header  func(key string) string // a Column's header
	// Queue, when set, adds the queue's figures as a second sheet.
	Queue *QueueSheet
}

// QueueSheet is the queue's table in the workbook with its words: one row
// per department, then one per window (with its department), then the
// total; mean times in minutes.
type QueueSheet struct {
	Figures                          *Queue
	Sheet, Department, Window, Total string
	Header                           func(key string) string // a QueueColumn's header
}

// Workbook writes the bulletin as one sheet: the heading, the headers,
// one row per group and the total, with the same figures as the page
// (shares as numbers formatted 0.0%, so a spreadsheet can sum them).
func Workbook(w io.Writer, b *tally.Report, withCounty bool, l Labels) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", l.Sheet); err != nil {
		return err
	}
	sh := l.Sheet
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	if err != nil {
		return err
	}
	pct, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.0%")})
	if err != nil {
		return err
	}
	days, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.0")})
	if err != nil {
		return err
	}
	points, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr(`+0.0%;-0.0%;0.0%`)})
	if err != nil {
		return err
	}
	if err := f.SetCellValue(sh, "A1", l.Heading); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, "A1", "A1", bold); err != nil {
		return err
	}
	heads := []string{l.Name}
	if withCounty {
		heads = append(heads, l.County)
	}
	lead := len(heads)
	for _, c := range Columns {
		heads = append(heads, l.Header(c.Key))
	}
	for i, h := range heads {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		if err := f.SetCellValue(sh, cell, h); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(heads), 2)
	if err := f.SetCellStyle(sh, "A2", last, header); err != nil {
		return err
	}
	row := 3
	put := func(r tally.Row, name string, total bool) error {
		vals := []any{name}
		if withCounty {
			vals = append(vals, r.County)
		}
		for _, c := range Columns {
			if v, ok := c.Value(r); ok && !(total && c.Key == "rank") {
				vals = append(vals, v)
			} else {
				vals = append(vals, "—")
			}
		}
		for i, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			if err := f.SetCellValue(sh, cell, v); err != nil {
				return err
			}
			if i < lead {
				continue
			}
			st := 0
			switch Columns[i-lead].Unit {
			case Share:
				st = pct
			case Days:
				st = days
			case Points:
				st = points
			}
			if _, isNum := v.(float64); st != 0 && isNum {
				if err := f.SetCellStyle(sh, cell, cell, st); err != nil {
					return err
				}
			}
		}
		row++
		return nil
	}
	for _, r := range b.Items {
		if err := put(r, r.Name, false); err != nil {
			return err
		}
	}
	if err := put(b.Total, l.Total, true); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "A", "A", 28); err != nil {
		return err
	}
	end, _ := excelize.ColumnNumberToName(len(heads))
	if err := f.SetColWidth(sh, "B", end, 11); err != nil {
		return err
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 2, TopLeftCell: "B3", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if l.Queue != nil && l.Queue.Figures != nil {
		if err := queueSheet(f, l.Heading, l.Queue, header, days); err != nil {
			return err
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("bulletin workbook: %w", err)
	}
	return nil
}

// queueSheet writes the queue's table: columns kind (department or
// window), name, department, then QueueColumns.
func queueSheet(f *excelize.File, heading string, q *QueueSheet, header, minutes int) error {
	sh := q.Sheet
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	if err := f.SetCellValue(sh, "A1", heading); err != nil {
		return err
	}
	heads := []string{q.Department, q.Window}
	for _, c := range QueueColumns {
		heads = append(heads, q.Header(c.Key))
	}
	if err := f.SetSheetRow(sh, "A2", &heads); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(heads), 2)
	if err := f.SetCellStyle(sh, "A2", last, header); err != nil {
		return err
	}
	row := 3
	put := func(dept, window string, r QueueRow) error {
		vals := []any{dept, window}
		for _, c := range QueueColumns {
			if v, ok := c.Value(r); ok {
				vals = append(vals, v)
			} else {
				vals = append(vals, "—")
			}
		}
		start, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(sh, start, &vals); err != nil {
			return err
		}
		for i, c := range QueueColumns {
			if _, isNum := vals[i+2].(float64); isNum && c.Unit == Minutes {
				cell, _ := excelize.CoordinatesToCellName(i+3, row)
				if err := f.SetCellStyle(sh, cell, cell, minutes); err != nil {
					return err
				}
			}
		}
		row++
		return nil
	}
	for _, r := range q.Figures.Departments {
		if err := put(r.Name, "", r); err != nil {
			return err
		}
	}
	for _, r := range q.Figures.Windows {
		if err := put(r.Department, r.Name, r); err != nil {
			return err
		}
	}
	if err := put(q.Total, "", q.Figures.Total); err != nil {
		return err
	}
	return f.SetColWidth(sh, "A", "B", 20)
}

func ptr[T any](v T) *T { return &v }
