package cases

import (
	"fmt"
	"strconv"
	"strings"
)

// A case number is issued from a counter per centre and day (nextNumber)
// in the same transaction that inserts the case, so every number up to the
// counter belongs to a case. A number without its case means the case was
// deleted — caught here at once, before any checkpoint covers its day
// (unless whoever deleted it also wound the counter back, which only works
// for the last number of a day; the checkpoint catches that one).

// maxMissingNamed bounds the numbers named per centre and day.
const maxMissingNamed = 20

// numbers reports the case numbers issued whose case is gone. One query
// over the counters, each probing the unique index on cases.no for its
// range; only the days with a shortfall are read in full.
func (v *verifier) numbers() error {
	q := v.db.Read()
	rows, err := q.QueryContext(v.ctx, `SELECT UPPER(ce.code), n.day, n.last, COUNT(c.id) FROM case_numbers n JOIN centres ce ON ce.id = n.centre_id
		LEFT JOIN cases c ON c.no >= UPPER(ce.code) || n.day || '0000' AND c.no <= UPPER(ce.code) || n.day || '99999' AND c.centre_id = n.centre_id
		GROUP BY ce.code, n.day, n.last HAVING COUNT(c.id) < n.last`)
	if err != nil {
		return fmt.Errorf("case numbers: %w", err)
	}
	type short struct {
		prefix     string
		last, have int
	}
	var shorts []short
	for rows.Next() {
		var code, day string
		var s short
		if err := rows.Scan(&code, &day, &s.last, &s.have); err != nil {
			rows.Close()
			return err
		}
		s.prefix = code + day
		shorts = append(shorts, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range shorts {
		present := map[int]bool{}
		nos, err := q.QueryContext(v.ctx, `SELECT no FROM cases WHERE no >= $1 AND no <= $2`, s.prefix+"0000", s.prefix+"99999")
		if err != nil {
			return err
		}
		for nos.Next() {
			var no string
			if err := nos.Scan(&no); err != nil {
				nos.Close()
				return err
			}
			if n, err := strconv.Atoi(strings.TrimPrefix(no, s.prefix)); err == nil {
				present[n] = true
			}
		}
		nos.Close()
		named := 0
		for n := 1; n <= s.last && named < maxMissingNamed; n++ {
			if !present[n] {
				v.report(fmt.Sprintf("%s%04d", s.prefix, n), 0, "the case is missing: its number was issued (case deleted)")
				named++
			}
		}
		if missing := s.last - s.have; missing > named {
			v.report(s.prefix+"…", 0, "%d more case numbers of this centre and day were issued but their cases are missing", missing-named)
		}
	}
	return nil
}
