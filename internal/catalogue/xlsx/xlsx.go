// Package xlsx is the catalogue workbook (docs/catalogue-xlsx.md): the
// export departments fill in as a template, and the import that reads it
// back through the catalogue's rules.
package xlsx

import (
	"context"
	"fmt"
	"io"
	"onestop/internal/catalogue"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The catalogue workbook (docs/catalogue-xlsx.md) is how departments hand
// their lists to the centre: the export is the template they fill in by
// hand, and the import reads it back. Column titles are the contract, so the
// importer finds columns by title, not by position.
const (
	SheetItems     = "事项"
	SheetMaterials = "材料"
	SheetFees      = "收费"
	SheetSteps     = "流程"
	SheetHelp      = "说明"
)

// MaxImportRows bounds the data rows of each sheet of an import: the whole
// county lists a few hundred items, so more is a mistake or an attack, and
// one transaction must stay reasonable.
const MaxImportRows = 20000

// colSpec is one column of a sheet: its title and what the 说明 sheet and the
// documentation say about it.
type colSpec struct {
	title   string
	width   float64
	meaning string
	allowed string
	example string
}

type sheetSpec struct {
	name string
	cols []colSpec
}

// column returns the index of a title, -1 when the sheet has none.
func (s *sheetSpec) column(title string) int {
	for i, c := range s.cols {
		if c.title == title {
			return i
		}
	}
	return -1
}

// Columns of the 事项 sheet, in the order of itemSheet.cols.
const (
	ixCode = iota
	ixName
	ixType
	ixDept
	ixAudience
	ixThemes
	ixBasis
	ixConditions
	ixStatutory
	ixPromised
	ixImmediate
	ixVisits
	ixOnline
	ixAtHall
	ixAtTownship
	ixCommissioned
	ixDeemed
	ixDeemedNote
	ixStatus
	ixStatusReason
)

const yesNoText = "是、否（空 = 否）"

var itemSheet = sheetSpec{name: SheetItems, cols: []colSpec{
	{"事项编码", 16, "事项的唯一编码。已有的编码更新该事项，新的编码新增事项。", "大写字母、数字和连字符，3–40 位", "MZJ-001"},
	{"事项名称", 40, "业务办理项的名称（办件的最小单位）。", "必填，最多 100 字", "内地居民结婚登记"},
	{"事项类型", 12, "事项的类型。", "见本表下方“事项类型”", "行政确认"},
	{"实施部门编码", 12, "实施该事项的部门。", "见本表下方“实施部门”的编码", "MZJ"},
	{"服务对象", 12, "办事的是个人、法人还是两者都可以。", "个人、法人、个人和法人", "个人"},
	{"主题", 20, "公众按主题浏览时的分类，可填多个。", "用顿号“、”分隔，见本表下方“主题”", "婚姻登记"},
	{"设定依据", 40, "设定和实施依据：法律、法规名称及条款。", "必填，最多 2000 字", "《婚姻登记条例》第四条、第五条"},
	{"受理条件", 40, "申请人需要满足的条件。", "可空，最多 2000 字", "双方均无配偶，达到法定婚龄"},
	{"法定时限", 10, "法律规定的办理时限，工作日。", "1–250 的整数", "20"},
	{"承诺时限", 10, "对外承诺的办理时限，工作日，不超过法定时限。", "承诺件 1 至法定时限；即办件填 0 或留空", "1"},
	{"即办件", 8, "当场办结的事项（即办件），否则为承诺件。", yesNoText, "否"},
	{"跑动次数", 10, "申请人最多需要到现场的次数。", "0–5 的整数", "1"},
	{"网上办理", 10, "可以网上申请。", yesNoText + "；网上办理、大厅受理、乡镇代办至少一项为“是”", "否"},
	{"大厅受理", 10, "县政务服务中心窗口受理。", yesNoText, "是"},
	{"乡镇代办", 10, "乡镇（街道）便民服务中心可以代办。", yesNoText, "否"},
	{"委托受理", 10, "部门委托中心综合窗口受理。", yesNoText, "否"},
	{"超时默认", 10, "超过承诺时限未办结视为同意（地方政策）。", yesNoText + "；即办件不能为“是”", "否"},
	{"超时默认依据", 30, "超时默认的政策依据。", "超时默认为“是”时必填，最多 500 字", ""},
	{"状态", 8, "事项的状态。", "在用、暂停、取消；空：新事项为在用，已有事项保持原状态", "在用"},
	{"状态原因", 30, "暂停或取消的原因（取消时记录取消日期）。", "暂停、取消时必填，最多 500 字", ""},
}}

// Columns of the 材料 sheet.
const (
	mxCode = iota
	mxSeq
	mxName
	mxRequired
	mxCondition
	mxForm
	mxCopies
	mxBlank
	mxNotes
)

var materialSheet = sheetSpec{name: SheetMaterials, cols: []colSpec{
	{"事项编码", 16, "材料所属事项的编码。", "须出现在“事项”表中", "MZJ-001"},
	{"序号", 6, "材料在清单中的顺序。", "正整数，同一事项内不重复", "1"},
	{"材料名称", 36, "申请材料的名称。", "必填，最多 200 字", "居民身份证"},
	{"必要性", 8, "必要材料每次都要交；情形材料只在特定情形下交。", "必要、情形", "必要"},
	{"适用情形", 30, "情形材料在什么情形下需要。", "必要性为“情形”时必填，最多 200 字", ""},
	{"形式", 12, "提交的形式。", "原件、复印件、原件和复印件、电子", "原件"},
	{"份数", 6, "提交的份数。", "1–99 的整数", "1"},
	{"空白表格", 10, "是否提供可下载的空白表格。", yesNoText, "否"},
	{"备注", 30, "给申请人的提示。", "可空，最多 500 字", ""},
}}

// Columns of the 收费 sheet.
const (
	fxCode = iota
	fxSeq
	fxName
	fxAmount
	fxBasis
)

var feeSheet = sheetSpec{name: SheetFees, cols: []colSpec{
	{"事项编码", 16, "收费所属事项的编码；不收费的事项在本表不填。", "须出现在“事项”表中", "GAJ-010"},
	{"序号", 6, "收费项目的顺序。", "正整数，同一事项内不重复", "1"},
	{"收费项目", 30, "收费项目的名称。", "必填，最多 100 字", "居民身份证工本费"},
	{"金额（元）", 12, "每件收费金额，单位元。", "大于 0 的数，最多两位小数", "20.00"},
	{"收费依据", 40, "收费标准的文件依据。", "必填，最多 500 字", "发改价格〔2003〕2322号"},
}}

// Columns of the 流程 sheet.
const (
	sxCode = iota
	sxSeq
	sxName
	sxRole
	sxDays
)

var stepSheet = sheetSpec{name: SheetSteps, cols: []colSpec{
	{"事项编码", 16, "环节所属事项的编码。", "须出现在“事项”表中", "MZJ-001"},
	{"序号", 6, "环节的顺序。", "正整数，同一事项内不重复", "1"},
	{"环节名称", 20, "办理环节的名称。", "必填，最多 50 字", "受理"},
	{"办理角色", 12, "由谁办理这一环节。", "受理人员、审核人员、首席代表", "受理人员"},
	{"时限（工作日）", 14, "这一环节占用的工作日。", "不小于 0 的整数；各环节之和等于承诺时限（即办件为 0）", "1"},
}}

var dataSheets = []*sheetSpec{&itemSheet, &materialSheet, &feeSheet, &stepSheet}

// label pairs a stored code with the Chinese word the workbook uses.
type label struct{ code, text string }

var (
	audienceLabels  = []label{{"citizen", "个人"}, {"organisation", "法人"}, {"both", "个人和法人"}}
	statusLabels    = []label{{catalogue.InForce, "在用"}, {catalogue.Suspended, "暂停"}, {catalogue.Cancelled, "取消"}}
	necessityLabels = []label{{"required", "必要"}, {"conditional", "情形"}}
	formLabels      = []label{{"original", "原件"}, {"copy", "复印件"}, {"original_and_copy", "原件和复印件"}, {"electronic", "电子"}}
	roleLabels      = []label{{"clerk", "受理人员"}, {"reviewer", "审核人员"}, {"approver", "首席代表"}}
	yesNoLabels     = []label{{"yes", "是"}, {"no", "否"}}
)

func textOf(ls []label, code string) string {
	for _, l := range ls {
		if l.code == code {
			return l.text
		}
	}
	return code
}

func codeOf(ls []label, text string) (string, bool) {
	for _, l := range ls {
		if l.text == text {
			return l.code, true
		}
	}
	return "", false
}

func texts(ls []label) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.text
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// themeSep joins themes in a cell; the importer also accepts the separators
// people type by habit.
const themeSep = "、"

// Export writes the whole catalogue — every item in every status, in
// its version in force — as the workbook documented in
// docs/catalogue-xlsx.md. The item sheets are streamed so a large catalogue
// does not sit in memory twice.
func Export(ctx context.Context, s *catalogue.Service, w io.Writer) error {
	types, err := s.Types(ctx)
	if err != nil {
		return err
	}
	depts, err := activeDepartments(ctx, s)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetItems); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, name := range []string{SheetMaterials, SheetFees, SheetSteps, SheetHelp} {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	st, err := newExportStyles(f)
	if err != nil {
		return err
	}
	typeNames := make([]string, len(types))
	for i, t := range types {
		typeNames[i] = t.Name
	}
	// Drop-down lists help whoever fills the sheet by hand. They must be on
	// the worksheet before its stream writer starts: the stream writer
	// copies what the sheet already has and writes it out on Flush.
	lists := map[*sheetSpec]map[int][]string{
		&itemSheet: {ixType: typeNames, ixAudience: texts(audienceLabels), ixImmediate: texts(yesNoLabels), ixOnline: texts(yesNoLabels),
			ixAtHall: texts(yesNoLabels), ixAtTownship: texts(yesNoLabels), ixCommissioned: texts(yesNoLabels), ixDeemed: texts(yesNoLabels),
			ixStatus: texts(statusLabels)},
		&materialSheet: {mxRequired: texts(necessityLabels), mxForm: texts(formLabels), mxBlank: texts(yesNoLabels)},
		&stepSheet:     {sxRole: texts(roleLabels)},
	}
	writers := map[*sheetSpec]*sheetWriter{}
	for _, spec := range dataSheets {
		for col, list := range lists[spec] {
			if err := addDropList(f, spec.name, col, list); err != nil {
				return err
			}
		}
		sw, err := newSheetWriter(f, spec, st.header)
		if err != nil {
			return err
		}
		writers[spec] = sw
	}
	if err := s.EachByDepartment(ctx, func(it catalogue.Item) error { return writeItem(writers, it, st) }); err != nil {
		return fmt.Errorf("export items: %w", err)
	}
	for _, spec := range dataSheets {
		if err := writers[spec].sw.Flush(); err != nil {
			return fmt.Errorf("export %s: %w", spec.name, err)
		}
	}
	if err := writeHelp(f, st, typeNames, depts); err != nil {
		return err
	}
	// The first sheet (事项) is active as created; SetActiveSheet here
	// would parse every streamed sheet back into memory.
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

type exportStyles struct {
	header, money, wrap, bold int
}

func newExportStyles(f *excelize.File) (exportStyles, error) {
	var st exportStyles
	var err error
	if st.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "center"}}); err != nil {
		return st, err
	}
	// Number format 2 is "0.00": amounts in yuan always show two decimals.
	if st.money, err = f.NewStyle(&excelize.Style{NumFmt: 2}); err != nil {
		return st, err
	}
	if st.wrap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}); err != nil {
		return st, err
	}
	st.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	return st, err
}

