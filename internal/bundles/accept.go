package bundles

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/cases"
	"onestop/internal/org"
	"onestop/internal/store"
)

// AcceptInput accepts a bundle.
type AcceptInput struct {
	Version int `json:"version"`
	// Received lists shared materials handed in at acceptance (their seq).
	Received []int `json:"received"`
}

// Accept is the one acceptance (一次受理) at the lead department's window:
// in one transaction it opens and accepts a sub-case for every
// participating item, each an ordinary case of its own department on its
// own clock, with the shared materials marked received — all of them or
// none.
func (s *Service) Accept(ctx context.Context, a org.Actor, no string, in AcceptInput) (*Bundle, error) {
	return s.atLeadWindow(ctx, a, no, in.Version, Received, "bundle.not_received", func(q store.Querier, b *Bundle, batch *cases.Batch, now time.Time) error {
		f := apperr.Fields{}
		for _, seq := range in.Received {
			if seq < 1 || seq > len(b.Materials) {
				f.Add("received", "case.material_unknown")
				return f.Err()
			}
		}
		got := map[string]bool{}
		for i := range b.Materials {
			m := &b.Materials[i]
			if slices.Contains(in.Received, m.Seq) && m.Status != "received" {
				m.Status = "received"
				if _, err := q.ExecContext(ctx, `UPDATE bundle_materials SET status = 'received' WHERE bundle_id = $1 AND seq = $2`, b.ID, m.Seq); err != nil {
					return err
				}
			}
			if m.Status == "received" {
				got[m.Name] = true
			} else if m.Required {
				f.Add("received", "bundle.material_missing", "Name", m.Name)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := bump(ctx, q, b, `state = $1, accepted_at = $2, accepted_by = $3`, InProgress, now, a.StaffID); err != nil {
			return err
		}
		comp, err := s.Catalogue.Composite(ctx, b.CompositeCode)
		if err != nil {
			return err
		}
		clerk := cases.StaffActor(a)
		for _, it := range comp.Items {
			var marks []cases.MaterialChange
			for i, m := range it.Materials {
				if got[m.Name] {
					marks = append(marks, cases.MaterialChange{Seq: i + 1, Status: "received", Paper: true})
				}
			}
			c, err := batch.Open(ctx, clerk, cases.Part{Item: it, ApplicantID: b.ApplicantID, CentreID: b.CentreID, FirstContact: a.StaffID,
				Channel: b.Channel, BundleID: b.ID, Materials: marks})
			if err != nil {
				return err
			}
			if _, err := batch.Act(ctx, clerk, c.No, cases.ActAccept, cases.Input{}); err != nil {
				return err
			}
		}
		// Parts decided on acceptance (immediate items) may already
		// decide the bundle.
		if err := s.settle(ctx, q, b.ID, now); err != nil {
			return err
		}
		return audit.Write(ctx, q, now, a.Who(), "accept", "bundle", no, b.CentreID, b.LeadDepartmentID, nil, in)
	})
}

// atLeadWindow runs fn in one transaction on a bundle in state want, for
// its lead department's clerk, with a batch for the parts' transitions;
// the parts' listeners hear them after the commit.
func (s *Service) atLeadWindow(ctx context.Context, a org.Actor, no string, version int, want, wrongKey string,
	fn func(q store.Querier, b *Bundle, batch *cases.Batch, now time.Time) error) (*Bundle, error) {
	cal, err := s.Cases.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	var batch *cases.Batch
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		b, err := s.load(ctx, q, no)
		if err != nil {
			return err
		}
		if err := leadClerk(a, b); err != nil {
			return err
		}
		if version != 0 && version != b.Version {
			return apperr.New(apperr.Conflict, "case.changed", "Version", b.Version)
		}
		if b.State != want {
			return apperr.New(apperr.Conflict, wrongKey)
		}
		batch = s.Cases.Batch(q, cal, now)
		return fn(q, b, batch, now)
	})
	if err != nil {
		return nil, err
	}
	batch.Announce()
	return s.Get(ctx, cases.StaffActor(a), no)
}

// bump writes the bundle row under the version read (set's placeholders
// are $1…; the id and version follow them).
func bump(ctx context.Context, q store.Querier, b *Bundle, set string, args ...any) error {
	n := len(args)
	res, err := q.ExecContext(ctx, `UPDATE bundles SET `+set+`, version = version + 1, updated_at = $2 WHERE id = $`+itoa(n+1)+` AND version = $`+itoa(n+2),
		append(args, b.ID, b.Version)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "case.changed", "Version", b.Version+1)
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// leadClerk: only a window clerk of the lead department at the receiving
// centre accepts and delivers a bundle (one door in, one door out).
func leadClerk(a org.Actor, b *Bundle) error {
	if a.Role != org.Clerk || a.DepartmentID != b.LeadDepartmentID || a.CentreID != b.CentreID {
		return apperr.New(apperr.Forbidden, "bundle.lead_clerk_only")
	}
	return nil
}

// writeAudit records an application in the audit log: a clerk's under
// their name, an applicant's under theirs.
func writeAudit(ctx context.Context, q store.Querier, now time.Time, a cases.Actor, action, no string, dept int64, after any) error {
	who := audit.Who{Name: a.ApplicantName, Role: "applicant", Address: a.Address}
	if a.Staff != nil {
		who = a.Staff.Who()
	}
	return audit.Write(ctx, q, now, who, action, "bundle", no, who.CentreID, dept, nil, after)
}
