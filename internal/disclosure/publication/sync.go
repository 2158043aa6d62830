package publication

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"onestop/internal/audit"
	"onestop/internal/bulletin"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/publicity"
)

// Automatic publication (条例 Art. 20: the service catalogue, what an
// organ licenses and how it is supervised are information an organ
// publishes of its own accord). OneStop already publishes these records on
// the portal; Sync puts them into the organs' catalogues too, so the
// disclosure section and the annual report see them. It is idempotent by
// (source, source_ref): running it twice changes nothing the second time,
// a changed source updates its entry, a retired one withdraws it.

// docLang is the language of published documents: the county's own
// (the portal's default). Titles and bodies written by Sync are in it.
const docLang = "zh-CN"

// auto is what an entry published from a source should be now.
type auto struct {
	organID   int64
	category  disclosure.Category
	source    string
	ref       string
	title     string
	body      string
	link      string
	createdOn calendar.Date
	live      bool   // published; false: withdrawn (when it exists)
	reason    string // why it is withdrawn
}

// stored is an automatic entry as it is.
type stored struct {
	id                       int64
	organID                  int64
	title, body, link, state string
	createdOn                string
}

// Counts are what a Sync run changed, per source.
type Counts map[string]int

// Sync publishes the service catalogue, case publicity and supervision
// bulletins into the catalogues. Safe to run from several processes: the
// unique (source, source_ref) keeps one entry per record.
func (s *Service) Sync(ctx context.Context) (Counts, error) {
	out := Counts{}
	for _, src := range []struct {
		name string
		want func(context.Context) ([]auto, error)
	}{{FromItems, s.wantServices}, {FromCases, s.wantPublicity}, {FromBulls, s.wantBulletins}} {
		want, err := src.want(ctx)
		if err != nil {
			return out, fmt.Errorf("disclosure sync %s: %w", src.name, err)
		}
		n, err := s.apply(ctx, src.name, want)
		if err != nil {
			return out, fmt.Errorf("disclosure sync %s: %w", src.name, err)
		}
		out[src.name] = n
	}
	return out, nil
}

// apply brings the entries of one source to want, in one transaction,
// with one audit entry saying how many changed.
func (s *Service) apply(ctx context.Context, source string, want []auto) (int, error) {
	now := s.Now().UTC()
	today := clock.Today(now)
	cal, err := s.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		have := map[string]stored{}
		rows, err := tx.QueryContext(ctx, `SELECT id, organ_id, source_ref, title, body, link, status, created_on FROM disclosure_entries WHERE source = $1`, source)
		if err != nil {
			return err
		}
		for rows.Next() {
			var st stored
			var ref string
			if err := rows.Scan(&st.id, &st.organID, &ref, &st.title, &st.body, &st.link, &st.state, &st.createdOn); err != nil {
				rows.Close()
				return err
			}
			have[ref] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, w := range want {
			st, ok := have[w.ref]
			due, _ := cal.Deadline(w.createdOn, disclosure.PublishDays)
			switch {
			case !ok && w.live:
				// Published the day it is found: the source is already
				// public on the portal.
				res, err := tx.ExecContext(ctx, `INSERT INTO disclosure_entries (organ_id, category, title, body, link, created_on, due_on, status,
					source, source_ref, published_at, published_on, created_at, updated_at)
					VALUES ($1,$2,$3,$4,$5,$6,$7,'published',$8,$9,$10,$11,$10,$10)
					ON CONFLICT (source, source_ref) WHERE source <> 'manual' DO NOTHING`,
					w.organID, string(w.category), w.title, w.body, w.link, w.createdOn.String(), due.String(), source, w.ref, now, today.String())
				if err != nil {
					return err
				}
				if k, _ := res.RowsAffected(); k > 0 {
					n++
				}
			case ok && w.live && (st.state != Published || st.title != w.title || st.body != w.body || st.link != w.link ||
				st.organID != w.organID || st.createdOn != w.createdOn.String()):
				if _, err := tx.ExecContext(ctx, `UPDATE disclosure_entries SET organ_id = $1, title = $2, body = $3, link = $4, created_on = $5, due_on = $6,
					status = 'published', withdrawn_at = NULL, withdraw_reason = '',
					published_at = CASE WHEN status = 'published' THEN published_at ELSE $7 END,
					published_on = CASE WHEN status = 'published' THEN published_on ELSE $8 END, updated_at = $7 WHERE id = $9`,
					w.organID, w.title, w.body, w.link, w.createdOn.String(), due.String(), now, today.String(), st.id); err != nil {
					return err
				}
				n++
			case ok && !w.live && st.state == Published:
				if _, err := tx.ExecContext(ctx, `UPDATE disclosure_entries SET status = 'withdrawn', withdrawn_at = $1, withdraw_reason = $2, updated_at = $1 WHERE id = $3`,
					now, w.reason, st.id); err != nil {
					return err
				}
				n++
			}
		}
		if n == 0 {
			return nil
		}
		return audit.Write(ctx, tx, now, audit.Who{Name: "disclosure sync", Address: "system"}, "sync", "disclosure_entries", source, 0, 0,
			nil, map[string]any{"changed": n})
	})
	return n, err
}