// addDropList offers a list of values for one column's data rows.
func addDropList(f *excelize.File, sheet string, col int, list []string) error {
	name, err := excelize.ColumnNumberToName(col + 1)
	if err != nil {
		return err
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("%s2:%s%d", name, name, MaxImportRows+1)
	if err := dv.SetDropList(list); err != nil {
		// Excel caps an inline list at 255 characters; a province with
		// many item types gets no drop-down rather than no export.
		return nil
	}
	return f.AddDataValidation(sheet, dv)
}

type sheetWriter struct {
	sw  *excelize.StreamWriter
	row int
}

// newSheetWriter starts a streamed sheet: widths, a frozen bold header row.
func newSheetWriter(f *excelize.File, spec *sheetSpec, headerStyle int) (*sheetWriter, error) {
	sw, err := f.NewStreamWriter(spec.name)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", spec.name, err)
	}
	for i, c := range spec.cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	header := make([]any, len(spec.cols))
	for i, c := range spec.cols {
		header[i] = excelize.Cell{StyleID: headerStyle, Value: c.title}
	}
	w := &sheetWriter{sw: sw}
	return w, w.add(header...)
}

func (w *sheetWriter) add(values ...any) error {
	w.row++
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return err
	}
	return w.sw.SetRow(cell, values)
}

