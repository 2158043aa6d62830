package publication

import (
	"context"
	"database/sql"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/disclosure"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Input is what an officer's form sends. Days are YYYY-MM-DD.
type Input struct {
	Category   string `json:"category"`
	DocKind    string `json:"doc_kind"`
	Title      string `json:"title"`
	DocNo      string `json:"doc_no"`
	Body       string `json:"body"`
	Link       string `json:"link"`
	CreatedOn  string `json:"created_on"`
	IssuedOn   string `json:"issued_on"`
	RepealedOn string `json:"repealed_on"`
}

// Automatic are the categories only Sync fills: an officer who drafts a
// "service" by hand would publish beside the catalogue's own entry.
var Automatic = []disclosure.Category{disclosure.Services, disclosure.Publicity, disclosure.Bulletins}

// ManualCategories lists the categories an officer may draft in.
func ManualCategories() []disclosure.Category {
	var out []disclosure.Category
	for _, c := range disclosure.Categories {
		if !slices.Contains(Automatic, c) {
			out = append(out, c)
		}
	}
	return out
}

// checked is a validated input.
type checked struct {
	Category             disclosure.Category
	DocKind              disclosure.DocKind
	Title, DocNo, Body   string
	Link                 string
	CreatedOn            calendar.Date
	IssuedOn, RepealedOn *calendar.Date
}

// check validates an input on day today: every problem is a field error.
func (in Input) check(today calendar.Date) (checked, error) {
	f := apperr.Fields{}
	var c checked
	c.Category = disclosure.Category(strings.TrimSpace(in.Category))
	if !c.Category.Valid() || slices.Contains(Automatic, c.Category) {
		f.Add("category", "disclosure_pub.error.category")
	}
	// Table 二 of the annual report counts policy documents and decisions
	// by kind (国办公开办函〔2021〕30号), so those categories need one; the
	// others take none.
	kinds := disclosure.KindsOf(c.Category)
	c.DocKind = disclosure.DocKind(strings.TrimSpace(in.DocKind))
	switch {
	case len(kinds) > 0 && !slices.Contains(kinds, c.DocKind):
		f.Add("doc_kind", "disclosure_pub.error.doc_kind")
	case len(kinds) == 0 && c.DocKind != "":
		f.Add("doc_kind", "disclosure_pub.error.no_doc_kind")
	}
	c.Title = f.Text("title", in.Title, true, MaxTitle)
	c.DocNo = f.Text("doc_no", in.DocNo, false, MaxDocNo)
	c.Body = f.Para("body", in.Body, false, MaxBody)
	c.Link = f.Text("link", in.Link, false, MaxLink)
	if c.Link != "" && !goodLink(c.Link) {
		f.Add("link", "disclosure_pub.error.link")
	}
	day := func(field, v string, required bool) *calendar.Date {
		v = f.Text(field, v, required, 10)
		if v == "" || f.Has(field) {
			return nil
		}
		d, err := calendar.ParseDate(v)
		if err != nil {
			f.Add(field, "calendar.bad_date")
			return nil
		}
		return &d
	}
	// The clock runs from the day the information was created or changed
	// (条例 Art. 26); a day still to come cannot have created anything.
	if d := day("created_on", in.CreatedOn, true); d != nil {
		if d.After(today) {
			f.Add("created_on", "disclosure_pub.error.future")
		}
		c.CreatedOn = *d
	}
	policy := c.Category == disclosure.Policy
	c.IssuedOn = day("issued_on", in.IssuedOn, policy)
	c.RepealedOn = day("repealed_on", in.RepealedOn, false)
	if !policy {
		if c.IssuedOn != nil {
			f.Add("issued_on", "disclosure_pub.error.policy_only")
		}
		if c.RepealedOn != nil {
			f.Add("repealed_on", "disclosure_pub.error.policy_only")
		}
		c.IssuedOn, c.RepealedOn = nil, nil
	}
	if c.IssuedOn != nil && c.RepealedOn != nil && c.RepealedOn.Before(*c.IssuedOn) {
		f.Add("repealed_on", "disclosure_pub.error.repeal_before_issue")
	}
	return c, f.Err()
}

// goodLink accepts a page of this site (/guide/…) or an http(s) address:
// never javascript: or data: in a link the public clicks.
func goodLink(v string) bool {
	if strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") {
		return true
	}
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (c checked) audit() map[string]any {
	return map[string]any{"category": c.Category, "doc_kind": c.DocKind, "title": c.Title, "doc_no": c.DocNo, "body": c.Body,
		"link": c.Link, "created_on": c.CreatedOn.String(), "issued_on": dayArg(c.IssuedOn), "repealed_on": dayArg(c.RepealedOn)}
}

func entryAudit(e Entry) map[string]any {
	return map[string]any{"category": e.Category, "doc_kind": e.DocKind, "title": e.Title, "doc_no": e.DocNo, "body": e.Body,
		"link": e.Link, "created_on": e.CreatedOn.String(), "issued_on": dayArg(e.IssuedOn), "repealed_on": dayArg(e.RepealedOn),
		"status": e.Status}
}

// acting checks that the actor holds duty d at the organ: an organ the
// actor does not read is "not found", one they read but may not act for
// is forbidden.
func acting(ctx context.Context, q store.Querier, a org.Actor, organID int64, d disclosure.Duty) (disclosure.Access, error) {
	x, err := disclosure.AccessTo(ctx, q, a, organID)
	if err != nil {
		return x, err
	}
	if !x.Acts(d) {
		return x, apperr.New(apperr.Forbidden, "disclosure_pub.error.no_duty")
	}
	return x, nil
}

// Draft saves a new entry in the organ's catalogue; an officer (or the
// head) of the organ only. Its deadline is fixed here from created_on.
func (s *Service) Draft(ctx context.Context, a org.Actor, organID int64, in Input) (Entry, error) {
	x, err := acting(ctx, s.DB.Read(), a, organID, disclosure.Officer)
	if err != nil {
		return Entry{}, err
	}
	c, due, err := s.checkIn(ctx, in)
	if err != nil {
		return Entry{}, err
	}
	now := s.Now().UTC()
	var id int64
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO disclosure_entries (organ_id, category, doc_kind, title, doc_no, body, link,
			created_on, due_on, issued_on, repealed_on, status, source, drafted_by, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,'draft','manual',$12,$13,$13) RETURNING id`,
			organID, string(c.Category), string(c.DocKind), c.Title, c.DocNo, c.Body, c.Link, c.CreatedOn.String(), due.String(),
			dayArg(c.IssuedOn), dayArg(c.RepealedOn), a.StaffID, now).Scan(&id); err != nil {
			return err
		}
		after := c.audit()
		after["due_on"], after["status"] = due.String(), Draft
		return audit.Write(ctx, tx, now, a.Who(), "create", "disclosure_entry", strconv.FormatInt(id, 10), 0, x.Organ.DepartmentID, nil, after)
	})
	if err != nil {
		return Entry{}, err
	}
	return load(ctx, s.DB.Read(), id)
}

// Update changes a draft (a returned entry is a draft again). A changed
// created_on moves the deadline with it.
func (s *Service) Update(ctx context.Context, a org.Actor, id int64, in Input) (Entry, error) {
	c, due, err := s.checkIn(ctx, in)
	if err != nil {
		return Entry{}, err
	}
	err = s.step(ctx, a, id, "update", disclosure.Officer, []string{Draft}, func(tx *sql.Tx, e Entry, now time.Time) (map[string]any, error) {
		_, err := tx.ExecContext(ctx, `UPDATE disclosure_entries SET category = $1, doc_kind = $2, title = $3, doc_no = $4, body = $5, link = $6,
			created_on = $7, due_on = $8, issued_on = $9, repealed_on = $10, updated_at = $11 WHERE id = $12`,
			string(c.Category), string(c.DocKind), c.Title, c.DocNo, c.Body, c.Link, c.CreatedOn.String(), due.String(),
			dayArg(c.IssuedOn), dayArg(c.RepealedOn), now, id)
		after := c.audit()
		after["due_on"] = due.String()
		return after, err
	})
	if err != nil {
		return Entry{}, err
	}
	return load(ctx, s.DB.Read(), id)
}

// checkIn validates an input and computes its publication deadline.
func (s *Service) checkIn(ctx context.Context, in Input) (checked, calendar.Date, error) {
	c, err := in.check(s.today())
	if err != nil {
		return c, calendar.Date{}, err
	}
	due, err := s.due(ctx, c.CreatedOn)
	return c, due, err
}
