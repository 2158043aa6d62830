package ident

import (
	"fmt"
	"time"

	"onestop/internal/clock"
)

// ResidentIDInfo is what a valid resident ID number tells.
type ResidentIDInfo struct {
	Normalized string    // 18 characters, check character upper-case
	Region     string    // the 6-digit division code of first registration
	Birth      time.Time // a calendar date: midnight UTC of the birth day
	Male       bool      // odd sequence number (17th digit)
}

var residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const residentChecks = "10X98765432"

// earliestBirth is the oldest birth date accepted. GB 11643 itself sets no
// bound, and docs/DOMAIN.md's own example 440524188001010014 is born in 1880, so
// the floor is only there to catch garbage, not centenarians.
var earliestBirth = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)

// now is replaceable in tests.
var now = time.Now

// ResidentIDCheck returns the check character for the first 17 digits of a
// resident ID. ok is false when body is not exactly 17 ASCII digits.
func ResidentIDCheck(body string) (check byte, ok bool) {
	if len(body) != 17 || !allDigits(body) {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * residentWeights[i]
	}
	return residentChecks[sum%11], true
}

// ResidentID validates an 18-character resident ID number (GB 11643-1999).
// White space anywhere and full-width characters are tolerated, and a
// lower-case x is accepted. The checks run from the most specific to the
// most general so the message points at the likely typo: format, region,
// birth date, then the check character. First-generation 15-digit numbers
// expired in 2013 and are rejected as ErrFormat.
func ResidentID(s string) (ResidentIDInfo, error) {
	n := clean(s)
	if n == "" {
		return ResidentIDInfo{}, ErrEmpty
	}
	if len(n) != 18 || !allDigits(n[:17]) || !(allDigits(n[17:]) || n[17] == 'X') {
		return ResidentIDInfo{}, wrap(ErrFormat, "want 17 digits and a digit or X")
	}
	// Only the province is checked: division codes are withdrawn and
	// renumbered over the years, but an ID keeps the code it was issued
	// under, so a list of current counties would reject real people.
	if !provinces[n[:2]] && n[:2] != "83" {
		return ResidentIDInfo{}, wrap(ErrRegion, fmt.Sprintf("no province %s", n[:2]))
	}
	y, m, d := atoi(n[6:10]), atoi(n[10:12]), atoi(n[12:14])
	birth := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if birth.Year() != y || int(birth.Month()) != m || birth.Day() != d {
		return ResidentIDInfo{}, wrap(ErrBirthDate, fmt.Sprintf("no such date %s", n[6:14]))
	}
	// The birth date is a Chinese calendar day: a baby born this morning in
	// Beijing must not be "in the future" because the server runs on UTC.
	ty, tm, td := now().In(clock.Shanghai).Date()
	if birth.Before(earliestBirth) || birth.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return ResidentIDInfo{}, wrap(ErrBirthDate, fmt.Sprintf("%s is out of range", n[6:14]))
	}
	if c, _ := ResidentIDCheck(n[:17]); c != n[17] {
		return ResidentIDInfo{}, wrap(ErrCheckCharacter, fmt.Sprintf("want %c", c))
	}
	return ResidentIDInfo{
		Normalized: n,
		Region:     n[:6],
		Birth:      birth,
		Male:       (n[16]-'0')%2 == 1,
	}, nil
}