func writeItem(ws map[*sheetSpec]*sheetWriter, it catalogue.Item, st exportStyles) error {
	err := ws[&itemSheet].add(it.Code, it.Name, it.TypeName, it.DepartmentCode, textOf(audienceLabels, it.Audience),
		strings.Join(it.Themes, themeSep), it.LegalBasis, it.Conditions, it.StatutoryDays, it.PromisedDays, yesNo(it.Immediate),
		it.Visits, yesNo(it.Online), yesNo(it.AtHall), yesNo(it.AtTownship), yesNo(it.Commissioned), yesNo(it.DeemedApproval),
		it.DeemedNote, textOf(statusLabels, it.Status), it.StatusReason)
	if err != nil {
		return fmt.Errorf("export %s: %w", it.Code, err)
	}
	for i, m := range it.Materials {
		necessity := "情形"
		if m.Required {
			necessity = "必要"
		}
		if err := ws[&materialSheet].add(it.Code, i+1, m.Name, necessity, m.Condition, textOf(formLabels, m.Form), m.Copies,
			yesNo(m.BlankForm), m.Notes); err != nil {
			return fmt.Errorf("export %s: %w", it.Code, err)
		}
	}
	for i, fee := range it.Fees {
		yuan := excelize.Cell{StyleID: st.money, Value: float64(fee.AmountFen) / 100}
		if err := ws[&feeSheet].add(it.Code, i+1, fee.Name, yuan, fee.Basis); err != nil {
			return fmt.Errorf("export %s: %w", it.Code, err)
		}
	}
	for i, step := range it.Steps {
		if err := ws[&stepSheet].add(it.Code, i+1, step.Name, textOf(roleLabels, step.Role), step.Days); err != nil {
			return fmt.Errorf("export %s: %w", it.Code, err)
		}
	}
	return nil
}

