package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
)

// The working-day calendar on the web: the public deadline calculator
// (page and API) and the hall admin's holiday table.

// maxDeadlineDays bounds the calculator: no legal limit comes near 500
// working days (two years), and a bound keeps the walk cheap.
const maxDeadlineDays = 500

// maxPauses bounds the pauses one calculation takes.
const maxPauses = 10

// deadlineAnswer is the calculator's stable JSON shape (docs/ARCHITECTURE.md §5);
// pauses echoes the pauses it was given, when any.
type deadlineAnswer struct {
	From        string         `json:"from"`
	Days        int            `json:"days"`
	Deadline    string         `json:"deadline"`
	Provisional bool           `json:"provisional"`
	Pauses      []pauseSpan    `json:"pauses,omitempty"`
	Explanation []noteWithText `json:"explanation"`
}

// pauseSpan is one stretch the clock stood still in a calculation: it
// stopped on From and ran again on To, as a case's suspension does.
type pauseSpan struct {
	From calendar.Date `json:"from"`
	To   calendar.Date `json:"to"`
}

// parsePauses reads the pause parameters: each YYYY-MM-DD~YYYY-MM-DD,
// several per parameter separated by commas, spaces or line breaks (the
// page has one text field, the API may repeat the parameter).
func parsePauses(values []string, from calendar.Date, f apperr.Fields) []pauseSpan {
	var out []pauseSpan
	for _, v := range values {
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
			a, b, ok := strings.Cut(strings.TrimSpace(part), "~")
			pf, err1 := calendar.ParseDate(strings.TrimSpace(a))
			pt, err2 := calendar.ParseDate(strings.TrimSpace(b))
			switch {
			case !ok || err1 != nil || err2 != nil:
				f.Add("pause", "calendar.bad_pause", "Text", part)
				return nil
			case pt.Before(pf):
				f.Add("pause", "calendar.pause_backwards", "Text", part)
				return nil
			case !from.IsZero() && pf.Before(from):
				f.Add("pause", "calendar.pause_before_start", "Text", part)
				return nil
			}
			out = append(out, pauseSpan{From: pf, To: pt})
		}
	}
	if len(out) > maxPauses {
		f.Add("pause", "calendar.too_many_pauses", "Max", maxPauses)
		return nil
	}
	return out
}

// noteWithText is a note with its fields and its text in the request's
// language.
type noteWithText struct {
	calendar.Note
	Text string `json:"text"`
}

// deadline validates the query and computes; problems are field errors.
func (s *Server) deadline(r *http.Request, p *Page) (*deadlineAnswer, calendar.Result, error) {
	q := r.URL.Query()
	f := apperr.Fields{}
	from, err := calendar.ParseDate(strings.TrimSpace(q.Get("from")))
	if err != nil {
		if strings.TrimSpace(q.Get("from")) == "" {
			f.Add("from", "error.required")
		} else {
			f.Add("from", "calendar.bad_date")
		}
	}
	days, err := strconv.Atoi(strings.TrimSpace(q.Get("days")))
	switch {
	case strings.TrimSpace(q.Get("days")) == "":
		f.Add("days", "error.required")
	case err != nil:
		f.Add("days", "error.number")
	case days < 0 || days > maxDeadlineDays:
		f.Add("days", "calendar.days_range", "Max", maxDeadlineDays)
	}
	pauses := parsePauses(q["pause"], from, f)
	if err := f.Err(); err != nil {
		return nil, calendar.Result{}, err
	}
	cal, err := cases.Calendar(r.Context(), s.DB.R)
	if err != nil {
		return nil, calendar.Result{}, err
	}
	res := cal.AddWorkingDays(from, days)
	if len(pauses) > 0 {
		res = withPauses(cal, from, days, pauses)
	}
	a := &deadlineAnswer{From: from.String(), Days: days, Deadline: res.Deadline.String(), Provisional: res.Provisional,
		Pauses: pauses, Explanation: []noteWithText{}}
	for _, n := range res.Explanation {
		if n.Kind == calendar.NotePause && n.Reason == "" {
			n.Reason = p.T("calendar.deadline.pause_reason")
		}
		a.Explanation = append(a.Explanation, noteWithText{Note: n, Text: p.noteText(n)})
	}
	return a, res, nil
}

