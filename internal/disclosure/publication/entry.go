// Package publication is proactive disclosure (主动公开, issue 16 item 1):
// each organ's publication catalogue, drafted by its disclosure office's
// officers and reviewed and published by its head on the 20-working-day
// clock of 条例 Art. 26; the public disclosure section reads the published
// entries only; Sync publishes OneStop's own records (the service
// catalogue, case publicity, supervision bulletins) into it. Who acts for
// an organ is the base's rule (disclosure.AccessTo): an explicit grant.
package publication

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/notice"
	"onestop/internal/store"
)

// Statuses of an entry. An entry is drafted, submitted for review,
// published by the office head (or returned to draft with a reason), and
// may be withdrawn. A repealed policy document stays published: the
// public must still find what was in force and when (State says
// "repealed").
const (
	Draft     = "draft"
	Review    = "review"
	Published = "published"
	Withdrawn = "withdrawn"
)

// Statuses in the order the staff list filters them.
var Statuses = []string{Draft, Review, Published, Withdrawn}

// Repealed is the state shown for a published policy document whose
// repeal day has come (已废止); it is no stored status.
const Repealed = "repealed"

// Sources of an entry: by hand, or published automatically.
const (
	Manual    = "manual"
	FromItems = "catalogue"
	FromCases = "publicity"
	FromBulls = "bulletin"
)

// Caps on an entry's fields: a title on one line, a document number as
// printed (县政办发〔2026〕12号), a body of several pages of plain text.
const (
	MaxTitle  = 200
	MaxDocNo  = 60
	MaxBody   = 20000
	MaxLink   = 500
	MaxReason = 500
)

// Entry is one item of an organ's publication catalogue.
type Entry struct {
	ID         int64               `json:"id"`
	OrganID    int64               `json:"organ_id"`
	Organ      string              `json:"organ"`
	Category   disclosure.Category `json:"category"`
	DocKind    disclosure.DocKind  `json:"doc_kind,omitempty"`
	Title      string              `json:"title"`
	DocNo      string              `json:"doc_no,omitempty"`
	Body       string              `json:"body"`
	Link       string              `json:"link,omitempty"`
	CreatedOn  calendar.Date       `json:"created_on"`
	DueOn      calendar.Date       `json:"due_on"`
	IssuedOn   *calendar.Date      `json:"issued_on,omitempty"`
	RepealedOn *calendar.Date      `json:"repealed_on,omitempty"`
	Status     string              `json:"status"`
	Source     string              `json:"source"`
	SourceRef  string              `json:"-"`
	// Staff names and notes are the office's, never the portal's.
	DraftedBy      int64          `json:"-"`
	PublishedOn    *calendar.Date `json:"published_on,omitempty"`
	PublishedAt    *time.Time     `json:"-"`
	WithdrawReason string         `json:"-"`
	ReviewNote     string         `json:"-"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// State is the status as shown on day d: a published policy document
// repealed on or before d is "repealed" (已废止).
func (e Entry) State(d calendar.Date) string {
	if e.Status == Published && e.RepealedOn != nil && !e.RepealedOn.After(d) {
		return Repealed
	}
	return e.Status
}

// InForce reports whether a policy document is in force on day d: issued
// on or before d and not repealed by then (the migration's rule).
func (e Entry) InForce(d calendar.Date) bool {
	return e.Category == disclosure.Policy && e.IssuedOn != nil && !e.IssuedOn.After(d) &&
		(e.RepealedOn == nil || e.RepealedOn.After(d))
}

// Overdue reports whether the entry is past its publication deadline on
// day d without being published (条例 Art. 26: within 20 working days).
func (e Entry) Overdue(d calendar.Date) bool {
	return (e.Status == Draft || e.Status == Review) && e.DueOn.Before(d)
}

// Service keeps the catalogue.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Calendar is the working-day calendar (the case engine's cached one).
	Calendar func(ctx context.Context) (*calendar.Calendar, error)
	// Text writes the titles and bodies of automatically published
	// entries from the locale files (web's translator), in docLang.
	Text func(lang, key string, args map[string]any) string
}

func (s *Service) today() calendar.Date { return clock.Today(s.Now()) }

// due is the publication deadline of information created or changed on
// day d: PublishDays working days later (条例 Art. 26).
func (s *Service) due(ctx context.Context, d calendar.Date) (calendar.Date, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return calendar.Date{}, err
	}
	due, _ := cal.Deadline(d, disclosure.PublishDays)
	return due, nil
}

const entryCols = `e.id, e.organ_id, o.name, e.category, e.doc_kind, e.title, e.doc_no, e.body, e.link, e.created_on, e.due_on,
	e.issued_on, e.repealed_on, e.status, e.source, e.source_ref, COALESCE(e.drafted_by, 0), e.published_on, e.published_at,
	e.withdraw_reason, e.review_note, e.updated_at`

const entryFrom = ` FROM disclosure_entries e JOIN disclosure_organs o ON o.id = e.organ_id`

func scanEntry(row interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var cat, kind, created, due string
	var issued, repealed, pubOn sql.NullString
	var pubAt sql.NullTime
	err := row.Scan(&e.ID, &e.OrganID, &e.Organ, &cat, &kind, &e.Title, &e.DocNo, &e.Body, &e.Link, &created, &due,
		&issued, &repealed, &e.Status, &e.Source, &e.SourceRef, &e.DraftedBy, &pubOn, &pubAt, &e.WithdrawReason, &e.ReviewNote, &e.UpdatedAt)
	if err != nil {
		return e, err
	}
	e.Category, e.DocKind = disclosure.Category(cat), disclosure.DocKind(kind)
	var errs []error
	day := func(s string) calendar.Date {
		d, err := calendar.ParseDate(s)
		errs = append(errs, err)
		return d
	}
	opt := func(s sql.NullString) *calendar.Date {
		if !s.Valid || s.String == "" {
			return nil
		}
		d := day(s.String)
		return &d
	}
	e.CreatedOn, e.DueOn = day(created), day(due)
	e.IssuedOn, e.RepealedOn, e.PublishedOn = opt(issued), opt(repealed), opt(pubOn)
	if pubAt.Valid {
		t := pubAt.Time
		e.PublishedAt = &t
	}
	return e, errors.Join(errs...)
}

var errNoEntry = apperr.NotFoundf("disclosure_pub.entity")

// load reads one entry, whoever asks.
func load(ctx context.Context, q store.Querier, id int64) (Entry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, `SELECT `+entryCols+entryFrom+` WHERE e.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, errNoEntry
	}
	return e, err
}

func dayArg(d *calendar.Date) any {
	if d == nil {
		return nil
	}
	return d.String()
}

// Paragraphs splits the plain-text body at blank lines, by the notices'
// rule (the one way OneStop lays out a plain text: no markup reaches a page).
func (e Entry) Paragraphs() []string { return notice.Notice{Body: e.Body}.Paragraphs() }
