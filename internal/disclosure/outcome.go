package disclosure

// Outcome is how a request was concluded: exactly one of the 21 rows
// (一)–(六) of table 三, part 三 "本年度办理结果", of 国办公开办函〔2021〕30号.
// Row (七) is their total. A partly disclosed answer counts only as
// Partial ("区分处理的，只计这一情形，不计其他情形").
type Outcome string

const (
	Disclosed Outcome = "open"    // （一）予以公开
	Partial   Outcome = "partial" // （二）部分公开

	// （三）不予公开
	WithheldSecret      Outcome = "withheld_secret"      // 1.属于国家秘密
	WithheldLaw         Outcome = "withheld_law"         // 2.其他法律行政法规禁止公开
	WithheldSafety      Outcome = "withheld_safety"      // 3.危及"三安全一稳定"
	WithheldThirdParty  Outcome = "withheld_third_party" // 4.保护第三方合法权益
	WithheldInternal    Outcome = "withheld_internal"    // 5.属于三类内部事务信息
	WithheldProcess     Outcome = "withheld_process"     // 6.属于四类过程性信息
	WithheldEnforcement Outcome = "withheld_enforcement" // 7.属于行政执法案卷
	WithheldQuery       Outcome = "withheld_query"       // 8.属于行政查询事项

	// （四）无法提供
	UnableNotHeld     Outcome = "unable_not_held"     // 1.本机关不掌握相关政府信息
	UnableNeedsMaking Outcome = "unable_needs_making" // 2.没有现成信息需要另行制作
	UnableUnclear     Outcome = "unable_unclear"      // 3.补正后申请内容仍不明确

	// （五）不予处理
	DeclinedPetition    Outcome = "declined_petition"    // 1.信访举报投诉类申请
	DeclinedRepeat      Outcome = "declined_repeat"      // 2.重复申请
	DeclinedPublication Outcome = "declined_publication" // 3.要求提供公开出版物
	DeclinedExcessive   Outcome = "declined_excessive"   // 4.无正当理由大量反复申请
	DeclinedConfirm     Outcome = "declined_confirm"     // 5.要求行政机关确认或重新出具已获取信息

	// （六）其他处理
	OtherNoSupplement Outcome = "other_no_supplement" // 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请
	OtherUnpaid       Outcome = "other_unpaid"        // 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请
	Other             Outcome = "other"               // 3.其他
)

// Group is one of the six groups (一)–(六) of table 三's outcome rows.
type Group int

// OutcomeRow is one outcome row of table 三: its group and its number
// within the group (0 for the single-row groups (一) and (二)).
type OutcomeRow struct {
	Outcome Outcome
	Group   Group
	N       int
}

// OutcomeRows are the 21 outcome rows in the national format's order.
var OutcomeRows = []OutcomeRow{
	{Disclosed, 1, 0},
	{Partial, 2, 0},
	{WithheldSecret, 3, 1}, {WithheldLaw, 3, 2}, {WithheldSafety, 3, 3}, {WithheldThirdParty, 3, 4},
	{WithheldInternal, 3, 5}, {WithheldProcess, 3, 6}, {WithheldEnforcement, 3, 7}, {WithheldQuery, 3, 8},
	{UnableNotHeld, 4, 1}, {UnableNeedsMaking, 4, 2}, {UnableUnclear, 4, 3},
	{DeclinedPetition, 5, 1}, {DeclinedRepeat, 5, 2}, {DeclinedPublication, 5, 3}, {DeclinedExcessive, 5, 4}, {DeclinedConfirm, 5, 5},
	{OtherNoSupplement, 6, 1}, {OtherUnpaid, 6, 2}, {Other, 6, 3},
}

// Row finds an outcome's row; ok is false for an unknown outcome.
func (o Outcome) Row() (OutcomeRow, bool) {
	for _, r := range OutcomeRows {
		if r.Outcome == o {
			return r, true
		}
	}
	return OutcomeRow{}, false
}

// Valid reports whether o is one of the 21 outcomes.
func (o Outcome) Valid() bool { _, ok := o.Row(); return ok }

// ReplyType is the kind of reply 条例 Art. 36 prescribes, 1–7:
//  1. already proactively disclosed: say how and where to get it;
//  2. can be disclosed: provide it, or say how, where and when;
//  3. not disclosed under the Regulations: say so and give the reason;
//  4. not found after search: say the information does not exist;
//  5. not this organ's to disclose: say why, and name the organ that is
//     and its contact where it can be determined;
//  6. a repeat of a request already answered: say it is not handled again;
//  7. information (commercial, real-estate registration …) whose access a
//     law or administrative regulation governs: say to apply under it.
type ReplyType int

// ReplyOutcomes are the outcomes each reply type may conclude a request
// with. Types 1 and 2 disclose (wholly or in part); 3 withholds for one of
// the eight reasons; 4 and 5 cannot provide (the organ does not hold it);
// 6 is a repeat; 7 is an administrative query matter (行政查询事项). The
// outcomes without a reply type (petitions, unclear after supplement,
// unpaid fees …) conclude a request by a notice, not an Art. 36 reply.
var ReplyOutcomes = map[ReplyType][]Outcome{
	1: {Disclosed, Partial},
	2: {Disclosed, Partial},
	3: {WithheldSecret, WithheldLaw, WithheldSafety, WithheldThirdParty, WithheldInternal, WithheldProcess, WithheldEnforcement},
	4: {UnableNotHeld},
	5: {UnableNotHeld},
	6: {DeclinedRepeat},
	7: {WithheldQuery},
}

// Allows reports whether reply type t may conclude a request with o.
func (t ReplyType) Allows(o Outcome) bool {
	for _, x := range ReplyOutcomes[t] {
		if x == o {
			return true
		}
	}
	return false
}

// Valid reports whether t is one of the seven reply types.
func (t ReplyType) Valid() bool { return t >= 1 && t <= 7 }
