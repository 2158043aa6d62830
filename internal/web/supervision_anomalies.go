package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"onestop/internal/anomaly"
	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/duty"
	"onestop/internal/org"
)

// Supervision's anomalies (预警纠错, issue 12): the list and one anomaly for
// supervisors and leaders, resolving and the rules' configuration for the
// supervisor only (internal/anomaly decides who; these routes say so
// first). Scope — a county's supervisor reads their county — is the
// anomaly service's, on every read.

var (
	supervisionReaders = roles(anomaly.Readers...)
	supervisorOnly     = roles(org.Supervisor)
)

func (s *Server) registerAnomalies() {
	s.handleReads("GET /supervision/anomalies", supervisionReaders, s.anomaliesPage)
	s.handle("GET /supervision/anomalies/{id}", supervisionReaders, s.anomalyPage)
	s.handle("POST /supervision/anomalies/{id}/resolve", supervisorOnly, s.resolveAnomaly)
	s.handle("GET /supervision/rules", supervisionReaders, s.anomalyRulesPage)
	s.handle("POST /supervision/rules/{code}", supervisorOnly, s.setAnomalyRule)
	s.handleReads("GET /api/v1/supervision/anomalies", supervisionReaders, s.apiAnomalies)
	s.handle("GET /api/v1/supervision/anomalies/{id}", supervisionReaders, s.apiAnomaly)
	s.handle("POST /api/v1/supervision/anomalies/{id}/resolve", supervisorOnly, s.apiResolveAnomaly)
	s.handle("GET /api/v1/supervision/rules", supervisionReaders, s.apiAnomalyRules)
	s.handle("PUT /api/v1/supervision/rules/{code}", supervisorOnly, s.apiSetAnomalyRule)
}

// anomalyFilter reads the list's filters; a value that names nothing (an
// unknown rule, a date that is not one) is a field error, never a filter
// quietly dropped.
func anomalyFilter(r *http.Request) (anomaly.Filter, error) {
	q := readQuery(r)
	f := anomaly.Filter{Rule: q.Text("rule"), Severity: q.Text("severity"), Status: q.Text("status"), DepartmentID: q.Int("department")}
	if _, ok := anomaly.RuleOf(f.Rule); f.Rule != "" && !ok {
		q.f.Add("rule", "error.choose")
	}
	if f.Severity != "" && !slices.Contains(anomaly.Severities, anomaly.Severity(f.Severity)) {
		q.f.Add("severity", "error.choose")
	}
	if f.Status != "" && !slices.Contains(anomaly.Statuses, f.Status) {
		q.f.Add("status", "error.choose")
	}
	if f.DepartmentID < 0 {
		q.f.Add("department", "error.number")
	}
	f.From, _ = q.Date("from")
	f.To, _ = q.Date("to")
	f.Limit, f.Offset = q.Page(50, 500)
	return f, q.Err()
}