// withPauses runs the case clock itself over the calculation, so the
// calculator moves a deadline for pauses exactly as a case's suspension
// does (Art. 45: the excluded working days after the day the clock
// stopped, up to the day it ran again) and explains it the same way.
func withPauses(cal *calendar.Calendar, from calendar.Date, days int, pauses []pauseSpan) calendar.Result {
	noon := func(d calendar.Date) time.Time {
		return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, clock.Shanghai)
	}
	in := clock.Input{AcceptedAt: noon(from), PromisedDays: days, StatutoryDays: days}
	for _, p := range pauses {
		in.Pauses = append(in.Pauses, clock.Pause{From: noon(p.From), To: noon(p.To)})
		// Every pause has ended by the last day given, so none counts as
		// still running.
		if t := noon(p.To); t.After(in.Now) {
			in.Now = t
		}
	}
	st := clock.Compute(cal, in, clock.DefaultLightRule)
	return calendar.Result{Deadline: st.PromisedDeadline, Provisional: st.Provisional, Explanation: st.Explanation}
}

// deadlineView is the calculator page's data.
type deadlineView struct {
	A    *deadlineAnswer
	Date calendar.Date
}

func (s *Server) deadlinePage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "calendar.deadline.title")
	q := r.URL.Query()
	p.Form["from"], p.Form["days"], p.Form["pause"] = q.Get("from"), q.Get("days"), strings.Join(q["pause"], " ")
	if p.Form["from"] == "" {
		p.Form["from"] = clock.Today(s.Now()).String()
	}
	v := &deadlineView{}
	p.Data = v
	if !q.Has("days") {
		return s.render(w, r, "calendar_deadline", p)
	}
	a, res, err := s.deadline(r, p)
	if err != nil {
		return s.formFailed(w, r, "calendar_deadline", p, err)
	}
	v.A, v.Date = a, res.Deadline
	return s.render(w, r, "calendar_deadline", p)
}

