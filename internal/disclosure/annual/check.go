package annual

import (
	"fmt"

	"onestop/internal/apperr"
	"onestop/internal/disclosure"
)

// Violation is one sum of the tables that does not hold. Column is the
// table 三 applicant type or the table 四 group; Key the message that
// explains it, Args its numbers.
type Violation struct {
	Rule   string         `json:"rule"`
	Column string         `json:"column"`
	Args   map[string]any `json:"args"`
}

// The rules (国办公开办函〔2021〕30号, table 三's own note
// "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"; the
// subtotals and (七) are sums by the table's structure; table 四's 总计 is
// the sum of its four columns).
const (
	RuleBalance  = "balance"  // 一 + 二 = 三（七） + 四
	RuleTotal    = "total"    // （七） = （一）+（二）+（三）+（四）+（五）+（六）
	RuleGroup    = "group"    // a group's subtotal = the sum of its rows
	RuleAppeals  = "appeals"  // table 四: 总计 = 维持 + 纠正 + 其他 + 尚未审结
	RuleNegative = "negative" // no cell is below zero
)

// Check lists every sum of the tables that does not hold, in the order
// the tables are read; none means the report may be approved and
// published. The 总计 column of table 三 is the sum of the others, so it
// holds whenever they all do and is not checked on its own.
func Check(c Cells) []Violation {
	var out []Violation
	for _, k := range Keys() {
		if c[k] < 0 {
			out = append(out, Violation{Rule: RuleNegative, Column: k, Args: map[string]any{"Cell": k, "Value": c[k]}})
		}
	}
	for _, col := range disclosure.ApplicantTypes {
		v := func(row string) int64 { return c[T3(row, col)] }
		label := "disclosure_report.col." + string(col)
		groups := map[disclosure.Group]int64{}
		for _, r := range disclosure.OutcomeRows {
			groups[r.Group] += v(string(r.Outcome))
		}
		for g := disclosure.Group(3); g <= 6; g++ {
			if sub := v(GroupRow(g)); sub != groups[g] {
				out = append(out, Violation{Rule: RuleGroup, Column: string(col), Args: map[string]any{
					"Column": label, "Group": fmt.Sprintf("disclosure_report.group.%d", g), "Subtotal": sub, "Sum": groups[g]}})
			}
		}
		sum := v(string(disclosure.Disclosed)) + v(string(disclosure.Partial))
		for g := disclosure.Group(3); g <= 6; g++ {
			sum += v(GroupRow(g))
		}
		if t := v(RowTotal); t != sum {
			out = append(out, Violation{Rule: RuleTotal, Column: string(col), Args: map[string]any{"Column": label, "Total": t, "Sum": sum}})
		}
		left, right := v(RowNew)+v(RowCarried), v(RowTotal)+v(RowForward)
		if left != right {
			out = append(out, Violation{Rule: RuleBalance, Column: string(col), Args: map[string]any{"Column": label,
				"New": v(RowNew), "Carried": v(RowCarried), "Left": left, "Total": v(RowTotal), "Forward": v(RowForward), "Right": right}})
		}
	}
	for _, kind := range AppealKinds {
		var sum int64
		for _, col := range T4Cols[:4] {
			sum += c[T4(kind, col)]
		}
		if t := c[T4(kind, Total4)]; t != sum {
			out = append(out, Violation{Rule: RuleAppeals, Column: kind, Args: map[string]any{
				"Group": "disclosure_report.t4." + kind, "Total": t, "Sum": sum}})
		}
	}
	return out
}

// Refusal is the error that blocks approval or publication: each
// violation as a message under its own key, so the page and the API name
// every column, row and number that does not add up.
func Refusal(vs []Violation) error {
	f := apperr.Fields{}
	for i, v := range vs {
		kv := []any{}
		for k, x := range v.Args {
			kv = append(kv, k, x)
		}
		f.Add(fmt.Sprintf("check.%d", i+1), "disclosure_report.check."+v.Rule, kv...)
	}
	e := apperr.As(f.Err())
	e.Msg = apperr.M("disclosure_report.inconsistent", "N", len(vs))
	return e
}
