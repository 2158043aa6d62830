package data

import (
	"fmt"
	"math/rand/v2"
	"time"

	"onestop/internal/ident"
)

// NameGen generates people for demo data. The same seed gives the same
// sequence on every run and machine, so a demo database, a screenshot in
// the manual and a failing test all show the same 张伟. Each call consumes
// randomness, so the order of calls is part of the sequence.
//
// The numbers it makes are random: a generated mobile may belong to a real
// subscriber, so demo data must never be sent through a real SMS gateway.
type NameGen struct {
	r *rand.Rand
}

// pcgStream fixes the PCG stream; only the seed varies.
const pcgStream = 0x6f6e6573746f70 // "onestop"

// Names returns a generator seeded with seed.
func Names(seed int64) *NameGen {
	return &NameGen{r: rand.New(rand.NewPCG(uint64(seed), pcgStream))}
}

// Next returns a full name of either sex.
func (g *NameGen) Next() string {
	return g.NextFor(g.r.IntN(2) == 0)
}

// NextFor returns a full name typical for a man or a woman: a surname drawn
// by frequency and a given name of one character (about a quarter of the
// time) or two.
func (g *NameGen) NextFor(male bool) string {
	surname := surnames[g.pick()].name
	lists := givenNames[0]
	if male {
		lists = givenNames[1]
	}
	if g.r.IntN(4) == 0 {
		return surname + pickRune(g.r, lists.single)
	}
	first := pickRune(g.r, lists.first)
	second := pickRune(g.r, lists.second)
	// Doubled given names (婷婷, 丹丹) are common for girls, odd for men.
	for male && second == first {
		second = pickRune(g.r, lists.second)
	}
	return surname + first + second
}

// pick draws a surname index weighted by frequency.
func (g *NameGen) pick() int {
	n := g.r.IntN(surnameTotal)
	for i, s := range surnames {
		if n < s.weight {
			return i
		}
		n -= s.weight
	}
	return 0 // unreachable: surnameTotal is the sum of the weights
}

func pickRune(r *rand.Rand, s []rune) string { return string(s[r.IntN(len(s))]) }

// Phone returns a mainland mobile number with a real carrier prefix.
func (g *NameGen) Phone() string {
	return mobilePrefixes[g.r.IntN(len(mobilePrefixes))] + fmt.Sprintf("%08d", g.r.IntN(100_000_000))
}

// ResidentID builds a valid 18-character resident ID number for a person
// registered in regionCode (a division code; only its first 6 digits are
// used, so a township or village code will do), born on birth's calendar
// date, with a sequence number of the right parity for the sex. The caller
// keeps birth between 1800 and today, the range ident.ResidentID accepts.
// It panics when regionCode does not start with 6 digits or the year has
// not 4 digits: demo data is static, and either is a programming error.
func (g *NameGen) ResidentID(regionCode string, birth time.Time, male bool) string {
	if len(regionCode) < 6 {
		panic("data: region code too short: " + regionCode)
	}
	seq := g.r.IntN(500) * 2 // even: female
	if male {
		seq++
	}
	if seq == 0 {
		seq = 2 // 000 is not issued
	}
	body := fmt.Sprintf("%s%04d%02d%02d%03d", regionCode[:6], birth.Year(), int(birth.Month()), birth.Day(), seq)
	check, ok := ident.ResidentIDCheck(body)
	if !ok {
		panic(fmt.Sprintf("data: no resident ID from region %q and birth %s", regionCode, birth.Format(time.DateOnly)))
	}
	return body + string(check)
}

// Person is a generated applicant.
type Person struct {
	Name       string
	Male       bool
	Birth      time.Time // a calendar date, midnight UTC
	ResidentID string
	Phone      string
}