type deptRef struct {
	ID         int64
	Code, Name string
}

func activeDepartments(ctx context.Context, s *catalogue.Service) ([]deptRef, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, code, name FROM departments WHERE retired_at IS NULL ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("departments: %w", err)
	}
	defer rows.Close()
	var out []deptRef
	for rows.Next() {
		var d deptRef
		if err := rows.Scan(&d.ID, &d.Code, &d.Name); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// helpRules are the general rules at the head of the 说明 sheet; the same
// text is in docs/catalogue-xlsx.md.
var helpRules = []string{
	"本工作簿是事项目录的导出和导入格式。导出的文件可以直接修改后导入；也可以按同样格式手工填写。",
	"“事项”“材料”“收费”“流程”四个工作表都要有。每个工作表第 1 行是列标题，请勿改动标题文字；列的先后可以调整，多余的列不读取；数据从第 2 行开始，空行跳过。",
	"一个事项的材料、收费和流程以本文件为准：导入后替换该事项原有的清单。不收费的事项在“收费”表中不填。",
	"导入时整份文件一起检查：只要有一行有错，就一行也不导入，并列出每一处错误所在的工作表、行号和列。",
	"已有编码的事项：内容有变化时生成新版本（旧版本保留，已受理的办件不受影响），没有变化则不动；新编码：新增事项。",
	"部门管理员只能导入本部门的事项；中心管理员可以导入所有部门的事项。",
	"每个工作表最多 20000 行。设定依据、受理条件、超时默认依据和材料备注可以在单元格内换行（Alt+Enter），其他列不能换行。",
}

// writeHelp fills the 说明 sheet: the rules, every column, and the codes
// the item sheet refers to.
func writeHelp(f *excelize.File, st exportStyles, typeNames []string, depts []deptRef) error {
	sh := SheetHelp
	row := 0
	put := func(style int, values ...any) error {
		row++
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(sh, cell, &values); err != nil {
			return err
		}
		if style != 0 {
			end, _ := excelize.CoordinatesToCellName(max(len(values), 1), row)
			return f.SetCellStyle(sh, cell, end, style)
		}
		return nil
	}
	for i, w := range []float64{12, 16, 48, 48, 24} {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, name, name, w); err != nil {
			return err
		}
	}
	if err := put(st.header, "工作表", "列名", "含义", "可填的值", "示例"); err != nil {
		return err
	}
	for _, spec := range dataSheets {
		for _, c := range spec.cols {
			if err := put(st.wrap, spec.name, c.title, c.meaning, c.allowed, c.example); err != nil {
				return err
			}
		}
	}
	row++
	if err := put(st.bold, "填写规则"); err != nil {
		return err
	}
	for i, r := range helpRules {
		if err := put(0, fmt.Sprint(i+1), r); err != nil {
			return err
		}
	}
	row++
	if err := put(st.bold, "事项类型"); err != nil {
		return err
	}
	if err := put(0, "", strings.Join(typeNames, themeSep)); err != nil {
		return err
	}
	row++
	if err := put(st.bold, "主题"); err != nil {
		return err
	}
	if err := put(0, "", strings.Join(catalogue.Themes, themeSep)); err != nil {
		return err
	}
	row++
	if err := put(st.bold, "实施部门", "编码", "名称"); err != nil {
		return err
	}
	for _, d := range depts {
		if err := put(0, "", d.Code, d.Name); err != nil {
			return err
		}
	}
	return f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}
