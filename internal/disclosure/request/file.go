package request

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/ident"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Input is a filed request: what 条例 Art. 29 requires it to contain (the
// requester's name, identity document, contact, a description of the
// information and the form wanted) and the applicant type table 三 counts
// it under. Field errors use these json names.
type Input struct {
	OrganID       int64                    `json:"organ_id"`
	ApplicantType disclosure.ApplicantType `json:"applicant_type"`
	Name          string                   `json:"name"`
	IDNumber      string                   `json:"id_number"` // resident ID (a person) or unified credit code (an organisation)
	Phone         string                   `json:"phone"`
	Email         string                   `json:"email"`
	Address       string                   `json:"address"`
	Content       string                   `json:"content"` // a description of the information wanted
	Form          string                   `json:"form"`    // paper | electronic | inspect
	Channel       disclosure.Channel       `json:"channel"` // set by the caller of FileOnline; post | in_person | fax for Register
	// ReceivedOn is the day a posted request was signed for (post only;
	// never in the future). In person and by fax it is the day registered.
	ReceivedOn string `json:"received_on"`
}

func (in *Input) check(f apperr.Fields) {
	if !in.ApplicantType.Valid() {
		f.Add("applicant_type", "error.choose")
	}
	in.Name = f.Text("name", in.Name, true, MaxName)
	in.IDNumber = f.Text("id_number", in.IDNumber, true, 30)
	if !f.Has("id_number") && in.ApplicantType.Valid() {
		// A person proves identity with a resident ID; an organisation
		// with its unified social credit code (条例 Art. 29(1)).
		if in.ApplicantType == disclosure.Person {
			if v, err := ident.ResidentID(in.IDNumber); err != nil {
				f.Add("id_number", ident.Key(err))
			} else {
				in.IDNumber = v.Normalized
			}
		} else if v, err := ident.CreditCode(in.IDNumber); err != nil {
			f.Add("id_number", ident.Key(err))
		} else {
			in.IDNumber = v.Normalized
		}
	}
	in.Phone = f.Phone("phone", in.Phone, true)
	in.Email = f.Email("email", in.Email, false)
	in.Address = f.Text("address", in.Address, in.Form == "paper", MaxAddress)
	in.Content = f.Para("content", in.Content, true, MaxContent)
	if !slices.Contains(Forms, in.Form) {
		f.Add("form", "error.choose")
	}
	if in.OrganID == 0 {
		f.Add("organ_id", "error.choose")
	}
}

// FileOnline files a signed-in applicant's request on the portal. It
// stays "filed", without a receipt day, until the office confirms it:
// an online request is received on the day both sides confirm (Art.
// 31(3)).
func (s *Service) FileOnline(ctx context.Context, applicantID int64, in Input) (*Request, error) {
	if applicantID == 0 {
		return nil, apperr.NotFoundf("entity.applicant")
	}
	in.Channel = disclosure.Online
	in.ReceivedOn = ""
	f := apperr.Fields{}
	in.check(f)
	if err := s.organExists(ctx, in.OrganID, f); err != nil {
		return nil, err
	}
	// The account files in its own name: the identity on an online
	// request is the signed-in account's, never someone else's (a person
	// acting for an organisation signs in with the organisation's account).
	var own string
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT id_number FROM applicants WHERE id = $1`, applicantID).Scan(&own); err != nil {
		return nil, apperr.NotFoundf("entity.applicant")
	}
	if !f.Has("id_number") && in.IDNumber != own {
		f.Add("id_number", "disclosure_req.error.own_id")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.insert(ctx, in, applicantID, nil, nil)
}

// Register records a request the office received by post, in person or
// by fax; only an officer of the organ (an explicit grant) may. The
// receipt day by channel (Art. 31): in person the day it is handed in
// (today); by post the day it was signed for, which the officer enters
// and which cannot be in the future; by fax the day the office confirms
// it, which is the day it registers it.
func (s *Service) Register(ctx context.Context, a org.Actor, in Input) (*Request, error) {
	f := apperr.Fields{}
	in.check(f)
	if in.OrganID != 0 {
		if _, err := s.acting(ctx, a, in.OrganID, disclosure.Officer); err != nil {
			return nil, err
		}
	}
	today := todayOf(s.now())
	received := today
	switch in.Channel {
	case disclosure.Post:
		d, err := calendar.ParseDate(in.ReceivedOn)
		switch {
		case in.ReceivedOn == "":
			f.Add("received_on", "error.required")
		case err != nil:
			f.Add("received_on", "disclosure_req.error.date")
		case d.After(today):
			f.Add("received_on", "disclosure_req.error.future")
		default:
			received = d
		}
	case disclosure.InPerson, disclosure.Fax:
	default:
		f.Add("channel", "error.choose")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.insert(ctx, in, 0, &a, &received)
}

func (s *Service) organExists(ctx context.Context, id int64, f apperr.Fields) error {
	if id == 0 {
		return nil
	}
	var n int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM disclosure_organs WHERE id = $1`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		f.Add("organ_id", "error.choose")
	}
	return nil
}

