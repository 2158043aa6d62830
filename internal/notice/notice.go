// Package notice keeps a service centre's notices (通知公告): its admin
// drafts, publishes, withdraws and edits them; the public portal lists the
// published ones. A notice belongs to the centre of the admin who wrote
// it, and only that centre's admin changes it.
package notice

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
	"onestop/internal/store"
)

// States of a notice.
const (
	Draft     = "draft"
	Published = "published"
	Withdrawn = "withdrawn"
)

// States in the order the admin's list filters them.
var States = []string{Draft, Published, Withdrawn}

// Caps on what a notice may hold: a title reads on one line of a phone's
// list; a body of 5,000 characters is several pages of announcement.
const (
	MaxTitle = 100
	MaxBody  = 5000
)

// Notice is one notice.
type Notice struct {
	ID          int64      `json:"id"`
	CentreID    int64      `json:"centre_id"`
	Centre      string     `json:"centre"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	State       string     `json:"state"`
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
}

// Paragraphs splits the plain-text body at blank lines: the one way a
// notice is laid out, so no markup ever reaches a page.
func (n Notice) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(n.Body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Input is what the admin's form sends.
type Input struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

func (in Input) check() (Input, error) {
	f := apperr.Fields{}
	in.Title = f.Text("title", in.Title, true, MaxTitle)
	in.Body = f.Para("body", in.Body, true, MaxBody)
	return in, f.Err()
}

// Service reads and writes notices.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

var errForbidden = apperr.New(apperr.Forbidden, "error.forbidden")

// Writer reports whether a the actor writes notices at all: a centre's
// admin, at a centre.
func Writer(a org.Actor) bool { return a.Role == org.CentreAdmin && a.CentreID != 0 }

// Create saves a draft for the actor's centre.
func (s *Service) Create(ctx context.Context, a org.Actor, in Input) (Notice, error) {
	if !Writer(a) {
		return Notice{}, errForbidden
	}
	in, err := in.check()
	if err != nil {
		return Notice{}, err
	}
	now := s.Now().UTC()
	var id int64
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO notices (centre_id, title, body, state, version, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 1, $5, $6, $6) RETURNING id`, a.CentreID, in.Title, in.Body, Draft, a.StaffID, now).Scan(&id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "create", "notice", strconv.FormatInt(id, 10), a.CentreID, 0, nil,
			map[string]any{"title": in.Title, "body": in.Body, "state": Draft})
	})
	if err != nil {
		return Notice{}, err
	}
	return s.load(ctx, s.DB.Read(), id)
}

// Update changes the title and body; version is the one the form was
// opened at, so two admins editing at once never overwrite each other.
func (s *Service) Update(ctx context.Context, a org.Actor, id int64, version int, in Input) (Notice, error) {
	in, err := in.check()
	if err != nil {
		return Notice{}, err
	}
	err = s.change(ctx, a, id, "update", func(tx *sql.Tx, cur Notice, now time.Time) (any, error) {
		res, err := tx.ExecContext(ctx, `UPDATE notices SET title = $1, body = $2, version = version + 1, updated_at = $3
			WHERE id = $4 AND version = $5`, in.Title, in.Body, now, id, version)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil, apperr.New(apperr.Conflict, "notice.stale")
		}
		return map[string]any{"title": in.Title, "body": in.Body}, nil
	})
	if err != nil {
		return Notice{}, err
	}
	return s.load(ctx, s.DB.Read(), id)
}

// Publish puts a draft or a withdrawn notice on the portal. Publishing
// again after a withdrawal dates it anew: it is news again.
func (s *Service) Publish(ctx context.Context, a org.Actor, id int64) error {
	return s.setState(ctx, a, id, "publish", Published)
}

// Withdraw takes a published notice off the portal; it stays on the
// record.
func (s *Service) Withdraw(ctx context.Context, a org.Actor, id int64) error {
	return s.setState(ctx, a, id, "withdraw", Withdrawn)
}

