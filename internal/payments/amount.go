package payments

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var yuanRE = regexp.MustCompile(`^([0-9]{1,10})(?:\.([0-9]{1,2}))?$`)

// ParseYuan reads an amount typed in yuan ("80", "80.5", "¥80.50", "80元")
// into fen exactly: the string is split at the point, never parsed as a
// float, and a third decimal is refused rather than rounded. The
// catalogue's fee form and the bank statement import both read amounts
// with it.
func ParseYuan(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimLeft(s, "¥￥ "), "元"))
	m := yuanRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	whole, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, false
	}
	frac := m[2]
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return whole*100 + f, true
}

// FormatYuan writes fen as yuan with two decimals ("1234.50", "-0.05"),
// in integers so that no amount is ever off by a fen: the plain form
// forms, the API and the outbox's texts carry, and ParseYuan reads back.
func FormatYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}
