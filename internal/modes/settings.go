// Package modes is the two acceptance modes besides the normal one
// (docs/DOMAIN.md §20): 告知承诺, acceptance on the applicant's written
// commitment in place of certain proofs, verified after approval
// (国办发〔2020〕42号), and 容缺受理, acceptance with minor materials owed
// by a deadline (local rules; Shenzhen 2019 limits). It holds the
// catalogue's per-item settings, the mode each case runs under, the
// verifications and the credit marks of false commitments, and keeps them
// in step with the case engine inside its transactions (cases.ModeRule).
package modes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Modes a case may be accepted under.
const (
	Normal     = "normal"
	Commitment = "commitment" // 告知承诺
	Lenient    = "lenient"    // 容缺受理
)

// Modes lists the acceptance modes, in the order filters offer them.
var Modes = []string{Commitment, Lenient}

// Limits of 容缺受理 (Shenzhen 2019, the county's model: docs/DOMAIN.md §5):
// the supply deadline is at most 20 working days and ends at least 2
// working days before the promised limit. An item may ask for a wider
// margin, never a narrower one.
const (
	MaxSupplyDays = 20
	MinMargin     = 2
	// maxVerifyDays bounds the verification schedule (no national
	// deadline, 国办发〔2020〕42号): a year of working days; more is a typo.
	maxVerifyDays = 250
	maxTerms      = 4000
)

// excludedThemes are the catalogue themes whose matters 国办发〔2020〕42号
// excludes from 告知承诺: environment and personal health (the notice also
// names national security, public safety, financial prudence, life and
// property, which no catalogue theme identifies).
var excludedThemes = []string{"环保", "医疗卫生"}

// Settings is one item's acceptance modes, as the catalogue admin edits
// them and the public guide card shows them.
type Settings struct {
	Commitment bool `json:"commitment"`
	// Replaced are the item's materials a commitment replaces.
	Replaced   []string `json:"replaced"`
	VerifyDays int      `json:"verify_days"`
	// Terms are the conditions the applicant commits to meeting.
	Terms string `json:"terms"`

	Lenient bool `json:"lenient"`
	// Minor are the item's materials that may be owed.
	Minor      []string `json:"minor"`
	SupplyDays int      `json:"supply_days"`
	Margin     int      `json:"margin"`
}

// Validate checks the settings against the item and returns them
// normalised (a mode switched off keeps nothing).
func (s Settings) Validate(it catalogue.Item) (Settings, error) {
	f := apperr.Fields{}
	names := make([]string, len(it.Materials))
	for i, m := range it.Materials {
		names[i] = m.Name
	}
	known := func(field string, list []string) []string {
		var out []string
		for _, n := range list {
			if n == "" || slices.Contains(out, n) {
				continue
			}
			if !slices.Contains(names, n) {
				f.Add(field, "modes.material_unknown", "Name", n)
				continue
			}
			out = append(out, n)
		}
		if len(out) == 0 && !f.Has(field) {
			f.Add(field, "modes.materials_required")
		}
		return out
	}
	if s.Commitment {
		for _, th := range it.Themes {
			if slices.Contains(excludedThemes, th) {
				f.Add("commitment", "modes.commitment_excluded", "Theme", th)
			}
		}
		s.Replaced = known("replaced", s.Replaced)
		if s.VerifyDays < 1 || s.VerifyDays > maxVerifyDays {
			f.Add("verify_days", "modes.verify_days_range", "Max", maxVerifyDays)
		}
		s.Terms = f.Para("terms", s.Terms, true, maxTerms)
	} else {
		s.Replaced, s.VerifyDays, s.Terms = nil, 0, ""
	}
	if s.Lenient {
		s.Minor = known("minor", s.Minor)
		// Main materials complete (容缺受理): at least one required material
		// must not be owed, or nothing of substance was handed in.
		main := false
		for _, m := range it.Materials {
			if m.Required && !slices.Contains(s.Minor, m.Name) {
				main = true
			}
		}
		if !main && len(s.Minor) > 0 {
			f.Add("minor", "modes.minor_all")
		}
		if s.Margin < MinMargin {
			f.Add("margin", "modes.margin_min", "Min", MinMargin)
		}
		switch {
		case it.Immediate || it.PromisedDays == 0:
			f.Add("lenient", "modes.lenient_immediate")
		case s.SupplyDays < 1 || s.SupplyDays > MaxSupplyDays:
			f.Add("supply_days", "modes.supply_days_range", "Max", MaxSupplyDays)
		case s.Margin >= MinMargin && s.SupplyDays > it.PromisedDays-s.Margin:
			// Counted from the same acceptance day, the supply deadline
			// then ends at least Margin working days before the promised one.
			f.Add("supply_days", "modes.supply_days_margin", "Promised", it.PromisedDays, "Margin", s.Margin)
		}
	} else {
		s.Minor, s.SupplyDays, s.Margin = nil, 0, MinMargin
	}
	return s, f.Err()
}

