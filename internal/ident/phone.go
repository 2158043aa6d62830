package ident

import "strings"

// Phone validates a mainland mobile number (1[3-9] and 9 more digits) or a
// fixed-line number with its area code, and returns it normalised: a mobile
// as 11 digits, a fixed line as "area-local" (0735-3712345).
//
// Accepted decorations: white space, hyphens, a country prefix +86/0086/86
// before a mobile, and parentheses round the area code. Area codes 010 and
// 02x have three digits and are followed by 8-digit local numbers; all
// others (03xx–09xx) have four and are followed by 7 or 8 digits. Local
// numbers never start with 0 or 1. Short service numbers (12345, 95588) and
// 400/800 numbers are not personal contacts and are refused.
func Phone(s string) (string, error) {
	n := clean(s)
	if n == "" {
		return "", ErrEmpty
	}
	n = strings.NewReplacer("(", "", ")", "", "（", "", "）", "").Replace(n)
	plus := strings.HasPrefix(n, "+")
	n = strings.TrimPrefix(n, "+")
	digits := strings.ReplaceAll(n, "-", "")
	if !allDigits(digits) {
		return "", wrap(ErrPhone, "only digits, spaces and hyphens allowed")
	}
	for _, p := range []string{"0086", "86"} {
		if rest, ok := strings.CutPrefix(digits, p); ok && isMobile(rest) {
			return rest, nil
		}
	}
	if plus {
		return "", wrap(ErrPhone, "only +86 mobiles are accepted with a country prefix")
	}
	if isMobile(digits) {
		return digits, nil
	}
	if len(digits) < 2 || digits[0] != '0' {
		return "", wrap(ErrPhone, "neither a mobile nor a number with area code")
	}
	areaLen := 4
	if digits[1] == '1' || digits[1] == '2' {
		areaLen = 3
	}
	if digits[1] == '1' && !strings.HasPrefix(digits, "010") {
		return "", wrap(ErrPhone, "no such area code")
	}
	// A hyphen, when given, must sit between area code and local number.
	if i := strings.IndexByte(n, '-'); i >= 0 && (i != areaLen || strings.Count(n, "-") > 1) {
		return "", wrap(ErrPhone, "hyphen must follow the area code")
	}
	if len(digits) <= areaLen {
		return "", wrap(ErrPhone, "area code without a number")
	}
	local := digits[areaLen:]
	minLen := 7
	if areaLen == 3 {
		minLen = 8
	}
	if len(local) < minLen || len(local) > 8 || local[0] < '2' {
		return "", wrap(ErrPhone, "local number must have 7 or 8 digits and not start with 0 or 1")
	}
	return digits[:areaLen] + "-" + local, nil
}

// IsMobile reports whether a normalised phone (Phone's result) is a mobile
// number, one that can receive a text message.
func IsMobile(d string) bool { return isMobile(d) }

func isMobile(d string) bool {
	return len(d) == 11 && allDigits(d) && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}
