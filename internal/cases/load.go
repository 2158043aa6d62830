package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/attendance"
	"onestop/internal/calendar"
	"onestop/internal/catalogue"
	"onestop/internal/store"
)

const caseCols = `c.id, c.no, i.code, v.name, v.version, c.item_version_id, c.department_id, d.short_name, d.mode, c.centre_id, ce.name, ce.region_code,
	c.channel, c.applicant_id, a.name, a.kind, a.id_number, a.phone, COALESCE(c.first_contact_id, 0), COALESCE(fc.name, ''), c.state, c.step,
	c.step_role, COALESCE(c.assignee_id, 0), COALESCE(asg.name, ''), c.version, c.received_at, c.notice_due, c.accepted_at, c.decided_at,
	c.completed_at, c.delivered_at, c.closed_at, c.promised_days, c.statutory_days, c.extension_days, c.deadline, c.statutory_deadline,
	c.provisional, c.paused, c.deemed_allowed, c.decision, c.deemed, c.delivery, c.fees_fen, c.last_hash, c.payment,
	ce.kind, COALESCE(c.pickup_centre_id, c.centre_id), COALESCE(pc.name, ce.name),
	COALESCE(bu.no, ''), COALESCE(bu.lead_department_id, 0)`

const caseFrom = `cases c JOIN items i ON i.id = c.item_id JOIN item_versions v ON v.id = c.item_version_id
	JOIN departments d ON d.id = c.department_id JOIN centres ce ON ce.id = c.centre_id JOIN applicants a ON a.id = c.applicant_id
	LEFT JOIN staff fc ON fc.id = c.first_contact_id LEFT JOIN staff asg ON asg.id = c.assignee_id
	LEFT JOIN centres pc ON pc.id = c.pickup_centre_id
	LEFT JOIN bundles bu ON bu.id = c.bundle_id`

func scanCase(row interface{ Scan(...any) error }) (*Case, error) {
	c := &Case{}
	var deadline, statDeadline *time.Time
	err := row.Scan(&c.ID, &c.No, &c.ItemCode, &c.ItemName, &c.ItemVersion, &c.ItemVersionID, &c.DepartmentID, &c.Department, &c.DepartmentMode,
		&c.CentreID, &c.Centre, &c.RegionCode, &c.Channel, &c.ApplicantID, &c.ApplicantName, &c.ApplicantKind, &c.ApplicantNumber, &c.ApplicantPhone,
		&c.FirstContactID, &c.FirstContact, &c.State, &c.Step, &c.StepRole, &c.AssigneeID, &c.Assignee, &c.Version, &c.ReceivedAt, &c.NoticeDue,
		&c.AcceptedAt, &c.DecidedAt, &c.CompletedAt, &c.DeliveredAt, &c.ClosedAt, &c.PromisedDays, &c.StatutoryDays, &c.ExtensionDays,
		&deadline, &statDeadline, &c.Provisional, &c.Paused, &c.DeemedAllowed, &c.Decision, &c.Deemed, &c.Delivery, &c.FeesFen, &c.LastHash, &c.Payment,
		&c.CentreKind, &c.PickupCentreID, &c.PickupCentre,
		&c.BundleNo, &c.BundleLeadID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("entity.case")
	}
	if err != nil {
		return nil, err
	}
	c.Deadline, c.StatutoryDeadline = dateOf(deadline), dateOf(statDeadline)
	return c, nil
}

func dateOf(t *time.Time) *calendar.Date {
	if t == nil {
		return nil
	}
	d := calendar.DateOf(*t, time.UTC)
	return &d
}

// dbDate stores a calendar day as midnight UTC (a DATE on both engines).
func dbDate(d *calendar.Date) any {
	if d == nil {
		return nil
	}
	return d.Time(time.UTC)
}

// load reads a case with its item version, materials and pauses.
func (s *Service) load(ctx context.Context, q store.Querier, no string) (*Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, "SELECT "+caseCols+" FROM "+caseFrom+" WHERE c.no = $1", no))
	if err != nil {
		return nil, err
	}
	it, err := s.itemVersion(ctx, q, c.ItemVersionID, c.ItemCode, c.ItemVersion)
	if err != nil {
		return nil, fmt.Errorf("case %s item version: %w", no, err)
	}
	c.Item = &it
	if c.StepRole != "" && c.Step < len(it.Steps) {
		c.StepName = it.Steps[c.Step].Name
	}
	if c.Materials, err = loadMaterials(ctx, q, c.ID); err != nil {
		return nil, err
	}
	if c.Pauses, err = loadPauses(ctx, q, c.ID); err != nil {
		return nil, err
	}
	return c, nil
}

