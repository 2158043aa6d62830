package applicants

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/auth"
	"onestop/internal/ident"
	"onestop/internal/notify"
	"onestop/internal/store"
)

// An ID number proves nothing: it is printed on many documents. So an
// online account is opened, or a window-opened account claimed, only with
// a one-time code texted to a phone: for a new applicant the phone they
// give, for a known one the phone on file. A clerk who has checked the ID
// card at the window can have a code sent too (WindowStart).
//
// Whatever the number, Start answers the same: "a code has been sent".
// Only the phone on file learns that the number is registered.
const (
	// CodeTTL is how long a code can be used.
	CodeTTL = 10 * time.Minute
	// CodeAttempts is how many codes may be tried against one claim.
	CodeAttempts = 5
	// ThrottleWindow, PerNumber, PerAddress bound registrations and wrong
	// codes: a number gets few texts an hour (its owner's phone is not
	// to be flooded), an address somewhat more (a hall's NAT).
	ThrottleWindow = time.Hour
	PerNumber      = 5
	PerAddress     = 20
	// PerPhone bounds the texts a phone gets in ThrottleWindow: past it,
	// registrations naming the phone still answer the same, but send
	// nothing (the visitor names the phone; it may be someone else's).
	PerPhone = 5
)

// Purposes of a claim.
const (
	claimNew    = "new"    // a number nobody registered: the code went to the phone given
	claimOnline = "claim"  // a window-opened account: the code went to the phone on file
	claimTaken  = "taken"  // an account with a password: no code was sent, none can match
	claimWindow = "window" // a clerk checked the ID card: the code went to the phone on file
)

// Claims runs registrations that need proof.
type Claims struct {
	DB  *store.DB
	Now func() time.Time
	// Text renders a message from a translation key ("" lang: the
	// default language); the web layer passes its translator.
	Text func(lang, key string, args map[string]any) string
}

// errCode is the one answer to any code that does not open a claim:
// wrong, expired, used, too many tries, or never sent.
func errCode() error {
	f := apperr.Fields{}
	f.Add("code", "register.code_wrong")
	return f.Err()
}

// Start begins an online registration and returns the claim the code
// confirms. Its problems are those of the form only; a registered number
// gets the same answer as a new one.
func (c *Claims) Start(ctx context.Context, in Input, address, lang string) (int64, error) {
	in, override, err := Validate(in, true)
	if err == nil && !ident.IsMobile(in.Phone) {
		f := apperr.Fields{}
		f.Add("phone", "register.mobile_needed")
		err = f.Err()
	}
	if err != nil {
		return 0, err
	}
	now := c.Now().UTC()
	if err := c.throttled(ctx, in.IDNumber, address, now); err != nil {
		return 0, err
	}
	// Hashed whatever the number, so the answer takes as long.
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return 0, err
	}
	code, err := newCode()
	if err != nil {
		return 0, err
	}
	var id int64
	err = c.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := recordAttempt(ctx, tx, in.IDNumber, address, now); err != nil {
			return err
		}
		existing, err := scan(tx.QueryRowContext(ctx, "SELECT "+cols+" FROM applicants WHERE id_number = $1", in.IDNumber))
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		purpose, phone, text, applicantID := claimNew, in.Phone, c.Text(lang, "sms.register.code", map[string]any{"Code": code, "Minutes": int(CodeTTL.Minutes())}), int64(0)
		switch {
		case err != nil: // nobody has this number
		case existing.hash == "":
			// Window-opened: only the phone on file may receive the code,
			// in the centre's language (the owner may not be the visitor).
			purpose, phone, applicantID = claimOnline, existing.Phone, existing.ID
			text = c.Text("", "sms.claim.code", map[string]any{"Code": code, "Minutes": int(CodeTTL.Minutes())})
		default:
			// Registered: tell the owner; no code will ever match.
			purpose, phone, applicantID = claimTaken, existing.Phone, existing.ID
			text = c.Text("", "sms.register.taken", nil)
			if code, err = newCode(); err != nil {
				return err
			}
		}
		id, err = insertClaim(ctx, tx, claimRow{purpose: purpose, applicantID: applicantID, in: in, override: override, hash: hash, code: code, now: now})
		if err != nil {
			return err
		}
		if !ident.IsMobile(phone) {
			return nil // a landline cannot receive it: the owner claims at a window
		}
		if n, err := notify.Recent(ctx, tx, phone, now.Add(-ThrottleWindow)); err != nil || n >= PerPhone {
			return err
		}
		return notify.Queue(ctx, tx, phone, text, now)
	})
	return id, err
}

// Confirm opens the account a claim started by Start is for, with the
// code texted for it.
func (c *Claims) Confirm(ctx context.Context, claimID int64, code, address string) (Applicant, error) {
	return c.confirm(ctx, claimID, "", code, "", address)
}

