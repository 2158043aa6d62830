package data

import (
	"fmt"
	"strings"
	"sync"
)

// ItemSeed is one catalogue item of the demo county as a department would
// list it: a business item (业务办理项), the smallest unit a case is opened
// for (docs/DOMAIN.md §2).
type ItemSeed struct {
	Code           string   // unique, stable: "<dept code>-<3 digits>", e.g. "FGJ-001"
	Department     string   // department Code from Departments
	Name           string   // the business item name, e.g. "企业投资项目备案（新办）"
	Type           string   // one of ItemTypes
	Audience       string   // "citizen", "organisation" or "both"
	Themes         []string // life events / topics from Themes, 0–2
	LegalBasis     string   // laws and regulations with article numbers
	Conditions     string   // 受理条件
	Materials      []MaterialSeed
	Fees           []FeeSeed // empty = free (不收费)
	StatutoryDays  int       // statutory limit, working days; never 0
	PromisedDays   int       // promised limit ≤ StatutoryDays; 0 for immediate items
	Immediate      bool      // 即办件
	Steps          []StepSeed
	Visits         int  // 跑动次数
	Online         bool // may be applied for online
	AtTownship     bool // township convenience centres may accept it (代办)
	DeemedApproval bool // 超时默认 allowed (local policy, docs/DOMAIN.md §3)
	DeemedNote     string
	Cancelled      bool   // cancelled in the yearly clean-up
	CancelledOn    string // "YYYY-MM-DD" when Cancelled
	CancelReason   string
}

// MaterialSeed is one material of an item's list (申请材料).
type MaterialSeed struct {
	Name      string
	Required  bool   // false = conditional (情形性材料)
	Condition string // when Required is false: when it is needed
	Form      string // "original", "copy", "original_and_copy", "electronic"
	Copies    int    // ≥1
	Notes     string
	BlankForm bool // a blank form to fill in exists (申请表)
}

// FeeSeed is one fee an item charges, at a published standard.
type FeeSeed struct {
	Name      string
	AmountFen int64
	Basis     string
}

// StepSeed is one step of an item's process template.
type StepSeed struct {
	Name string
	Role string // "clerk", "reviewer", "approver"
	Days int
}

// CompositeSeed is a bundle of items of several departments handled by
// parallel approval (并联审批, docs/DOMAIN.md §5).
type CompositeSeed struct {
	Code, Name, LeadDepartment string
	Items                      []string // ItemSeed codes
	StatutoryDays              int      // 45 for joint handling (行政许可法第二十六条)
	PromisedDays               int
	RefusalRule                string // all_or_nothing when empty
}

// Item types (国发〔2022〕5号 as restated locally, docs/DOMAIN.md §2).
const (
	tLicence  = "行政许可"
	tConfirm  = "行政确认"
	tRuling   = "行政裁决"
	tBenefit  = "行政给付"
	tAward    = "行政奖励"
	tFiling   = "行政备案"
	tOther    = "其他行政权力"
	tService  = "公共服务"
	audCitizn = "citizen"
	audOrg    = "organisation"
	audBoth   = "both"
)

// ItemTypes is the list of item types, in catalogue order.
var ItemTypes = []string{tLicence, tConfirm, tRuling, tBenefit, tAward, tFiling, tOther, tService}

// Themes is the fixed list of life events and topics items are filed under
// on the portal.
var Themes = []string{
	"生育收养", "户籍办理", "教育", "就业创业", "社会保障",
	"婚姻登记", "住房", "交通出行", "医疗卫生", "养老服务",
	"残疾人服务", "退役军人", "身后事", "企业开办", "工程建设",
	"经营许可", "农业生产", "环保", "文化旅游", "税费缴纳",
}

// Step roles of a process template.
const (
	roleClerk    = "clerk"
	roleReviewer = "reviewer"
	roleApprover = "approver"
)

