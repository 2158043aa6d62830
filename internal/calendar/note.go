package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NoteKind says what a Note explains.
type NoteKind string

const (
	// NoteHoliday: the holiday Name covered From–To inside the counted span;
	// Days is how many of those were Monday–Friday, i.e. how many working
	// days the holiday took away. From/To are clipped to the counted span, so
	// a count starting mid-holiday shows only the part it skipped.
	NoteHoliday NoteKind = "holiday"
	// NoteAdjustedWorkday: the weekend day From (= To) was counted as a
	// working day because of the holiday Name (调休). Days is 1.
	NoteAdjustedWorkday NoteKind = "adjusted_workday"
	// NoteWeekends: Days ordinary Saturdays and Sundays were skipped
	// (weekend days inside a holiday period belong to the holiday note).
	NoteWeekends NoteKind = "weekends"
	// NoteMissingYear: Years had no holiday data and were counted with
	// weekends only, so the deadline is provisional.
	NoteMissingYear NoteKind = "missing_year"
	// NotePause: the clock stopped for Reason from From to To (zero To: still
	// stopped); Days working days were excluded and the deadline moved by
	// that much. Expected is the length announced to the applicant, if any.
	// AfterDeadline marks a pause that began once the deadline had passed:
	// it cannot revive an overdue case, so it moved nothing (Days is 0).
	NotePause NoteKind = "pause"
	// NoteExtension: the limit was extended by Days working days.
	NoteExtension NoteKind = "extension"
)

// Note is one reason a deadline falls where it does. The fields are exported
// so a web page can render its own wording; Text is the stock rendering.
type Note struct {
	Kind     NoteKind `json:"kind"`
	Name     string   `json:"name,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	From     Date     `json:"from,omitzero"`
	To       Date     `json:"to,omitzero"`
	Days     int      `json:"days"`
	Expected int      `json:"expected,omitempty"`
	Years    []int    `json:"years,omitempty"`

	AfterDeadline bool `json:"after_deadline,omitempty"`
}

// Text renders the note in Chinese for lang "zh" (or "zh-…") and in English
// otherwise.
func (n Note) Text(lang string) string {
	if zh := lang == "zh" || strings.HasPrefix(lang, "zh-") || strings.HasPrefix(lang, "zh_"); zh {
		return n.zh()
	}
	return n.en()
}

func (n Note) zh() string {
	switch n.Kind {
	case NoteHoliday:
		return fmt.Sprintf("跳过%s假期 %s（其中 %d 个工作日）", n.Name, span(n.From, n.To, " 至 "), n.Days)
	case NoteAdjustedWorkday:
		return fmt.Sprintf("%s（%s）为%s调休上班日，计为工作日", n.From, zhWeekday[n.From.Weekday()], n.Name)
	case NoteWeekends:
		return fmt.Sprintf("跳过 %d 个周末休息日", n.Days)
	case NoteMissingYear:
		return fmt.Sprintf("%s 年尚无节假日安排数据，暂按仅双休日计算，期限为临时结果", joinYears(n.Years, "、"))
	case NotePause:
		to := n.To.String()
		if n.To.IsZero() {
			to = "今（仍在暂停）"
		}
		s := fmt.Sprintf("暂停计时（%s）%s 至%s", orDash(n.Reason), n.From, zhSpace(to, n.To.IsZero()))
		if n.Expected > 0 {
			s += fmt.Sprintf("，告知需 %d 日", n.Expected)
		}
		if n.AfterDeadline {
			return s + "，开始于期限届满之后，期限不顺延"
		}
		return s + fmt.Sprintf("，顺延 %d 个工作日", n.Days)
	case NoteExtension:
		return fmt.Sprintf("延长 %d 个工作日", n.Days)
	}
	return string(n.Kind)
}

// zhSpace puts a space before a date but not before "今".
func zhSpace(s string, ongoing bool) string {
	if ongoing {
		return s
	}
	return " " + s
}

func (n Note) en() string {
	switch n.Kind {
	case NoteHoliday:
		return fmt.Sprintf("Skipped %s holiday %s (%s)", EnglishName(n.Name), span(n.From, n.To, " to "), plural(n.Days, "weekday"))
	case NoteAdjustedWorkday:
		return fmt.Sprintf("%s (%s) is a working day in exchange for the %s holiday and was counted",
			n.From, n.From.Weekday(), EnglishName(n.Name))
	case NoteWeekends:
		return fmt.Sprintf("Skipped %s", plural(n.Days, "weekend day"))
	case NoteMissingYear:
		return fmt.Sprintf("No holiday data for %s: counted with weekends only, so the deadline is provisional",
			joinYears(n.Years, ", "))
	case NotePause:
		to := n.To.String()
		if n.To.IsZero() {
			to = "now (still paused)"
		}
		s := fmt.Sprintf("Clock paused (%s) from %s to %s", orDash(n.Reason), n.From, to)
		if n.Expected > 0 {
			s += fmt.Sprintf(", announced as %s", plural(n.Expected, "day"))
		}
		if n.AfterDeadline {
			return s + "; it began after the deadline, which did not move"
		}
		return s + fmt.Sprintf("; deadline moved by %s", plural(n.Days, "working day"))
	case NoteExtension:
		return fmt.Sprintf("Extended by %s", plural(n.Days, "working day"))
	}
	return string(n.Kind)
}

var zhWeekday = [...]string{
	time.Sunday: "周日", time.Monday: "周一", time.Tuesday: "周二", time.Wednesday: "周三",
	time.Thursday: "周四", time.Friday: "周五", time.Saturday: "周六",
}

var englishNames = map[string]string{
	"元旦":  "New Year's Day",
	"春节":  "Spring Festival",
	"清明节": "Qingming Festival",
	"劳动节": "Labour Day",
	"端午节": "Dragon Boat Festival",
	"中秋节": "Mid-Autumn Festival",
	"国庆节": "National Day",
}

// EnglishName translates the State Council's holiday names; a combined name
// such as 国庆节、中秋节 is translated part by part, and an unknown name
// (an admin may enter a local one) is returned unchanged.
func EnglishName(zh string) string {
	parts := strings.Split(zh, "、")
	for i, p := range parts {
		if en, ok := englishNames[p]; ok {
			parts[i] = en
		}
	}
	return strings.Join(parts, " and ")
}

func span(from, to Date, sep string) string {
	if from.Equal(to) {
		return from.String()
	}
	return from.String() + sep + to.String()
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

func joinYears(ys []int, sep string) string {
	s := make([]string, len(ys))
	for i, y := range ys {
		s[i] = strconv.Itoa(y)
	}
	return strings.Join(s, sep)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