// itemVersion returns the item version a case was accepted under. A
// version's content never changes once written, so it is kept in memory
// (a county has a few hundred items, a province tens of thousands of
// versions at most); the item's status and department name beside it may
// change, so an entry is re-read after a minute.
func (s *Service) itemVersion(ctx context.Context, q store.Querier, id int64, code string, version int) (catalogue.Item, error) {
	now := time.Now()
	s.itemMu.Lock()
	e, ok := s.items[id]
	s.itemMu.Unlock()
	if ok && now.Sub(e.read) < time.Minute {
		return e.item, nil
	}
	it, err := catalogue.ItemVersionIn(ctx, q, code, version)
	if err != nil {
		return it, err
	}
	s.itemMu.Lock()
	if s.items == nil || len(s.items) > 50000 {
		s.items = map[int64]itemEntry{}
	}
	s.items[id] = itemEntry{item: it, read: now}
	s.itemMu.Unlock()
	return it, nil
}

type itemEntry struct {
	item catalogue.Item
	read time.Time
}

func loadMaterials(ctx context.Context, q store.Querier, caseID int64) ([]Material, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, name, required, status, note, paper, file_sha256, file_name, file_type, file_size, changed_at
		FROM case_materials WHERE case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Material
	for rows.Next() {
		var m Material
		if err := rows.Scan(&m.Seq, &m.Name, &m.Required, &m.Status, &m.Note, &m.Paper, &m.FileSHA, &m.FileName, &m.FileType, &m.FileSize, &m.ChangedAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func loadPauses(ctx context.Context, q store.Querier, caseID int64) ([]Pause, error) {
	rows, err := q.QueryContext(ctx, `SELECT from_at, to_at, reason, expected_days FROM case_pauses WHERE case_id = $1 ORDER BY from_at`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Pause
	for rows.Next() {
		var p Pause
		if err := rows.Scan(&p.From, &p.To, &p.Reason, &p.ExpectedDays); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// loadCover reads whether the case's A person is away and who covers
// (A/B cover): the facts the step rules (stepHolder) need. The inbox query
// does not need it, so only a single read or a step action pays.
//
// "Away" is attendance's one rule (attendance.Away): the checkbox, an
// approved leave, or no punch by the late time on a working day.
func loadCover(ctx context.Context, q store.Querier, c *Case, cal *calendar.Calendar, now time.Time) error {
	if c.AssigneeID == 0 {
		return nil
	}
	aw, err := attendance.AwayNow(ctx, q, cal, now)
	if err != nil {
		return err
	}
	var w store.Where
	sAway, bAway := aw.SQL("s", w.Bind), aw.SQL("b", w.Bind)
	var backupID int64
	var backup string
	var backupAway bool
	err = q.QueryRowContext(ctx, `SELECT `+sAway+`, COALESCE(b.id, 0), COALESCE(b.name, ''), COALESCE(`+bAway+`, FALSE) FROM staff s
		LEFT JOIN staff b ON b.id = s.backup_id AND b.retired_at IS NULL WHERE s.id = `+w.Bind(c.AssigneeID), w.Args()...).
		Scan(&c.AssigneeAbsent, &backupID, &backup, &backupAway)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("case %s assignee: %w", c.No, err)
	}
	if backup != "" {
		c.AssigneeBackupID, c.AssigneeBackup = backupID, backup
	}
	// A away with no B at work: the chief representative covers (cover.go).
	c.AssigneeUncovered = c.AssigneeAbsent && (backupID == 0 || backupAway)
	if c.AssigneeUncovered {
		return loadChiefCover(ctx, q, c, aw)
	}
	return nil
}

// Get returns a case with its record, documents and messages, if the actor
// may see it.
func (s *Service) Get(ctx context.Context, a Actor, no string) (*Case, error) {
	r := s.DB.Read()
	c, err := s.load(ctx, r, no)
	if err != nil {
		return nil, err
	}
	if !a.sees(c) {
		return nil, apperr.NotFoundf("entity.case")
	}
	cal, err := s.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	s.clock(c, cal, s.Now())
	if err := loadCover(ctx, r, c, cal, s.Now()); err != nil {
		return nil, err
	}
	if c.Events, err = loadEvents(ctx, r, c.ID); err != nil {
		return nil, err
	}
	rows, err := r.QueryContext(ctx, `SELECT kind, event_seq, issued_at FROM case_documents WHERE case_id = $1 ORDER BY id`, c.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var d Document
		if err := rows.Scan(&d.Kind, &d.EventSeq, &d.IssuedAt); err != nil {
			rows.Close()
			return nil, err
		}
		c.Documents = append(c.Documents, d)
	}
	rows.Close()
	rows, err = r.QueryContext(ctx, `SELECT at, kind, text FROM case_messages WHERE case_id = $1 ORDER BY id`, c.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.At, &m.Kind, &m.Text); err != nil {
			return nil, err
		}
		c.Messages = append(c.Messages, m)
	}
	return c, rows.Err()
}

func loadEvents(ctx context.Context, q store.Querier, caseID int64) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, at, COALESCE(actor_id, 0), actor, role, place, action, payload, prev_hash, hash
		FROM case_events WHERE case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var payload string
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.Actor, &e.Role, &e.Place, &e.Action, &payload, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.Payload = []byte(payload)
		out = append(out, e)
	}
	return out, rows.Err()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
