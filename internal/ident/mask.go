package ident

import "strings"

// Masking hides the middle of a number from roles that need to recognise a
// record but not read the whole identifier (window staff looking at a queue,
// the public progress page, supervision lists). Every mask keeps the rune
// count, so the masked form still looks like the thing it hides, and
// reveals nothing when the input does not look as expected: an odd value
// is more likely to be something private typed in the wrong field.

// maskRunes keeps head runes at the start and tail at the end and replaces
// the rest with '*'. If nothing would be hidden, everything is.
func maskRunes(rs []rune, head, tail int) string {
	if head+tail >= len(rs) {
		head, tail = 0, 0
	}
	out := make([]rune, len(rs))
	for i := range rs {
		if i < head || i >= len(rs)-tail {
			out[i] = rs[i]
		} else {
			out[i] = '*'
		}
	}
	return string(out)
}

// MaskResidentID keeps the region (first 6) and the last 4 characters of an
// 18-character number: 110105********002X. The region is public knowledge
// about a person (where they were registered) and the last four are what
// people quote to tell records apart; the birth date is hidden. A 15-digit
// first-generation number keeps 6 and 3 (its sequence), hiding the birth
// date. Anything else is masked completely.
func MaskResidentID(s string) string {
	rs := []rune(clean(s))
	switch len(rs) {
	case 18:
		return maskRunes(rs, 6, 4)
	case 15:
		return maskRunes(rs, 6, 3)
	}
	return maskRunes(rs, 0, 0)
}

// MaskCreditCode keeps the first 8 characters (authority, category and
// region: what kind of organisation, registered where) and the last 2:
// 91350100********43. The 9-character organisation code, the part that
// identifies the holder, is hidden. Credit codes are printed on business
// licences and so are not secret; masking is for lists shown to the public,
// where a code next to a natural person's business (个体工商户) would help
// find that person. Anything not 18 characters long is masked completely.
func MaskCreditCode(s string) string {
	rs := []rune(clean(s))
	if len(rs) == 18 {
		return maskRunes(rs, 8, 2)
	}
	return maskRunes(rs, 0, 0)
}

// MaskPhone shows a valid mobile as 138****1234 (carrier prefix and last 4)
// and a valid fixed line as 0735-***2345 (area code, which is public, and
// last 4). Other input of at least 7 characters keeps its last 4; shorter
// input is masked completely.
func MaskPhone(s string) string {
	if p, err := Phone(s); err == nil {
		if area, local, ok := strings.Cut(p, "-"); ok {
			return area + "-" + maskRunes([]rune(local), 0, 4)
		}
		return maskRunes([]rune(p), 3, 4)
	}
	rs := []rune(clean(s))
	if len(rs) >= 7 {
		return maskRunes(rs, 0, 4)
	}
	return maskRunes(rs, 0, 0)
}

// MaskName keeps the surname and masks the given name rune by rune: 张三 →
// 张*, 欧阳娜娜 → 欧阳**. The surname is the first rune, or the first two
// when they are a common compound surname and the name is longer than two
// runes (欧阳 alone is more likely surname 欧, given name 阳). A name of one
// rune is masked completely. Names of ethnic minorities written with a
// middle dot (阿依古丽·买买提) keep only their first rune: the dot would give
// away the name's shape for no benefit.
func MaskName(s string) string {
	rs := []rune(strings.TrimSpace(s))
	if len(rs) < 2 {
		return maskRunes(rs, 0, 0)
	}
	keep := 1
	if len(rs) > 2 && compoundSurnames[string(rs[:2])] {
		keep = 2
	}
	return maskRunes(rs, keep, 0)
}

// compoundSurnames are the two-character surnames still in common use.
var compoundSurnames = map[string]bool{
	"欧阳": true, "司马": true, "上官": true, "诸葛": true, "东方": true,
	"皇甫": true, "尉迟": true, "公孙": true, "慕容": true, "令狐": true,
	"长孙": true, "宇文": true, "司徒": true, "司空": true, "夏侯": true,
	"轩辕": true, "端木": true, "独孤": true, "南宫": true, "西门": true,
	"百里": true, "呼延": true, "澹台": true, "申屠": true, "太史": true,
	"闻人": true, "赫连": true, "钟离": true, "濮阳": true, "万俟": true,
	"第五": true, "拓跋": true, "鲜于": true, "闾丘": true, "公冶": true,
}
