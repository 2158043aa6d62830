package notify

import (
	"context"
	"database/sql"
	"net/mail"
	"slices"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
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
	p.Email = address(f, "email", p.Email)
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

// address reads an e-mail address mail can go to ("" for none): a bare
// address, as mail.ParseAddress reads it back unchanged.
func address(f apperr.Fields, field, v string) string {
	v = f.Email(field, v, false)
	if v != "" && !f.Has(field) {
		if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
			f.Add(field, "error.email")
		}
	}
	return v
}

// CheckAddress is address's verdict alone, for a form that must check
// the address before it changes anything else.
func CheckAddress(field, v string) error {
	f := apperr.Fields{}
	address(f, field, v)
	return f.Err()
}

// StaffEmail reads the address a staff member's notes are also sent to.
func StaffEmail(ctx context.Context, db *store.DB, staffID int64) (string, error) {
	var email string
	err := db.Read().QueryRowContext(ctx, `SELECT email FROM staff WHERE id = $1`, staffID).Scan(&email)
	return email, err
}

// SetStaffEmail saves a staff member's own address for their notes by
// e-mail (TellStaff); "" stops them. The change is on the audit record.
func SetStaffEmail(ctx context.Context, db *store.DB, who audit.Who, staffID int64, email string, now time.Time) error {
	f := apperr.Fields{}
	email = address(f, "email", email)
	if err := f.Err(); err != nil {
		return err
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		q := db.InTx(tx)
		var was string
		var centre, dept int64
		if err := q.QueryRowContext(ctx, `SELECT email, COALESCE(centre_id, 0), COALESCE(department_id, 0) FROM staff WHERE id = $1`, staffID).Scan(&was, &centre, &dept); err != nil {
			return apperr.NotFoundf("entity.staff")
		}
		if was == email {
			return nil
		}
		if _, err := q.ExecContext(ctx, `UPDATE staff SET email = $1, updated_at = $2 WHERE id = $3`, email, now.UTC(), staffID); err != nil {
			return err
		}
		return audit.Write(ctx, q, now, who, "update", "staff", strconv.FormatInt(staffID, 10), centre, dept, map[string]any{"email": was}, map[string]any{"email": email})
	})
}
