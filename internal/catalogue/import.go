package catalogue

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
)

// A bulk import (the workbook, package catalogue/xlsx) reads and checks its
// rows itself, then hands the items here to be applied under the same
// rules as one edit on the page.

// ImportResult counts what an import did. Created + Updated + Unchanged is
// the number of items given; StatusChanged counts the items whose status
// or status reason the import changed.
type ImportResult struct {
	Created       int `json:"created"`
	Updated       int `json:"updated"`
	Unchanged     int `json:"unchanged"`
	StatusChanged int `json:"status_changed"`
}

// Imported is one item of an import.
type Imported struct {
	Code    string
	Content Content
	// Status is the status to set; "": an existing item keeps its status,
	// a new one is in force. Reason goes with it (CheckStatus).
	Status, Reason string
}

// Import applies items in one transaction: new codes are created, existing
// codes get a new version when their content changed, and the status is
// set. It is all or nothing. A refusal of items[i] goes through
// locate(i, err), so the caller can place it where its reader looks (a
// sheet's row). Rows were checked before; create and update check again,
// so anything that changed meanwhile still fails.
func (s *Service) Import(ctx context.Context, a org.Actor, items []Imported, locate func(i int, err error) error) (ImportResult, error) {
	now := s.Now().UTC().Truncate(time.Millisecond)
	var res ImportResult
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res = ImportResult{}
		for i, it := range items {
			if err := s.importOne(ctx, tx, a, it, now, &res); err != nil {
				if apperr.As(err) != nil {
					return locate(i, err)
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

func (s *Service) importOne(ctx context.Context, tx *sql.Tx, a org.Actor, it Imported, now time.Time, res *ImportResult) error {
	load := func() (Item, error) {
		return scanItem(tx.QueryRowContext(ctx, "SELECT "+itemCols+" FROM "+itemFrom+" WHERE i.code = $1", it.Code))
	}
	cur, err := load()
	switch {
	case apperr.Is(err, apperr.NotFound):
		if !CanManage(a, it.Content.DepartmentID) {
			return apperr.New(apperr.Forbidden, "error.forbidden")
		}
		if _, err := s.create(ctx, tx, a.Who(), it.Code, it.Content, "表格导入新增", now); err != nil {
			return err
		}
		res.Created++
		if it.Status == "" || (it.Status == InForce && it.Reason == "") {
			return nil // in force as created
		}
		if cur, err = load(); err != nil {
			return fmt.Errorf("import: %w", err) // not the row's fault
		}
	case err != nil:
		return fmt.Errorf("import: %w", err)
	default:
		if !CanManage(a, cur.DepartmentID) {
			return apperr.New(apperr.Forbidden, "error.forbidden")
		}
		changed, err := s.update(ctx, tx, a.Who(), cur, it.Content, "", now)
		if err != nil {
			return err
		}
		if changed {
			res.Updated++
		} else {
			res.Unchanged++
		}
	}
	if it.Status == "" || (it.Status == cur.Status && it.Reason == cur.StatusReason) {
		return nil
	}
	res.StatusChanged++
	if err := s.setStatus(ctx, tx, a.Who(), cur, it.Status, it.Reason, now); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}

// CheckStatus applies SetStatus's rules to a status and its reason.
func CheckStatus(f apperr.Fields, status, reason string) string {
	reason = f.Text("reason", reason, status != InForce, 500)
	if status != InForce && status != Suspended && status != Cancelled {
		f.Add("status", "error.choose")
	}
	return reason
}

// setStatus is the status change inside the caller's transaction, for
// SetStatus and the importer; the caller has checked permission and the
// reason. An item already cancelled keeps the day it was cancelled (the
// yearly clean-up report counts by that day).
func (s *Service) setStatus(ctx context.Context, tx *sql.Tx, who audit.Who, cur Item, status, reason string, now time.Time) error {
	var on any
	switch {
	case status == Cancelled && cur.Status == Cancelled && cur.CancelledOn != nil:
		on = *cur.CancelledOn
	case status == Cancelled:
		on = civilDate(now)
	}
	if err := writeStatus(ctx, tx, cur.ID, status, reason, on, now); err != nil {
		return fmt.Errorf("item status: %w", err)
	}
	return audit.Write(ctx, tx, now, who, status, "item", cur.Code, 0, cur.DepartmentID,
		map[string]string{"status": cur.Status}, map[string]string{"status": status, "reason": reason})
}

// EachByDepartment calls fn with every item in every status, in its
// version in force, ordered by department and code (the export's order).
func (s *Service) EachByDepartment(ctx context.Context, fn func(Item) error) error {
	return s.each(ctx, " ORDER BY d.code, i.code", fn)
}
