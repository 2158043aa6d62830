package xlsx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"onestop/internal/catalogue"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"onestop/internal/apperr"
	"onestop/internal/org"
)

// RowError is one problem of an import, placed where the person who filled
// the workbook will look for it.
type RowError struct {
	Sheet  string     `json:"sheet"`
	Row    int        `json:"row"`    // as Excel numbers it, the header being 1; 0: the sheet as a whole
	Column string     `json:"column"` // the column title; "": the row as a whole
	Msg    apperr.Msg `json:"message"`
}

func (r RowError) String() string {
	var b strings.Builder
	b.WriteString("sheet " + r.Sheet)
	if r.Row > 0 {
		fmt.Fprintf(&b, " row %d", r.Row)
	}
	if r.Column != "" {
		b.WriteString(" column " + r.Column)
	}
	b.WriteString(": " + r.Msg.Key)
	keys := make([]string, 0, len(r.Msg.Args))
	for k := range r.Msg.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, r.Msg.Args[k])
	}
	return b.String()
}

// ImportError lists every problem of a refused import; nothing was
// imported. Rows are in sheet, row and column order.
type ImportError struct {
	Rows []RowError
}

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "catalogue import refused, nothing imported: %d problem(s)", len(e.Rows))
	for i, r := range e.Rows {
		if i == 20 {
			fmt.Fprintf(&b, "; and %d more", len(e.Rows)-i)
			break
		}
		b.WriteString("; " + r.String())
	}
	return b.String()
}

// Unwrap lets code that knows only apperr treat the refusal as invalid
// input with a translatable summary.
func (e *ImportError) Unwrap() error {
	return &apperr.Error{Code: apperr.Invalid, Msg: apperr.M("catalogue.xlsx_rejected", "Count", len(e.Rows))}
}

// importUnzipLimit bounds what an upload may unpack to: a zip bomb of a few
// megabytes would otherwise unpack to gigabytes in memory or temp files.
const importUnzipLimit = 128 << 20

// maxSheetCells bounds the cells read from one sheet. The decoder pads a
// row up to its last cell, so a small file with one cell in column XFD on
// each of 20,000 rows would cost 300 million cells (seconds of CPU and
// gigabytes of garbage); real sheets have some twenty columns.
const maxSheetCells = (MaxImportRows + 1) * 64