func (s *Server) apiAnomalies(w http.ResponseWriter, r *http.Request) error {
	f, err := anomalyFilter(r)
	if err != nil {
		return err
	}
	items, total, err := s.Anomalies.List(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	return listJSON(w, items, total)
}

func (s *Server) anomalyByPath(r *http.Request) (anomaly.Anomaly, error) {
	id, err := anomaly.ParseID(r.PathValue("id"))
	if err != nil {
		return anomaly.Anomaly{}, err
	}
	return s.Anomalies.Get(r.Context(), actor(r), id)
}

func (s *Server) apiAnomaly(w http.ResponseWriter, r *http.Request) error {
	x, err := s.anomalyByPath(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, x)
}

// resolveInput is the supervisor's note on resolving.
type resolveInput struct {
	Note string `json:"note"`
}

func (s *Server) apiResolveAnomaly(w http.ResponseWriter, r *http.Request) error {
	id, err := anomaly.ParseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	var in resolveInput
	if err := decode(r, &in); err != nil {
		return err
	}
	x, err := s.Anomalies.Resolve(r.Context(), actor(r), id, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, x)
}

func (s *Server) apiAnomalyRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.Anomalies.Rules(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return listJSON(w, rules, len(rules))
}

func (s *Server) apiSetAnomalyRule(w http.ResponseWriter, r *http.Request) error {
	var in anomaly.RuleInput
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := s.Anomalies.SetRule(r.Context(), actor(r), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// anomalyRow is one anomaly as the pages show it.
type anomalyRow struct {
	anomaly.Anomaly
	Explanation string
	Facts       []string // the detail, in words
}

func (s *Server) anomalyRows(p *Page, xs []anomaly.Anomaly) []anomalyRow {
	out := make([]anomalyRow, 0, len(xs))
	for _, x := range xs {
		out = append(out, anomalyRow{Anomaly: x, Explanation: p.T("anomalies.rule." + x.Rule), Facts: anomalyFacts(p, x)})
	}
	return out
}

// anomalyFacts says what the detail records: deadlines as dates, money
// in yuan, the rest as words from the locale file.
func anomalyFacts(p *Page, x anomaly.Anomaly) []string {
	var out []string
	keys := make([]string, 0, len(x.Detail))
	for k := range x.Detail {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := x.Detail[k]
		var val string
		switch t := v.(type) {
		case float64:
			if strings.HasSuffix(k, "_fen") {
				val = p.Yuan(int64(t))
			} else {
				val = strconv.FormatFloat(t, 'f', -1, 64)
			}
		case string:
			switch {
			case isoDay.MatchString(t):
				d, _ := calendar.ParseDate(t)
				val = p.Day(d)
			case k == "action":
				val = p.T("case.action." + t)
			case k == "state":
				val = p.T("case.state." + t)
			case k == "role":
				val = p.T("role." + t)
			case k == "refusal":
				val = p.T(t)
			default:
				val = t
			}
		case []any:
			var parts []string
			for _, e := range t {
				s, _ := e.(string)
				if key := "anomalies.missing." + s; k == "missing" {
					s = p.T(key)
				}
				parts = append(parts, s)
			}
			val = strings.Join(parts, "、")
		default:
			continue
		}
		out = append(out, p.T("anomalies.detail."+k)+"："+val)
	}
	return out
}

// anomaliesView is the list page's data.
type anomaliesView struct {
	Items       []anomalyRow
	Total       int
	Filter      anomaly.Filter
	Form        url.Values
	Rules       []anomaly.Rule
	Severities  []anomaly.Severity
	Statuses    []string
	Departments []org.Department
	Prev, Next  string
	APIURL      string
	Supervisor  bool
	// DutyShortfalls: the D01 anomalies (leaders' window duty, duty.go),
	// which belong to a department and month rather than a case.
	DutyShortfalls []duty.Shortfall
}

func (s *Server) anomaliesPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "anomalies.title")
	a := actor(r)
	f, ferr := anomalyFilter(r)
	v := &anomaliesView{Filter: f, Form: r.URL.Query(), Rules: anomaly.Catalogue, Severities: anomaly.Severities, Statuses: anomaly.Statuses,
		APIURL: "/api/v1/supervision/anomalies", Supervisor: a.Role == org.Supervisor}
	if r.URL.RawQuery != "" {
		v.APIURL += "?" + r.URL.RawQuery
	}
	df := org.DepartmentFilter{}
	if !a.Province {
		df.RegionCode = a.County()
	}
	var err error
	if v.Departments, _, err = s.Org.Departments(r.Context(), df, allOptions); err != nil {
		return err
	}
	p.Data = v
	if ferr != nil {
		return s.formFailed(w, r, "anomalies", p, ferr)
	}
	items, total, err := s.Anomalies.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	v.Items, v.Total = s.anomalyRows(p, items), total
	if v.DutyShortfalls, err = s.Duty.Shortfalls(r.Context(), a); err != nil {
		return err
	}
	page := func(off int) string {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(off))
		return "?" + q.Encode()
	}
	if f.Offset > 0 {
		v.Prev = page(max(f.Offset-f.Limit, 0))
	}
	if f.Offset+f.Limit < total {
		v.Next = page(f.Offset + f.Limit)
	}
	return s.render(w, r, "anomalies", p)
}

