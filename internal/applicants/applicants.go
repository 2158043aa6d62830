// Package applicants holds the people and organisations who apply: citizens
// by resident ID number, organisations by unified social credit code. They
// register themselves online, or a clerk registers them at the window.
package applicants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/auth"
	"onestop/internal/ident"
	"onestop/internal/store"
)

// Kinds of applicant.
const (
	Citizen      = "citizen"
	Organisation = "organisation"
)

// Applicant is one registered applicant.
type Applicant struct {
	ID            int64  `json:"id"`
	Kind          string `json:"kind"`
	IDNumber      string `json:"id_number"` // masked for roles that need not see it
	Name          string `json:"name"`
	ContactName   string `json:"contact_name,omitempty"`
	Phone         string `json:"phone"`
	Email         string `json:"email,omitempty"`
	CheckOverride bool   `json:"check_override,omitempty"`
	// Online: the applicant has a password (registered online, or set up
	// with a code); an account a clerk opened at the window has none.
	Online    bool      `json:"online"`
	CreatedAt time.Time `json:"created_at"`
	hash      string
}

// Masked returns the applicant as shown to someone who need not see the
// whole ID number and phone.
func (a Applicant) Masked() Applicant {
	if a.Kind == Citizen {
		a.IDNumber = ident.MaskResidentID(a.IDNumber)
		a.Name = ident.MaskName(a.Name)
	} else {
		a.IDNumber = ident.MaskCreditCode(a.IDNumber)
	}
	a.Phone = ident.MaskPhone(a.Phone)
	return a
}

// CheckPassword reports whether pw is the applicant's password. Without a
// password (an account opened at the window, or the zero Applicant for a
// number nobody has) it does the work of a check anyway, so the time a
// sign-in takes does not tell which numbers have accounts.
func (a Applicant) CheckPassword(pw string) bool {
	if a.hash == "" {
		auth.BurnTime(pw)
		return false
	}
	return auth.CheckPassword(pw, a.hash)
}

// Input is a registration.
type Input struct {
	Kind         string `json:"kind"`
	IDNumber     string `json:"id_number"`
	Name         string `json:"name"`
	ContactName  string `json:"contact_name"`
	Phone        string `json:"phone"`
	Email        string `json:"email"`
	Password     string `json:"password"`
	ConfirmCheck bool   `json:"confirm_check"` // the applicant insists on a credit code that fails its check
}

// Service stores applicants.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

const cols = `id, kind, id_number, name, contact_name, phone, email, check_override, created_at, password_hash`

func scan(row interface{ Scan(...any) error }) (Applicant, error) {
	var a Applicant
	err := row.Scan(&a.ID, &a.Kind, &a.IDNumber, &a.Name, &a.ContactName, &a.Phone, &a.Email, &a.CheckOverride, &a.CreatedAt, &a.hash)
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFoundf("entity.applicant")
	}
	a.Online = a.hash != ""
	return a, err
}

// Validate checks a registration; withPassword is false when a clerk
// registers a walk-in applicant who has no online account.
func Validate(in Input, withPassword bool) (Input, bool, error) {
	f := apperr.Fields{}
	override := false
	switch in.Kind {
	case Citizen:
		info, err := ident.ResidentID(in.IDNumber)
		if err != nil {
			f.Add("id_number", identKey(err))
		}
		in.IDNumber = info.Normalized
	case Organisation:
		info, err := ident.CreditCode(in.IDNumber)
		switch {
		case errors.Is(err, ident.ErrCheckCharacter) && in.ConfirmCheck:
			override = true // docs/DOMAIN.md §9: some real codes fail the check
		case errors.Is(err, ident.ErrCheckCharacter):
			f.Add("id_number", "applicant.check_confirm")
		case err != nil:
			f.Add("id_number", identKey(err))
		}
		in.IDNumber = info.Normalized
		in.ContactName = f.Text("contact_name", in.ContactName, true, 30)
	default:
		f.Add("kind", "error.choose")
	}
	in.Name = f.Text("name", in.Name, true, 100)
	in.Phone = f.Phone("phone", in.Phone, true)
	in.Email = f.Email("email", in.Email, false)
	if withPassword {
		if p := auth.PasswordProblem(in.Password); p != "" {
			f.Add("password", p)
		}
	}
	return in, override, f.Err()
}

func identKey(err error) string {
	var ie *ident.Error
	if errors.As(err, &ie) {
		return ie.Key
	}
	return "error.invalid"
}

// Register creates an applicant directly: a clerk registering a walk-in
// (no password), or seeding and tests (with one). It never touches an
// existing account: claiming one needs proof (see Claims), since an ID
// number alone proves nothing.
func (s *Service) Register(ctx context.Context, in Input, withPassword bool) (Applicant, error) {
	in, override, err := Validate(in, withPassword)
	if err != nil {
		return Applicant{}, err
	}
	hash := ""
	if withPassword {
		if hash, err = auth.HashPassword(in.Password); err != nil {
			return Applicant{}, err
		}
	}
	now := s.Now().UTC()
	var a Applicant
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM applicants WHERE id_number = $1", in.IDNumber).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			f := apperr.Fields{}
			f.Add("id_number", "applicant.exists")
			return f.Err()
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO applicants (kind, id_number, name, contact_name, phone, email, password_hash, check_override, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING id`, in.Kind, in.IDNumber, in.Name, in.ContactName, in.Phone, in.Email, hash, override, now).Scan(&a.ID)
		if err != nil {
			return fmt.Errorf("register applicant: %w", err)
		}
		return nil
	})
	if err != nil {
		return Applicant{}, err
	}
	a.Kind, a.IDNumber, a.Name, a.ContactName, a.Phone, a.Email, a.CheckOverride, a.hash = in.Kind, in.IDNumber, in.Name, in.ContactName, in.Phone, in.Email, override, hash
	a.Online, a.CreatedAt = hash != "", now
	return a, nil
}

// ByID returns one applicant.
func (s *Service) ByID(ctx context.Context, id int64) (Applicant, error) {
	return scan(s.DB.Read().QueryRowContext(ctx, "SELECT "+cols+" FROM applicants WHERE id = $1", id))
}

// ByNumber finds an applicant by resident ID or credit code (normalised).
func (s *Service) ByNumber(ctx context.Context, number string) (Applicant, error) {
	return scan(s.DB.Read().QueryRowContext(ctx, "SELECT "+cols+" FROM applicants WHERE id_number = $1", strings.ToUpper(strings.TrimSpace(number))))
}

// Search finds applicants by the start of their number or a part of their
// name, for the window's "returning applicant" lookup.
func (s *Service) Search(ctx context.Context, q string, limit int) ([]Applicant, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return []Applicant{}, nil
	}
	rows, err := s.DB.Read().QueryContext(ctx, "SELECT "+cols+` FROM applicants WHERE id_number LIKE $1 ESCAPE '\' OR name LIKE $2 ESCAPE '\' ORDER BY name LIMIT $3`,
		store.Prefix(strings.ToUpper(q)), store.Contains(q), limit)
	if err != nil {
		return nil, fmt.Errorf("search applicants: %w", err)
	}
	defer rows.Close()
	out := []Applicant{}
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
