package bundles

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/org"
)

// SubmitInput is one application for a composite.
type SubmitInput struct {
	CompositeCode string `json:"composite_code"`
	ApplicantID   int64  `json:"applicant_id"` // a clerk's walk-in applicant; online, the signed-in one
	// Received lists the shared materials handed in (their seq).
	Received []int `json:"received"`
}

// Submit records one application for a composite: the applicant online,
// or the lead department's clerk at their window (the only door in; docs/DOMAIN.md §21).
func (s *Service) Submit(ctx context.Context, a cases.Actor, in SubmitInput) (*Bundle, error) {
	// Who may apply at all comes first: a reviewer learns nothing about
	// composites from a refusal.
	if (a.Staff == nil && a.ApplicantID == 0) || (a.Staff != nil && (a.Staff.Role != org.Clerk || a.Staff.CentreID == 0)) {
		return nil, apperr.New(apperr.Forbidden, "bundle.lead_clerk_only")
	}
	f := apperr.Fields{}
	code := strings.ToUpper(strings.TrimSpace(in.CompositeCode))
	var comp catalogue.Composite
	var err error
	if len(code) > 40 || code == "" {
		// A code is a few characters; a longer one is nobody's code and
		// not worth a query.
		f.Add("composite_code", "bundle.composite_unknown")
	} else if comp, err = s.Catalogue.Composite(ctx, code); apperr.Is(err, apperr.NotFound) {
		f.Add("composite_code", "bundle.composite_unknown")
	} else if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var centreID, firstContact int64
	channel := "online"
	switch {
	case a.Staff != nil:
		st := a.Staff
		if st.Role != org.Clerk || st.CentreID == 0 || st.DepartmentID != comp.LeadDepartmentID {
			return nil, apperr.New(apperr.Forbidden, "bundle.lead_clerk_only")
		}
		centreID, firstContact, channel = st.CentreID, st.StaffID, "window"
		if in.ApplicantID == 0 {
			f.Add("applicant_id", "error.required")
		}
	case a.ApplicantID != 0:
		in.ApplicantID = a.ApplicantID
		for _, it := range comp.Items {
			if !it.Online {
				f.Add("composite_code", "bundle.not_online", "Item", it.Name)
				break
			}
		}
		// The lead department's county hall receives it, as for an item.
		if err := s.DB.Read().QueryRowContext(ctx, `SELECT c.id FROM centres c WHERE c.kind = 'hall' AND c.retired_at IS NULL
			ORDER BY CASE WHEN c.region_code = (SELECT d.region_code FROM departments d WHERE d.id = $1) THEN 0 ELSE 1 END, c.id LIMIT 1`,
			comp.LeadDepartmentID).Scan(&centreID); err != nil {
			return nil, fmt.Errorf("no county hall to receive online applications: %w", err)
		}
	default:
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	for _, it := range comp.Items {
		if it.Status != catalogue.InForce {
			f.Add("composite_code", "case.item_not_in_force")
			break
		}
	}
	mats := SharedMaterials(comp)
	for _, seq := range in.Received {
		if seq < 1 || seq > len(mats) {
			f.Add("received", "case.material_unknown")
			break
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	var no string
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		var kind string
		if err := q.QueryRowContext(ctx, `SELECT kind FROM applicants WHERE id = $1`, in.ApplicantID).Scan(&kind); errors.Is(err, sql.ErrNoRows) {
			f.Add("applicant_id", "case.applicant_unknown")
			return f.Err()
		} else if err != nil {
			return err
		}
		for _, it := range comp.Items {
			if !catalogue.Serves(it.Audience, kind) {
				f.Add("applicant_id", "case.audience_"+it.Audience)
				return f.Err()
			}
		}
		var err error
		if no, err = nextNumber(ctx, q, centreID, now); err != nil {
			return err
		}
		var id int64
		if err := q.QueryRowContext(ctx, `INSERT INTO bundles (no, composite_id, lead_department_id, centre_id, applicant_id, channel, refusal_rule,
			promised_days, state, received_at, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10,$10) RETURNING id`,
			no, comp.ID, comp.LeadDepartmentID, centreID, in.ApplicantID, channel, comp.RefusalRule, comp.PromisedDays, Received, now).Scan(&id); err != nil {
			return fmt.Errorf("insert bundle: %w", err)
		}
		for _, m := range mats {
			status := "missing"
			if slices.Contains(in.Received, m.Seq) {
				status = "received"
			}
			if _, err := q.ExecContext(ctx, `INSERT INTO bundle_materials (bundle_id, seq, name, required, status) VALUES ($1,$2,$3,$4,$5)`,
				id, m.Seq, m.Name, m.Required, status); err != nil {
				return err
			}
		}
		return writeAudit(ctx, q, now, a, "submit", no, comp.LeadDepartmentID, map[string]any{"composite": comp.Code, "channel": channel,
			"first_contact": firstContact})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, no)
}

// SharedMaterials lists the materials of every part once: a material two
// departments both ask for (the business licence, the ID card) is handed
// in once (一次提交, docs/DOMAIN.md §21); it is required when any part
// requires it.
func SharedMaterials(comp catalogue.Composite) []Material {
	var out []Material
	at := map[string]int{}
	for _, it := range comp.Items {
		for _, m := range it.Materials {
			if i, ok := at[m.Name]; ok {
				out[i].Required = out[i].Required || m.Required
				continue
			}
			at[m.Name] = len(out)
			out = append(out, Material{Seq: len(out) + 1, Name: m.Name, Required: m.Required, Status: "missing"})
		}
	}
	return out
}