// Deemed-approval notes shown on the public card. The county measure is
// invented for the demo; the renewal rule is the Law's own (Art. 50).
const (
	deemedMeasure    = "《宜章县行政审批超时默认办理暂行办法》"
	deemedNoteLocal  = "依据" + deemedMeasure + "第五条，承诺时限届满未作出决定的，视为同意。"
	deemedNoteRenew  = "依据《中华人民共和国行政许可法》第五十条及" + deemedMeasure + "第五条，有效期届满前未作出是否准予延续决定的，视为准予延续。"
	proxyMaterial    = "授权委托书及受托人身份证件"
	proxyCondition   = "委托他人办理的"
	cancelFirstDay   = "2025-03-01"
	cancelLastDay    = "2026-06-30"
	parallelStatDays = 45
)

// CatalogueItems returns the demo county's catalogue: 370 items in force
// (each department's ItemHint) and the 62 items cancelled in the yearly
// clean-up, 432 in all (docs/DOMAIN.md §1). The slice is built once; callers get
// a fresh copy of the top level each call but must not modify the nested
// slices.
func CatalogueItems() []ItemSeed {
	return append([]ItemSeed(nil), catalogue()...)
}

var catalogue = sync.OnceValue(func() []ItemSeed {
	var out []ItemSeed
	for _, d := range Departments {
		rows := departmentRows[d.Code]
		if rows == nil {
			panic("catalogue: no items for department " + d.Code)
		}
		for i, r := range rows() {
			out = append(out, r.build(d.Code, fmt.Sprintf("%s-%03d", d.Code, i+1)))
		}
	}
	return out
})

// departmentRows maps a department code to its item table.
var departmentRows = map[string]func() []it{
	"FGJ": fgjItems, "ZRZYJ": zrzyjItems, "ZJJ": zjjItems, "SCJGJ": scjgjItems,
	"GAJ": gajItems, "RSJ": rsjItems, "MZJ": mzjItems, "WJJ": wjjItems,
	"JTYSJ": jtysjItems, "SLJ": sljItems, "NYNCJ": nyncjItems, "LYJ": lyjItems,
	"STHJ": sthjItems, "SWJ": swjItems, "BDC": bdcItems, "GJJ": gjjItems,
	"YBJ": ybjItems, "JYJ": jyjItems, "WLGTJ": wlgtjItems, "SHWJ": shwjItems,
	"YJGLJ": yjgljItems, "CZJ": czjItems, "SFJ": sfjItems, "TYJRJ": tyjrjItems,
	"CLH": clhItems, "QXJ": qxjItems, "XFJY": xfjyItems, "YCJ": ycjItems,
	"GDGS": gdgsItems, "CGJ": cgjItems,
	"DAG": dagItems, "DZJ": dzjItems, "KGXJ": kgxjItems, "TJJ": tjjItems,
	"SJJ": sjjItems, "RFB": rfbItems, "MZZJJ": mzzjjItems, "LCZX": lczxItems,
	"YZGLJ": yzgljItems, "SWFZX": swfzxItems, "GXS": gxsItems, "GSL": gslItems,
	"FL": flItems, "TXW": txwItems, "HSZH": hszhItems, "ZLS": zlsItems,
	"RQGS": rqgsItems, "GDWL": gdwlItems,
}

// Composites returns the parallel-approval bundles of the demo county.
// Items are referenced by name within their department so the codes follow
// the tables; a missing name is a programming error and panics.
func Composites() []CompositeSeed {
	return append([]CompositeSeed(nil), composites()...)
}

