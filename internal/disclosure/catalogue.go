package disclosure

// Category is a part of an organ's publication catalogue (主动公开目录).
// The first seven are the standard categories an organ keeps by hand (条例
// Art. 20); services, publicity and bulletins are published into the
// catalogue automatically from OneStop's own records.
type Category string

const (
	Functions Category = "functions" // 机构职能
	Policy    Category = "policy"    // 政策文件（规章、行政规范性文件）
	Plans     Category = "plans"     // 规划计划
	Budgets   Category = "budgets"   // 财政预决算
	Decisions Category = "decisions" // 行政许可、行政处罚、行政强制
	Fees      Category = "fees"      // 行政事业性收费
	Reports   Category = "reports"   // 政府信息公开工作年度报告
	Services  Category = "services"  // 政务服务事项（from the service catalogue）
	Publicity Category = "publicity" // 办件公示（from case publicity）
	Bulletins Category = "bulletins" // 电子监察通报（from supervision bulletins）
	OtherCat  Category = "other"     // 其他
)

// Categories lists the categories in the order the catalogue shows them.
var Categories = []Category{Functions, Policy, Plans, Budgets, Decisions, Fees, Reports, Services, Publicity, Bulletins, OtherCat}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, x := range Categories {
		if x == c {
			return true
		}
	}
	return false
}

// DocKind refines a policy or decision entry for table 二 of the annual
// report: policy documents are rules (规章), normative documents
// (行政规范性文件) or other; decisions are licensing (行政许可), penalty
// (行政处罚) or enforcement (行政强制).
type DocKind string

const (
	Rule        DocKind = "rule"
	Normative   DocKind = "normative"
	OtherPolicy DocKind = "other"
	Licensing   DocKind = "licensing"
	Penalty     DocKind = "penalty"
	Enforcement DocKind = "enforcement"
)

// KindsOf lists the doc kinds a category takes; none for the others.
func KindsOf(c Category) []DocKind {
	switch c {
	case Policy:
		return []DocKind{Rule, Normative, OtherPolicy}
	case Decisions:
		return []DocKind{Licensing, Penalty, Enforcement}
	}
	return nil
}
