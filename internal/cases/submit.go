package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// SubmitInput opens a case.
type SubmitInput struct {
	ItemCode    string           `json:"item_code"`
	ApplicantID int64            `json:"applicant_id"`
	Channel     string           `json:"channel"` // window, township, online, commissioned; derived when empty
	Materials   []MaterialChange `json:"materials"`
	// Pickup is where the applicant will collect the result: "" or "here"
	// at the accepting centre, "hall" at the county hall for a case a
	// township accepts (docs/DOMAIN.md §17).
	Pickup string `json:"pickup"`
	// Mode is the acceptance mode chosen: "" or "normal", "commitment"
	// (告知承诺) or "lenient" (容缺受理); see modes.go.
	Mode string `json:"mode,omitempty"`
	// First is the caller's own work in the submission's transaction,
	// done before the case opens: the online form's choice of how to be
	// told (notify.SetPreferencesTx) is saved with the case or not at all,
	// and the receipt message already follows it.
	First func(ctx context.Context, q store.Querier) error `json:"-"`
}

// Pickups are the pick-up choices a township's window offers.
var Pickups = []string{"here", "hall"}

// Submit opens a case: the applicant online (at the county hall), or a
// clerk at their window for a walk-in applicant (the clerk is the first
// contact, 首问负责). It issues the receipt of materials.
func (s *Service) Submit(ctx context.Context, a Actor, in SubmitInput) (*Case, error) {
	cal, err := s.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	it, err := s.Catalogue.Item(ctx, in.ItemCode)
	f := apperr.Fields{}
	switch {
	case apperr.Is(err, apperr.NotFound):
		f.Add("item_code", "case.item_unknown")
	case err != nil:
		return nil, err
	case it.Status != catalogue.InForce:
		f.Add("item_code", "case.item_not_in_force")
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	var centreID, firstContact int64
	channel := in.Channel
	switch {
	case a.Staff != nil:
		st := a.Staff
		if st.Role != "clerk" || st.CentreID == 0 {
			return nil, forbidden()
		}
		centreID, firstContact = st.CentreID, st.StaffID
		if channel == "" {
			channel = "window"
			if st.CentreKind != "hall" {
				channel = "township"
			}
		}
		if in.ApplicantID == 0 {
			f.Add("applicant_id", "error.required")
		}
	case a.ApplicantID != 0:
		in.ApplicantID, channel = a.ApplicantID, "online"
		// The hall of the county whose department handles the item receives
		// it; a province's database holds many counties' halls (issue 5).
		if err := s.DB.R.QueryRowContext(ctx, `SELECT c.id FROM centres c WHERE c.kind = 'hall' AND c.retired_at IS NULL
			ORDER BY CASE WHEN c.region_code = (SELECT d.region_code FROM departments d WHERE d.id = $1) THEN 0 ELSE 1 END, c.id LIMIT 1`, it.DepartmentID).Scan(&centreID); err != nil {
			return nil, fmt.Errorf("no county hall to receive online applications: %w", err)
		}
	default:
		return nil, forbidden()
	}
	if !slices.Contains(Channels, channel) {
		f.Add("channel", "error.choose")
	}
	if in.Pickup != "" && !slices.Contains(Pickups, in.Pickup) {
		f.Add("pickup", "error.choose")
	}
	if err == nil && it.Status == catalogue.InForce {
		switch {
		case channel == "online" && !it.Online:
			f.Add("item_code", "case.not_online")
		case channel == "township" && !it.AtTownship:
			f.Add("item_code", "case.not_at_township")
		case a.Staff != nil && !itemDepartmentHere(a, it):
			f.Add("item_code", "case.not_your_department")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var no string
	var t *tx
	err = s.DB.Tx(ctx, func(sqltx *sql.Tx) error {
		if in.First != nil {
			if err := in.First(ctx, s.DB.InTx(sqltx)); err != nil {
				return err
			}
		}
		var err error
		t, err = s.open(ctx, s.DB.InTx(sqltx), a, opening{item: it, applicantID: in.ApplicantID, centreID: centreID, firstContact: firstContact,
			channel: channel, materials: in.Materials, pickup: in.Pickup, mode: in.Mode}, cal, now)
		if t != nil {
			no = t.c.No
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s.observeTransition(ActSubmit)
	s.announce(t.committed)
	if a.Staff == nil && a.ApplicantID == 0 {
		return nil, nil
	}
	return s.Get(ctx, a, no)
}

// itemDepartmentHere: a clerk receives for their own department, or for a
// commissioning unit at a centre that accepts for it.
func itemDepartmentHere(a Actor, it catalogue.Item) bool {
	if a.Staff.DepartmentID == it.DepartmentID {
		return true
	}
	// A hall accepts commissioned items (委托受理) for its own county's
	// units, not for another county in the same database.
	county := a.Staff.County()
	return it.Commissioned && (county == "" || it.County == "" || county == it.County)
}

// nextNumber gives the case number: centre code + YYYYMMDD (Shanghai) +
// a 4-digit sequence of that centre and day.
func nextNumber(ctx context.Context, q store.Querier, centreID int64, now time.Time) (string, error) {
	return CentreDayNumber(ctx, q, "case_numbers", "", centreID, now)
}

// CentreDayNumber draws the next number of a per-centre, per-day counter
// table (case_numbers, bundle_numbers: columns centre_id, day, last):
// prefix + centre code + YYYYMMDD (Shanghai) + a 4-digit sequence. The
// upsert serialises concurrent submissions on the counter row. table is
// one of the code's constants, never user input.
func CentreDayNumber(ctx context.Context, q store.Querier, table, prefix string, centreID int64, now time.Time) (string, error) {
	var code string
	if err := q.QueryRowContext(ctx, `SELECT code FROM centres WHERE id = $1`, centreID).Scan(&code); err != nil {
		return "", fmt.Errorf("centre %d: %w", centreID, err)
	}
	day := now.In(clock.Shanghai).Format("20060102")
	var seq int
	err := q.QueryRowContext(ctx, `INSERT INTO `+table+` (centre_id, day, last) VALUES ($1, $2, 1)
		ON CONFLICT (centre_id, day) DO UPDATE SET last = `+table+`.last + 1 RETURNING last`, centreID, day).Scan(&seq)
	if err != nil {
		return "", fmt.Errorf("%s: %w", table, err)
	}
	return fmt.Sprintf("%s%s%s%04d", prefix, strings.ToUpper(code), day, seq), nil
}

// opening is what a new case needs once its intake has been checked.
type opening struct {
	item         catalogue.Item
	applicantID  int64
	centreID     int64
	firstContact int64
	channel      string
	bundleID     int64
	materials    []MaterialChange
	pickup       string // SubmitInput.Pickup
	mode         string // SubmitInput.Mode
}

// open inserts a case, receives its materials and issues the receipt,
// inside the caller's transaction.
func (s *Service) open(ctx context.Context, q store.Querier, a Actor, o opening, cal *calendar.Calendar, now time.Time) (*tx, error) {
	it := o.item
	f := apperr.Fields{}
	var kind string
	if err := q.QueryRowContext(ctx, `SELECT kind FROM applicants WHERE id = $1`, o.applicantID).Scan(&kind); errors.Is(err, sql.ErrNoRows) {
		f.Add("applicant_id", "case.applicant_unknown")
		return nil, f.Err()
	} else if err != nil {
		return nil, err
	}
	if !catalogue.Serves(it.Audience, kind) {
		f.Add("applicant_id", "case.audience_"+it.Audience)
		return nil, f.Err()
	}
	no, err := nextNumber(ctx, q, o.centreID, now)
	if err != nil {
		return nil, err
	}
	due := NoticeDueAfter(cal, now)
	var id int64
	err = q.QueryRowContext(ctx, `INSERT INTO cases (no, item_id, item_version_id, department_id, centre_id, channel, applicant_id,
		first_contact_id, state, version, received_at, notice_due, promised_days, statutory_days, deemed_allowed, fees_fen, last_hash, created_at, updated_at,
		bundle_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,0,$10,$11,$12,$13,$14,$15,'',$10,$10,$16) RETURNING id`,
		no, it.ID, it.VersionID, it.DepartmentID, o.centreID, o.channel, o.applicantID, store.NullID(o.firstContact), Received, now, due,
		it.PromisedDays, it.StatutoryDays, it.DeemedApproval, it.TotalFeeFen(), store.NullID(o.bundleID)).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("insert case: %w", err)
	}
	for i, m := range it.Materials {
		if _, err := q.ExecContext(ctx, `INSERT INTO case_materials (case_id, seq, name, required, status) VALUES ($1,$2,$3,$4,'missing')`,
			id, i+1, m.Name, m.Required); err != nil {
			return nil, err
		}
	}
	if err := choosePickup(ctx, q, id, o.centreID, o.pickup); err != nil {
		return nil, err
	}
	c, err := s.load(ctx, q, no)
	if err != nil {
		return nil, err
	}
	t := &tx{s: s, ctx: ctx, q: q, c: c, a: a, now: now, cal: cal, action: ActSubmit, payload: map[string]any{
		"item_code": it.Code, "item_version": it.Version, "channel": o.channel}}
	if o.bundleID != 0 {
		t.payload["bundle"] = c.BundleNo
	}
	if c.PickupCentreID != c.CentreID {
		t.payload["pickup_centre"] = c.PickupCentre // the applicant's choice is on the record
	}
	if err := t.receive(o.materials); err != nil {
		return nil, err
	}
	if o.mode != "" && o.mode != "normal" {
		t.modeChoice = o.mode
	}
	if err := t.mode(Input{}); err != nil {
		return nil, err
	}
	t.docs = append(t.docs, "receipt")
	t.msgs = append(t.msgs, "case.msg.received")
	return t, t.commit()
}

// choosePickup stores the applicant's choice to collect the result at the
// county hall instead of the township centre that accepts the case. At the
// hall itself, or with no choice, nothing is stored: the accepting centre
// is the pick-up place.
func choosePickup(ctx context.Context, tx store.Querier, caseID, centreID int64, pickup string) error {
	if pickup != "hall" {
		return nil
	}
	var hall int64
	err := tx.QueryRowContext(ctx, `SELECT h.id FROM centres t JOIN centres h ON h.kind = 'hall' AND h.retired_at IS NULL
		AND h.region_code = SUBSTR(t.region_code, 1, 6) WHERE t.id = $1 AND t.kind <> 'hall' ORDER BY h.id LIMIT 1`, centreID).Scan(&hall)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // accepted at the hall: collected there anyway
	}
	if err != nil {
		return fmt.Errorf("county hall for pick-up: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE cases SET pickup_centre_id = $1 WHERE id = $2`, hall, caseID)
	return err
}
