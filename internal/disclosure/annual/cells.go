// Package annual is the annual disclosure report (政府信息公开工作年度报告,
// 条例 Art. 49–50) in the national format of 国办公开办函〔2021〕30号: its
// tables counted from the live record, the report an office drafts,
// adjusts and its head approves, the rule that the tables add up, the
// deadlines, and the review and litigation cases table 四 counts.
// docs/DOMAIN.md §29, docs/ARCHITECTURE.md §27.
package annual

import (
	"maps"
	"slices"
	"strings"

	"onestop/internal/disclosure"
)

// Cells are a report's table values, by cell key:
//
//	t2.<rule|normative>.<issued|repealed|in_force>  table 二, 第二十条第（一）项
//	t2.licensing                                   table 二, 第二十条第（五）项
//	t2.penalty, t2.enforcement                     table 二, 第二十条第（六）项
//	t2.fees_fen                                    table 二, 第二十条第（八）项, in fen (shown in 万元)
//	t3.<row>.<applicant type>                      table 三 (the 总计 column is their sum, never stored)
//	t4.<review|suit_direct|suit_after_review>.<maintained|corrected|other|pending|total>  table 四
//	x.fee_notices, x.fee_fen                       section 六's fee statement
//
// Table 三's rows are new (一), carried (二), the 21 outcomes by their
// disclosure.Outcome, the group subtotals g3–g6 ((三)–(六)), total ((七))
// and forward (四). Every value is a whole number ≥ 0.
type Cells map[string]int64

// Table 三's rows besides the 21 outcomes.
const (
	RowNew     = "new"     // 一、本年新收政府信息公开申请数量
	RowCarried = "carried" // 二、上年结转政府信息公开申请数量
	RowTotal   = "total"   // 三（七）总计
	RowForward = "forward" // 四、结转下年度继续办理
)

// GroupRow is the subtotal row of one of the groups (三)–(六).
func GroupRow(g disclosure.Group) string { return "g" + string(rune('0'+g)) }

// T3 is the key of a table 三 cell.
func T3(row string, col disclosure.ApplicantType) string { return "t3." + row + "." + string(col) }

// Table 四's groups and columns.
const (
	Review          = "review"            // 行政复议
	SuitDirect      = "suit_direct"       // 行政诉讼·未经复议直接起诉
	SuitAfterReview = "suit_after_review" // 行政诉讼·复议后起诉

	Maintained = "maintained" // 结果维持
	Corrected  = "corrected"  // 结果纠正
	OtherRes   = "other"      // 其他结果
	Pending    = "pending"    // 尚未审结
	Total4     = "total"      // 总计
)

// AppealKinds are table 四's three groups in the format's order.
var AppealKinds = []string{Review, SuitDirect, SuitAfterReview}

// Results are the conclusions of a review or suit.
var Results = []string{Maintained, Corrected, OtherRes}

// T4Cols are table 四's columns in each group.
var T4Cols = []string{Maintained, Corrected, OtherRes, Pending, Total4}

// T4 is the key of a table 四 cell.
func T4(kind, col string) string { return "t4." + kind + "." + col }

// Table 二's cells.
const (
	Rule        = "rule"      // 规章
	Normative   = "normative" // 行政规范性文件
	Issued      = "issued"    // 本年制发件数
	Repealed    = "repealed"  // 本年废止件数
	InForce     = "in_force"  // 现行有效件数
	Licensing   = "t2.licensing"
	Penalty     = "t2.penalty"
	Enforcement = "t2.enforcement"
	FeesFen     = "t2.fees_fen"

	// Section 六's fee statement: notices of a processing fee sent and
	// fees collected in the year (国办函〔2020〕109号).
	FeeNotices = "x.fee_notices"
	FeeFen     = "x.fee_fen"
)

// PolicyKinds are table 二's two rows of policy documents.
var PolicyKinds = []string{Rule, Normative}

// PolicyCols are their three columns.
var PolicyCols = []string{Issued, Repealed, InForce}

// T2 is the key of a policy cell of table 二.
func T2(kind, col string) string { return "t2." + kind + "." + col }

// T3Rows are table 三's rows in the format's order, with the group
// subtotals after their group's rows.
func T3Rows() []string {
	rows := []string{RowNew, RowCarried}
	var last disclosure.Group
	for _, r := range disclosure.OutcomeRows {
		if last >= 3 && r.Group != last {
			rows = append(rows, GroupRow(last))
		}
		rows = append(rows, string(r.Outcome))
		last = r.Group
	}
	return append(rows, GroupRow(last), RowTotal, RowForward)
}

// Keys lists every cell of a report in a fixed order.
func Keys() []string {
	var keys []string
	for _, k := range PolicyKinds {
		for _, c := range PolicyCols {
			keys = append(keys, T2(k, c))
		}
	}
	keys = append(keys, Licensing, Penalty, Enforcement, FeesFen)
	for _, row := range T3Rows() {
		for _, col := range disclosure.ApplicantTypes {
			keys = append(keys, T3(row, col))
		}
	}
	for _, k := range AppealKinds {
		for _, c := range T4Cols {
			keys = append(keys, T4(k, c))
		}
	}
	return append(keys, FeeNotices, FeeFen)
}

var keySet = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range Keys() {
		m[k] = true
	}
	return m
}()

// ValidKey reports whether k names a cell.
func ValidKey(k string) bool { return keySet[k] }

// Adjustable reports whether an officer may set cell k by hand: every
// table cell; section 六's fee statement follows the request record.
func Adjustable(k string) bool { return keySet[k] && !strings.HasPrefix(k, "x.") }

// Merge is the cells as the report states them: computed, with the
// adjusted cells over them.
func Merge(computed, adjusted Cells) Cells {
	out := maps.Clone(computed)
	if out == nil {
		out = Cells{}
	}
	maps.Copy(out, adjusted)
	return out
}

// ColumnTotal is table 三's 总计 column for a row: the sum of the six
// applicant columns.
func (c Cells) ColumnTotal(row string) int64 {
	var n int64
	for _, col := range disclosure.ApplicantTypes {
		n += c[T3(row, col)]
	}
	return n
}

// AdjustedKeys lists the adjusted cells in Keys order.
func AdjustedKeys(adjusted Cells) []string {
	var out []string
	for _, k := range Keys() {
		if _, ok := adjusted[k]; ok {
			out = append(out, k)
		}
	}
	return slices.Clip(out)
}