// WindowStart: a clerk has checked the applicant's ID card at the window
// and sends a code to the applicant's phone, to set up (or reset) the
// online password. A phone given replaces the one on file: the clerk saw
// the card, so the person at the window is the applicant.
func (c *Claims) WindowStart(ctx context.Context, who audit.Who, applicantID int64, phone string) error {
	phone = strings.TrimSpace(phone)
	now := c.Now().UTC()
	code, err := newCode()
	if err != nil {
		return err
	}
	return c.DB.Tx(ctx, func(tx *sql.Tx) error {
		a, err := scan(tx.QueryRowContext(ctx, "SELECT "+cols+" FROM applicants WHERE id = $1", applicantID))
		if err != nil {
			return err
		}
		if phone != "" {
			p, err := ident.Phone(phone)
			if err != nil {
				f := apperr.Fields{}
				f.Add("phone", identKey(err))
				return f.Err()
			}
			if p != a.Phone {
				if _, err := tx.ExecContext(ctx, `UPDATE applicants SET phone = $1, updated_at = $2 WHERE id = $3`, p, now, a.ID); err != nil {
					return err
				}
				if err := audit.Write(ctx, tx, now, who, "update", "applicant", strconv.FormatInt(a.ID, 10), who.CentreID, 0,
					map[string]string{"phone": a.Phone}, map[string]string{"phone": p}); err != nil {
					return err
				}
				a.Phone = p
			}
		}
		if !ident.IsMobile(a.Phone) {
			f := apperr.Fields{}
			f.Add("phone", "register.mobile_needed")
			return f.Err()
		}
		if _, err := insertClaim(ctx, tx, claimRow{purpose: claimWindow, applicantID: a.ID, in: Input{Kind: a.Kind, IDNumber: a.IDNumber}, code: code, now: now}); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, now, who, "online_account_code", "applicant", strconv.FormatInt(a.ID, 10), who.CentreID, 0, nil, nil); err != nil {
			return err
		}
		return notify.Queue(ctx, tx, a.Phone, c.Text("", "sms.window.code", map[string]any{"Code": code, "Minutes": int(CodeTTL.Minutes())}), now)
	})
}

// WindowConfirm sets the password of the applicant a clerk sent a code
// to, given their number and that code.
func (c *Claims) WindowConfirm(ctx context.Context, number, code, password, address string) (Applicant, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	if err := c.throttled(ctx, number, address, c.Now().UTC()); err != nil {
		return Applicant{}, err
	}
	if p := auth.PasswordProblem(password); p != "" {
		f := apperr.Fields{}
		f.Add("password", p)
		return Applicant{}, f.Err()
	}
	var id int64
	err := c.DB.Read().QueryRowContext(ctx, `SELECT id FROM applicant_claims WHERE id_number = $1 AND purpose = 'window' AND used_at IS NULL
		ORDER BY id DESC LIMIT 1`, number).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Applicant{}, err
	}
	return c.confirm(ctx, id, number, code, password, address)
}

// confirm checks code against claim id (0: none, which fails the same)
// and, when it matches, opens the account in one transaction.
func (c *Claims) confirm(ctx context.Context, id int64, number, code, password, address string) (Applicant, error) {
	now := c.Now().UTC()
	if err := c.throttled(ctx, number, address, now); err != nil {
		return Applicant{}, err
	}
	code = strings.TrimSpace(code)
	var r claimRow
	var stored string
	err := c.DB.Read().QueryRowContext(ctx, `SELECT purpose, COALESCE(applicant_id, 0), kind, id_number, name, contact_name, phone, email, check_override,
		password_hash, code_hash FROM applicant_claims WHERE id = $1 AND used_at IS NULL AND expires_at > $2 AND attempts < $3`, id, now, CodeAttempts).
		Scan(&r.purpose, &r.applicantID, &r.in.Kind, &r.in.IDNumber, &r.in.Name, &r.in.ContactName, &r.in.Phone, &r.in.Email, &r.override, &r.hash, &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return Applicant{}, c.wrongCode(ctx, id, number, address, now)
	}
	if err != nil {
		return Applicant{}, err
	}
	if !codeMatches(stored, code) || r.purpose == claimTaken {
		return Applicant{}, c.wrongCode(ctx, id, r.in.IDNumber, address, now)
	}
	if r.purpose == claimWindow {
		if r.hash, err = auth.HashPassword(password); err != nil {
			return Applicant{}, err
		}
	}
	var applicantID int64
	err = c.DB.Tx(ctx, func(tx *sql.Tx) error {
		// Single use: of two requests with the right code, one wins.
		res, err := tx.ExecContext(ctx, `UPDATE applicant_claims SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errCode()
		}
		switch r.purpose {
		case claimNew:
			// Someone registered the number since: the code was for a
			// new account, which there can no longer be.
			var taken int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM applicants WHERE id_number = $1`, r.in.IDNumber).Scan(&taken); err != nil {
				return err
			}
			if taken > 0 {
				return errCode()
			}
			return tx.QueryRowContext(ctx, `INSERT INTO applicants (kind, id_number, name, contact_name, phone, email, password_hash, check_override, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING id`, r.in.Kind, r.in.IDNumber, r.in.Name, r.in.ContactName, r.in.Phone, r.in.Email,
				r.hash, r.override, now).Scan(&applicantID)
		case claimOnline, claimWindow:
			// Proven by the phone on file: the password is set; the name
			// and phone the clerk recorded stay as they are. An online
			// claim never replaces a password set meanwhile.
			q := `UPDATE applicants SET password_hash = $1, updated_at = $2 WHERE id = $3`
			if r.purpose == claimOnline {
				q += ` AND password_hash = ''`
			}
			res, err := tx.ExecContext(ctx, q, r.hash, now, r.applicantID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return errCode()
			}
			applicantID = r.applicantID
			return nil
		}
		return errCode()
	})
	if err != nil {
		return Applicant{}, err
	}
	return (&Service{DB: c.DB, Now: c.Now}).ByID(ctx, applicantID)
}

