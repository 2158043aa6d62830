package ident

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestResidentID(t *testing.T) {
	// Pin "today" so the future-birth cases do not drift.
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return time.Date(2026, 2, 28, 17, 0, 0, 0, time.UTC) } // 1 March, 01:00 in China

	c, _ := ResidentIDCheck("43102220260301001")
	today := "43102220260301001" + string(c)
	valid := []struct {
		in, norm, region string
		birth            time.Time
		male             bool
	}{
		// docs/DOMAIN.md §9 examples.
		{"11010519491231002X", "11010519491231002X", "110105", date(1949, 12, 31), false},
		{"440524188001010014", "440524188001010014", "440524", date(1880, 1, 1), true},
		// Lower-case x, surrounding and inner spaces, full-width digits.
		{" 11010519491231002x ", "11010519491231002X", "110105", date(1949, 12, 31), false},
		{"110105 19491231 002X", "11010519491231002X", "110105", date(1949, 12, 31), false},
		{"１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", "110105", date(1949, 12, 31), false},
		// Hand-checked: 4·7+3·9+1·10+0·5+2·8+2·4+1·2+9·1+8·6+5·3+0·7+6·9+1·10+2·5+1·8+2·4+3·2
		// = 259, 259 mod 11 = 6, "10X98765432"[6] = '6'.
		{"431022198506121236", "431022198506121236", "431022", date(1985, 6, 12), true},
		// 29 February of a leap year.
		{"431022200002290044", "431022200002290044", "431022", date(2000, 2, 29), false},
		// Taiwan residents' residence permit (region 830000).
		{"830000199001010012", "830000199001010012", "830000", date(1990, 1, 1), true},
		// Born "today" in China although it is still yesterday in UTC. The
		// check character comes from ResidentIDCheck, which the rows above
		// verify by hand.
		{today, today, "431022", date(2026, 3, 1), true},
	}

	for _, tc := range valid {
		info, err := ResidentID(tc.in)
		if err != nil {
			t.Errorf("ResidentID(%q): %v", tc.in, err)
			continue
		}
		want := ResidentIDInfo{Normalized: tc.norm, Region: tc.region, Birth: tc.birth, Male: tc.male}
		if info != want {
			t.Errorf("ResidentID(%q) = %+v, want %+v", tc.in, info, want)
		}
	}

	invalid := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{"   ", ErrEmpty},
		{"11010519491231002", ErrFormat},   // 17 characters
		{"11010519491231002X1", ErrFormat}, // 19
		{"110105194912310X2X", ErrFormat},  // X not last
		{"11010519491231002Y", ErrFormat},
		{"110105491231002", ErrFormat}, // first-generation 15 digits
		{"１１０１０５１９４９１２３１００２", ErrFormat},
		// One digit changed: the check no longer matches.
		{"11010519491231003X", ErrCheckCharacter},
		{"440524188001010015", ErrCheckCharacter},
		{"110105194912310028", ErrCheckCharacter},
		// Two adjacent digits swapped (the typist's classic).
		{"11010519491213002X", ErrCheckCharacter},
		// Province 99 and 00 do not exist; 83 only for residence permits.
		{"990105194912310020", ErrRegion},
		{"000105194912310020", ErrRegion},
		// Dates that do not exist or are out of range.
		{"110105194913310020", ErrBirthDate}, // month 13
		{"110105194902300020", ErrBirthDate}, // 30 February
		{"431022190002290040", ErrBirthDate}, // 1900 is not a leap year
		{"110105179912310020", ErrBirthDate}, // before 1800
		{"431022202603020010", ErrBirthDate}, // tomorrow
		{"110105000000000020", ErrBirthDate},
	}
	for _, tc := range invalid {
		info, err := ResidentID(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("ResidentID(%q) error = %v, want %v", tc.in, err, tc.want)
		}
		if info != (ResidentIDInfo{}) {
			t.Errorf("ResidentID(%q) returned info %+v with error", tc.in, info)
		}
	}
}

func TestResidentIDCheck(t *testing.T) {
	for _, body := range []string{"", "1101051949123100", "1101051949123100X", "110105194912310021"} {
		if _, ok := ResidentIDCheck(body); ok {
			t.Errorf("ResidentIDCheck(%q) ok", body)
		}
	}
	if c, ok := ResidentIDCheck("11010519491231002"); !ok || c != 'X' {
		t.Errorf("ResidentIDCheck = %c %v, want X", c, ok)
	}
}

