package ident

import (
	"fmt"
	"strings"
)

// CreditCodeInfo is what a unified social credit code tells.
type CreditCodeInfo struct {
	Normalized    string // 18 characters, upper case
	Authority     string // registration authority code, the 1st character
	AuthorityName string // e.g. 工商; "" when the code is not in our table
	Category      string // authority + organisation category, the first 2 characters, e.g. "91"
	CategoryName  string // e.g. 企业; "" when not in our table
	Region        string // 6-digit division code of the registering organ (100000 = central)
	OrgCode       string // the 9-character organisation code (GB 11714), characters 9–17
}

// creditAlphabet is the code's character set; a character's value is its
// index. I, O, S, V and Z are left out because they read like 1, 0, 5, U, 2.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditAuthorities are the registration authorities of GB 32100-2015 and
// its later assignments. The list grows by notice, so an unknown authority is
// reported with an empty name rather than rejected: the check character is
// what protects against typing errors.
var creditAuthorities = map[byte]string{
	'1': "机构编制",
	'2': "外交",
	'3': "司法行政",
	'4': "文化",
	'5': "民政",
	'6': "旅游",
	'7': "宗教",
	'8': "工会",
	'9': "工商",
	'A': "中央军委改革和编制办公室",
	'N': "农业",
	'Y': "其他",
}

// creditCategories are the organisation categories we can name; the rest
// show the authority only.
var creditCategories = map[string]string{
	"11": "机关", "12": "事业单位", "13": "群众团体", "19": "其他",
	"51": "社会团体", "52": "民办非企业单位", "53": "基金会", "59": "其他",
	"71": "宗教活动场所", "72": "宗教院校", "79": "其他",
	"81": "基层工会", "89": "其他",
	"91": "企业", "92": "个体工商户", "93": "农民专业合作社",
	"N1": "组级集体经济组织", "N2": "村级集体经济组织", "N3": "乡镇级集体经济组织", "N9": "其他",
	"Y1": "其他",
}

// CreditCodeCheck returns the check character for the first 17 characters
// of a credit code. ok is false when body is not 17 characters of the code's
// alphabet (upper case).
func CreditCodeCheck(body string) (check byte, ok bool) {
	if len(body) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, body[i])
		if v < 0 {
			return 0, false
		}
		sum += v * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31], true
}

// CreditCode validates a unified social credit code (GB 32100-2015).
//
// Some codes in real use fail the check (docs/DOMAIN.md §9), so a well-formed code
// whose check character does not match returns its info together with an
// error wrapping ErrCheckCharacter: the caller should ask the user to confirm
// rather than refuse. A malformed code returns ErrFormat and no info.
func CreditCode(s string) (CreditCodeInfo, error) {
	n := clean(s)
	if n == "" {
		return CreditCodeInfo{}, ErrEmpty
	}
	if len(n) != 18 {
		return CreditCodeInfo{}, wrap(ErrFormat, fmt.Sprintf("want 18 characters, have %d", len([]rune(n))))
	}
	for i := 0; i < len(n); i++ {
		if strings.IndexByte(creditAlphabet, n[i]) < 0 {
			return CreditCodeInfo{}, wrap(ErrFormat, fmt.Sprintf("character %d (%q) is not allowed", i+1, n[i]))
		}
	}
	// Characters 3–8 are a GB/T 2260 division code and so always digits.
	if !allDigits(n[2:8]) {
		return CreditCodeInfo{}, wrap(ErrFormat, "characters 3–8 must be a division code")
	}
	info := CreditCodeInfo{
		Normalized:    n,
		Authority:     n[:1],
		AuthorityName: creditAuthorities[n[0]],
		Category:      n[:2],
		CategoryName:  creditCategories[n[:2]],
		Region:        n[2:8],
		OrgCode:       n[8:17],
	}
	if c, _ := CreditCodeCheck(n[:17]); c != n[17] {
		return info, wrap(ErrCheckCharacter, fmt.Sprintf("want %c", c))
	}
	return info, nil
}
