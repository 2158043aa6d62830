package voice

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// File records an enquiry: it checks every field (field errors under
// Input's json names, nothing written), finds who answers it, issues the
// tracking number and the reply deadline, and writes the enquiry with its
// first event in one transaction.
func (s *Service) File(ctx context.Context, in Input) (*Enquiry, error) {
	f := apperr.Fields{}
	if !in.Kind.Valid() {
		f.Add("kind", "error.choose")
	}
	if !slices.Contains(Channels, in.Channel) {
		f.Add("channel", "error.choose")
	}
	in.Subject = f.Text("subject", in.Subject, true, MaxSubject)
	in.Body = f.Para("body", in.Body, true, MaxBody)
	in.Name = f.Text("name", in.Name, false, MaxName)
	// The reply goes by SMS to whoever files in person or on the portal; an
	// Open311 client may leave the contact out (GeoReport v2 makes it optional).
	in.Phone = f.Phone("phone", in.Phone, in.Channel != "open311")
	in.Email = f.Email("email", in.Email, false)
	in.Address = f.Text("address", in.Address, false, MaxAddress)
	in.DeviceID = f.Text("device_id", in.DeviceID, false, MaxDeviceID)
	in.AccountID = f.Text("account_id", in.AccountID, false, MaxDeviceID)
	in.MediaURL = f.Text("media_url", in.MediaURL, false, MaxMediaURL)
	if in.MediaURL != "" && !f.Has("media_url") && !webURL(in.MediaURL) {
		f.Add("media_url", "voice.bad_url")
	}
	switch {
	case (in.Lat == nil) != (in.Long == nil):
		f.Add("lat", "voice.lat_long_pair")
	case in.Lat != nil && (math.IsNaN(*in.Lat) || *in.Lat < -90 || *in.Lat > 90):
		f.Add("lat", "voice.bad_lat")
	case in.Long != nil && (math.IsNaN(*in.Long) || *in.Long < -180 || *in.Long > 180):
		f.Add("long", "voice.bad_long")
	}
	in.CaseNo = strings.ToUpper(f.Text("case_no", in.CaseNo, false, maxCaseNo))
	if f.Has("kind") {
		return nil, f.Err()
	}
	r := s.DB.Read()
	var caseID, caseDept int64
	if in.CaseNo != "" && !f.Has("case_no") {
		var owner int64
		err := r.QueryRowContext(ctx, `SELECT id, applicant_id, department_id FROM cases WHERE no = $1`, in.CaseNo).Scan(&caseID, &owner, &caseDept)
		switch {
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return nil, err
		case err != nil, in.ApplicantID != 0 && owner != in.ApplicantID:
			// Another's case reads as one that does not exist: the form
			// must not tell whether a number is in use.
			f.Add("case_no", "voice.case_unknown")
		case in.ApplicantID != 0 && in.DepartmentID == 0 && in.Kind == Complaint:
			// Their own complaint about their own case is the case's
			// department's; a stranger's case number names nothing.
			in.DepartmentID = caseDept
		}
	}
	e := &Enquiry{Kind: in.Kind, State: Open, Subject: in.Subject, Body: in.Body, CaseNo: in.CaseNo, Channel: in.Channel,
		Address: in.Address, Lat: in.Lat, Long: in.Long, MediaURL: in.MediaURL, Public: in.Public, Version: 1}
	if f.Has("case_no") {
		e.CaseNo = ""
	}
	region, err := s.place(ctx, r, &in, e, f)
	if err != nil {
		return nil, err
	}
	if in.ApplicantID != 0 {
		var n int
		if err := r.QueryRowContext(ctx, `SELECT COUNT(*) FROM applicants WHERE id = $1`, in.ApplicantID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apperr.NotFoundf("entity.applicant")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	cal, err := s.Cases.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	days, err := replyDays(ctx, r, region[:min(6, len(region))])
	if err != nil {
		return nil, err
	}
	now := s.now()
	e.Received, e.Updated = now, now
	e.ReplyDays = days[in.Kind]
	// Counted as the law counts limits (docs/DOMAIN.md §3): the day of
	// receipt is not counted, the due day is the N-th working day after.
	e.Due, _ = cal.Deadline(clock.Today(now), e.ReplyDays)
	e.RegionCode = region
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := admit(ctx, tx, in, now); err != nil {
			return err
		}
		var err error
		if e.No, err = nextNumber(ctx, tx, in.Kind, now); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO enquiries (no, kind, state, region_code, department_id, centre_id, case_id, subject, body,
			name, phone, email, applicant_id, channel, address, lat, lng, device_id, account_id, media_url, public, client_id,
			received_at, reply_days, due, version, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,1,$23) RETURNING id`,
			e.No, string(e.Kind), Open, e.RegionCode, store.NullID(e.DepartmentID), e.CentreID, store.NullID(caseID), e.Subject, e.Body,
			in.Name, in.Phone, in.Email, store.NullID(in.ApplicantID), e.Channel, e.Address, e.Lat, e.Long, in.DeviceID, in.AccountID,
			e.MediaURL, e.Public, store.NullID(in.ClientID), now, e.ReplyDays, e.Due.Time(time.UTC)).Scan(&e.ID)
		if err != nil {
			return fmt.Errorf("insert enquiry: %w", err)
		}
		return event(ctx, tx, e.ID, now, Actor{Role: RoleAsker}, ActFile, "")
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// place decides who answers: a consultation its department (required), a
// complaint the department it names or supervision at the county hall, a
// help request the centre it names or the county hall. It sets the
// enquiry's department and centre and returns its region (the county of
// the department, or the centre's own region).
func (s *Service) place(ctx context.Context, q store.Querier, in *Input, e *Enquiry, f apperr.Fields) (string, error) {
	region := ""
	if in.Kind == Help {
		in.DepartmentID = 0
	}
	if in.Kind == Consult && in.DepartmentID == 0 {
		f.Add("department_id", "error.required")
	}
	if in.DepartmentID != 0 {
		var reg sql.NullString
		err := q.QueryRowContext(ctx, `SELECT short_name, region_code FROM departments WHERE id = $1 AND retired_at IS NULL`, in.DepartmentID).Scan(&e.Department, &reg)
		switch {
		case errors.Is(err, sql.ErrNoRows) || (err == nil && !reg.Valid):
			f.Add("department_id", "voice.department_unknown")
		case err != nil:
			return "", err
		default:
			e.DepartmentID, region = in.DepartmentID, reg.String
		}
	}
	if in.Kind == Help && in.CentreID != 0 {
		err := q.QueryRowContext(ctx, `SELECT id, name, region_code FROM centres WHERE id = $1 AND retired_at IS NULL`, in.CentreID).Scan(&e.CentreID, &e.Centre, &region)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			f.Add("centre_id", "voice.centre_unknown")
		case err != nil:
			return "", err
		}
		return region, nil
	}
	// The county hall receives everything that is not a township's help
	// request: the department's county's hall, else the hall of the
	// county the filer named (an Open311 client's jurisdiction), else the
	// first hall (an installation of one county).
	if region == "" {
		region = in.County
	}
	err := q.QueryRowContext(ctx, `SELECT id, name, region_code FROM centres WHERE kind = 'hall' AND retired_at IS NULL
		ORDER BY CASE WHEN region_code = $1 THEN 0 ELSE 1 END, id LIMIT 1`, region).Scan(&e.CentreID, &e.Centre, &region)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.Conflict, "voice.no_hall")
	}
	return region, err
}

// nextNumber issues the tracking number: kind prefix, Shanghai day and a
// 4-digit sequence of that kind and day. The upsert serialises concurrent
// filings on the counter row (as cases' nextNumber does).
func nextNumber(ctx context.Context, tx *sql.Tx, k Kind, now time.Time) (string, error) {
	day := now.In(clock.Shanghai).Format("20060102")
	var seq int
	err := tx.QueryRowContext(ctx, `INSERT INTO enquiry_numbers (prefix, day, last) VALUES ($1, $2, 1)
		ON CONFLICT (prefix, day) DO UPDATE SET last = enquiry_numbers.last + 1 RETURNING last`, k.Prefix(), day).Scan(&seq)
	if err != nil {
		return "", fmt.Errorf("enquiry number: %w", err)
	}
	return fmt.Sprintf("%s-%s-%04d", k.Prefix(), day, seq), nil
}

// webURL reports whether v is an absolute http(s) address.
func webURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