var composites = sync.OnceValue(func() []CompositeSeed {
	code := map[string]string{}
	for _, s := range catalogue() {
		if !s.Cancelled {
			code[s.Department+"/"+s.Name] = s.Code
		}
	}
	ref := func(keys ...string) []string {
		out := make([]string, len(keys))
		for i, k := range keys {
			c, ok := code[k]
			if !ok {
				panic("composite: no item in force " + k)
			}
			out[i] = c
		}
		return out
	}
	return []CompositeSeed{
		{
			Code: "BL-001", Name: "企业投资项目立项用地规划许可阶段并联审批", LeadDepartment: "FGJ",
			Items: ref(
				"FGJ/企业投资项目核准",
				"ZRZYJ/建设项目用地预审与选址意见书核发",
				"ZRZYJ/建设用地规划许可证核发",
				"FGJ/固定资产投资项目节能审查",
				"STHJ/建设项目环境影响报告表审批",
				"SLJ/生产建设项目水土保持方案审批",
			),
			StatutoryDays: parallelStatDays, PromisedDays: 20,
		},
		{
			Code: "BL-002", Name: "社会投资小型低风险项目施工许可阶段并联审批", LeadDepartment: "ZJJ",
			Items: ref(
				"ZRZYJ/建设工程规划许可证核发",
				"ZJJ/建设工程消防设计审查",
				"ZJJ/建筑工程施工许可证核发（新办）",
				"RFB/结合民用建筑修建防空地下室审批",
				"QXJ/雷电防护装置设计审核",
			),
			StatutoryDays: parallelStatDays, PromisedDays: 15,
		},
		{
			Code: "BL-003", Name: "工程建设项目竣工验收阶段联合验收", LeadDepartment: "ZJJ",
			Items: ref(
				"ZRZYJ/建设工程规划条件核实",
				"ZJJ/建设工程消防验收",
				"ZJJ/房屋建筑和市政基础设施工程竣工验收备案",
				"QXJ/雷电防护装置竣工验收",
				"RFB/人民防空工程竣工验收备案",
			),
			StatutoryDays: parallelStatDays, PromisedDays: 12,
		},
		{
			Code: "BL-004", Name: "企业开办一件事（餐饮类）", LeadDepartment: "SCJGJ",
			Items: ref(
				"SCJGJ/企业设立登记",
				"SCJGJ/食品经营许可（新办）",
				"GAJ/公章刻制备案",
				"SWJ/新办纳税人涉税事项套餐办理",
				"RSJ/单位社会保险参保登记",
				"GJJ/单位住房公积金缴存登记",
			),
			StatutoryDays: parallelStatDays, PromisedDays: 10,
			// A company may open even if, say, its canteen's food licence is
			// refused: the other registrations stand (keep the rest).
			RefusalRule: "keep_rest",
		},
		{
			// Three departments at once: the browser journey's bundle.
			Code: "BL-005", Name: "小型建设项目开工一件事", LeadDepartment: "ZJJ",
			Items: ref(
				"ZRZYJ/建设工程规划许可证核发",
				"ZJJ/建设工程消防设计审查",
				"QXJ/雷电防护装置设计审核",
			),
			StatutoryDays: parallelStatDays, PromisedDays: 10,
		},
		{
			// A bundle with a fee: the transfer registration charges the
			// registration fee (不动产登记费, 发改价格规〔2016〕2559号), so the
			// demo shows one payment notice for a bundle.
			Code: "BL-006", Name: "二手房转移登记一件事", LeadDepartment: "BDC",
			Items: ref(
				"BDC/国有建设用地使用权及房屋所有权转移登记",
				"SWJ/存量房交易税费申报",
			),
			StatutoryDays: parallelStatDays, PromisedDays: 5,
		},
	}
})

// it is an item as written in the department tables. build turns it into
// an ItemSeed, adding what every item of its kind carries: the application
// form, the applicant's identity document, the power of attorney, the
// process template and the visit count.
type it struct {
	n    string // name
	t    string // type
	a    string // audience: audCitizn, audOrg, audBoth
	th   string // themes separated by "、"
	law  string // legal basis
	cond string // conditions
	form string // application form; "" derives one from the name
	cert string // the certificate the item issues, for biz variants
	m    []mat  // materials specific to the item
	fee  []FeeSeed
	sd   int // statutory limit
	pd   int // promised limit; ignored when im
	im   bool
	off  bool // not available online
	tw   bool // township centres accept it
	dm   bool // deemed approval
	dmr  bool // biz: the 延续 variant allows deemed approval
	site bool // adds 现场勘验
	exp  bool // adds 专家评审
	nf   bool // no application form
	ni   bool // no identity document (it is among m, or not needed)
	np   bool // no power of attorney (personal attendance required)
	v    int  // visits override (only 2 is used)
	x    string
}

