package store

import (
	"slices"
	"strconv"
	"strings"
)

// Where builds the WHERE clause of a listing from optional filters. Each
// condition is written with "?" for its arguments, which are numbered $1,
// $2 … in the order added, the placeholders both engines take.
//
// Conditions are code, never user text: user values go in args only.
type Where struct {
	conds []string
	args  []any
}

// Add appends a condition, ANDed with the others. It panics when the
// number of "?" differs from the number of args: that is a bug in the
// caller's SQL text, and a wrongly numbered query must not run.
func (w *Where) Add(cond string, args ...any) {
	if n := strings.Count(cond, "?"); n != len(args) {
		panic("store.Where: " + strconv.Itoa(n) + " placeholders for " + strconv.Itoa(len(args)) + " arguments in " + cond)
	}
	var b strings.Builder
	for _, a := range args {
		i := strings.IndexByte(cond, '?')
		b.WriteString(cond[:i])
		b.WriteString(w.Bind(a))
		cond = cond[i+1:]
	}
	b.WriteString(cond)
	w.conds = append(w.conds, b.String())
}

// Bind appends one argument and returns its placeholder, for the parts of
// the query after the WHERE clause (ORDER BY, LIMIT, OFFSET).
func (w *Where) Bind(arg any) string {
	w.args = append(w.args, arg)
	return "$" + strconv.Itoa(len(w.args))
}

// String is " WHERE a AND b …", or "" without conditions.
func (w *Where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Args are the arguments bound so far. The slice is clipped, so a caller
// appending to it never writes into the builder's.
func (w *Where) Args() []any { return slices.Clip(w.args) }

// EscapeLike makes a user's text match literally inside a LIKE pattern
// written with ESCAPE '\' (same on SQLite and PostgreSQL).
func EscapeLike(v string) string {
	return likeEscaper.Replace(v)
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// Contains is the LIKE pattern (with ESCAPE '\') matching text that
// contains v literally.
func Contains(v string) string { return "%" + EscapeLike(v) + "%" }

// Prefix is the LIKE pattern (with ESCAPE '\') matching text that starts
// with v literally.
func Prefix(v string) string { return EscapeLike(v) + "%" }

// NullID stores a zero id as NULL: the foreign-key columns are nullable,
// and id 0 means "none" in our structs.
func NullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
