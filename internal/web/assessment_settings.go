package web

import (
	"net/http"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/assessment"
)

// registerAssessmentSettings wires the page where the supervisor or the
// centre admin sets the centre's indicator weights and grade thresholds.
// Each save is a new version; stored assessments keep their own copy.
func (s *Server) registerAssessmentSettings() {
	s.handle("GET /assessments/settings", assessRunners, s.assessSettingsPage)
	s.handle("POST /assessments/settings", assessRunners, s.assessSettingsSave)
}

// assessSettingsView is the form's data: one weight field per registered
// indicator, in report order.
type assessSettingsView struct {
	Version    int
	Indicators []assessCell // Label, Value = code
}

func (s *Server) assessSettingsRender(w http.ResponseWriter, r *http.Request, p *Page, err error) error {
	cur, cerr := s.Assessments.Current(r.Context(), s.DB.Read(), actor(r).CentreID)
	if cerr != nil {
		return cerr
	}
	v := &assessSettingsView{Version: cur.Version}
	for _, ind := range assessment.Registry {
		v.Indicators = append(v.Indicators, assessCell{Label: p.T(ind.Label), Value: ind.Code})
		if _, ok := p.Form["weight."+ind.Code]; !ok {
			p.Form["weight."+ind.Code] = strconv.Itoa(cur.Weights[ind.Code])
		}
	}
	for k, g := range map[string]float64{"grade.excellent": cur.Grades.Excellent, "grade.good": cur.Grades.Good, "grade.pass": cur.Grades.Pass} {
		if _, ok := p.Form[k]; !ok {
			p.Form[k] = strconv.FormatFloat(g, 'f', -1, 64)
		}
	}
	p.Data = v
	if err != nil {
		return s.formFailed(w, r, "assessment_settings", p, err)
	}
	return s.render(w, r, "assessment_settings", p)
}

func (s *Server) assessSettingsPage(w http.ResponseWriter, r *http.Request) error {
	return s.assessSettingsRender(w, r, s.page(r, "assessment.settings"), nil)
}

func (s *Server) assessSettingsSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	p := s.page(r, "assessment.settings")
	in := assessment.Settings{Weights: map[string]int{}}
	f := apperr.Fields{}
	for _, ind := range assessment.Registry {
		k := "weight." + ind.Code
		p.Form[k] = r.PostFormValue(k)
		n, err := strconv.Atoi(strings.TrimSpace(p.Form[k]))
		if err != nil {
			f.Add(k, "assessment.weight_range")
		}
		in.Weights[ind.Code] = n
	}
	for k, dst := range map[string]*float64{"grade.excellent": &in.Grades.Excellent, "grade.good": &in.Grades.Good, "grade.pass": &in.Grades.Pass} {
		p.Form[k] = r.PostFormValue(k)
		v, err := strconv.ParseFloat(strings.TrimSpace(p.Form[k]), 64)
		if err != nil || v != v { // NaN
			f.Add(k, "assessment.grade_range")
		}
		*dst = v
	}
	err := f.Err()
	if err == nil {
		_, err = s.Assessments.SetSettings(r.Context(), actor(r), in)
	}
	if err != nil {
		return s.assessSettingsRender(w, r, p, err)
	}
	s.flash(r, "assessment.settings_saved")
	http.Redirect(w, r, "/assessments/settings", http.StatusSeeOther)
	return nil
}
