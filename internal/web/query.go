package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/open311"
)

// Caps on what a query string may carry. Nobody types a 100-character
// search; a longer value is a mistake or an attack, and left through it
// reaches the database (SQLite refuses a LIKE pattern over 50,000 bytes,
// PostgreSQL any invalid UTF-8) and answers a 500.
const (
	maxSearch = 100  // a search box: q
	maxParam  = 200  // any other filter: codes, states, names, numbers
	maxNext   = 2048 // the page to return to after signing in
	maxPath   = 200  // a path segment naming a record: {no}, {code}, {key}
	// A day (YYYY-MM-DD), a grouping, a region code or a period
	// (2026-03, 2026-Q1): the bulletin's parameters and every from/to.
	maxShort = 32
	// The calculator's pauses, a line each of YYYY-MM-DD~YYYY-MM-DD: room
	// for more than maxPauses, so having too many says so in words.
	maxPauseText = 1000
	// Open311 tracking numbers, ZX-20261205-0001, with commas.
	maxOpen311IDs = 20 * open311.MaxIDs
)

// paramRule is the cap of one query parameter, and whether it may hold
// line breaks (the deadline calculator's pauses come from a text area).
func paramRule(name string) (max int, lines bool) {
	switch name {
	case "q":
		return maxSearch, false
	case "next":
		return maxNext, false
	case "pause":
		return maxPauseText, true
	case "from", "to", "by", "county", "period":
		return maxShort, false
	case "service_request_id":
		// Open311's comma-separated numbers (open311.MaxIDs of them).
		return maxOpen311IDs, false
	}
	return maxParam, false
}

// query reads a request's query parameters. Every route's parameters have
// passed checkQuery before its handler runs; query adds typed readers whose
// problems are field errors (422) rather than silently ignored values.
type query struct {
	url.Values
	f apperr.Fields
}

func readQuery(r *http.Request) *query { return &query{Values: r.URL.Query(), f: apperr.Fields{}} }

// Text is the trimmed value of a parameter.
func (q *query) Text(name string) string { return strings.TrimSpace(q.Get(name)) }

// Date reads an optional YYYY-MM-DD; a value that is not a real date is a
// field error, never a filter quietly dropped (the user would believe the
// list filtered).
func (q *query) Date(name string) (calendar.Date, bool) {
	v := q.Text(name)
	if v == "" {
		return calendar.Date{}, false
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		q.f.Add(name, "calendar.bad_date")
		return calendar.Date{}, false
	}
	return d, true
}

// Int reads an optional whole number; anything else is a field error.
func (q *query) Int(name string) int64 {
	v := q.Text(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		q.f.Add(name, "error.number")
	}
	return n
}

// ID reads an optional record id used as a filter (?department=3);
// anything but a positive number filters nothing, as a menu's "all" does.
func (q *query) ID(name string) int64 {
	n, err := strconv.ParseInt(q.Text(name), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// Flag reads a yes/no filter (?bad=1, ?overdue=true; absent, 0, false
// or off is no). Anything else is the field's error: a typo must not
// list everything as if no filter were asked.
func (q *query) Flag(name string) bool {
	switch q.Text(name) {
	case "1", "true", "on":
		return true
	case "", "0", "false", "off":
		return false
	}
	q.f.Add(name, "error.choose")
	return false
}

// Page reads limit and offset: limit def when absent or not positive, at
// most most; offset never negative. Every listing pages through this.
func (q *query) Page(def, most int) (limit, offset int) {
	limit, err := strconv.Atoi(q.Text("limit"))
	if err != nil || limit <= 0 {
		limit = def
	}
	offset, _ = strconv.Atoi(q.Text("offset"))
	return min(limit, most), max(offset, 0)
}

// Err is the problems found by the typed readers.
func (q *query) Err() error { return q.f.Err() }

// checkQuery applies the one rule for free text (apperr.Fields.Text:
// length, valid UTF-8, no control characters) to every query parameter,
// path value and posted form value of the request, before any handler
// sees them. It runs for
// every route registered with handle, so a new handler cannot forget it.
// A bad path value names no record: "not found".
func checkQuery(r *http.Request, pattern string) error {
	pf := apperr.Fields{}
	for _, name := range pathNames(pattern) {
		pf.Text(name, r.PathValue(name), false, maxPath)
	}
	if len(pf) > 0 {
		return apperr.NotFoundf("entity.page")
	}
	vals, err := url.ParseQuery(r.URL.RawQuery)
	f := apperr.Fields{}
	if err != nil {
		f.Add("query", "error.bad_query")
	}
	for name, vs := range vals {
		if nf := (apperr.Fields{}); nf.Text(name, name, false, maxParam) != name || len(nf) > 0 {
			f.Add("query", "error.bad_query") // the name itself is garbage: do not echo it back
			continue
		}
		max, lines := paramRule(name)
		for _, v := range vs {
			if lines {
				f.Para(name, v, false, max)
			} else {
				f.Text(name, v, false, max)
			}
		}
	}
	// A posted form (parsed by the CSRF check) may not smuggle what no
	// database can store into a field no domain rule reads as text (an ID
	// number looked up): PostgreSQL would answer a 500. Other control
	// characters and lengths are the domain's to judge, so its form comes
	// back with the field marked and the text kept. Browsers send valid
	// UTF-8, so this page is seen by scripts only.
	for name, vs := range r.PostForm {
		for _, v := range vs {
			if !apperr.Storable(v) {
				f.Add(name, "error.bad_characters")
			}
		}
	}
	return f.Err()
}

// pathNames lists the wildcards of a route pattern ("GET /cases/{no}" → no).
func pathNames(pattern string) []string {
	var out []string
	for rest := pattern; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return out
		}
		name := strings.TrimSuffix(rest[i+1:i+j], "...")
		if name != "$" {
			out = append(out, name)
		}
		rest = rest[i+j+1:]
	}
}
