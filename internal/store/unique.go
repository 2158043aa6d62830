package store

import "slices"

// IsUnique reports whether err, or an error it wraps, is a unique or
// primary-key violation on either engine. It reads the drivers' typed
// errors, not their messages, which differ and may change.
func IsUnique(err error) bool {
	if err == nil {
		return false
	}
	_, ok := sqliteUnique(err)
	if !ok {
		_, ok = postgresUnique(err)
	}
	return ok
}

// UniqueColumns names the columns of the key a unique violation is about,
// without the table; nil when err is no unique violation or the engine
// does not say (a key on an expression).
func UniqueColumns(err error) []string {
	if err == nil {
		return nil
	}
	if cols, ok := sqliteUnique(err); ok {
		return cols
	}
	cols, _ := postgresUnique(err)
	return cols
}

// UniqueField tells a form which of its fields a unique violation is
// about: the first of fields that the violated key covers, or fields[0]
// when none does (or the engine does not say).
func UniqueField(err error, fields ...string) string {
	cols := UniqueColumns(err)
	for _, f := range fields {
		if slices.Contains(cols, f) {
			return f
		}
	}
	return fields[0]
}