// mat is a material as written in the tables; keep marks paper the
// applicant must bring even when applying online.
type mat struct {
	MaterialSeed
	keep bool
}

func o(name string) mat {
	return mat{MaterialSeed: MaterialSeed{Name: name, Required: true, Form: "original", Copies: 1}}
}
func cp(name string) mat {
	return mat{MaterialSeed: MaterialSeed{Name: name, Required: true, Form: "copy", Copies: 1}}
}
func oc(name string) mat {
	return mat{MaterialSeed: MaterialSeed{Name: name, Required: true, Form: "original_and_copy", Copies: 1}}
}
func el(name string) mat {
	return mat{MaterialSeed: MaterialSeed{Name: name, Required: true, Form: "electronic", Copies: 1}}
}

// opt is a conditional material (情形性材料), a copy unless changed.
func opt(name, when string) mat {
	return mat{MaterialSeed: MaterialSeed{Name: name, Condition: when, Form: "copy", Copies: 1}}
}

// fm is a form to fill in (申请表、登记表).
func fm(name string) mat {
	return mat{MaterialSeed: MaterialSeed{Name: name, Required: true, Form: "original", Copies: 1, BlankForm: true}}
}

func (m mat) note(s string) mat { m.Notes = s; return m }
func (m mat) x(n int) mat       { m.Copies = n; return m }
func (m mat) paper() mat        { m.keep = true; return m }
func (m mat) orig() mat         { m.Form = "original"; return m }

// identity returns the applicant's identity document for an audience.
func identity(aud string) mat {
	switch aud {
	case audCitizn:
		return o("申请人居民身份证").note("现场核验原件，复印件留存")
	case audOrg:
		return cp("营业执照或其他主体资格证明").note("加盖单位公章")
	default:
		return cp("申请人身份证明").note("个人提供居民身份证，单位提供营业执照等主体资格证明并加盖公章")
	}
}

// baseName strips a trailing business-item qualifier: "食品经营许可（新办）"
// → "食品经营许可".
func baseName(n string) string {
	if i := strings.LastIndex(n, "（"); i > 0 && strings.HasSuffix(n, "）") {
		return n[:i]
	}
	return n
}

// formName derives the application form's name from the item's.
func formName(n string) string {
	b := strings.TrimSuffix(baseName(n), "核发")
	b = strings.TrimSuffix(b, "审批")
	switch {
	case strings.HasSuffix(b, "登记"):
		return b + "申请表"
	case strings.HasSuffix(b, "备案"):
		return b + "表"
	case strings.HasSuffix(b, "申请") || strings.HasSuffix(b, "申领"):
		return b + "表"
	}
	return b + "申请表"
}

func (r it) build(dept, code string) ItemSeed {
	s := ItemSeed{
		Code:          code,
		Department:    dept,
		Name:          r.n,
		Type:          r.t,
		Audience:      r.a,
		LegalBasis:    r.law,
		Conditions:    r.cond,
		Fees:          r.fee,
		StatutoryDays: r.sd,
		Immediate:     r.im,
		Online:        !r.off,
		AtTownship:    r.tw,
	}
	if r.th != "" {
		s.Themes = strings.Split(r.th, "、")
	}
	var ms []mat
	if !r.nf && (!r.im || r.form != "") {
		name := r.form
		if name == "" {
			name = formName(r.n)
		}
		ms = append(ms, fm(name))
	}
	if !r.ni {
		ms = append(ms, identity(r.a))
	}
	ms = append(ms, r.m...)
	if !r.np && (!r.im || len(ms) < 3) {
		ms = append(ms, opt(proxyMaterial, proxyCondition))
	}
	s.Visits = 1
	if s.Online {
		s.Visits = 0
	}
	for _, m := range ms {
		if s.Online && !m.keep {
			m.Form = "electronic"
		}
		if m.Required && (m.Form == "original" || m.Form == "original_and_copy") {
			s.Visits = 1
		}
		s.Materials = append(s.Materials, m.MaterialSeed)
	}
	if r.v > 0 {
		s.Visits = r.v
	}
	if r.im {
		s.Steps = []StepSeed{{"受理并当场办结", roleClerk, 0}}
	} else {
		s.PromisedDays = r.pd
		s.Steps = steps(r.pd, r.site, r.exp)
		if r.dm {
			s.DeemedApproval = true
			s.DeemedNote = deemedNoteLocal
			if strings.HasSuffix(r.n, "（延续）") && r.t == tLicence {
				s.DeemedNote = deemedNoteRenew
			}
		}
	}
	if r.x != "" {
		on, reason, _ := strings.Cut(r.x, " ")
		s.Cancelled, s.CancelledOn, s.CancelReason = true, on, reason
	}
	return s
}

