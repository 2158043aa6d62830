package notify

import (
	"context"
	"database/sql"
	"net/mail"
	"slices"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/store"
)

// Preference is how an applicant wants to be told about their cases.
type Preference struct {
	By    string `json:"notify_by"` // sms, email or both
	Email string `json:"email"`
	Lang  string `json:"lang"`
	Phone string `json:"-"`
}

// Choices of Preference.By and Preference.Lang.
var (
	ByChoices   = []string{SMS, Email, "both"}
	LangChoices = []string{"zh-CN", "en"}
)

// Preferences reads an applicant's choice.
func Preferences(ctx context.Context, db *store.DB, applicantID int64) (Preference, error) {
	var p Preference
	err := db.Read().QueryRowContext(ctx, `SELECT notify_by, email, notify_lang, phone FROM applicants WHERE id = $1`, applicantID).Scan(&p.By, &p.Email, &p.Lang, &p.Phone)
	if err != nil {
		return p, apperr.NotFoundf("entity.applicant")
	}
	return p, nil
}

// SetPreferences saves an applicant's own choice. E-mail needs an address
// mail can go to; the address typed is saved as the account's e-mail.
func SetPreferences(ctx context.Context, db *store.DB, applicantID int64, p Preference, now time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error { return SetPreferencesTx(ctx, db.InTx(tx), applicantID, p, now) })
}

// SetPreferencesTx is SetPreferences inside the caller's transaction (the
// online application form saves the choice with the case it submits).
func SetPreferencesTx(ctx context.Context, q store.Querier, applicantID int64, p Preference, now time.Time) error {
	f := apperr.Fields{}
	if !slices.Contains(ByChoices, p.By) {
		f.Add("notify_by", "error.choose")
	}
	if !slices.Contains(LangChoices, p.Lang) {
		f.Add("lang", "error.choose")
	}
	p.Email = f.Email("email", p.Email, false)
	if p.Email != "" && !f.Has("email") {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			f.Add("email", "error.email")
		}
	}
	if (p.By == Email || p.By == "both") && p.Email == "" && !f.Has("email") {
		f.Add("email", "notify.pref.email_needed")
	}
	if err := f.Err(); err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `UPDATE applicants SET notify_by = $1, email = $2, notify_lang = $3, updated_at = $4 WHERE id = $5`,
		p.By, p.Email, p.Lang, now.UTC(), applicantID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.NotFoundf("entity.applicant")
	}
	return nil
}
