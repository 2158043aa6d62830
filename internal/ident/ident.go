// Package ident validates, normalises and masks the identifiers OneStop
// handles: resident ID numbers (GB 11643-1999), unified social credit codes
// (GB 32100-2015), administrative division codes (GB/T 2260) and phone
// numbers. It is pure: no database, no imports of ours, so every layer may
// use it.
package ident

import (
	"errors"
	"strings"
	"unicode"
)

// Error is a validation failure. Key is a stable translation key for the web
// layer; Msg is English for logs and API clients that do not translate.
type Error struct {
	Key string
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// The sentinel errors. Functions may wrap them with detail (which position,
// which character was expected), so compare with errors.Is and read the key
// with errors.As or Key.
var (
	ErrEmpty          = &Error{Key: "ident.empty", Msg: "identifier is empty"}
	ErrFormat         = &Error{Key: "ident.format", Msg: "identifier has the wrong length or characters"}
	ErrCheckCharacter = &Error{Key: "ident.check_character", Msg: "identifier check character does not match"}
	ErrBirthDate      = &Error{Key: "ident.birth_date", Msg: "resident ID birth date is not a valid date"}
	ErrRegion         = &Error{Key: "ident.region", Msg: "division code is not a valid region"}
	ErrPhone          = &Error{Key: "ident.phone", Msg: "not a mainland mobile or fixed-line number"}
)

// Key returns the translation key of the first *Error in err's chain, or ""
// when err is nil or carries none.
func Key(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// detail wraps a sentinel with specifics while keeping errors.Is working.
type detail struct {
	sentinel *Error
	what     string
}

func (d *detail) Error() string { return d.sentinel.Msg + ": " + d.what }
func (d *detail) Unwrap() error { return d.sentinel }

func wrap(sentinel *Error, what string) error { return &detail{sentinel, what} }

// clean drops all white space and folds full-width ASCII (U+FF01–U+FF5E) to
// half-width, then upper-cases. Numbers are typed with Chinese input methods
// that often produce full-width digits or an ideographic space (U+3000), and
// are pasted from documents with grouping spaces; none of that is the user's
// mistake, so it is not an error.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			continue
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFF01 - 0x21
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi parses a short run of ASCII digits already checked by allDigits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// provinces are the first two digits of GB/T 2260 province-level codes.
// 71 (Taiwan), 81 (Hong Kong) and 82 (Macao) are listed in the standard;
// 83 is not a division but is the region part of the residence permits for
// Taiwan residents (港澳台居民居住证, GB 11643 format), which a service hall
// must accept as identity documents, so resident IDs allow it.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true,
}