// steps is the one-review-one-sign-off template (一审一核) spread over pd
// working days, with an on-site inspection or expert review carved out of
// the review when asked for and there is room.
func steps(pd int, site, exp bool) []StepSeed {
	accept, decide, finish := 1, 1, 0
	switch {
	case pd <= 2:
		accept, decide = 0, pd-1
	case pd >= 10:
		decide, finish = 2, 1
	case pd >= 5:
		finish = 1
	}
	review := pd - accept - decide - finish
	out := []StepSeed{{"受理", roleClerk, accept}}
	var extra []StepSeed
	if site && review >= 2 {
		d := max(1, review/3)
		review -= d
		extra = append(extra, StepSeed{"现场勘验", roleReviewer, d})
	}
	if exp && review >= 2 {
		d := max(1, review/3)
		review -= d
		extra = append(extra, StepSeed{"专家评审", roleReviewer, d})
	}
	out = append(out, StepSeed{"审查", roleReviewer, review})
	out = append(out, extra...)
	return append(out, StepSeed{"审核决定", roleApprover, decide}, StepSeed{"办结", roleClerk, finish})
}

// biz splits a main item into its business items (业务办理项) by kind:
// 新办, 变更, 延续, 注销, 补证. The main item describes the new licence; the
// other kinds take shorter limits and the held certificate as material.
func biz(b it, kinds ...string) []it {
	out := make([]it, 0, len(kinds))
	for _, k := range kinds {
		if k != "新办" && b.cert == "" {
			panic("biz: " + b.n + " needs cert for " + k)
		}
		r := b
		r.n = b.n + "（" + k + "）"
		held := o(b.cert + "原件").paper()
		switch k {
		case "新办":
		case "变更":
			r.pd = max(1, b.pd/3)
			r.site, r.exp, r.dm = false, false, false
			r.cond = "已取得" + b.cert + "且在有效期内，名称、法定代表人（负责人）、地址等登记事项发生变化的。"
			r.m = []mat{held, cp("变更事项的证明材料")}
			r.fee = nil
		case "延续":
			r.pd = max(2, b.pd/2)
			r.site, r.exp = false, false
			r.dm = b.dmr
			r.cond = b.cert + "有效期届满需要继续从事相关活动，在有效期届满30日前提出延续申请的。"
			r.m = []mat{held}
			r.fee = nil
		case "注销":
			r.im, r.dm = true, false
			r.cond = "持有" + b.cert + "，因停止经营、解散或有效期届满不再延续等原因申请注销的。"
			r.m = []mat{held}
			r.form = ""
			r.fee = nil
		case "补证":
			// A replacement costs the certificate fee at most, never the
			// new licence's fee again; no demo item charges for it.
			r.im, r.dm, r.fee = true, false, nil
			r.cond = b.cert + "遗失或者损毁，申请补发的。"
			r.m = []mat{opt("遗失情况书面说明", "证件遗失的")}
			r.form = ""
		default:
			panic("biz: unknown kind " + k)
		}
		out = append(out, r)
	}
	return out
}

// rows joins item tables and single items.
func rows(parts ...any) []it {
	var out []it
	for _, p := range parts {
		switch v := p.(type) {
		case it:
			out = append(out, v)
		case []it:
			out = append(out, v...)
		default:
			panic(fmt.Sprintf("rows: %T", p))
		}
	}
	return out
}
