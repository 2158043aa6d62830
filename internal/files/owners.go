package files

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/store"
)

// Owner is who uploaded a file. Identical bytes from two people are one
// stored file with two owners: ownership is a binding of a hash to a
// person, never a property of the blob, so knowing a file's hash gives
// nobody the right to attach it.
type Owner struct {
	Kind string // OwnerApplicant or OwnerStaff
	ID   int64
}

// Kinds of owner.
const (
	OwnerApplicant = "applicant"
	OwnerStaff     = "staff"
)

const (
	// Retention is how long a file nobody attached to a case is kept: long
	// enough to finish a form over a weekend, short enough that the store
	// does not fill with scans that were never handed in. 《个人信息保护法》
	// 第十九条: personal information is kept no longer than its purpose needs.
	Retention = 7 * 24 * time.Hour
	// DailyQuota bounds what one applicant uploads in 24 hours: a few
	// applications' scans (maxFile is 10 MB a file). Staff at the window
	// scan for many people and have none.
	DailyQuota = 200 << 20
)

// Owners keeps the bindings (table file_owners).
type Owners struct {
	DB *store.DB
}

// CheckQuota refuses an upload of size bytes that would take an
// applicant past DailyQuota.
func (o *Owners) CheckQuota(ctx context.Context, who Owner, size int64, now time.Time) error {
	if who.Kind != OwnerApplicant {
		return nil
	}
	var used int64
	err := o.DB.Read().QueryRowContext(ctx, `SELECT COALESCE(SUM(size), 0) FROM file_owners WHERE owner_kind = $1 AND owner_id = $2 AND created_at > $3`,
		who.Kind, who.ID, now.Add(-24*time.Hour).UTC()).Scan(&used)
	if err != nil {
		return fmt.Errorf("files quota: %w", err)
	}
	if used+size > DailyQuota {
		return apperr.New(apperr.TooMany, "files.quota", "MB", DailyQuota>>20)
	}
	return nil
}

// Bind records that who uploaded ref. Uploading the same bytes again
// starts the retention period again.
func (o *Owners) Bind(ctx context.Context, ref Ref, who Owner, now time.Time) error {
	_, err := o.DB.Exec(ctx, `INSERT INTO file_owners (sha256, owner_kind, owner_id, size, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (sha256, owner_kind, owner_id) DO UPDATE SET created_at = excluded.created_at, size = excluded.size`,
		ref.SHA256, who.Kind, who.ID, ref.Size, now.UTC())
	if err != nil {
		return fmt.Errorf("files bind: %w", err)
	}
	return nil
}

// Owns reports whether who uploaded sha.
func (o *Owners) Owns(ctx context.Context, sha string, who Owner) (bool, error) {
	var n int
	err := o.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM file_owners WHERE sha256 = $1 AND owner_kind = $2 AND owner_id = $3`, sha, who.Kind, who.ID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("files owner: %w", err)
	}
	return n > 0, nil
}

// Attached marks files a case now names: they are kept for good, even
// once a later resubmission replaces them in the case (the record needs
// what was handed in).
func (o *Owners) Attached(ctx context.Context, shas []string, now time.Time) error {
	// One transaction: the files are kept all together or not at all.
	return o.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, sha := range shas {
			if _, err := tx.ExecContext(ctx, `UPDATE file_owners SET attached_at = $1 WHERE sha256 = $2 AND attached_at IS NULL`, now.UTC(), sha); err != nil {
				return fmt.Errorf("files attached: %w", err)
			}
		}
		return nil
	})
}

// Cleanup removes files uploaded more than Retention before now that no
// case ever named: every binding of the hash unattached and old, no case
// material naming it, and the file on disk not written since (an upload
// of the same bytes in the meantime renews it). It returns how many
// files it removed.
func (o *Owners) Cleanup(ctx context.Context, st *Store, now time.Time) (int, error) {
	cutoff := now.Add(-Retention).UTC()
	rows, err := o.DB.Read().QueryContext(ctx, `SELECT DISTINCT f.sha256 FROM file_owners f WHERE f.attached_at IS NULL AND f.created_at < $1
		AND NOT EXISTS (SELECT 1 FROM file_owners g WHERE g.sha256 = f.sha256 AND (g.attached_at IS NOT NULL OR g.created_at >= $1))
		AND NOT EXISTS (SELECT 1 FROM case_materials m WHERE m.file_sha256 = f.sha256) LIMIT 1000`, cutoff)
	shas, err := store.Column[string](rows, err)
	if err != nil {
		return 0, fmt.Errorf("files cleanup: %w", err)
	}
	removed := 0
	for _, sha := range shas {
		if !ValidSHA(sha) {
			continue
		}
		p := st.path(sha)
		if fi, err := os.Stat(p); err == nil && !fi.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return removed, fmt.Errorf("files cleanup: %w", err)
		}
		if _, err := o.DB.Exec(ctx, `DELETE FROM file_owners WHERE sha256 = $1 AND attached_at IS NULL AND created_at < $2`, sha, cutoff); err != nil {
			return removed, fmt.Errorf("files cleanup: %w", err)
		}
		removed++
	}
	return removed, nil
}