func (s *Service) insert(ctx context.Context, in Input, applicantID int64, by *org.Actor, received *calendar.Date) (*Request, error) {
	now := s.now()
	status := Filed
	var recv, due any
	if received != nil {
		cal, err := s.Cases.WorkingCalendar(ctx)
		if err != nil {
			return nil, err
		}
		status, recv, due = Open, received.String(), dueOn(cal, *received, 0, 0).String()
	}
	var staffID int64
	if by != nil {
		staffID = by.StaffID
	}
	var id int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		no, err := nextNumber(ctx, tx, now)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO disclosure_requests (no, organ_id, applicant_type, applicant_id, name, id_number, phone, email, address,
			channel, content, form, received_on, clock_from, due_on, status, created_by, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$13,$14,$15,$16,$17,$17) RETURNING id`,
			no, in.OrganID, string(in.ApplicantType), store.NullID(applicantID), in.Name, in.IDNumber, in.Phone, in.Email, in.Address,
			string(in.Channel), in.Content, in.Form, recv, due, status, store.NullID(staffID), now).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert disclosure request: %w", err)
		}
		day := todayOf(now)
		if received != nil {
			day = *received
		}
		if err := addEvent(ctx, tx, id, EvFiled, day, now, staffID, applicantID, "", map[string]any{"channel": string(in.Channel)}); err != nil {
			return err
		}
		if by != nil {
			return audit.Write(ctx, tx, now, by.Who(), "create", "disclosure_request", no, 0, 0, nil, map[string]any{"channel": in.Channel, "received_on": recv})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return load(ctx, s.DB.Read(), `r.id = $1`, id)
}

// Confirm is the office confirming an online request: the day it does is
// the receipt day (Art. 31(3)) and the clock starts.
func (s *Service) Confirm(ctx context.Context, a org.Actor, no string) (*Request, error) {
	return s.step(ctx, a, no, disclosure.Officer, []string{Filed}, func(st *stepCtx) error {
		st.r.ReceivedOn, st.r.ClockFrom = &st.today, &st.today
		d := dueOn(st.cal, st.today, 0, 0)
		st.r.DueOn = &d
		st.r.Status = Open
		return st.event(EvConfirmed, "", nil)
	})
}

// nextNumber issues GK-YYYYMMDD-NNNN (公开), per Shanghai day; the upsert
// serialises concurrent filings on the counter row.
func nextNumber(ctx context.Context, tx *sql.Tx, now time.Time) (string, error) {
	day := now.In(clock.Shanghai).Format("20060102")
	var seq int
	err := tx.QueryRowContext(ctx, `INSERT INTO disclosure_request_numbers (day, last) VALUES ($1, 1)
		ON CONFLICT (day) DO UPDATE SET last = disclosure_request_numbers.last + 1 RETURNING last`, day).Scan(&seq)
	if err != nil {
		return "", fmt.Errorf("disclosure request number: %w", err)
	}
	return fmt.Sprintf("GK-%s-%04d", day, seq), nil
}

func addEvent(ctx context.Context, q store.Querier, id int64, kind string, day calendar.Date, now time.Time, staffID, applicantID int64, note string, data map[string]any) error {
	b := []byte("{}")
	if len(data) > 0 {
		var err error
		if b, err = json.Marshal(data); err != nil {
			return err
		}
	}
	_, err := q.ExecContext(ctx, `INSERT INTO disclosure_request_events (request_id, kind, day, at, staff_id, applicant_id, note, data) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
		id, kind, day.String(), now, store.NullID(staffID), store.NullID(applicantID), note, string(b))
	if err != nil {
		return fmt.Errorf("disclosure request event: %w", err)
	}
	return nil
}

// acting is the actor's access to an organ when it allows acting with
// duty d: without the grant the organ is "not found" to someone who
// cannot even read it, and "forbidden" to a reader (a supervisor).
func (s *Service) acting(ctx context.Context, a org.Actor, organID int64, d disclosure.Duty) (disclosure.Access, error) {
	x, err := disclosure.AccessTo(ctx, s.DB.Read(), a, organID)
	if err != nil {
		return x, err
	}
	if !x.Acts(d) {
		return x, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	return x, nil
}

func todayOf(t time.Time) calendar.Date { return clock.Today(t) }

func fieldErr(field, key string, kv ...any) error {
	f := apperr.Fields{}
	f.Add(field, key, kv...)
	return f.Err()
}
