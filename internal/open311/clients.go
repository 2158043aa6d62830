package open311

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/auth"
	"onestop/internal/org"
	"onestop/internal/store"
)

// KeyPrefix marks an Open311 key, so a leaked one is recognised (and
// never mistaken for a rating pad's or a staff token).
const KeyPrefix = "o311_"

// Client is a civic app or kiosk allowed to file requests in one county.
type Client struct {
	ID         int64
	Name       string
	RegionCode string // the county: the client's jurisdiction
	CreatedBy  string // the issuing admin's name, "" from the console
	CreatedAt  time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

// Live reports whether the client's key is still accepted.
func (c Client) Live() bool { return c.RevokedAt == nil }

// Keys issues, lists and revokes the clients' keys.
type Keys struct {
	DB  *store.DB
	Now func() time.Time
}

const clientCols = `c.id, c.name, c.region_code, COALESCE(s.name, ''), c.created_at, c.revoked_at, c.last_used_at`

func scanClient(row interface{ Scan(...any) error }) (Client, error) {
	var c Client
	err := row.Scan(&c.ID, &c.Name, &c.RegionCode, &c.CreatedBy, &c.CreatedAt, &c.RevokedAt, &c.LastUsedAt)
	return c, err
}

// mayManage reports whether a (the hall's admin of a county, or a
// province-wide admin) may issue and revoke keys of county.
func mayManage(a org.Actor, county string) bool {
	return a.Role == org.CentreAdmin && a.CountyWide() && a.CoversRegion(county)
}

// Issue makes a client for county and returns its key, to be shown once.
// a is the admin issuing it (the console is a province-wide one).
func (k *Keys) Issue(ctx context.Context, a org.Actor, name, county string) (string, Client, error) {
	f := apperr.Fields{}
	name = f.Text("name", name, true, 60)
	county = f.Text("county", county, true, 12)
	if err := f.Err(); err != nil {
		return "", Client{}, err
	}
	if !mayManage(a, county) {
		return "", Client{}, apperr.New(apperr.Forbidden, "open311.keys_forbidden")
	}
	var n int
	if err := k.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1 AND level = 'county' AND retired_at IS NULL`, county).Scan(&n); err != nil {
		return "", Client{}, fmt.Errorf("open311 issue: %w", err)
	}
	if n == 0 {
		f.Add("county", "open311.unknown_county")
		return "", Client{}, f.Err()
	}
	key, hash, err := auth.NewClientKey(KeyPrefix)
	if err != nil {
		return "", Client{}, err
	}
	now := k.Now()
	c := Client{Name: name, RegionCode: county, CreatedAt: now, CreatedBy: a.Name}
	err = k.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO open311_clients (name, region_code, key_hash, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, name, county, hash, store.NullID(a.StaffID), now.UTC()).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("open311 issue: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "create", "open311_client", strconv.FormatInt(c.ID, 10), a.CentreID, 0, nil,
			map[string]any{"name": name, "county": county})
	})
	if err != nil {
		return "", Client{}, err
	}
	return key, c, nil
}

// Revoke ends a client's key. A client of a county outside the admin's
// reach answers as one that does not exist; revoking twice is no error.
func (k *Keys) Revoke(ctx context.Context, a org.Actor, id int64) (Client, error) {
	now := k.Now()
	var c Client
	err := k.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanClient(tx.QueryRowContext(ctx, `SELECT `+clientCols+` FROM open311_clients c LEFT JOIN staff s ON s.id = c.created_by WHERE c.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !mayManage(a, c.RegionCode)) {
			return apperr.NotFoundf("entity.open311_client")
		}
		if err != nil {
			return fmt.Errorf("open311 revoke: %w", err)
		}
		if c.RevokedAt != nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE open311_clients SET revoked_at = $1, revoked_by = $2 WHERE id = $3`,
			now.UTC(), store.NullID(a.StaffID), id); err != nil {
			return fmt.Errorf("open311 revoke: %w", err)
		}
		c.RevokedAt = &now
		return audit.Write(ctx, tx, now, a.Who(), "revoke", "open311_client", strconv.FormatInt(id, 10), a.CentreID, 0, nil,
			map[string]any{"name": c.Name, "county": c.RegionCode})
	})
	return c, err
}

// List is the clients of the counties the admin manages, newest first.
func (k *Keys) List(ctx context.Context, a org.Actor) ([]Client, error) {
	var w store.Where
	switch {
	case a.Role != org.CentreAdmin || !a.CountyWide():
		return nil, apperr.New(apperr.Forbidden, "open311.keys_forbidden")
	case !a.Province:
		w.Add("c.region_code = ?", a.County())
	}
	rows, err := k.DB.Read().QueryContext(ctx, `SELECT `+clientCols+` FROM open311_clients c LEFT JOIN staff s ON s.id = c.created_by`+
		w.String()+` ORDER BY c.created_at DESC, c.id DESC`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("open311 clients: %w", err)
	}
	defer rows.Close()
	var out []Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, fmt.Errorf("open311 clients: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// errBadKey is the one answer for a missing, unknown and revoked key: the
// specification's 403.
var errBadKey = apperr.New(apperr.Forbidden, "open311.bad_key")

// Authenticate finds the live client of key.
func (k *Keys) Authenticate(ctx context.Context, key string) (Client, error) {
	if key == "" {
		return Client{}, errBadKey
	}
	c, err := scanClient(k.DB.Read().QueryRowContext(ctx, `SELECT `+clientCols+` FROM open311_clients c LEFT JOIN staff s ON s.id = c.created_by
		WHERE c.key_hash = $1`, auth.HashClientKey(key)))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !c.Live()) {
		return Client{}, errBadKey
	}
	if err != nil {
		return Client{}, fmt.Errorf("open311 key: %w", err)
	}
	// When a client last filed is what the admin page shows to tell a
	// live app from a forgotten key; a minute's precision is enough, so
	// a busy kiosk does not write on every request.
	now := k.Now()
	if c.LastUsedAt == nil || now.Sub(*c.LastUsedAt) > time.Minute {
		if _, err := k.DB.Exec(ctx, `UPDATE open311_clients SET last_used_at = $1 WHERE id = $2`, now.UTC(), c.ID); err != nil {
			return Client{}, fmt.Errorf("open311 key: %w", err)
		}
	}
	return c, nil
}
