package ident

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkMask asserts masked hides every rune of base outside the first head
// and last tail, keeps those, and keeps the rune count.
func checkMask(t *testing.T, base, masked string, head, tail int) {
	t.Helper()
	b, m := []rune(base), []rune(masked)
	if len(b) != len(m) {
		t.Fatalf("mask(%q) = %q: %d runes, want %d", base, masked, len(m), len(b))
	}
	for i := range b {
		kept := i < head || i >= len(b)-tail
		if kept && m[i] != b[i] || !kept && m[i] != '*' {
			t.Fatalf("mask(%q) = %q: rune %d wrong (keep %d+%d)", base, masked, i, head, tail)
		}
	}
}

// checkKey asserts every failure carries a translation key.
func checkKey(t *testing.T, err error) {
	t.Helper()
	if err != nil && Key(err) == "" {
		t.Fatalf("error %v has no key", err)
	}
}

func FuzzResidentID(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "440524188001010014", "11010519491231002x", " 110105 19491231 002X",
		"11010519491231003X", "110105194902300020", "", "X", "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		info, err := ResidentID(s)
		checkKey(t, err)
		if err == nil {
			again, err := ResidentID(info.Normalized)
			if err != nil || again != info {
				t.Fatalf("round trip of %q: %+v, %v; want %+v", s, again, err, info)
			}
			n := info.Normalized
			if len(n) != 18 || info.Region != n[:6] || info.Birth.Format("20060102") != n[6:14] {
				t.Fatalf("inconsistent info %+v", info)
			}
			if c, ok := ResidentIDCheck(n[:17]); !ok || c != n[17] {
				t.Fatalf("valid %q with wrong check", n)
			}
		}
		base := clean(s)
		head, tail := 0, 0
		switch utf8.RuneCountInString(base) {
		case 18:
			head, tail = 6, 4
		case 15:
			head, tail = 6, 3
		}
		checkMask(t, base, MaskResidentID(s), head, tail)
	})
}

func FuzzCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "11320000MB151840XJ", "91350100m000100y43", "91350100M000100Y44",
		"91350100M000I00Y43", "914310220000000190", "", "中华人民共和国", "913501A0M000100Y43"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		info, err := CreditCode(s)
		checkKey(t, err)
		switch {
		case err == nil, errors.Is(err, ErrCheckCharacter):
			again, err2 := CreditCode(info.Normalized)
			if again != info || (err == nil) != (err2 == nil) {
				t.Fatalf("round trip of %q: %+v, %v; want %+v, %v", s, again, err2, info, err)
			}
			n := info.Normalized
			if len(n) != 18 || info.Region != n[2:8] || info.OrgCode != n[8:17] {
				t.Fatalf("inconsistent info %+v", info)
			}
			if c, ok := CreditCodeCheck(n[:17]); !ok || (c == n[17]) != (err == nil) {
				t.Fatalf("check of %q disagrees with error %v", n, err)
			}
		default:
			if info != (CreditCodeInfo{}) {
				t.Fatalf("info %+v returned with %v", info, err)
			}
		}
		base := clean(s)
		head, tail := 0, 0
		if utf8.RuneCountInString(base) == 18 {
			head, tail = 8, 2
		}
		checkMask(t, base, MaskCreditCode(s), head, tail)
	})
}

func FuzzDivisionCode(f *testing.F) {
	for _, s := range []string{"431022", "431022001", "431022100", "431022204", "431022100001", "431022204201",
		"430000", "431022000", "441900", "", "43102x", "４３１０２２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := DivisionCode(s)
		checkKey(t, err)
		if err != nil {
			if d != (Division{}) {
				t.Fatalf("division %+v returned with %v", d, err)
			}
			return
		}
		again, err := DivisionCode(d.Code)
		if err != nil || again != d {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", s, again, err, d)
		}
		want := map[string]int{"county": 6, "township": 9, "village": 12}[d.Level]
		if len(d.Code) != want {
			t.Fatalf("%+v: level and length disagree", d)
		}
		if d.Level == "county" {
			if d.Parent != "" || d.TownshipKind != "" {
				t.Fatalf("county %+v has parent or kind", d)
			}
			return
		}
		p, err := DivisionCode(d.Parent)
		if err != nil || !strings.HasPrefix(d.Code, p.Code) || len(p.Code)+3 != len(d.Code) {
			t.Fatalf("%+v: parent %+v, %v", d, p, err)
		}
		if d.Level == "village" && p.TownshipKind != d.TownshipKind {
			t.Fatalf("%+v: township kind differs from parent %+v", d, p)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"13800138000", "+86 138 0013 8000", "0735-3712345", "(010)62345678", "12345", "", "0735-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Phone(s)
		checkKey(t, err)
		if err == nil {
			if again, err := Phone(p); err != nil || again != p {
				t.Fatalf("round trip of %q: %q, %v", p, again, err)
			}
		}
		m := MaskPhone(s)
		revealed := 0
		for _, r := range m {
			if r != '*' && r != '-' {
				revealed++
			}
		}
		// A mobile shows 3+4, a fixed line at most a 4-digit area code + 4.
		if revealed > 8 {
			t.Fatalf("MaskPhone(%q) = %q reveals %d characters", s, m, revealed)
		}
	})
}

func FuzzMaskName(f *testing.F) {
	for _, s := range []string{"张三", "欧阳娜娜", "欧阳", "张", "", " 李四 ", "阿依古丽·买买提", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		base := strings.TrimSpace(s)
		n := utf8.RuneCountInString(base)
		head := 0
		if n >= 2 {
			head = 1
			if n > 2 && compoundSurnames[string([]rune(base)[:2])] {
				head = 2
			}
		}
		checkMask(t, base, MaskName(s), head, 0)
	})
}