// Import reads a workbook in the layout of Export and applies it through
// the catalogue in one transaction: new codes are created, existing codes
// get a new version when their content changed, and the 状态 column sets
// the status. It is all or nothing: if any row is wrong nothing is
// imported and the *ImportError lists every wrong row. The county hall's
// admin may import any department's items, a department admin only their
// own; the caller limits the size of r.
func Import(ctx context.Context, s *catalogue.Service, a org.Actor, r io.Reader) (catalogue.ImportResult, error) {
	all := a.Role == org.CentreAdmin && a.CountyWide()
	if !all && a.Role != org.DeptAdmin {
		return catalogue.ImportResult{}, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	ref, err := importRefs(ctx, s, a, all)
	if err != nil {
		return catalogue.ImportResult{}, err
	}
	items, err := parseWorkbook(r, ref)
	if err != nil {
		return catalogue.ImportResult{}, err
	}
	in := make([]catalogue.Imported, len(items))
	for i, it := range items {
		in[i] = catalogue.Imported{Code: it.code, Content: it.c, Status: it.status, Reason: it.reason}
	}
	return s.Import(ctx, a, in, func(i int, err error) error { return items[i].locate(err) })
}

// importRef is what the rows are checked against, read once.
type importRef struct {
	actor     org.Actor
	all       bool              // may import every department's items
	types     map[string]string // type name and code → code
	typeNames string            // for the message listing the allowed types
	depts     map[string]int64  // department code → id, departments in use
	deptCodes map[int64]string
	existing  map[string]int64 // item code → its department
}

func importRefs(ctx context.Context, s *catalogue.Service, a org.Actor, all bool) (*importRef, error) {
	ref := &importRef{actor: a, all: all, types: map[string]string{}, depts: map[string]int64{}, deptCodes: map[int64]string{}, existing: map[string]int64{}}
	types, err := s.Types(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, t := range types {
		ref.types[t.Name], ref.types[t.Code] = t.Code, t.Code
		names = append(names, t.Name)
	}
	ref.typeNames = strings.Join(names, themeSep)
	depts, err := activeDepartments(ctx, s)
	if err != nil {
		return nil, err
	}
	for _, d := range depts {
		ref.depts[strings.ToUpper(d.Code)] = d.ID
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT i.code, i.department_id, d.code FROM items i JOIN departments d ON d.id = i.department_id`)
	if err != nil {
		return nil, fmt.Errorf("import: items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, deptCode string
		var dept int64
		if err := rows.Scan(&code, &dept, &deptCode); err != nil {
			return nil, err
		}
		ref.existing[code], ref.deptCodes[dept] = dept, deptCode
	}
	return ref, rows.Err()
}

// importItem is one row of the 事项 sheet with its lists, as parsed.
type importItem struct {
	row    int
	code   string
	c      catalogue.Content
	status string // "": keep an existing item's status (a new one is in force)
	reason string
	// The rows the lists came from, in content order, so problems that
	// Validate names by position ("materials.2.name") land on their row.
	materialRows, feeRows, stepRows []int
	p                               *problems
}

// locate turns an error of create or update into an ImportError at the
// item's rows; other errors pass through.
func (it *importItem) locate(err error) error {
	ae := apperr.As(err)
	if ae == nil {
		return err
	}
	p := &problems{}
	if len(ae.Fields) == 0 {
		p.add(SheetItems, it.row, "", ae.Msg.Key, argList(ae.Msg.Args)...)
	}
	it.p = p
	it.fieldProblems(ae.Fields)
	return p.err()
}

func argList(args map[string]any) []any {
	var kv []any
	for k, v := range args {
		kv = append(kv, k, v)
	}
	return kv
}

// fieldProblems places Validate's field errors ("fees.1.amount_fen") on
// the sheet, row and column they came from.
func (it *importItem) fieldProblems(fields map[string]apperr.Msg) {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		m := fields[name]
		kv := argList(m.Args)
		parts := strings.Split(name, ".")
		if len(parts) == 3 {
			n, _ := strconv.Atoi(parts[1])
			if spec, rows, col := it.listColumn(parts[0], parts[2]); spec != nil && n >= 1 && n <= len(rows) {
				it.p.add(spec.name, rows[n-1], col, m.Key, kv...)
				continue
			}
		}
		switch name {
		case "steps":
			if len(it.stepRows) > 0 {
				it.p.add(SheetSteps, it.stepRows[0], stepSheet.cols[sxDays].title, m.Key, kv...)
				continue
			}
		case "materials":
			if len(it.materialRows) > 0 {
				it.p.add(SheetMaterials, it.materialRows[0], materialSheet.cols[mxRequired].title, m.Key, kv...)
				continue
			}
		}
		col := ""
		if i, ok := itemFieldColumn[name]; ok {
			col = itemSheet.cols[i].title
		}
		it.p.add(SheetItems, it.row, col, m.Key, kv...)
	}
}

var itemFieldColumn = map[string]int{"code": ixCode, "name": ixName, "type": ixType, "department_id": ixDept, "audience": ixAudience,
	"themes": ixThemes, "legal_basis": ixBasis, "conditions": ixConditions, "statutory_days": ixStatutory, "promised_days": ixPromised,
	"immediate": ixImmediate, "visits": ixVisits, "channels": ixOnline, "deemed_approval": ixDeemed, "deemed_note": ixDeemedNote,
	"status": ixStatus, "reason": ixStatusReason}

func (it *importItem) listColumn(list, field string) (*sheetSpec, []int, string) {
	var spec *sheetSpec
	var rows []int
	var col int
	switch list {
	case "materials":
		spec, rows = &materialSheet, it.materialRows
		col = map[string]int{"name": mxName, "condition": mxCondition, "notes": mxNotes, "form": mxForm, "copies": mxCopies}[field]
	case "fees":
		spec, rows = &feeSheet, it.feeRows
		col = map[string]int{"name": fxName, "basis": fxBasis, "amount_fen": fxAmount}[field]
	case "steps":
		spec, rows = &stepSheet, it.stepRows
		col = map[string]int{"name": sxName, "role": sxRole, "days": sxDays}[field]
	default:
		return nil, nil, ""
	}
	if col == 0 { // every known field is past the code column
		return spec, rows, ""
	}
	return spec, rows, spec.cols[col].title
}

// problems collects an import's problems; the first problem of a cell is
// the one reported, so a cell that is not a number does not also get the
// range error its zero value would cause.
type problems struct {
	list []RowError
	seen map[[3]string]bool
}

func (p *problems) add(sheet string, row int, column, key string, kv ...any) {
	k := [3]string{sheet, strconv.Itoa(row), column}
	if column != "" && p.seen[k] {
		return
	}
	if p.seen == nil {
		p.seen = map[[3]string]bool{}
	}
	p.seen[k] = true
	p.list = append(p.list, RowError{Sheet: sheet, Row: row, Column: column, Msg: apperr.M(key, kv...)})
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	order := map[string]int{}
	for i, s := range dataSheets {
		order[s.name] = i
	}
	colIndex := func(r RowError) int {
		if i, ok := order[r.Sheet]; ok {
			return dataSheets[i].column(r.Column)
		}
		return -1
	}
	sort.SliceStable(p.list, func(i, j int) bool {
		a, b := p.list[i], p.list[j]
		if order[a.Sheet] != order[b.Sheet] {
			return order[a.Sheet] < order[b.Sheet]
		}
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return colIndex(a) < colIndex(b)
	})
	return &ImportError{Rows: p.list}
}

func unreadable(err error) error {
	return &apperr.Error{Code: apperr.Invalid, Msg: apperr.M("catalogue.xlsx_unreadable"), Err: err}
}

// parseWorkbook reads and checks every row without touching the database.
func parseWorkbook(r io.Reader, ref *importRef) (items []*importItem, err error) {
	// excelize is a large decoder of untrusted input; a bug in it must end
	// as a refused upload, not a crashed server.
	defer func() {
		if v := recover(); v != nil {
			items, err = nil, unreadable(fmt.Errorf("xlsx decoder panic: %v", v))
		}
	}()
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: importUnzipLimit})
	if err != nil {
		return nil, unreadable(err)
	}
	defer f.Close()
	p := &problems{}
	tables := map[*sheetSpec][]tableRow{}
	present := map[*sheetSpec]bool{}
	for _, spec := range dataSheets {
		rows, ok, err := readSheet(f, spec, p)
		if err != nil {
			return nil, err
		}
		tables[spec], present[spec] = rows, ok
	}
	ps := &parser{ref: ref, p: p, byCode: map[string]*importItem{}}
	for _, row := range tables[&itemSheet] {
		ps.item(row)
	}
	// Without a readable 事项 sheet every list row would point at an
	// unknown item; the sheet's own problem says enough.
	known := present[&itemSheet]
	lists := map[string]*itemLists{}
	ps.lists = lists
	for _, row := range tables[&materialSheet] {
		ps.material(row, known)
	}
	for _, row := range tables[&feeSheet] {
		ps.fee(row, known)
	}
	for _, row := range tables[&stepSheet] {
		ps.step(row, known)
	}
	for _, it := range ps.items {
		ps.assemble(it)
		c, err := it.c.Validate(it.c.Type != "", it.c.DepartmentID != 0)
		if ae := apperr.As(err); ae != nil {
			it.fieldProblems(ae.Fields)
		} else if err != nil {
			return nil, err
		}
		it.c = c
		if it.status != "" {
			f := apperr.Fields{}
			it.reason = catalogue.CheckStatus(f, it.status, it.reason)
			it.fieldProblems(f)
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return ps.items, nil
}

type tableRow struct {
	n     int      // the row number Excel shows
	cells []string // by the spec's column order, trimmed
}

// readSheet reads a sheet's data rows by the titles of its header row. It
// reports false when the sheet or its header cannot be used.
func readSheet(f *excelize.File, spec *sheetSpec, p *problems) ([]tableRow, bool, error) {
	rows, err := f.Rows(spec.name)
	var missing excelize.ErrSheetNotExist
	if errors.As(err, &missing) {
		p.add(spec.name, 0, "", "catalogue.xlsx_sheet_missing", "Sheet", spec.name)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, unreadable(err)
	}
	defer rows.Close()
	pos := make([]int, len(spec.cols))
	var out []tableRow
	n, read := 0, 0
	for rows.Next() {
		n++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, false, unreadable(fmt.Errorf("sheet %s row %d: %w", spec.name, n, err))
		}
		if read += len(cells); read > maxSheetCells {
			return nil, false, &apperr.Error{Code: apperr.TooLarge, Msg: apperr.M("catalogue.xlsx_too_many_cells", "Sheet", spec.name)}
		}
		if n == 1 {
			if !header(spec, cells, pos, p) {
				return nil, false, nil
			}
			continue
		}
		row := tableRow{n: n, cells: make([]string, len(spec.cols))}
		blank := true
		for i, at := range pos {
			if at < len(cells) {
				row.cells[i] = strings.TrimSpace(cells[at])
			}
			blank = blank && row.cells[i] == ""
		}
		if blank {
			continue
		}
		if len(out) == MaxImportRows {
			return nil, false, &apperr.Error{Code: apperr.TooLarge, Msg: apperr.M("catalogue.xlsx_too_many_rows", "Sheet", spec.name, "Max", MaxImportRows)}
		}
		out = append(out, row)
	}
	if err := rows.Error(); err != nil {
		return nil, false, unreadable(fmt.Errorf("sheet %s: %w", spec.name, err))
	}
	if n == 0 {
		header(spec, nil, pos, p)
		return nil, false, nil
	}
	return out, true, nil
}

// header finds each column's position by its title; ASCII brackets and
// stray spaces are forgiven, since people retype titles.
func header(spec *sheetSpec, cells []string, pos []int, p *problems) bool {
	norm := strings.NewReplacer("(", "（", ")", "）", " ", "", "\u3000", "")
	at := map[string]int{}
	for i, c := range cells {
		t := norm.Replace(strings.TrimSpace(c))
		if _, dup := at[t]; !dup && t != "" {
			at[t] = i
		}
	}
	found := 0
	for i, c := range spec.cols {
		pos[i] = -1
		if j, ok := at[c.title]; ok {
			pos[i] = j
			found++
		}
	}
	if found == 0 {
		p.add(spec.name, 1, "", "catalogue.xlsx_header_missing", "Sheet", spec.name)
		return false
	}
	for i, c := range spec.cols {
		if pos[i] < 0 {
			p.add(spec.name, 1, c.title, "catalogue.xlsx_column_missing", "Column", c.title)
		}
	}
	return found == len(spec.cols)
}

type parser struct {
	ref    *importRef
	p      *problems
	items  []*importItem
	byCode map[string]*importItem
	lists  map[string]*itemLists
}

type listEntry[T any] struct {
	seq, row int
	v        T
}

type itemLists struct {
	materials []listEntry[catalogue.Material]
	fees      []listEntry[catalogue.Fee]
	steps     []listEntry[catalogue.Step]
}

// cells reads one row of a sheet, recording problems at its cells.
type cells struct {
	spec *sheetSpec
	row  tableRow
	p    *problems
}

func (c cells) get(i int) string { return c.row.cells[i] }

func (c cells) bad(i int, key string, kv ...any) {
	c.p.add(c.spec.name, c.row.n, c.spec.cols[i].title, key, kv...)
}

func (c cells) choose(i int, ls []label) string {
	v := c.get(i)
	if v == "" {
		c.bad(i, "error.required")
		return ""
	}
	code, ok := codeOf(ls, v)
	if !ok {
		c.bad(i, "catalogue.xlsx_choose", "Value", v, "Allowed", strings.Join(texts(ls), themeSep))
	}
	return code
}

// yes reads 是/否; blank is 否, as people leave a "no" empty.
func (c cells) yes(i int) bool {
	v := c.get(i)
	if v == "" {
		return false
	}
	code, ok := codeOf(yesNoLabels, v)
	if !ok {
		c.bad(i, "catalogue.xlsx_choose", "Value", v, "Allowed", "是、否")
	}
	return code == "yes"
}

// numberRE is a plain decimal as Excel stores numbers; ParseFloat alone
// would also take "NaN", "Inf" and hexadecimal.
var numberRE = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// whole reads a whole number; blank is 0 and left to the range rules.
func (c cells) whole(i int) int {
	v := c.get(i)
	if v == "" {
		return 0
	}
	n, ok := parseWhole(v)
	if !ok {
		c.bad(i, "catalogue.xlsx_whole_number", "Value", v)
	}
	return n
}

func parseWhole(v string) (int, bool) {
	if !numberRE.MatchString(v) {
		return 0, false
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x != math.Trunc(x) {
		return 0, false
	}
	// Out-of-range numbers stay out of range (for the range rules to
	// report) without overflowing int.
	return int(math.Max(-1e9, math.Min(1e9, x))), true
}

// parseFen reads an amount in yuan as fen. Excel stores what was typed as
// a binary double (10.1 may read back as 10.099999999999999), so it rounds
// to fen and refuses only what really has more than two decimals.
func parseFen(v string) (int64, bool) {
	v = strings.ReplaceAll(v, ",", "")
	if !numberRE.MatchString(v) {
		return 0, false
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, false
	}
	x *= 100
	fen := math.Round(x)
	if math.Abs(x-fen) > 1e-3 {
		return 0, false
	}
	return int64(math.Max(-1e15, math.Min(1e15, fen))), true
}

func (c cells) seq(i int) int {
	v := c.get(i)
	if v == "" {
		c.bad(i, "error.required")
		return 0
	}
	n, ok := parseWhole(v)
	if !ok || n < 1 {
		c.bad(i, "catalogue.xlsx_seq", "Value", v)
		return 0
	}
	return n
}

func (ps *parser) item(row tableRow) {
	c := cells{spec: &itemSheet, row: row, p: ps.p}
	it := &importItem{row: row.n, p: ps.p}
	it.code = strings.ToUpper(c.get(ixCode))
	switch {
	case it.code == "":
		c.bad(ixCode, "error.required")
	case !catalogue.ValidCode(it.code):
		c.bad(ixCode, "catalogue.code_format")
	}
	dup := false
	if first, ok := ps.byCode[it.code]; ok {
		c.bad(ixCode, "catalogue.xlsx_duplicate_code", "Code", it.code, "Row", first.row)
		dup = true
	}
	if dept, ok := ps.ref.existing[it.code]; ok && !ps.ref.all && dept != ps.ref.actor.DepartmentID {
		c.bad(ixCode, "catalogue.xlsx_other_department", "Value", ps.ref.deptCodes[dept])
	}
	ct := &it.c
	ct.Name = c.get(ixName)
	if v := c.get(ixType); v == "" {
		c.bad(ixType, "error.required")
	} else if code, ok := ps.ref.types[v]; ok {
		ct.Type = code
	} else {
		c.bad(ixType, "catalogue.xlsx_choose", "Value", v, "Allowed", ps.ref.typeNames)
	}
	if v := strings.ToUpper(c.get(ixDept)); v == "" {
		c.bad(ixDept, "error.required")
	} else if id, ok := ps.ref.depts[v]; !ok {
		c.bad(ixDept, "catalogue.xlsx_unknown_department", "Value", v)
	} else if !ps.ref.all && id != ps.ref.actor.DepartmentID {
		c.bad(ixDept, "catalogue.xlsx_other_department", "Value", v)
	} else {
		ct.DepartmentID = id
	}
	ct.Audience = c.choose(ixAudience, audienceLabels)
	ct.Themes = splitThemes(c.get(ixThemes))
	ct.LegalBasis = c.get(ixBasis)
	ct.Conditions = c.get(ixConditions)
	ct.StatutoryDays = c.whole(ixStatutory)
	ct.PromisedDays = c.whole(ixPromised)
	ct.Immediate = c.yes(ixImmediate)
	ct.Visits = c.whole(ixVisits)
	ct.Online = c.yes(ixOnline)
	ct.AtHall = c.yes(ixAtHall)
	ct.AtTownship = c.yes(ixAtTownship)
	ct.Commissioned = c.yes(ixCommissioned)
	ct.DeemedApproval = c.yes(ixDeemed)
	ct.DeemedNote = c.get(ixDeemedNote)
	if v := c.get(ixStatus); v != "" {
		if code, ok := codeOf(statusLabels, v); ok {
			it.status = code
		} else {
			c.bad(ixStatus, "catalogue.xlsx_choose", "Value", v, "Allowed", strings.Join(texts(statusLabels), themeSep))
		}
	}
	it.reason = c.get(ixStatusReason)
	if it.code != "" && !dup {
		ps.byCode[it.code] = it
		ps.items = append(ps.items, it)
	}
}

// splitThemes splits a 主题 cell; besides 、 people type commas,
// semicolons and spaces between themes.
func splitThemes(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return strings.ContainsRune("、,，;；/", r) || r == ' ' || r == '\u3000'
	})
}

// owner finds the item a list row belongs to, or reports why it has none.
func (ps *parser) owner(c cells, known bool) *itemLists {
	code := strings.ToUpper(c.get(0))
	if code == "" {
		c.bad(0, "error.required")
		return nil
	}
	if _, ok := ps.byCode[code]; !ok {
		if known {
			c.bad(0, "catalogue.xlsx_no_such_item", "Code", code)
		}
		return nil
	}
	l := ps.lists[code]
	if l == nil {
		l = &itemLists{}
		ps.lists[code] = l
	}
	return l
}

func (ps *parser) material(row tableRow, known bool) {
	c := cells{spec: &materialSheet, row: row, p: ps.p}
	l := ps.owner(c, known)
	m := catalogue.Material{Name: c.get(mxName), Condition: c.get(mxCondition), Copies: c.whole(mxCopies), BlankForm: c.yes(mxBlank), Notes: c.get(mxNotes)}
	m.Required = c.choose(mxRequired, necessityLabels) == "required"
	m.Form = c.choose(mxForm, formLabels)
	e := listEntry[catalogue.Material]{seq: c.seq(mxSeq), row: row.n, v: m}
	if l != nil {
		l.materials = append(l.materials, e)
	}
}

func (ps *parser) fee(row tableRow, known bool) {
	c := cells{spec: &feeSheet, row: row, p: ps.p}
	l := ps.owner(c, known)
	fee := catalogue.Fee{Name: c.get(fxName), Basis: c.get(fxBasis)}
	if v := c.get(fxAmount); v != "" {
		fen, ok := parseFen(v)
		if !ok {
			c.bad(fxAmount, "catalogue.xlsx_amount", "Value", v)
		}
		fee.AmountFen = fen
	}
	e := listEntry[catalogue.Fee]{seq: c.seq(fxSeq), row: row.n, v: fee}
	if l != nil {
		l.fees = append(l.fees, e)
	}
}

func (ps *parser) step(row tableRow, known bool) {
	c := cells{spec: &stepSheet, row: row, p: ps.p}
	l := ps.owner(c, known)
	st := catalogue.Step{Name: c.get(sxName), Role: c.choose(sxRole, roleLabels), Days: c.whole(sxDays)}
	e := listEntry[catalogue.Step]{seq: c.seq(sxSeq), row: row.n, v: st}
	if l != nil {
		l.steps = append(l.steps, e)
	}
}

// assemble puts an item's list rows in 序号 order into its content.
func (ps *parser) assemble(it *importItem) {
	l := ps.lists[it.code]
	if l == nil {
		return
	}
	it.c.Materials, it.materialRows = sortList(ps.p, &materialSheet, mxSeq, l.materials)
	it.c.Fees, it.feeRows = sortList(ps.p, &feeSheet, fxSeq, l.fees)
	it.c.Steps, it.stepRows = sortList(ps.p, &stepSheet, sxSeq, l.steps)
}

func sortList[T any](p *problems, spec *sheetSpec, seqCol int, es []listEntry[T]) ([]T, []int) {
	sort.SliceStable(es, func(i, j int) bool { return es[i].seq < es[j].seq })
	var vs []T
	var rows []int
	for i, e := range es {
		if i > 0 && e.seq != 0 && e.seq == es[i-1].seq {
			p.add(spec.name, e.row, spec.cols[seqCol].title, "catalogue.xlsx_duplicate_seq", "Seq", e.seq, "Row", es[i-1].row)
		}
		vs = append(vs, e.v)
		rows = append(rows, e.row)
	}
	return vs, rows
}