func (s *Service) text(key string, args map[string]any) string {
	if s.Text == nil {
		return key
	}
	return s.Text(docLang, key, args)
}

// wantServices: each item of a department that is an organ, as its
// current version names it; in force → published, suspended or cancelled
// → withdrawn. The entry's day is the day the current version was made
// (the information "changed", Art. 26).
func (s *Service) wantServices(ctx context.Context) ([]auto, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT i.code, i.status, i.status_reason, o.id, v.name, v.legal_basis, v.created_at
		FROM items i JOIN item_versions v ON v.item_id = i.id AND v.version = i.current_version
		JOIN disclosure_organs o ON o.department_id = i.department_id ORDER BY i.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []auto
	for rows.Next() {
		var code, status, reason string
		var a auto
		var at time.Time
		if err := rows.Scan(&code, &status, &reason, &a.organID, &a.title, &a.body, &at); err != nil {
			return nil, err
		}
		a.category, a.source, a.ref, a.link = disclosure.Services, FromItems, code, "/guide/items/"+code
		a.createdOn, a.live = clock.Today(at), status == "in_force"
		if !a.live {
			a.reason = s.text("disclosure_pub.auto.item_"+status, map[string]any{"Reason": reason})
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// wantPublicity: the case publicity of each department organ, one entry
// per month of its window (publicity.Window), counting the cases received
// that month and how many of them are completed. An older month's entry
// stays as it was last counted: the portal's list no longer reaches it,
// the catalogue keeps it.
func (s *Service) wantPublicity(ctx context.Context) ([]auto, error) {
	now := s.Now()
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT o.id, o.department_id, c.received_at, c.completed_at IS NOT NULL
		FROM cases c JOIN disclosure_organs o ON o.department_id = c.department_id WHERE c.received_at >= $1`, now.Add(-publicity.Window).UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type key struct {
		organ, dept int64
		y           int
		m           time.Month
	}
	type count struct{ received, completed int }
	counts := map[key]*count{}
	var keys []key
	for rows.Next() {
		var k key
		var at time.Time
		var done bool
		if err := rows.Scan(&k.organ, &k.dept, &at, &done); err != nil {
			return nil, err
		}
		d := clock.Today(at)
		k.y, k.m = d.Year, d.Month
		c := counts[k]
		if c == nil {
			c = &count{}
			counts[k] = c
			keys = append(keys, k)
		}
		c.received++
		if done {
			c.completed++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	today := clock.Today(now)
	var out []auto
	for _, k := range keys {
		c := counts[k]
		// The month's entry is dated its last day, or today while the
		// month runs: the day its figures were last true.
		day := calendar.Date{Year: k.y, Month: k.m, Day: 1}.AddDays(32)
		day = calendar.Date{Year: day.Year, Month: day.Month, Day: 1}.AddDays(-1)
		if day.After(today) {
			day = today
		}
		args := map[string]any{"Year": k.y, "Month": int(k.m), "Received": c.received, "Completed": c.completed}
		out = append(out, auto{organID: k.organ, category: disclosure.Publicity, source: FromCases,
			ref:   fmt.Sprintf("%d/%04d-%02d", k.dept, k.y, int(k.m)),
			title: s.text("disclosure_pub.auto.publicity_title", args), body: s.text("disclosure_pub.auto.publicity_body", args),
			link: "/publicity?department=" + strconv.FormatInt(k.dept, 10), createdOn: day, live: true})
	}
	return out, nil
}

// wantBulletins: every published supervision bulletin, as an entry of its
// county's government; a withdrawn or replaced version is withdrawn.
func (s *Service) wantBulletins(ctx context.Context) ([]auto, error) {
	gov := map[string]int64{}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT region_code, id FROM disclosure_organs WHERE kind = 'government'`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			rows.Close()
			return nil, err
		}
		gov[code] = id
	}
	rows.Close()
	if len(gov) == 0 {
		return nil, rows.Err()
	}
	bs := &bulletin.Service{DB: s.DB, Now: s.Now}
	var out []auto
	for offset := 0; ; offset += 100 {
		page, total, err := bs.List(ctx, bulletin.Filter{All: true, Limit: 100, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, b := range page {
			organ, ok := gov[b.County]
			if !ok {
				continue
			}
			a := auto{organID: organ, category: disclosure.Bulletins, source: FromBulls, ref: strconv.FormatInt(b.ID, 10),
				title: b.Title, link: "/open/bulletins/" + strconv.FormatInt(b.ID, 10), createdOn: clock.Today(b.PublishedAt),
				body: s.text("disclosure_pub.auto.bulletin_body", map[string]any{"Received": b.Figures.Total.Received, "Completed": b.Figures.Total.Completed}),
				live: b.WithdrawnAt == nil && b.ReplacedBy == 0}
			switch {
			case b.WithdrawnAt != nil:
				a.reason = b.WithdrawnReason
			case b.ReplacedBy != 0:
				a.reason = s.text("disclosure_pub.auto.bulletin_replaced", nil)
			}
			out = append(out, a)
		}
		if offset+100 >= total {
			return out, nil
		}
	}
}