func (s *Server) apiDeadline(w http.ResponseWriter, r *http.Request) error {
	p := &Page{s: s, Lang: reqInfo(r).Lang}
	a, _, err := s.deadline(r, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

// calendarView is the admin page: each year with its table as text, and a
// warning for the current or next year without data.
type calendarView struct {
	Years   []yearView
	Missing []int
	Edit    bool
	NewYear int
	Posted  int // the year whose form was posted (to show its errors)
}

type yearView struct {
	Year     int
	Source   string
	Holidays []calendar.Period
	Workdays []calendar.AdjustedDay
	Text     string // the edit form's text
}

// yearText writes a year in the edit form's format: one line per holiday
// block ("2026-02-15~2026-02-23 春节", a single day without "~") and one per
// adjusted working day ("2026-02-14 春节 调休上班").
func yearText(y calendar.YearData) string {
	var b strings.Builder
	for _, h := range y.Holidays {
		if h.From.Equal(h.To) {
			fmt.Fprintf(&b, "%s %s\n", h.From, h.Name)
		} else {
			fmt.Fprintf(&b, "%s~%s %s\n", h.From, h.To, h.Name)
		}
	}
	for _, d := range y.Workdays {
		fmt.Fprintf(&b, "%s %s %s\n", d.Date, d.Name, workdayMark)
	}
	return b.String()
}

// workdayMark ends a line that declares a weekend day a working day.
const workdayMark = "调休上班"

// parseYearText reads the edit form's text; each problem names its line.
func parseYearText(year int, source, text string) (calendar.YearData, error) {
	y := calendar.YearData{Year: year, Source: strings.TrimSpace(source)}
	var problems []string
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(strings.ReplaceAll(line, "\u3000", " "))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		bad := func(what string) { problems = append(problems, fmt.Sprintf("%d: %s (%s)", i+1, what, line)) }
		if len(fields) < 2 {
			bad("date and name")
			continue
		}
		work := false
		if last := fields[len(fields)-1]; last == workdayMark || last == "上班" || strings.EqualFold(last, "workday") {
			work, fields = true, fields[:len(fields)-1]
		}
		if len(fields) < 2 {
			bad("name")
			continue
		}
		name := strings.Join(fields[1:], " ")
		fromS, toS, isRange := strings.Cut(fields[0], "~")
		from, err := calendar.ParseDate(fromS)
		if err != nil {
			bad("YYYY-MM-DD")
			continue
		}
		to := from
		if isRange {
			if to, err = calendar.ParseDate(toS); err != nil {
				bad("YYYY-MM-DD")
				continue
			}
		}
		if work {
			if isRange {
				bad("one day")
				continue
			}
			y.Workdays = append(y.Workdays, calendar.AdjustedDay{Date: from, Name: name})
			continue
		}
		// Consecutive days of one holiday typed one per line join up.
		if n := len(y.Holidays); n > 0 && y.Holidays[n-1].Name == name && y.Holidays[n-1].To.AddDays(1).Equal(from) {
			y.Holidays[n-1].To = to
			continue
		}
		y.Holidays = append(y.Holidays, calendar.Period{Name: name, From: from, To: to})
	}
	if len(problems) > 0 {
		f := apperr.Fields{}
		f.Add("days", "calendar.bad_lines", "Lines", strings.Join(problems, "；"))
		return y, f.Err()
	}
	if y.Source == "" {
		f := apperr.Fields{}
		f.Add("source", "error.required")
		return y, f.Err()
	}
	return y, nil
}

func (s *Server) calendarData(r *http.Request) (*calendarView, *calendar.Calendar, error) {
	cal, err := cases.Calendar(r.Context(), s.DB.R)
	if err != nil {
		return nil, nil, err
	}
	v := &calendarView{Edit: calendarEditors.Allows(actor(r))}
	for _, y := range cal.Years() {
		yd, _ := cal.Year(y)
		v.Years = append(v.Years, yearView{Year: y, Source: yd.Source, Holidays: yd.Holidays, Workdays: yd.Workdays, Text: yearText(yd)})
	}
	this := clock.Today(s.Now()).Year
	for _, y := range []int{this, this + 1} {
		if !cal.Has(y) {
			v.Missing = append(v.Missing, y)
		}
	}
	v.NewYear = this + 1
	if len(v.Years) > 0 {
		v.NewYear = max(v.Years[len(v.Years)-1].Year+1, this)
	}
	return v, cal, nil
}

// calendarAdmin shows the holiday table; the hall's admin edits it.
func (s *Server) calendarAdmin(w http.ResponseWriter, r *http.Request) error {
	v, _, err := s.calendarData(r)
	if err != nil {
		return err
	}
	p := s.page(r, "calendar.admin.title")
	p.Data = v
	return s.render(w, r, "calendar_admin", p)
}

// calendarSave replaces one year (or adds a new one) from its form.
func (s *Server) calendarSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	year, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err != nil || year < 2000 || year > 2100 {
		f := apperr.Fields{}
		f.Add("year", "calendar.bad_year")
		err = f.Err()
	}
	var y calendar.YearData
	if err == nil {
		y, err = parseYearText(year, r.PostFormValue("source"), r.PostFormValue("days"))
	}
	if err == nil {
		err = s.Cases.SaveYear(r.Context(), actor(r), y)
	}
	if err != nil {
		v, _, verr := s.calendarData(r)
		if verr != nil {
			return verr
		}
		v.Posted = year
		for i := range v.Years {
			if v.Years[i].Year == year {
				v.Years[i].Text, v.Years[i].Source = r.PostFormValue("days"), r.PostFormValue("source")
			}
		}
		p := s.page(r, "calendar.admin.title")
		p.Form["year"], p.Form["source"], p.Form["days"] = r.PostFormValue("year"), r.PostFormValue("source"), r.PostFormValue("days")
		if !slices.ContainsFunc(v.Years, func(x yearView) bool { return x.Year == year }) {
			v.Posted = -1 // the "new year" form
		}
		p.Data = v
		return s.formFailed(w, r, "calendar_admin", p, err)
	}
	s.flash(r, "calendar.saved")
	http.Redirect(w, r, "/admin/calendar#y"+strconv.Itoa(year), http.StatusSeeOther)
	return nil
}

// apiCalendarYears lists the years with their holidays and adjusted days.
func (s *Server) apiCalendarYears(w http.ResponseWriter, r *http.Request) error {
	cal, err := cases.Calendar(r.Context(), s.DB.R)
	if err != nil {
		return err
	}
	out := []calendar.YearData{}
	for _, y := range cal.Years() {
		yd, _ := cal.Year(y)
		out = append(out, yd)
	}
	return listJSON(w, out, len(out))
}

// apiCalendarSaveYear replaces one year from its JSON form (as listed).
func (s *Server) apiCalendarSaveYear(w http.ResponseWriter, r *http.Request) error {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 2000 || year > 2100 {
		return apperr.NotFoundf("entity.calendar_year")
	}
	var y calendar.YearData
	if err := decode(r, &y); err != nil {
		return err
	}
	if y.Year == 0 {
		y.Year = year
	}
	f := apperr.Fields{}
	if y.Year != year {
		f.Add("year", "calendar.year_mismatch")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.Cases.SaveYear(r.Context(), actor(r), y); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, y)
}
