// Package disclosure is government information disclosure (政府信息公开,
// issue 16): the shared vocabulary of the publication catalogue, requests
// and the annual report, and the organs that disclose. The rules are the
// Regulations on the Disclosure of Government Information (政府信息公开条例,
// 2019 revision) and the national report format (国办公开办函〔2021〕30号);
// docs/DOMAIN.md §8 and §27.
//
// The work itself lives in sub-packages: publication (主动公开), request
// (依申请公开) and annual (年度报告). They share this package's words so
// that a request's outcome is the very row the report counts it in.
package disclosure

// Legal periods in working days.
const (
	PublishDays    = 20 // proactive disclosure after creation or change, 条例 Art. 26
	SupplementDays = 7  // the one supplement notice after receipt, Art. 30
	ConsultDays    = 15 // a third party's answer; not counted in the limit, Art. 32
	ReplyDays      = 20 // the reply after receipt (or the supplement), Art. 33
	ExtensionDays  = 20 // the one extension at most, with the office head's approval, Art. 33
)

// ApplicantType is a column of table 三: who asked.
type ApplicantType string

const (
	Person         ApplicantType = "person"          // 自然人
	Business       ApplicantType = "business"        // 商业企业
	Research       ApplicantType = "research"        // 科研机构
	PublicInterest ApplicantType = "public_interest" // 社会公益组织
	LegalService   ApplicantType = "legal_service"   // 法律服务机构
	OtherOrg       ApplicantType = "other_org"       // 其他（法人或其他组织）
)

// ApplicantTypes are table 三's columns in the national format's order
// (the total is computed, never stored).
var ApplicantTypes = []ApplicantType{Person, Business, Research, PublicInterest, LegalService, OtherOrg}

// Valid reports whether t is one of ApplicantTypes.
func (t ApplicantType) Valid() bool {
	for _, x := range ApplicantTypes {
		if x == t {
			return true
		}
	}
	return false
}

// Channel is how a request arrived; it decides the receipt day (条例
// Art. 31): in person the day it was handed in, by post the day it was
// signed for, online and by fax the day the office confirmed it.
type Channel string

const (
	Online   Channel = "online"
	Post     Channel = "post"
	InPerson Channel = "in_person"
	Fax      Channel = "fax"
)

// Channels lists the channels in the order forms show them.
var Channels = []Channel{Online, Post, InPerson, Fax}

// Valid reports whether c is one of Channels.
func (c Channel) Valid() bool {
	for _, x := range Channels {
		if x == c {
			return true
		}
	}
	return false
}