// Person generates an applicant registered in regionCode, born between 1945
// and 2007 (adults when the demo runs).
func (g *NameGen) Person(regionCode string) Person {
	male := g.r.IntN(2) == 0
	first := time.Date(1945, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(2007, 12, 31, 0, 0, 0, 0, time.UTC).Sub(first).Hours() / 24)
	birth := first.AddDate(0, 0, g.r.IntN(days+1))
	p := Person{Name: g.NextFor(male), Male: male, Birth: birth}
	p.ResidentID = g.ResidentID(regionCode, birth, male)
	p.Phone = g.Phone()
	return p
}

type surname struct {
	name   string
	weight int
}

// surnames with weights roughly per ten thousand people, from the national
// frequency ranking, tilted towards southern Hunan (more 邓, 曹, 谭, 欧,
// 欧阳, 廖, 邝, and 盘 for the Yao of 莽山).
var surnames = []surname{
	{"李", 720}, {"王", 700}, {"张", 640}, {"刘", 560}, {"陈", 500},
	{"杨", 320}, {"黄", 300}, {"赵", 220}, {"吴", 210}, {"周", 200},
	{"徐", 150}, {"胡", 150}, {"罗", 140}, {"邓", 140}, {"孙", 130},
	{"朱", 130}, {"何", 130}, {"唐", 120}, {"马", 110}, {"郭", 110},
	{"林", 110}, {"高", 110}, {"谢", 110}, {"彭", 110}, {"曾", 110},
	{"肖", 100}, {"郑", 90}, {"曹", 90}, {"梁", 80}, {"宋", 80},
	{"蒋", 80}, {"谭", 80}, {"许", 70}, {"冯", 70}, {"韩", 60},
	{"田", 60}, {"袁", 60}, {"余", 60}, {"钟", 60}, {"廖", 60},
	{"董", 50}, {"潘", 50}, {"蔡", 50}, {"杜", 50}, {"叶", 50},
	{"卢", 50}, {"欧", 50}, {"于", 40}, {"程", 40}, {"魏", 40},
	{"苏", 40}, {"吕", 40}, {"丁", 40}, {"任", 40}, {"姚", 40},
	{"范", 40}, {"石", 40}, {"欧阳", 40}, {"沈", 30}, {"姜", 30},
	{"陆", 30}, {"汪", 30}, {"雷", 30}, {"龚", 30}, {"文", 30},
	{"侯", 20}, {"邝", 20}, {"盘", 20}, {"司马", 2}, {"上官", 2},
	{"诸葛", 2},
}

var surnameTotal = func() int {
	t := 0
	for _, s := range surnames {
		t += s.weight
	}
	return t
}()

type givenList struct{ single, first, second []rune }

// givenNames[0] is for women, [1] for men: characters common in given names
// of people born from the 1950s to the 2000s.
var givenNames = [2]givenList{
	{
		single: []rune("芳娜敏静丽艳娟霞秀玲英红燕萍梅琳雪婷慧颖倩欣怡佳悦琴兰凤洁丹"),
		first:  []rune("秀桂丽晓雅欣婷佳美玉春海雪思梦子雨金红淑诗紫可芷一若"),
		second: []rune("英兰芳梅华琴艳萍玲娟婷敏静丽颖怡涵琪雪霞萱琳妍彤月然"),
	},
	{
		single: []rune("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳峰成东亮洋晨博"),
		first:  []rune("志建国文明海永俊子浩宇家晓德春立天新振宏金光世锦嘉思梓一"),
		second: []rune("强华明军平伟杰辉勇涛斌峰龙鹏轩宇然博成东涵睿林豪祥波荣生航铭"),
	},
}

// mobilePrefixes are carrier number blocks in use (China Mobile, Unicom,
// Telecom).
var mobilePrefixes = []string{
	"134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
	"178", "182", "183", "184", "187", "188", "198",
	"130", "131", "132", "145", "155", "156", "166", "175", "176", "185", "186",
	"133", "149", "153", "173", "177", "180", "181", "189", "191", "199",
}