func (s *Service) setState(ctx context.Context, a org.Actor, id int64, action, to string) error {
	return s.change(ctx, a, id, action, func(tx *sql.Tx, cur Notice, now time.Time) (any, error) {
		if cur.State == to || (to == Withdrawn && cur.State != Published) {
			return nil, apperr.New(apperr.Conflict, "notice.bad_state", "State", cur.State)
		}
		col := "published_at"
		if to == Withdrawn {
			col = "withdrawn_at"
		}
		res, err := tx.ExecContext(ctx, `UPDATE notices SET state = $1, `+col+` = $2, version = version + 1, updated_at = $2
			WHERE id = $3 AND state = $4`, to, now, id, cur.State)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil, apperr.New(apperr.Conflict, "notice.stale")
		}
		return map[string]any{"state": to}, nil
	})
}

// change runs one write on a notice the actor may change, with its audit
// entry, in one transaction.
func (s *Service) change(ctx context.Context, a org.Actor, id int64, action string, fn func(*sql.Tx, Notice, time.Time) (any, error)) error {
	if !Writer(a) {
		return errForbidden
	}
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.CentreID != a.CentreID {
			// Another centre's notice is not the actor's to know of.
			return apperr.NotFoundf("entity.notice")
		}
		after, err := fn(tx, cur, now)
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), action, "notice", strconv.FormatInt(id, 10), cur.CentreID, 0,
			map[string]any{"title": cur.Title, "body": cur.Body, "state": cur.State}, after)
	})
}

const cols = `n.id, n.centre_id, c.name, n.title, n.body, n.state, n.version, n.created_at, n.updated_at, n.published_at, n.withdrawn_at`
const from = `notices n JOIN centres c ON c.id = n.centre_id`

func scan(row interface{ Scan(...any) error }) (Notice, error) {
	var n Notice
	err := row.Scan(&n.ID, &n.CentreID, &n.Centre, &n.Title, &n.Body, &n.State, &n.Version, &n.CreatedAt, &n.UpdatedAt, &n.PublishedAt, &n.WithdrawnAt)
	if errors.Is(err, sql.ErrNoRows) {
		return n, apperr.NotFoundf("entity.notice")
	}
	return n, err
}

func (s *Service) load(ctx context.Context, q store.Querier, id int64) (Notice, error) {
	return scan(q.QueryRowContext(ctx, "SELECT "+cols+" FROM "+from+" WHERE n.id = $1", id))
}

// Get is a notice for its centre's admin; another centre's is "not
// found".
func (s *Service) Get(ctx context.Context, a org.Actor, id int64) (Notice, error) {
	n, err := s.load(ctx, s.DB.Read(), id)
	if err != nil {
		return n, err
	}
	if !Writer(a) || n.CentreID != a.CentreID {
		return Notice{}, apperr.NotFoundf("entity.notice")
	}
	return n, nil
}

// Public is a published notice; a draft or a withdrawn one is "not
// found" to the public.
func (s *Service) Public(ctx context.Context, id int64) (Notice, error) {
	n, err := s.load(ctx, s.DB.Read(), id)
	if err == nil && n.State != Published {
		return Notice{}, apperr.NotFoundf("entity.notice")
	}
	return n, err
}

// Filter narrows a listing.
type Filter struct {
	State         string
	Limit, Offset int
}

// Mine lists the actor's centre's notices, newest change first.
func (s *Service) Mine(ctx context.Context, a org.Actor, f Filter) ([]Notice, int, error) {
	if !Writer(a) {
		return nil, 0, errForbidden
	}
	var w store.Where
	w.Add("n.centre_id = ?", a.CentreID)
	if f.State != "" {
		w.Add("n.state = ?", f.State)
	}
	return s.list(ctx, w, "n.updated_at DESC, n.id DESC", f)
}

// Latest lists the published notices, newest first.
func (s *Service) Latest(ctx context.Context, f Filter) ([]Notice, int, error) {
	var w store.Where
	w.Add("n.state = ?", Published)
	return s.list(ctx, w, "n.published_at DESC, n.id DESC", f)
}

func (s *Service) list(ctx context.Context, w store.Where, order string, f Filter) ([]Notice, int, error) {
	q := s.DB.Read()
	var total int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+from+w.String(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	page := " ORDER BY " + order + " LIMIT " + w.Bind(limit) + " OFFSET " + w.Bind(max(f.Offset, 0))
	rows, err := q.QueryContext(ctx, "SELECT "+cols+" FROM "+from+w.String()+page, w.Args()...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Notice{}
	for rows.Next() {
		n, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, n)
	}
	return out, total, rows.Err()
}
