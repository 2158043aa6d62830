// Package catalogue is the service catalogue (事项目录): items with their
// legal time limits, materials, fees and process templates, kept in
// versions so every case can name the rules it was accepted under, and the
// composites that bundle several departments' items for parallel approval.
package catalogue

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
)

// Statuses of an item.
const (
	InForce   = "in_force"
	Suspended = "suspended"
	Cancelled = "cancelled"
)

// Audiences.
var Audiences = []string{"citizen", "organisation", "both"}

// Themes are the life events and topics the public guide is browsed by.
var Themes = []string{"生育收养", "户籍办理", "教育", "就业创业", "社会保障", "婚姻登记", "住房", "交通出行", "医疗卫生", "养老服务",
	"残疾人服务", "退役军人", "身后事", "企业开办", "工程建设", "经营许可", "农业生产", "环保", "文化旅游", "税费缴纳"}

// Material forms.
var MaterialForms = []string{"original", "copy", "original_and_copy", "electronic"}

// StepRoles are the roles a process step can be given to.
var StepRoles = []string{"clerk", "reviewer", "approver"}

// Material is one entry of an item's materials list.
type Material struct {
	Name      string `json:"name"`
	Required  bool   `json:"required"`            // false: conditional (情形性材料)
	Condition string `json:"condition,omitempty"` // when a conditional material is needed
	Form      string `json:"form"`
	Copies    int    `json:"copies"`
	BlankForm bool   `json:"blank_form,omitempty"` // a blank form to fill in is available
	Notes     string `json:"notes,omitempty"`
}

// Fee is one charge with its legal standard; amounts in fen.
type Fee struct {
	Name      string `json:"name"`
	AmountFen int64  `json:"amount_fen"`
	Basis     string `json:"basis"`
	// OnAcceptance: the fee is charged when the case is accepted rather
	// than after the decision (the payment notice may then be issued
	// right after acceptance; docs/DOMAIN.md §19).
	OnAcceptance bool `json:"on_acceptance,omitempty"`
	// BeforeDelivery: the result is handed over only once the fee is paid
	// (先缴费后发证); the delivery rule reads it through
	// Content.PayBeforeDelivery.
	BeforeDelivery bool `json:"before_delivery,omitempty"`
}

// Step is one step of the process template: who acts and its share of the
// promised limit in working days.
type Step struct {
	Name string `json:"name"`
	Role string `json:"role"`
	Days int    `json:"days"`
}

// Content is everything an item version says: what an admin edits and the
// public card shows.
type Content struct {
	Name           string     `json:"name"`
	Type           string     `json:"type"`
	DepartmentID   int64      `json:"department_id"`
	Audience       string     `json:"audience"`
	Themes         []string   `json:"themes"`
	LegalBasis     string     `json:"legal_basis"`
	Conditions     string     `json:"conditions"`
	StatutoryDays  int        `json:"statutory_days"`
	PromisedDays   int        `json:"promised_days"`
	Immediate      bool       `json:"immediate"`
	Visits         int        `json:"visits"`
	Online         bool       `json:"online"`
	AtHall         bool       `json:"at_hall"`
	AtTownship     bool       `json:"at_township"`
	Commissioned   bool       `json:"commissioned"`
	DeemedApproval bool       `json:"deemed_approval"`
	DeemedNote     string     `json:"deemed_note"`
	Materials      []Material `json:"materials"`
	Fees           []Fee      `json:"fees"`
	Steps          []Step     `json:"steps"`
}

// Item is an item with the content of one version.
type Item struct {
	ID             int64      `json:"id"`
	Code           string     `json:"code"`
	Status         string     `json:"status"`
	StatusReason   string     `json:"status_reason,omitempty"`
	CancelledOn    *time.Time `json:"cancelled_on,omitempty"`
	Version        int        `json:"version"`
	VersionID      int64      `json:"version_id"`
	Department     string     `json:"department"`
	DepartmentCode string     `json:"department_code"`
	TypeName       string     `json:"type_name"`
	ChangeNote     string     `json:"change_note,omitempty"`
	VersionAt      time.Time  `json:"version_at"`
	// County is the division code of the county the item's department
	// serves ("" before any county exists): a province's database holds
	// many counties' catalogues.
	County string `json:"county,omitempty"`
	Content
}

// Free reports whether nothing is charged ("不收费" is written, never blank).
func (c Content) Free() bool { return len(c.Fees) == 0 }

// PayBeforeDelivery reports whether the result waits for payment: any of
// the item's fees says so.
func (c Content) PayBeforeDelivery() bool {
	for _, f := range c.Fees {
		if f.BeforeDelivery {
			return true
		}
	}
	return false
}

// FeesOnAcceptance reports whether the fees fall due at acceptance.
func (c Content) FeesOnAcceptance() bool {
	for _, f := range c.Fees {
		if f.OnAcceptance {
			return true
		}
	}
	return false
}

// TotalFeeFen is the sum of all fees.
func (c Content) TotalFeeFen() int64 {
	var t int64
	for _, f := range c.Fees {
		t += f.AmountFen
	}
	return t
}

var codeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,39}$`)

// ValidCode reports whether code has an item code's form (the importer
// checks rows with it before anything is written).
func ValidCode(code string) bool { return codeRE.MatchString(code) }

// maxStatutory bounds limits to something a law could set (a year of
// working days); larger numbers are typing mistakes.
const maxStatutory = 250

// Validate checks content against the catalogue rules and returns it
// normalised. typeOK and deptOK say whether the type and department exist.
// Field names for list entries are "materials.2.name" style (1-based).
func (c Content) Validate(typeOK, deptOK bool) (Content, error) {
	f := apperr.Fields{}
	c.Name = f.Text("name", c.Name, true, 100)
	if !typeOK {
		f.Add("type", "error.choose")
	}
	if !deptOK {
		f.Add("department_id", "org.department.missing")
	}
	if !contains(Audiences, c.Audience) {
		f.Add("audience", "error.choose")
	}
	var themes []string
	for _, t := range c.Themes {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		if !contains(Themes, t) {
			f.Add("themes", "catalogue.theme_unknown", "Theme", t)
		}
		if !contains(themes, t) {
			themes = append(themes, t)
		}
	}
	c.Themes = themes
	c.LegalBasis = f.Para("legal_basis", c.LegalBasis, true, 2000)
	c.Conditions = f.Para("conditions", c.Conditions, false, 2000)
	switch {
	case c.StatutoryDays < 1 || c.StatutoryDays > maxStatutory:
		f.Add("statutory_days", "catalogue.statutory_range", "Max", maxStatutory)
	case c.Immediate && c.PromisedDays != 0:
		f.Add("promised_days", "catalogue.immediate_no_promise")
	case !c.Immediate && c.PromisedDays < 1:
		f.Add("promised_days", "catalogue.promised_min")
	case c.PromisedDays > c.StatutoryDays:
		f.Add("promised_days", "catalogue.promised_over_statutory", "Statutory", c.StatutoryDays)
	}
	if c.Visits < 0 || c.Visits > 5 {
		f.Add("visits", "catalogue.visits_range")
	}
	if !c.AtHall && !c.AtTownship && !c.Online {
		f.Add("channels", "catalogue.no_channel")
	}
	c.DeemedNote = f.Para("deemed_note", c.DeemedNote, c.DeemedApproval, 500)
	if c.DeemedApproval && c.Immediate {
		f.Add("deemed_approval", "catalogue.deemed_immediate")
	}
	if !c.DeemedApproval {
		c.DeemedNote = ""
	}
	c.Materials = validateMaterials(f, c.Materials)
	if !c.Immediate && !hasRequired(c.Materials) {
		f.Add("materials", "catalogue.material_needed")
	}
	c.Fees = validateFees(f, c.Fees)
	c.Steps = validateSteps(f, c.Steps, c.PromisedDays)
	return c, f.Err()
}

func hasRequired(ms []Material) bool {
	for _, m := range ms {
		if m.Required {
			return true
		}
	}
	return false
}

func validateMaterials(f apperr.Fields, ms []Material) []Material {
	out := ms[:0:0]
	for i, m := range ms {
		p := field("materials", i)
		m.Name = f.Text(p+"name", m.Name, true, 200)
		m.Condition = f.Text(p+"condition", m.Condition, !m.Required, 200)
		m.Notes = f.Para(p+"notes", m.Notes, false, 500)
		if !contains(MaterialForms, m.Form) {
			f.Add(p+"form", "error.choose")
		}
		if m.Copies < 1 || m.Copies > 99 {
			f.Add(p+"copies", "catalogue.copies_range")
		}
		if m.Required {
			m.Condition = ""
		}
		out = append(out, m)
	}
	return out
}

func validateFees(f apperr.Fields, fs []Fee) []Fee {
	out := fs[:0:0]
	for i, fee := range fs {
		p := field("fees", i)
		fee.Name = f.Text(p+"name", fee.Name, true, 100)
		fee.Basis = f.Text(p+"basis", fee.Basis, true, 500)
		if fee.AmountFen <= 0 || fee.AmountFen > 100_000_000_00 {
			f.Add(p+"amount_fen", "catalogue.fee_amount")
		}
		out = append(out, fee)
	}
	return out
}

func validateSteps(f apperr.Fields, ss []Step, promised int) []Step {
	if len(ss) == 0 {
		f.Add("steps", "catalogue.steps_needed")
		return ss
	}
	out := ss[:0:0]
	sum := 0
	for i, s := range ss {
		p := field("steps", i)
		s.Name = f.Text(p+"name", s.Name, true, 50)
		if !contains(StepRoles, s.Role) {
			f.Add(p+"role", "error.choose")
		}
		if s.Days < 0 {
			f.Add(p+"days", "catalogue.step_days")
		}
		sum += s.Days
		out = append(out, s)
	}
	if sum != promised {
		f.Add("steps", "catalogue.steps_sum", "Sum", sum, "Promised", promised)
	}
	return out
}

func field(list string, i int) string { return list + "." + itoa(i+1) + "." }

func itoa(i int) string { return strconv.Itoa(i) }

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// DefaultSteps is the one-review-one-sign-off template (一审一核) spread over
// promised days: acceptance 1, review the rest, sign-off 1, completion 0.
func DefaultSteps(promised int) []Step {
	if promised <= 0 {
		return []Step{{Name: "受理并办结", Role: "clerk", Days: 0}}
	}
	if promised < 3 {
		return []Step{{Name: "受理", Role: "clerk", Days: 0}, {Name: "审查", Role: "reviewer", Days: promised - 1}, {Name: "审核决定", Role: "approver", Days: 1}, {Name: "办结", Role: "clerk", Days: 0}}
	}
	return []Step{{Name: "受理", Role: "clerk", Days: 1}, {Name: "审查", Role: "reviewer", Days: promised - 2}, {Name: "审核决定", Role: "approver", Days: 1}, {Name: "办结", Role: "clerk", Days: 0}}
}