// Service keeps the settings, the cases' modes and the credit marks.
type Service struct {
	DB        *store.DB
	Catalogue *catalogue.Service
	Cases     *cases.Service
	Now       func() time.Time
}

// New builds the service and sets its rule on the case engine.
func New(db *store.DB, cat *catalogue.Service, eng *cases.Service, now func() time.Time) *Service {
	eng.Modes = Rule{}
	return &Service{DB: db, Catalogue: cat, Cases: eng, Now: now}
}

// Settings returns an item's settings (both modes off when never set).
func (s *Service) Settings(ctx context.Context, code string) (catalogue.Item, Settings, error) {
	it, err := s.Catalogue.Item(ctx, code)
	if err != nil {
		return it, Settings{}, err
	}
	st, err := itemSettings(ctx, s.DB.Read(), it.ID)
	return it, st, err
}

func itemSettings(ctx context.Context, q store.Querier, itemID int64) (Settings, error) {
	st := Settings{Margin: MinMargin}
	var replaced, minor string
	err := q.QueryRowContext(ctx, `SELECT commitment, commitment_materials, verify_days, commitment_terms, lenient, minor_materials, supply_days,
		supply_margin FROM item_modes WHERE item_id = $1`, itemID).Scan(&st.Commitment, &replaced, &st.VerifyDays, &st.Terms, &st.Lenient, &minor,
		&st.SupplyDays, &st.Margin)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("item modes: %w", err)
	}
	if err := json.Unmarshal([]byte(replaced), &st.Replaced); err != nil {
		return st, err
	}
	return st, json.Unmarshal([]byte(minor), &st.Minor)
}

// Save stores an item's settings; the catalogue admin of the item's
// department (or the county hall's admin) only.
func (s *Service) Save(ctx context.Context, a org.Actor, code string, in Settings) (Settings, error) {
	it, err := s.Catalogue.Item(ctx, code)
	if err != nil {
		return in, err
	}
	if !catalogue.CanManage(a, it.DepartmentID) {
		return in, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	st, err := in.Validate(it)
	if err != nil {
		return in, err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := itemSettings(ctx, tx, it.ID)
		if err != nil {
			return err
		}
		if err := Store(ctx, tx, it.ID, st, a.StaffID, now); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "update", "item_modes", it.Code, 0, it.DepartmentID, before, st)
	})
	return st, err
}

// Store writes validated settings of an item (Save, and the demo's
// seeding, which has no signed-in admin).
func Store(ctx context.Context, q store.Querier, itemID int64, st Settings, staffID int64, now time.Time) error {
	replaced, _ := json.Marshal(nonNil(st.Replaced))
	minor, _ := json.Marshal(nonNil(st.Minor))
	if _, err := q.ExecContext(ctx, `INSERT INTO item_modes (item_id, commitment, commitment_materials, verify_days, commitment_terms, lenient,
		minor_materials, supply_days, supply_margin, updated_by, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
		ON CONFLICT (item_id) DO UPDATE SET commitment=$2, commitment_materials=$3, verify_days=$4, commitment_terms=$5, lenient=$6,
		minor_materials=$7, supply_days=$8, supply_margin=$9, updated_by=$10, updated_at=$11`,
		itemID, st.Commitment, string(replaced), st.VerifyDays, st.Terms, st.Lenient, string(minor), st.SupplyDays, st.Margin,
		store.NullID(staffID), now); err != nil {
		return fmt.Errorf("save item modes: %w", err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
