package ident

import "fmt"

// Division is a parsed GB/T 2260 administrative division code, extended to
// townships and villages as in the statistical division codes (GB/T 10114
// convention).
type Division struct {
	Code  string // 6, 9 or 12 digits
	Level string // "county", "township" or "village"
	// TownshipKind is the kind of the township the code is in, read from its
	// digits 7–9: 001–099 "street" (街道), 100–199 "town" (镇), 200–399
	// "township" (乡, incl. ethnic townships), 400 and up "other" (development
	// zones, farms). Set for townships and villages; "" for a county.
	TownshipKind string
	// VillageKind is the conventional reading of digits 10–12 of a village
	// code: 001–199 "community" (居委会), 200–399 "village" (村委会), 400 and
	// up "other". Only a hint: the register, not the code, decides.
	VillageKind string
	Parent      string // the enclosing level's code; "" for a county
}

// DivisionCode parses a county (6 digits), township (9) or village or
// community (12) code.
//
// A county-level code must name a real province and must not be the
// province itself (city digits 00). A city-level code (county digits 00) is
// accepted as a county: cities without districts such as 东莞 (441900) have
// townships directly beneath them. Townships and villages numbered 000 are
// rejected, since 000 is the parent itself.
func DivisionCode(s string) (Division, error) {
	n := clean(s)
	if n == "" {
		return Division{}, ErrEmpty
	}
	if (len(n) != 6 && len(n) != 9 && len(n) != 12) || !allDigits(n) {
		return Division{}, wrap(ErrFormat, "want 6, 9 or 12 digits")
	}
	if !provinces[n[:2]] {
		return Division{}, wrap(ErrRegion, fmt.Sprintf("no province %s", n[:2]))
	}
	if n[2:4] == "00" {
		return Division{}, wrap(ErrRegion, fmt.Sprintf("%s is a province, not a county", n[:6]))
	}
	d := Division{Code: n, Level: "county"}
	if len(n) == 6 {
		return d, nil
	}
	t := atoi(n[6:9])
	switch {
	case t == 0:
		return Division{}, wrap(ErrRegion, "township number 000")
	case t < 100:
		d.TownshipKind = "street"
	case t < 200:
		d.TownshipKind = "town"
	case t < 400:
		d.TownshipKind = "township"
	default:
		d.TownshipKind = "other"
	}
	if len(n) == 9 {
		d.Level, d.Parent = "township", n[:6]
		return d, nil
	}
	v := atoi(n[9:12])
	switch {
	case v == 0:
		return Division{}, wrap(ErrRegion, "village number 000")
	case v < 200:
		d.VillageKind = "community"
	case v < 400:
		d.VillageKind = "village"
	default:
		d.VillageKind = "other"
	}
	d.Level, d.Parent = "village", n[:9]
	return d, nil
}