func TestCreditCode(t *testing.T) {
	valid := []struct {
		in   string
		want CreditCodeInfo
	}{
		// docs/DOMAIN.md §9 examples.
		{"91350100M000100Y43", CreditCodeInfo{"91350100M000100Y43", "9", "工商", "91", "企业", "350100", "M000100Y4"}},
		{"11320000MB151840XJ", CreditCodeInfo{"11320000MB151840XJ", "1", "机构编制", "11", "机关", "320000", "MB151840X"}},
		// Lower case and spaces are normalised.
		{" 91350100m000100y43\t", CreditCodeInfo{"91350100M000100Y43", "9", "工商", "91", "企业", "350100", "M000100Y4"}},
		// Σ mod 31 = 0 gives 31, written 0.
		{"914310220000000190", CreditCodeInfo{"914310220000000190", "9", "工商", "91", "企业", "431022", "000000019"}},
		// Authority unknown to our table: named "", not rejected.
		{withCheck("B1431022MA4L00001"), CreditCodeInfo{withCheck("B1431022MA4L00001"), "B", "", "B1", "", "431022", "MA4L00001"}},
	}
	for _, tc := range valid {
		info, err := CreditCode(tc.in)
		if err != nil || info != tc.want {
			t.Errorf("CreditCode(%q) = %+v, %v; want %+v", tc.in, info, err, tc.want)
		}
	}

	// Well-formed but the check fails: info and ErrCheckCharacter.
	for _, in := range []string{
		"91350100M000100Y44", // last character changed
		"91350100M000101Y43", // one body character changed
		"11320000MB151840X0",
	} {
		info, err := CreditCode(in)
		if !errors.Is(err, ErrCheckCharacter) {
			t.Errorf("CreditCode(%q) error = %v, want ErrCheckCharacter", in, err)
		}
		if info.Normalized != in || info.Region == "" {
			t.Errorf("CreditCode(%q) info = %+v, want it filled", in, info)
		}
		if Key(err) != "ident.check_character" {
			t.Errorf("Key = %q", Key(err))
		}
	}

	for _, tc := range []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{"91350100M000100Y4", ErrFormat},   // 17
		{"91350100M000100Y433", ErrFormat}, // 19
		{"91350100M000I00Y43", ErrFormat},  // I
		{"91350100M000O00Y43", ErrFormat},  // O
		{"91350100M000S00Y43", ErrFormat},  // S
		{"91350100M000V00Y43", ErrFormat},  // V
		{"91350100M000Z00Y43", ErrFormat},  // Z
		{"913501A0M000100Y43", ErrFormat},  // letter in the region
		{"91350100M000100Y4中", ErrFormat},
	} {
		info, err := CreditCode(tc.in)
		if !errors.Is(err, tc.want) || info != (CreditCodeInfo{}) {
			t.Errorf("CreditCode(%q) = %+v, %v; want %v", tc.in, info, err, tc.want)
		}
	}
}

// withCheck appends the check character computed by CreditCodeCheck; only
// used after the hand-verified rows have shown that routine right.
func withCheck(body string) string {
	c, ok := CreditCodeCheck(body)
	if !ok {
		panic("bad body " + body)
	}
	return body + string(c)
}

func TestDivisionCode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Division
	}{
		{"431022", Division{Code: "431022", Level: "county"}},
		{" 431022 ", Division{Code: "431022", Level: "county"}},
		{"441900", Division{Code: "441900", Level: "county"}}, // 东莞, city without districts
		{"469001", Division{Code: "469001", Level: "county"}}, // Hainan, county directly under the province
		{"431022001", Division{Code: "431022001", Level: "township", TownshipKind: "street", Parent: "431022"}},
		{"431022099", Division{Code: "431022099", Level: "township", TownshipKind: "street", Parent: "431022"}},
		{"431022100", Division{Code: "431022100", Level: "township", TownshipKind: "town", Parent: "431022"}},
		{"431022199", Division{Code: "431022199", Level: "township", TownshipKind: "town", Parent: "431022"}},
		{"431022200", Division{Code: "431022200", Level: "township", TownshipKind: "township", Parent: "431022"}},
		{"431022399", Division{Code: "431022399", Level: "township", TownshipKind: "township", Parent: "431022"}},
		{"431022400", Division{Code: "431022400", Level: "township", TownshipKind: "other", Parent: "431022"}},
		{"431022100001", Division{Code: "431022100001", Level: "village", TownshipKind: "town", VillageKind: "community", Parent: "431022100"}},
		{"431022100200", Division{Code: "431022100200", Level: "village", TownshipKind: "town", VillageKind: "village", Parent: "431022100"}},
		{"431022001450", Division{Code: "431022001450", Level: "village", TownshipKind: "street", VillageKind: "other", Parent: "431022001"}},
	} {
		d, err := DivisionCode(tc.in)
		if err != nil || d != tc.want {
			t.Errorf("DivisionCode(%q) = %+v, %v; want %+v", tc.in, d, err, tc.want)
		}
	}
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{"43102", ErrFormat},
		{"4310221", ErrFormat},
		{"4310221000", ErrFormat},
		{"4310221000011", ErrFormat},
		{"43102A", ErrFormat},
		{"-31022", ErrFormat},
		{"991022", ErrRegion},
		{"430000", ErrRegion}, // the province itself
		{"431022000", ErrRegion},
		{"431022100000", ErrRegion},
	} {
		d, err := DivisionCode(tc.in)
		if !errors.Is(err, tc.want) || d != (Division{}) {
			t.Errorf("DivisionCode(%q) = %+v, %v; want %v", tc.in, d, err, tc.want)
		}
	}
}

func TestPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000":       "13800138000",
		" 138 0013 8000 ":   "13800138000",
		"138-0013-8000":     "13800138000",
		"+86 138 0013 8000": "13800138000",
		"+8613800138000":    "13800138000",
		"008613800138000":   "13800138000",
		"8613800138000":     "13800138000",
		"１９９１２３４５６７８":       "19912345678",
		"0735-3712345":      "0735-3712345",
		"07353712345":       "0735-3712345",
		"(0735)3712345":     "0735-3712345",
		"0735-37123456":     "0735-37123456",
		"010-62345678":      "010-62345678",
		"01062345678":       "010-62345678",
		"020 8765 4321":     "020-87654321",
	} {
		got, err := Phone(in)
		if err != nil || got != want {
			t.Errorf("Phone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"12800138000",  // 12x is not a mobile prefix
		"1380013800",   // 10 digits
		"138001380001", // 12 digits
		"23800138000",
		"+1 415 555 0100",
		"12345",          // service hotline
		"4008123123",     // 400 number
		"0735-0712345",   // local number starts with 0
		"0735-371234",    // 6-digit local
		"0735-371234567", // 9-digit local
		"010-6234567",    // 7 digits after a 3-digit area code
		"011-62345678",   // no such area code
		"07-353712345",   // hyphen in the wrong place
		"0735-371-2345",
		"00", // found by FuzzPhone: area-code prefix with nothing after it
		"0735-",
		"138OO138000",
		"电话13800138000",
	} {
		if got, err := Phone(in); !errors.Is(err, ErrPhone) {
			t.Errorf("Phone(%q) = %q, %v; want ErrPhone", in, got, err)
		}
	}
	if _, err := Phone(" "); !errors.Is(err, ErrEmpty) {
		t.Errorf("Phone(blank) error = %v", err)
	}
}

func TestMask(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(string) string
		in   string
		want string
	}{
		{"id", MaskResidentID, "11010519491231002X", "110105********002X"},
		{"id", MaskResidentID, "11010519491231002x", "110105********002X"},
		{"id", MaskResidentID, " 440524188001010014 ", "440524********0014"},
		{"id15", MaskResidentID, "110105491231002", "110105******002"},
		{"id", MaskResidentID, "1101051949", "**********"},
		{"id", MaskResidentID, "", ""},
		{"id", MaskResidentID, "身份证号码", "*****"},
		{"credit", MaskCreditCode, "91350100M000100Y43", "91350100********43"},
		{"credit", MaskCreditCode, "91350100m000100y43", "91350100********43"},
		{"credit", MaskCreditCode, "9135", "****"},
		{"credit", MaskCreditCode, "", ""},
		{"phone", MaskPhone, "13812341234", "138****1234"},
		{"phone", MaskPhone, "+86 138 1234 1234", "138****1234"},
		{"phone", MaskPhone, "0735-3712345", "0735-***2345"},
		{"phone", MaskPhone, "010-62345678", "010-****5678"},
		{"phone", MaskPhone, "12345678", "****5678"},
		{"phone", MaskPhone, "12345", "*****"},
		{"phone", MaskPhone, "1", "*"},
		{"phone", MaskPhone, "", ""},
		{"name", MaskName, "张三", "张*"},
		{"name", MaskName, "张三丰", "张**"},
		{"name", MaskName, "欧阳娜娜", "欧阳**"},
		{"name", MaskName, "欧阳锋", "欧阳*"},
		{"name", MaskName, "欧阳", "欧*"},
		{"name", MaskName, "诸葛亮", "诸葛*"},
		{"name", MaskName, " 李四 ", "李*"},
		{"name", MaskName, "张", "*"},
		{"name", MaskName, "", ""},
		{"name", MaskName, "阿依古丽·买买提", "阿*******"},
		{"name", MaskName, "Li Lei", "L*****"},
		{"name", MaskName, "\xff\xfe", "\uFFFD*"},
	} {
		if got := tc.f(tc.in); got != tc.want {
			t.Errorf("%s mask(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestKey(t *testing.T) {
	_, err := ResidentID("11010519491231003X")
	if Key(err) != "ident.check_character" || !strings.Contains(err.Error(), "want 8") {
		t.Errorf("err = %v, key %q", err, Key(err))
	}
	var e *Error
	if !errors.As(err, &e) || e != ErrCheckCharacter {
		t.Errorf("errors.As = %v", e)
	}
	if Key(nil) != "" || Key(errors.New("x")) != "" {
		t.Error("Key of a foreign error")
	}
	if ErrEmpty.Error() == "" || Key(ErrEmpty) != "ident.empty" {
		t.Error("sentinel")
	}
}
