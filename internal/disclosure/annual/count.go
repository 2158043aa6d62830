package annual

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/store"
)

// span is a report year: its first and last Shanghai day and the UTC
// instants that bound it (for timestamps: from ≤ t < to).
type span struct {
	first, last string
	from, to    time.Time
}

func yearSpan(year int) span {
	first := calendar.Date{Year: year, Month: time.January, Day: 1}
	next := calendar.Date{Year: year + 1, Month: time.January, Day: 1}
	return span{first: first.String(), last: calendar.Date{Year: year, Month: time.December, Day: 31}.String(),
		from: first.Time(clock.Shanghai).UTC(), to: next.Time(clock.Shanghai).UTC()}
}

// Count counts an organ's tables for a year from the record (docs/DOMAIN.md
// §29 states each rule with its source). It reads only; q may be a
// transaction.
func Count(ctx context.Context, q store.Querier, o disclosure.Organ, year int) (Cells, error) {
	y := yearSpan(year)
	c := Cells{}
	for _, k := range Keys() {
		c[k] = 0
	}
	for _, step := range []func(context.Context, store.Querier, disclosure.Organ, span, Cells) error{
		countPolicy, countDecisions, countFees, countRequests, countAppeals, countFeeStatement,
	} {
		if err := step(ctx, q, o, y, c); err != nil {
			return nil, err
		}
	}
	return c, carried(ctx, q, o, year, c)
}

// countPolicy: table 二, 第二十条第（一）项. A published catalogue entry
// of category policy and doc kind rule (规章) or normative
// (行政规范性文件) counts as issued in the year of its issued_on, repealed
// in the year of its repealed_on, and in force when in force on 31
// December (00031: issued_on ≤ D and repealed_on absent or after D).
func countPolicy(ctx context.Context, q store.Querier, o disclosure.Organ, y span, c Cells) error {
	for _, kind := range PolicyKinds {
		var issued, repealed, inForce int64
		err := q.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN issued_on BETWEEN $3 AND $4 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN repealed_on BETWEEN $3 AND $4 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN issued_on <= $4 AND (repealed_on IS NULL OR repealed_on > $4) THEN 1 ELSE 0 END), 0)
			FROM disclosure_entries WHERE organ_id = $1 AND category = 'policy' AND doc_kind = $2 AND status = 'published'`,
			o.ID, kind, y.first, y.last).Scan(&issued, &repealed, &inForce)
		if err != nil {
			return err
		}
		c[T2(kind, Issued)], c[T2(kind, Repealed)], c[T2(kind, InForce)] = issued, repealed, inForce
	}
	return nil
}

// countDecisions: table 二, 第二十条第（五）（六）项, 本年处理决定数量.
// Licensing decisions are the cases of the organ's department whose item
// is of type licensing (行政许可) decided in the year (decided_at, either
// way: approved or refused, a decision all the same), plus published
// catalogue entries of doc kind licensing dated in the year (issued_on,
// else created_on) — decisions made outside OneStop, the only way a
// government organ without cases of its own records them. Penalties and
// enforcement decisions exist only as such entries.
func countDecisions(ctx context.Context, q store.Querier, o disclosure.Organ, y span, c Cells) error {
	if o.DepartmentID != 0 {
		var n int64
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases c JOIN item_versions v ON v.id = c.item_version_id
			WHERE c.department_id = $1 AND v.type = 'licensing' AND c.decided_at >= $2 AND c.decided_at < $3`,
			o.DepartmentID, y.from, y.to).Scan(&n); err != nil {
			return err
		}
		c[Licensing] += n
	}
	rows, err := q.QueryContext(ctx, `SELECT doc_kind, COUNT(*) FROM disclosure_entries
		WHERE organ_id = $1 AND category = 'decisions' AND status = 'published' AND COALESCE(issued_on, created_on) BETWEEN $2 AND $3
		GROUP BY doc_kind`, o.ID, y.first, y.last)
	if err != nil {
		return err
	}
	return store.Each(rows, func() error {
		var kind string
		var n int64
		if err := rows.Scan(&kind, &n); err != nil {
			return err
		}
		switch disclosure.DocKind(kind) {
		case disclosure.Licensing:
			c[Licensing] += n
		case disclosure.Penalty:
			c[Penalty] += n
		case disclosure.Enforcement:
			c[Enforcement] += n
		}
		return nil
	})
}

