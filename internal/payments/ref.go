package payments

import (
	"crypto/rand"
	"math/big"
	"strings"
)

// A notice reference (缴款通知书编号) is 16 digits: 14 random digits and two
// check digits by ISO/IEC 7064 MOD 97-10 (the scheme of the IBAN, ISO
// 13616), so a mistyped digit or two swapped digits on a bank transfer's
// memo are caught before any lookup, and a guessed number is refused
// without touching the database. 10^14 random bodies make references
// unguessable as well as unique (the UNIQUE column backs that up).
const (
	refBody = 14
	refLen  = refBody + 2
)

// mod97 is the remainder of a decimal string modulo 97.
func mod97(digits string) int {
	r := 0
	for i := 0; i < len(digits); i++ {
		r = (r*10 + int(digits[i]-'0')) % 97
	}
	return r
}

// checkDigits are the two ISO 7064 MOD 97-10 check digits of body: the
// body followed by them leaves remainder 1 modulo 97.
func checkDigits(body string) string {
	c := 98 - mod97(body+"00")
	return string([]byte{byte('0' + c/10), byte('0' + c%10)})
}

// newRef draws a fresh reference.
func newRef() (string, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Exp(big.NewInt(10), big.NewInt(refBody), nil))
	if err != nil {
		return "", err
	}
	body := n.String()
	body = strings.Repeat("0", refBody-len(body)) + body
	return body + checkDigits(body), nil
}

// ValidRef reports whether s is a reference with correct check digits.
func ValidRef(s string) bool {
	if len(s) != refLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return mod97(s) == 1
}

// NormalRef drops the spaces and dashes people write references with
// (the printed notice groups them by four).
func NormalRef(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u3000' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// FindRef returns the first valid reference in free text (a bank memo:
// "缴款 1234 5678 ... 某某公司"), or "".
func FindRef(text string) string {
	var run []byte
	try := func() string {
		for i := 0; i+refLen <= len(run); i++ {
			if ValidRef(string(run[i : i+refLen])) {
				return string(run[i : i+refLen])
			}
		}
		return ""
	}
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case ch >= '0' && ch <= '9':
			run = append(run, ch)
			continue
		case ch == ' ' || ch == '-':
			continue
		}
		if r := try(); r != "" {
			return r
		}
		run = run[:0]
	}
	return try()
}

// GroupRef prints a reference in groups of four for reading aloud.
func GroupRef(ref string) string {
	var b strings.Builder
	for i := 0; i < len(ref); i++ {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(ref[i])
	}
	return b.String()
}