// wrongCode counts a wrong code against its claim and the throttle.
func (c *Claims) wrongCode(ctx context.Context, id int64, number, address string, now time.Time) error {
	// Each count is committed on its own, as soon as it can be: a guesser
	// hanging up must not take back one already made.
	if id != 0 {
		if _, err := c.DB.Exec(ctx, `UPDATE applicant_claims SET attempts = attempts + 1 WHERE id = $1`, id); err != nil {
			return err
		}
	}
	if err := c.DB.Tx(ctx, func(tx *sql.Tx) error { return recordAttempt(ctx, tx, number, address, now) }); err != nil {
		return err
	}
	return errCode()
}

// Sweep deletes claims a day after they expired and attempts that no
// longer count.
func (c *Claims) Sweep(ctx context.Context, now time.Time) error {
	return c.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM applicant_claims WHERE expires_at < $1`, now.Add(-24*time.Hour).UTC()); err != nil {
			return fmt.Errorf("claims sweep: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM register_attempts WHERE at < $1`, now.Add(-ThrottleWindow).UTC()); err != nil {
			return fmt.Errorf("claims sweep: %w", err)
		}
		return nil
	})
}

type claimRow struct {
	purpose     string
	applicantID int64
	in          Input
	override    bool
	hash        string
	code        string
	now         time.Time
}

func insertClaim(ctx context.Context, tx *sql.Tx, r claimRow) (int64, error) {
	codeHash, err := hashCode(r.code)
	if err != nil {
		return 0, err
	}
	var applicantID any
	if r.applicantID != 0 {
		applicantID = r.applicantID
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO applicant_claims (purpose, applicant_id, kind, id_number, name, contact_name, phone, email, check_override,
		password_hash, code_hash, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id`,
		r.purpose, applicantID, r.in.Kind, r.in.IDNumber, r.in.Name, r.in.ContactName, r.in.Phone, r.in.Email, r.override, r.hash, codeHash,
		r.now, r.now.Add(CodeTTL)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("claim: %w", err)
	}
	return id, nil
}

// throttled refuses when the number or the address has had too many
// registrations and wrong codes within ThrottleWindow.
func (c *Claims) throttled(ctx context.Context, number, address string, now time.Time) error {
	since := now.Add(-ThrottleWindow)
	for _, k := range []struct {
		col, val string
		limit    int
	}{{"id_number", number, PerNumber}, {"address", address, PerAddress}} {
		if k.val == "" {
			continue
		}
		var n int
		err := c.DB.Read().QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM register_attempts WHERE %s = $1 AND at > $2`, k.col), k.val, since).Scan(&n)
		if err != nil {
			return fmt.Errorf("register throttle: %w", err)
		}
		if n < k.limit {
			continue
		}
		// The limit-th newest attempt decides when the block lifts.
		var at time.Time
		err = c.DB.Read().QueryRowContext(ctx, fmt.Sprintf(`SELECT at FROM register_attempts WHERE %s = $1 AND at > $2 ORDER BY at DESC LIMIT 1 OFFSET $3`, k.col),
			k.val, since, k.limit-1).Scan(&at)
		if err != nil {
			return fmt.Errorf("register throttle: %w", err)
		}
		return apperr.New(apperr.TooMany, "register.throttled", "Minutes", int(at.Add(ThrottleWindow).Sub(now).Minutes())+1)
	}
	return nil
}

func recordAttempt(ctx context.Context, q store.Querier, number, address string, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO register_attempts (id_number, address, at) VALUES ($1, $2, $3)`, number, address, now.UTC())
	if err != nil {
		return fmt.Errorf("register throttle: %w", err)
	}
	return nil
}

// newCode is six random digits.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// hashCode keeps a code as salt$sha256(salt||code): the table never holds
// a code a reader could type in.
func hashCode(code string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	sum := sha256.Sum256(append(salt, code...))
	return hex.EncodeToString(salt) + "$" + hex.EncodeToString(sum[:]), nil
}

func codeMatches(stored, code string) bool {
	saltHex, sumHex, ok := strings.Cut(stored, "$")
	salt, err1 := hex.DecodeString(saltHex)
	want, err2 := hex.DecodeString(sumHex)
	if !ok || err1 != nil || err2 != nil || len(code) != 6 {
		return false
	}
	got := sha256.Sum256(append(salt, code...))
	return subtle.ConstantTimeCompare(got[:], want) == 1
}
