// Package ratings is the evaluation of services (好差评, issue 13 §4;
// docs/DOMAIN.md §7): the applicant rates a decided case in five levels
// through the portal, the QR code on the receipt or the window's rating
// pad, once per case and channel, and may add to the rating once. A bad
// rating opens a rectification for the case's department, with deadlines
// in working days, that the supervisor closes.
package ratings

import (
	"slices"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/cases"
)

// Channels a rating arrives by.
const (
	Portal = "portal" // the signed-in applicant, or number + phone
	QR     = "qr"     // the signed link printed on the receipt
	Pad    = "pad"    // the window's rating device
)

// Channels lists them in the order pages show them.
var Channels = []string{Portal, QR, Pad}

// The five levels (国办发〔2019〕51号; GB/T 39734-2020): 5 非常满意, 4 满意,
// 3 基本满意, 2 不满意, 1 非常不满意. The level is the national exchange's
// "satisfaction".
const (
	VerySatisfied    = 5
	Satisfied        = 4
	FairlySatisfied  = 3
	Dissatisfied     = 2
	VeryDissatisfied = 1
)

// Levels lists the levels, best first (the form's order).
var Levels = []int{VerySatisfied, Satisfied, FairlySatisfied, Dissatisfied, VeryDissatisfied}

// Bad reports a bad review (差评): 不满意 or 非常不满意. It opens a
// rectification. tally's recount counts level <= 2 alike.
func Bad(level int) bool { return level >= VeryDissatisfied && level <= Dissatisfied }

// Content reports a rating at 满意 or above, what the satisfaction rate
// counts (tally's recount: level >= 4).
func Content(level int) bool { return level >= Satisfied }

// Reasons a rater may tick (the national form's usual grounds); a level
// below 基本满意 needs one of them or a comment.
var Reasons = []string{"slow", "attitude", "unclear", "repeat_visits", "fees", "other"}

// Limits of what a rater writes, in characters.
const (
	MaxComment  = 500
	MaxAddition = 500
)

// Decided reports whether a case may be rated: a decision was made
// (approved or refused, then completed and delivered — the states of
// cases/rules.go with a decision), so there is a service to judge.
func Decided(c *cases.Case) bool { return c.DecidedAt != nil && c.Decision != "" }

// Input is what a rater sends.
type Input struct {
	Level   int      `json:"level"`
	Reasons []string `json:"reasons"`
	Comment string   `json:"comment"`
}

// check validates in (field errors in f) and returns the cleaned comment
// and reasons.
func (in Input) check(f apperr.Fields) (string, []string) {
	if !slices.Contains(Levels, in.Level) {
		f.Add("level", "rating.level_invalid")
	}
	comment := f.Para("comment", in.Comment, false, MaxComment)
	var reasons []string
	for _, r := range in.Reasons {
		r = strings.TrimSpace(r)
		if r == "" || slices.Contains(reasons, r) {
			continue
		}
		if !slices.Contains(Reasons, r) {
			f.Add("reasons", "rating.reason_invalid")
			break
		}
		reasons = append(reasons, r)
	}
	// DOMAIN.md §7: a satisfaction below 3 needs a reason or a text.
	if in.Level >= 1 && in.Level < FairlySatisfied && len(reasons) == 0 && comment == "" && !f.Has("comment") && !f.Has("reasons") {
		f.Add("comment", "rating.reason_required")
	}
	return comment, reasons
}
