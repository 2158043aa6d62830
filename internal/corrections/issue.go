package corrections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/tally"
)

// Service issues and moves correction orders.
type Service struct {
	DB *store.DB
	// Cases gives the working-day calendar (the one the case clock uses)
	// and the case scope rule for the cases an order names.
	Cases *cases.Service
	Now   func() time.Time
	// Witnesses write beside every issue and step, in its transaction
	// (the complaint an order came from hears its reply and acceptance:
	// internal/voice). An error rolls the step back.
	Witnesses []Witness
}

// Witness hears an order's issue (action ActIssue) or step inside its
// transaction; o is the order after it.
type Witness func(ctx context.Context, q store.Querier, a org.Actor, o *Order, action string, in StepInput, now time.Time) error

func (s *Service) witness(ctx context.Context, q store.Querier, a org.Actor, o *Order, action string, in StepInput, now time.Time) error {
	for _, w := range s.Witnesses {
		if err := w(ctx, q, a, o, action, in, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// IssueInput is what the supervisor's form or API call sends.
type IssueInput struct {
	DepartmentID int64    `json:"department_id"`
	Cases        []string `json:"cases"`
	Anomalies    []int64  `json:"anomalies"`
	Subject      string   `json:"subject"`
	Instruction  string   `json:"instruction"`
	DeadlineDays int      `json:"deadline_days"`
	// EnquiryID is the complaint the order is about (internal/voice sets
	// it; never from a request). Such an order needs no case.
	EnquiryID int64 `json:"-"`
}

// Issue writes a new order: only a county-wide supervisor, to an active
// department of a county they cover, about cases of that department they
// can see and/or anomalies. The order, its first event, its items, the
// running total (tally.Orders) and the audit entry commit together.
func (s *Service) Issue(ctx context.Context, a org.Actor, in IssueInput) (*Order, error) {
	if a.Role != org.Supervisor || !a.CountyWide() {
		return nil, apperr.New(apperr.Forbidden, "order.supervisor_only")
	}
	f := apperr.Fields{}
	o := &Order{DepartmentID: in.DepartmentID, DeadlineDays: in.DeadlineDays, State: Issued, Version: 1, IssuedByID: a.StaffID, IssuedBy: a.Name}
	o.Subject = f.Text("subject", in.Subject, true, MaxSubject)
	o.Instruction = f.Para("instruction", in.Instruction, true, MaxText)
	if o.DeadlineDays < MinDeadlineDays || o.DeadlineDays > MaxDeadlineDays {
		f.Add("deadline_days", "order.deadline_range", "Min", MinDeadlineDays, "Max", MaxDeadlineDays)
	}
	if len(in.Cases)+len(in.Anomalies) > MaxItems {
		f.Add("cases", "order.too_many_items", "Max", MaxItems)
		return nil, f.Err()
	}
	// The department: active, in a county the supervisor covers. Another
	// county's department reads as unknown, not as someone else's.
	r := s.DB.Read()
	var deptRegion sql.NullString
	var retired *time.Time
	err := r.QueryRowContext(ctx, `SELECT region_code, short_name, retired_at FROM departments WHERE id = $1`, in.DepartmentID).Scan(&deptRegion, &o.Department, &retired)
	switch {
	case errors.Is(err, sql.ErrNoRows) || (err == nil && (retired != nil || !deptRegion.Valid || !a.CoversRegion(deptRegion.String))):
		f.Add("department_id", "order.department_unknown")
	case err != nil:
		return nil, err
	}
	o.RegionCode = deptRegion.String
	seen := map[string]bool{}
	for _, raw := range in.Cases {
		no := strings.ToUpper(strings.TrimSpace(raw))
		if no == "" || seen[no] {
			continue
		}
		seen[no] = true
		if len(no) > 40 {
			f.Add("cases", "order.case_unknown", "No", no[:40])
			continue
		}
		c, err := s.Cases.Get(ctx, cases.StaffActor(a), no)
		if apperr.Is(err, apperr.NotFound) {
			f.Add("cases", "order.case_unknown", "No", no)
			continue
		}
		if err != nil {
			return nil, err
		}
		if c.DepartmentID != in.DepartmentID {
			f.Add("cases", "order.case_other_department", "No", no)
			continue
		}
		o.Items = append(o.Items, Item{CaseID: c.ID, CaseNo: c.No})
		if o.CentreID == 0 {
			o.CentreID = c.CentreID
		}
	}
	for _, id := range in.Anomalies {
		no, err := s.AnomalyCase(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			f.Add("anomalies", "order.anomaly_unknown", "ID", id)
			continue
		}
		if err != nil {
			return nil, err
		}
		// An anomaly is about a case: the case's scope and department
		// are the anomaly's.
		c, err := s.Cases.Get(ctx, cases.StaffActor(a), no)
		if apperr.Is(err, apperr.NotFound) {
			f.Add("anomalies", "order.anomaly_unknown", "ID", id)
			continue
		}
		if err != nil {
			return nil, err
		}
		if c.DepartmentID != in.DepartmentID {
			f.Add("anomalies", "order.anomaly_other_department", "ID", id)
			continue
		}
		o.Items = append(o.Items, Item{CaseID: c.ID, CaseNo: c.No, AnomalyID: id})
		if o.CentreID == 0 {
			o.CentreID = c.CentreID
		}
	}
	o.EnquiryID = in.EnquiryID
	if len(o.Items) == 0 && o.EnquiryID == 0 && !f.Has("cases") && !f.Has("anomalies") {
		f.Add("cases", "order.nothing_named")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	cal, err := s.Cases.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	today := clock.Today(now)
	// The deadline counts as the law counts limits (docs/DOMAIN.md §3):
	// the day of issue is not counted, the due day is the N-th working day.
	o.Due, _ = cal.Deadline(today, o.DeadlineDays)
	o.IssuedAt = now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		if o.CentreID == 0 {
			// An order without a case counts at its county's hall.
			err := q.QueryRowContext(ctx, `SELECT id FROM centres WHERE kind = 'hall' AND region_code = $1 ORDER BY id LIMIT 1`, o.RegionCode).Scan(&o.CentreID)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.New(apperr.Conflict, "order.no_hall")
			}
			if err != nil {
				return err
			}
		}
		var seq int
		if err := q.QueryRowContext(ctx, `INSERT INTO correction_order_numbers (region_code, year, last) VALUES ($1, $2, 1)
			ON CONFLICT (region_code, year) DO UPDATE SET last = correction_order_numbers.last + 1 RETURNING last`, o.RegionCode, today.Year).Scan(&seq); err != nil {
			return fmt.Errorf("order number: %w", err)
		}
		o.No = fmt.Sprintf("督-%d-%04d", today.Year, seq)
		e := Event{Seq: 1, At: now, ActorID: a.StaffID, Actor: a.Name, Role: string(a.Role), Action: ActIssue, Text: o.Instruction}
		e.Facts = facts(map[string]any{"state": Issued, "subject": o.Subject, "department_id": o.DepartmentID, "deadline_days": o.DeadlineDays,
			"due": o.Due.String(), "items": o.Items})
		e.Hash = hashEvent(chainKey(o.RegionCode, o.No), e)
		o.LastHash = e.Hash
		if err := q.QueryRowContext(ctx, `INSERT INTO correction_orders (no, region_code, department_id, centre_id, issued_by, issued_at, subject, instruction,
			deadline_days, due, state, version, last_hash, updated_at, enquiry_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,1,$12,$6,$13) RETURNING id`,
			o.No, o.RegionCode, o.DepartmentID, o.CentreID, a.StaffID, now, o.Subject, o.Instruction, o.DeadlineDays, o.Due.Time(time.UTC),
			Issued, e.Hash, store.NullID(o.EnquiryID)).Scan(&o.ID); err != nil {
			return fmt.Errorf("insert order: %w", err)
		}
		for _, it := range o.Items {
			if _, err := q.ExecContext(ctx, `INSERT INTO correction_order_items (order_id, case_id, anomaly_id) VALUES ($1, $2, $3)`,
				o.ID, store.NullID(it.CaseID), store.NullID(it.AnomalyID)); err != nil {
				return err
			}
		}
		if err := appendEvent(ctx, q, o.ID, e); err != nil {
			return err
		}
		if err := tally.Add(ctx, q, tally.Key{Day: today, DepartmentID: o.DepartmentID, CentreID: o.CentreID}, map[tally.Column]int{tally.Orders: 1}); err != nil {
			return err
		}
		if err := s.witness(ctx, q, a, o, ActIssue, StepInput{Version: 1, Text: o.Instruction}, now); err != nil {
			return err
		}
		return audit.Write(ctx, q, now, a.Who(), "create", "correction_order", o.No, o.CentreID, o.DepartmentID, nil, auditView(o))
	})
	if err != nil {
		return nil, err
	}
	o.Events = nil
	return o, nil
}

// AnomalyCase is the number of the case an anomaly was raised on, read
// from the anomalies table (migration 00012, built beside this package)
// when it is there; without it, or without the anomaly, NotFound. The
// caller checks the case's scope: an anomaly is seen through its case.
func (s *Service) AnomalyCase(ctx context.Context, id int64) (string, error) {
	ok, err := s.hasAnomalies(ctx)
	if err != nil {
		return "", err
	}
	if !ok || id <= 0 {
		return "", apperr.NotFoundf("entity.anomaly")
	}
	var no string
	err = s.DB.Read().QueryRowContext(ctx, `SELECT c.no FROM anomalies an JOIN cases c ON c.id = an.case_id WHERE an.id = $1`, id).Scan(&no)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundf("entity.anomaly")
	}
	return no, err
}

func (s *Service) hasAnomalies(ctx context.Context) (bool, error) {
	var n int
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'anomalies'`
	if s.DB.Dialect == store.Postgres {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'anomalies' AND table_schema = current_schema()`
	}
	err := s.DB.Read().QueryRowContext(ctx, q).Scan(&n)
	return n > 0, err
}

func appendEvent(ctx context.Context, q store.Querier, orderID int64, e Event) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO correction_order_events (order_id, seq, at, actor_id, actor, role, action, text, facts, prev_hash, hash)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`, orderID, e.Seq, e.At, store.NullID(e.ActorID), e.Actor, e.Role, e.Action, e.Text,
		string(e.Facts), e.PrevHash, e.Hash); err != nil {
		if store.IsUnique(err) {
			return apperr.New(apperr.Conflict, "order.changed")
		}
		return fmt.Errorf("order event: %w", err)
	}
	return nil
}

// auditView is what the audit log keeps of an order before and after a
// step.
func auditView(o *Order) map[string]any {
	return map[string]any{"no": o.No, "state": o.State, "version": o.Version, "department_id": o.DepartmentID, "due": o.Due.String(),
		"subject": o.Subject, "deadline_days": o.DeadlineDays}
}
