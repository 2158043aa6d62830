package request

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/org"
	"onestop/internal/store"
)

const cols = `r.id, r.no, r.organ_id, o.name, o.region_code, r.applicant_type, COALESCE(r.applicant_id, 0), r.name, r.id_number, r.phone, r.email,
	r.address, r.channel, r.content, r.form, r.received_on, r.clock_from, r.due_on, r.status, r.supplement_asked_on, r.supplement_due_on,
	r.supplement_received_on, r.extension_days, r.paused_days, r.fee_fen, COALESCE(r.reply_type, 0), COALESCE(r.outcome, ''), r.closed_on,
	r.created_at, r.updated_at`

const from = ` FROM disclosure_requests r JOIN disclosure_organs o ON o.id = r.organ_id`

func scan(row interface{ Scan(...any) error }) (*Request, error) {
	var r Request
	var days [7]sql.NullString
	var rt int
	var out string
	err := row.Scan(&r.ID, &r.No, &r.OrganID, &r.Organ, &r.RegionCode, &r.ApplicantType, &r.ApplicantID, &r.Name, &r.IDNumber, &r.Phone, &r.Email,
		&r.Address, &r.Channel, &r.Content, &r.Form, &days[0], &days[1], &days[2], &r.Status, &days[3], &days[4],
		&days[5], &r.ExtensionDays, &r.PausedDays, &r.FeeFen, &rt, &out, &days[6], &r.CreatedAt, &r.UpdatedAt)
	if err != nil {
		return nil, err
	}
	ptrs := []**calendar.Date{&r.ReceivedOn, &r.ClockFrom, &r.DueOn, &r.SupplementAskedOn, &r.SupplementDueOn, &r.SupplementReceivedOn, &r.ClosedOn}
	for i, d := range days {
		if d.Valid {
			v, err := calendar.ParseDate(d.String)
			if err != nil {
				return nil, err
			}
			*ptrs[i] = &v
		}
	}
	r.ReplyType, r.Outcome = disclosure.ReplyType(rt), disclosure.Outcome(out)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

// load reads one request by id or number, "not found" when there is none.
func load(ctx context.Context, q store.Querier, cond string, arg any) (*Request, error) {
	r, err := scan(q.QueryRowContext(ctx, `SELECT `+cols+from+` WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("entity.disclosure_request")
	}
	return r, err
}

// Get is a request for a member of staff who may read its organ's
// requests (disclosure.AccessTo); any other reads "not found".
func (s *Service) Get(ctx context.Context, a org.Actor, no string) (*Request, disclosure.Access, error) {
	r, err := load(ctx, s.DB.Read(), `r.no = $1`, strings.ToUpper(strings.TrimSpace(no)))
	if err != nil {
		return nil, disclosure.Access{}, err
	}
	x, err := disclosure.AccessTo(ctx, s.DB.Read(), a, r.OrganID)
	if err != nil {
		return nil, disclosure.Access{}, apperr.NotFoundf("entity.disclosure_request")
	}
	if !x.Acts(disclosure.Officer) {
		r.mask()
	}
	return r, x, nil
}

// mask hides the requester's identity from a reader without a duty at
// the organ (supervision reads clocks, not people), by the applicant
// lists' masking rule.
func (r *Request) mask() {
	kind := applicants.Organisation
	if r.ApplicantType == disclosure.Person {
		kind = applicants.Citizen
	}
	m := applicants.Applicant{Kind: kind, IDNumber: r.IDNumber, Name: r.Name, Phone: r.Phone}.Masked()
	r.IDNumber, r.Name, r.Phone, r.Email, r.Address = m.IDNumber, m.Name, m.Phone, "", ""
}

// Own is a request for the signed-in applicant who filed it; another's
// number reads "not found", as one that does not exist.
func (s *Service) Own(ctx context.Context, applicantID int64, no string) (*Request, error) {
	r, err := load(ctx, s.DB.Read(), `r.no = $1`, strings.ToUpper(strings.TrimSpace(no)))
	if err != nil {
		return nil, err
	}
	if applicantID == 0 || r.ApplicantID != applicantID {
		return nil, apperr.NotFoundf("entity.disclosure_request")
	}
	return r, nil
}

// Mine lists what a signed-in applicant filed, newest first.
func (s *Service) Mine(ctx context.Context, applicantID int64) ([]*Request, error) {
	if applicantID == 0 {
		return nil, apperr.NotFoundf("entity.applicant")
	}
	var w store.Where
	w.Add("r.applicant_id = ?", applicantID)
	return s.query(ctx, &w, 500)
}

// Filter narrows List. OrganID is required unless Overdue is set: no
// value never means "every organ".
type Filter struct {
	OrganID int64
	Status  string // "" = every status; "active" = not closed
	// Overdue lists the county's open requests past their due day (the
	// supervision list); the organs are those the actor may read.
	Overdue bool
	Limit   int
}

// List is the requests of one organ the actor may read, newest first, or
// the overdue ones of every organ the actor reads.
func (s *Service) List(ctx context.Context, a org.Actor, f Filter) ([]*Request, error) {
	var w store.Where
	if f.Overdue {
		organs, err := disclosure.Organs(ctx, s.DB.Read(), a)
		if err != nil {
			return nil, err
		}
		if len(organs) == 0 {
			return nil, nil
		}
		ids := make([]any, len(organs))
		for i, o := range organs {
			ids[i] = o.Organ.ID
		}
		w.Add("r.organ_id IN ("+strings.Repeat("?,", len(ids)-1)+"?)", ids...)
		// Only a running clock can be overdue: the supplement's wait, a
		// consultation and an unpaid fee notice stop it (Art. 30, 32; 国办函〔2020〕109号 第七条).
		w.Add("r.status = ?", Open)
		w.Add("r.due_on < ?", todayOf(s.now()).String())
	} else {
		if f.OrganID == 0 {
			return nil, fieldErr("organ_id", "error.required")
		}
		if _, err := disclosure.AccessTo(ctx, s.DB.Read(), a, f.OrganID); err != nil {
			return nil, err
		}
		w.Add("r.organ_id = ?", f.OrganID)
		switch {
		case f.Status == "active":
			w.Add("r.status <> ?", Closed)
		case f.Status != "":
			w.Add("r.status = ?", f.Status)
		}
	}
	acts := map[int64]bool{}
	organs, err := disclosure.Organs(ctx, s.DB.Read(), a)
	if err != nil {
		return nil, err
	}
	for _, o := range organs {
		acts[o.Organ.ID] = o.Acts(disclosure.Officer)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 500
	}
	out, err := s.query(ctx, &w, limit)
	for _, r := range out {
		if !acts[r.OrganID] {
			r.mask()
		}
	}
	return out, err
}

func (s *Service) query(ctx context.Context, w *store.Where, limit int) ([]*Request, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+cols+from+w.String()+` ORDER BY r.id DESC LIMIT `+w.Bind(limit), w.Args()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Request
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Events is a request's record, oldest first.
func (s *Service) Events(ctx context.Context, r *Request) ([]Event, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT e.kind, e.day, e.at, COALESCE(e.staff_id, 0), COALESCE(st.name, ''), e.applicant_id IS NOT NULL, e.note, e.data
		FROM disclosure_request_events e LEFT JOIN staff st ON st.id = e.staff_id WHERE e.request_id = $1 ORDER BY e.id`, r.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var ev Event
		var day, data string
		if err := rows.Scan(&ev.Kind, &day, &ev.At, &ev.StaffID, &ev.Staff, &ev.ByApplicant, &ev.Note, &data); err != nil {
			return nil, err
		}
		if ev.Day, err = calendar.ParseDate(day); err != nil {
			return nil, err
		}
		ev.At = ev.At.UTC()
		if data != "" && data != "{}" {
			if err := json.Unmarshal([]byte(data), &ev.Data); err != nil {
				return nil, err
			}
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// Last is the latest event of a kind, nil when there is none.
func Last(evs []Event, kind string) *Event {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind == kind {
			return &evs[i]
		}
	}
	return nil
}

// Standing is where a request stands against its due day, by the case
// clock's own rule (clock.Stand with the case engine's light rule), so a
// supervisor reads a request's light exactly as a case's. Only a running
// clock has a light: a filed request has no receipt day yet, and the
// waits for a supplement, a third party or a fee stop it (Paused).
type Standing struct {
	clock.Standing
	Paused bool `json:"paused"`
}

// Stand computes the request's standing today.
func (s *Service) Stand(ctx context.Context, r *Request) (Standing, error) {
	switch {
	case r.Status == Closed:
		cal, err := s.Cases.WorkingCalendar(ctx)
		if err != nil {
			return Standing{}, err
		}
		return Standing{Standing: clock.Stand(cal, *r.DueOn, r.ClosedOn, todayOf(s.now()), s.Cases.Light)}, nil
	case r.DueOn == nil:
		return Standing{}, nil
	case r.Status != Open:
		return Standing{Paused: true}, nil
	}
	cal, err := s.Cases.WorkingCalendar(ctx)
	if err != nil {
		return Standing{}, err
	}
	return Standing{Standing: clock.Stand(cal, *r.DueOn, nil, todayOf(s.now()), s.Cases.Light)}, nil
}

// Organ is an organ a request can be addressed to, as the portal's form
// lists it.
type Organ struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// PublicOrgans lists every organ: anyone may ask any of them (条例 Art. 27).
func (s *Service) PublicOrgans(ctx context.Context) ([]Organ, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, name FROM disclosure_organs ORDER BY kind DESC, name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Organ
	for rows.Next() {
		var o Organ
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
