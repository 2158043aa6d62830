package store

import "database/sql"

// Each calls f for every row of rows (f scans it) and closes the rows:
// the loop every listing writes, with rows.Err checked at the end.
func Each(rows *sql.Rows, f func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := f(); err != nil {
			return err
		}
	}
	return rows.Err()
}