// anomalyView is one anomaly with the events that raised it, read from
// the case's record.
type anomalyView struct {
	Row        anomalyRow
	Events     []cases.Event
	Supervisor bool
	// ByTime: a light raised because a deadline came, not by an action;
	// its event is the one the clock last ran from.
	ByTime bool
}

func (s *Server) anomalyPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAnomaly(w, r, nil)
}

func (s *Server) renderAnomaly(w http.ResponseWriter, r *http.Request, failure error) error {
	x, err := s.anomalyByPath(r)
	if err != nil {
		return err
	}
	p := s.page(r, "anomalies.one_title")
	a := actor(r)
	v := &anomalyView{Row: s.anomalyRows(p, []anomaly.Anomaly{x})[0], Supervisor: a.Role == org.Supervisor,
		ByTime: anomaly.BySweep(x.Rule)}
	// The case's record, read as the reader may read it (the same scope).
	if c, err := s.Cases.Get(r.Context(), cases.StaffActor(a), x.CaseNo); err == nil {
		for _, e := range c.Events {
			if slices.Contains(x.Events, e.Seq) {
				v.Events = append(v.Events, e)
			}
		}
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	p.Data = v
	if failure != nil {
		p.Form["note"] = r.PostFormValue("note")
		return s.formFailed(w, r, "anomaly", p, failure)
	}
	return s.render(w, r, "anomaly", p)
}

func (s *Server) resolveAnomaly(w http.ResponseWriter, r *http.Request) error {
	id, err := anomaly.ParseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	var in resolveInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if _, err := s.Anomalies.Resolve(r.Context(), actor(r), id, in.Note); err != nil {
		return s.renderAnomaly(w, r, err)
	}
	s.flash(r, "anomalies.resolved")
	http.Redirect(w, r, "/supervision/anomalies/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// rulesView is the rules page's data.
type rulesView struct {
	Rules      []anomaly.RuleView
	Supervisor bool
	APIURL     string
}

func (s *Server) anomalyRulesPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderRules(w, r, nil)
}

func (s *Server) renderRules(w http.ResponseWriter, r *http.Request, failure error) error {
	p := s.page(r, "anomalies.rules_title")
	a := actor(r)
	rules, err := s.Anomalies.Rules(r.Context(), a)
	if err != nil {
		return err
	}
	p.Data = &rulesView{Rules: rules, Supervisor: a.Role == org.Supervisor, APIURL: "/api/v1/supervision/rules"}
	if failure != nil {
		p.Form["code"] = r.PathValue("code")
		p.Form["threshold"] = r.PostFormValue("threshold")
		return s.formFailed(w, r, "anomaly_rules", p, failure)
	}
	return s.render(w, r, "anomaly_rules", p)
}

// setAnomalyRule reads the rule form: a checkbox and, for a rule with one,
// the threshold as typed (anything but a whole number is a field error).
func (s *Server) setAnomalyRule(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	rule, ok := anomaly.RuleOf(code)
	if !ok {
		return apperr.NotFoundf("entity.anomaly_rule")
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	on := r.PostFormValue("enabled") != ""
	in := anomaly.RuleInput{Enabled: &on}
	if rule.HasThreshold() {
		f := apperr.Fields{}
		text := f.Text("threshold", r.PostFormValue("threshold"), true, 10)
		n, err := strconv.Atoi(text)
		if len(f) == 0 && err != nil {
			f.Add("threshold", "error.number")
		}
		if err := f.Err(); err != nil {
			return s.renderRules(w, r, err)
		}
		in.Threshold = &n
	}
	if _, err := s.Anomalies.SetRule(r.Context(), actor(r), code, in); err != nil {
		return s.renderRules(w, r, err)
	}
	s.flash(r, "anomalies.rule_saved")
	http.Redirect(w, r, "/supervision/rules", http.StatusSeeOther)
	return nil
}