// countFees: table 二, 第二十条第（八）项, 行政事业性收费 本年收费金额.
// The money the cashier took in the year (payments.recorded_at) for
// cases of the organ's department, less refunds recorded in the year. A
// payment notice may carry the fees of several departments' cases (a
// bundle), so each payment or refund counts for the department in the
// share its cases' lines have of the notice's total (a refund of a
// notice is not tied to a line), rounded to the fen. Kept in fen; shown
// in 万元 (docs/DOMAIN.md §29).
func countFees(ctx context.Context, q store.Querier, o disclosure.Organ, y span, c Cells) error {
	if o.DepartmentID == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT p.kind, p.amount_fen, n.total_fen,
		(SELECT COALESCE(SUM(l.amount_fen), 0) FROM payment_notice_lines l JOIN cases k ON k.id = l.case_id
		 WHERE l.notice_id = n.id AND k.department_id = $1)
		FROM payments p JOIN payment_notices n ON n.id = p.notice_id
		WHERE p.recorded_at >= $2 AND p.recorded_at < $3`, o.DepartmentID, y.from, y.to)
	if err != nil {
		return err
	}
	return store.Each(rows, func() error {
		var kind string
		var amount, total, mine int64
		if err := rows.Scan(&kind, &amount, &total, &mine); err != nil {
			return err
		}
		if total <= 0 || mine <= 0 {
			return nil
		}
		share := (2*amount*mine + total) / (2 * total) // amount × mine / total, to the nearest fen
		if kind == "refund" {
			share = -share
		}
		c[FeesFen] += share
		return nil
	})
}

// countRequests: table 三. A request counts by its receipt day
// (received_on; a 'filed' online request not yet confirmed has none and
// counts nowhere, 条例 Art. 31) and its conclusion day (closed_on):
// 一 received in the year; 二 received before it and not concluded
// before it; 三 concluded in the year, in its outcome's row, its group's
// subtotal and (七); 四 received by 31 December and not concluded by
// then. So every column satisfies 一 + 二 = 三（七） + 四 by construction
// — until 二 is taken from last year's published report (carried).
func countRequests(ctx context.Context, q store.Querier, o disclosure.Organ, y span, c Cells) error {
	rows, err := q.QueryContext(ctx, `SELECT applicant_type, received_on, COALESCE(outcome, ''), COALESCE(closed_on, '')
		FROM disclosure_requests WHERE organ_id = $1 AND received_on IS NOT NULL AND received_on <= $3
		AND (closed_on IS NULL OR closed_on >= $2)`, o.ID, y.first, y.last)
	if err != nil {
		return err
	}
	return store.Each(rows, func() error {
		var typ, received, outcome, closed string
		if err := rows.Scan(&typ, &received, &outcome, &closed); err != nil {
			return err
		}
		col := disclosure.ApplicantType(typ)
		if received >= y.first {
			c[T3(RowNew, col)]++
		} else {
			c[T3(RowCarried, col)]++
		}
		if closed == "" || closed > y.last {
			c[T3(RowForward, col)]++
			return nil
		}
		row, ok := disclosure.Outcome(outcome).Row()
		if !ok {
			return fmt.Errorf("disclosure request with unknown outcome %q", outcome)
		}
		c[T3(string(row.Outcome), col)]++
		if row.Group >= 3 {
			c[T3(GroupRow(row.Group), col)]++
		}
		c[T3(RowTotal, col)]++
		return nil
	})
}

// carried: when the organ published last year's report, this year's 二
// is that report's 四 as published (adjustments included), so the years
// chain as the format means them to ("上年结转" is what was reported as
// carried forward) — and a difference from the record shows up as a
// broken sum the office must explain by an adjustment.
func carried(ctx context.Context, q store.Querier, o disclosure.Organ, year int, c Cells) error {
	var computed, adjusted string
	err := q.QueryRowContext(ctx, `SELECT computed, adjusted FROM disclosure_reports WHERE organ_id = $1 AND year = $2 AND status = 'published'`,
		o.ID, year-1).Scan(&computed, &adjusted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	prev, err := decode(computed, adjusted)
	if err != nil {
		return err
	}
	for _, col := range disclosure.ApplicantTypes {
		c[T3(RowCarried, col)] = prev[T3(RowForward, col)]
	}
	return nil
}

// countAppeals: table 四. A review or suit counts in its result's column
// in the year it was concluded, and as 尚未审结 when filed by 31 December
// and not concluded by then (00031); 总计 is the sum of the four.
func countAppeals(ctx context.Context, q store.Querier, o disclosure.Organ, y span, c Cells) error {
	rows, err := q.QueryContext(ctx, `SELECT kind, COALESCE(result, ''), COALESCE(concluded_on, '') FROM disclosure_appeals
		WHERE organ_id = $1 AND filed_on <= $3 AND (concluded_on IS NULL OR concluded_on >= $2)`, o.ID, y.first, y.last)
	if err != nil {
		return err
	}
	return store.Each(rows, func() error {
		var kind, result, concluded string
		if err := rows.Scan(&kind, &result, &concluded); err != nil {
			return err
		}
		col := result
		if concluded == "" || concluded > y.last {
			col = Pending
		}
		c[T4(kind, col)]++
		c[T4(kind, Total4)]++
		return nil
	})
}

// countFeeStatement: section 六 states the information processing fees
// (国办公开办函〔2021〕30号, 六; 国办函〔2020〕109号): fee notices sent in the
// year and the fees paid in the year (by the request's fee_paid event).
func countFeeStatement(ctx context.Context, q store.Querier, o disclosure.Organ, y span, c Cells) error {
	var notices, fen int64
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM disclosure_request_events e JOIN disclosure_requests r ON r.id = e.request_id
		 WHERE r.organ_id = $1 AND e.kind = 'fee_notice' AND e.day BETWEEN $2 AND $3),
		(SELECT COALESCE(SUM(r.fee_fen), 0) FROM disclosure_requests r WHERE r.organ_id = $1 AND EXISTS
		 (SELECT 1 FROM disclosure_request_events e WHERE e.request_id = r.id AND e.kind = 'fee_paid' AND e.day BETWEEN $2 AND $3))`,
		o.ID, y.first, y.last).Scan(&notices, &fen)
	c[FeeNotices], c[FeeFen] = notices, fen
	return err
}

// decode reads a stored report's cells.
func decode(computed, adjusted string) (Cells, error) {
	var a, b Cells
	if err := json.Unmarshal([]byte(computed), &a); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(adjusted), &b); err != nil {
		return nil, err
	}
	return Merge(a, b), nil
}
