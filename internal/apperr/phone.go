package apperr

import (
	"strings"

	"onestop/internal/ident"
)

// maxPhoneRunes bounds a phone as typed, decorations included
// (+86 138-0013-8000, (0735) 3712345).
const maxPhoneRunes = 30

// Phone checks a phone number typed anywhere (staff, applicants, centres,
// departments, the progress query) through the one normaliser,
// ident.Phone, so every form accepts the same ways of writing a number
// (+86…, 86…, spaces, hyphens) and every record stores it the same way
// (11 digits for a mobile, area-local for a fixed line). It returns the
// normalised number, or the text as typed when there is a problem.
func (f Fields) Phone(field, v string, required bool) string {
	v = f.Text(field, v, required, maxPhoneRunes)
	if v == "" || f.Has(field) {
		return v
	}
	p, err := ident.Phone(v)
	if err != nil {
		f.Add(field, ident.Key(err))
		return v
	}
	return p
}

// maxEmailRunes bounds an e-mail address as stored.
const maxEmailRunes = 100

// Email checks an e-mail address typed anywhere (applicants, enquiries):
// free text under the one rule, and an @ in it. The check stays as loose
// as the people who type it; where mail is sent to it (an applicant's
// notifications) notify checks it as an address (net/mail) as well.
func (f Fields) Email(field, v string, required bool) string {
	v = f.Text(field, v, required, maxEmailRunes)
	if v != "" && !f.Has(field) && !strings.Contains(v, "@") {
		f.Add(field, "error.email")
	}
	return v
}
