package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"onestop/internal/apperr"
	"onestop/internal/assessment"
	"onestop/internal/org"
)

// Who reaches the assessment pages (考核, issue 15 §6): readers see their
// centre's (county-wide readers their county's), a department admin only
// their department's rows (assessment.Service decides); the supervisor
// and the centre admin run them.
var (
	assessReaders = roles(org.Supervisor, org.Leader, org.CentreAdmin, org.DeptAdmin)
	assessRunners = roles(org.Supervisor, org.CentreAdmin)
)

func (s *Server) registerAssessments() {
	s.handle("GET /assessments", assessReaders, s.assessmentsPage)
	s.handle("POST /assessments", assessRunners, s.assessmentRun)
	s.handle("GET /assessments/{id}", assessReaders, s.assessmentPage)
	s.handle("GET /assessments/{id}/print", assessReaders, s.assessmentPrint)
	s.handle("GET /assessments/{id}/export.xlsx", assessReaders, s.assessmentExport)
	s.handle("POST /assessments/{id}/recompute", assessReaders, s.assessmentRecompute)
	s.registerAssessmentSettings()
}

// assessListView is the list page's data.
type assessListView struct {
	Items  []assessItem
	CanRun bool
	Kinds  []string
}

type assessItem struct {
	ID     int64
	Label  string
	Period string
}

func (p *Page) assessLabel(kind string, year, n int) string {
	return p.T("assessment.label."+kind, "Year", year, "N", n)
}

func (s *Server) assessmentsPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "assessment.title")
	if err := s.assessList(r, p); err != nil {
		return err
	}
	return s.render(w, r, "assessments", p)
}

// assessList puts the list page's data on p.
func (s *Server) assessList(r *http.Request, p *Page) error {
	a := actor(r)
	list, err := s.Assessments.List(r.Context(), a)
	if err != nil {
		return err
	}
	v := &assessListView{CanRun: assessRunners.Allows(a), Kinds: []string{assessment.Quarter, assessment.Half, assessment.Year}}
	for _, x := range list {
		v.Items = append(v.Items, assessItem{ID: x.ID, Label: p.assessLabel(x.Kind, x.Year, x.N), Period: x.From.String() + " – " + x.To.String()})
	}
	if p.Form["kind"] == "" {
		p.Form["kind"] = assessment.Quarter
	}
	p.Data = v
	return nil
}

func (s *Server) assessmentRun(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	p := s.page(r, "assessment.title")
	for _, k := range []string{"kind", "year", "n"} {
		p.Form[k] = r.PostFormValue(k)
	}
	in := assessment.RunInput{Kind: p.Form["kind"]}
	f := apperr.Fields{}
	var err error
	if in.Year, err = strconv.Atoi(strings.TrimSpace(p.Form["year"])); err != nil {
		f.Add("year", "assessment.year_invalid")
	}
	if in.N, err = strconv.Atoi(strings.TrimSpace(p.Form["n"])); err != nil {
		f.Add("n", "assessment.period_invalid")
	}
	err = f.Err()
	var x *assessment.Assessment
	if err == nil {
		x, err = s.Assessments.Run(r.Context(), actor(r), in)
	}
	if err != nil {
		if lerr := s.assessList(r, p); lerr != nil {
			return lerr
		}
		return s.formFailed(w, r, "assessments", p, err)
	}
	s.flash(r, "assessment.ran")
	http.Redirect(w, r, "/assessments/"+strconv.FormatInt(x.ID, 10), http.StatusSeeOther)
	return nil
}

// assessView is an assessment as its pages show it: per level, the
// ranking; per subject, the breakdown.
type assessView struct {
	ID       int64
	Label    string
	Period   string
	Version  int
	Weights  []assessCell // indicator label and weight used
	Grades   string
	Levels   []assessLevel
	Compare  *assessment.Comparison
	Printing bool
}

type assessCell struct{ Label, Value string }

type assessLevel struct {
	Level, Label string
	Rows         []assessRowView
}

type assessRowView struct {
	Rank, Name, Score, Grade, GradeCode, NoData string
	Parts                                       []assessPart
}

type assessPart struct {
	Label, Value, Input, Points, Weight, Share, Contribution string
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func (p *Page) assessView(x *assessment.Assessment) *assessView {
	v := &assessView{ID: x.ID, Label: p.assessLabel(x.Kind, x.Year, x.N), Period: x.From.String() + " – " + x.To.String(), Version: x.Settings.Version,
		Grades: p.T("assessment.grades_used", "Excellent", x.Settings.Grades.Excellent, "Good", x.Settings.Grades.Good, "Pass", x.Settings.Grades.Pass)}
	for _, ind := range assessment.Registry {
		v.Weights = append(v.Weights, assessCell{Label: p.T(ind.Label), Value: strconv.Itoa(x.Settings.Weights[ind.Code])})
	}
	for _, lv := range assessment.Levels {
		l := assessLevel{Level: lv, Label: p.T("assessment.level." + lv)}
		var scored, unscored []assessRowView
		for _, row := range x.Rows {
			if row.Subject.Level != lv {
				continue
			}
			rv := assessRowView{Name: row.Subject.Name, Score: "—", Grade: p.T("assessment.no_score"), Rank: "—"}
			if row.Score != nil {
				rv.Score, rv.Grade, rv.GradeCode, rv.Rank = num(*row.Score), p.T("assessment.grade."+row.Grade), row.Grade, strconv.Itoa(row.Rank)
			}
			var nd []string
			for _, c := range row.NoData {
				ind, _ := assessment.Lookup(c)
				nd = append(nd, p.T(ind.Label))
			}
			if len(nd) > 0 {
				rv.NoData = p.T("assessment.no_data_note", "List", strings.Join(nd, "、"))
			}
			for _, sc := range row.Scores {
				ind, _ := assessment.Lookup(sc.Code)
				part := assessPart{Label: p.T(ind.Label), Weight: strconv.Itoa(sc.Weight), Value: p.T("assessment.no_data"), Input: "—", Points: "—", Share: "—", Contribution: "—"}
				if sc.Points != nil {
					if ind.Count {
						part.Value, part.Input = strconv.Itoa(sc.Input.Num), strconv.Itoa(sc.Input.Num)
					} else {
						part.Input = strconv.Itoa(sc.Input.Num) + " / " + strconv.Itoa(sc.Input.Den)
						switch sc.Code {
						case assessment.Anomalies:
							part.Value = p.T("assessment.per100", "N", num(100**sc.Value))
						case assessment.Waiting:
							part.Value = p.T("assessment.minutes", "N", num(*sc.Value/60))
							part.Input = p.T("assessment.tickets", "N", sc.Input.Den)
						default:
							part.Value = num(100**sc.Value) + "%"
						}
					}
					part.Points, part.Share, part.Contribution = num(*sc.Points), num(100*sc.Share)+"%", num(sc.Contribution)
				}
				rv.Parts = append(rv.Parts, part)
			}
			if row.Score != nil {
				scored = append(scored, rv)
			} else {
				unscored = append(unscored, rv)
			}
		}
		// Ranking order: by rank, the unscored last.
		for i := 1; i < len(scored); i++ {
			for j := i; j > 0; j-- {
				a, _ := strconv.Atoi(scored[j].Rank)
				b, _ := strconv.Atoi(scored[j-1].Rank)
				if a >= b {
					break
				}
				scored[j], scored[j-1] = scored[j-1], scored[j]
			}
		}
		l.Rows = append(scored, unscored...)
		v.Levels = append(v.Levels, l)
	}
	return v
}

func assessID(r *http.Request) (int64, error) { return parseID(r.PathValue("id"), "entity.assessment") }

// assessmentOf reads the path's assessment as the actor may see it.
func (s *Server) assessmentOf(r *http.Request) (*assessment.Assessment, error) {
	id, err := assessID(r)
	if err != nil {
		return nil, err
	}
	return s.Assessments.Get(r.Context(), actor(r), id)
}

func (s *Server) assessmentShow(w http.ResponseWriter, r *http.Request, cmp *assessment.Comparison, printing bool) error {
	x, err := s.assessmentOf(r)
	if err != nil {
		return err
	}
	p := s.page(r, "assessment.title")
	v := p.assessView(x)
	v.Compare, v.Printing = cmp, printing
	p.Title, p.Data = v.Label, v
	if printing {
		return s.render(w, r, "assessment_print", p)
	}
	return s.render(w, r, "assessment", p)
}

func (s *Server) assessmentPage(w http.ResponseWriter, r *http.Request) error {
	return s.assessmentShow(w, r, nil, false)
}

func (s *Server) assessmentPrint(w http.ResponseWriter, r *http.Request) error {
	return s.assessmentShow(w, r, nil, true)
}

// assessmentRecompute computes the assessment again from the record and
// shows whether it is identical; it stores nothing.
func (s *Server) assessmentRecompute(w http.ResponseWriter, r *http.Request) error {
	id, err := assessID(r)
	if err != nil {
		return err
	}
	cmp, err := s.Assessments.Recompute(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return s.assessmentShow(w, r, cmp, false)
}

// assessmentExport is the ranking of every level as a workbook, one sheet
// per level, the same figures as the page.
func (s *Server) assessmentExport(w http.ResponseWriter, r *http.Request) error {
	x, err := s.assessmentOf(r)
	if err != nil {
		return err
	}
	p := s.page(r, "assessment.title")
	v := p.assessView(x)
	f := excelize.NewFile()
	defer f.Close()
	for i, l := range v.Levels {
		sheet := l.Label
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		head := []any{p.T("assessment.rank"), p.T("assessment.subject"), p.T("assessment.score"), p.T("assessment.grade")}
		for _, ind := range assessment.Registry {
			head = append(head, p.T(ind.Label))
		}
		rows := [][]any{{v.Label + " " + v.Period}, head}
		for _, rv := range l.Rows {
			cells := []any{rv.Rank, rv.Name, rv.Score, rv.Grade}
			for _, part := range rv.Parts {
				cells = append(cells, part.Points)
			}
			rows = append(rows, cells)
		}
		for j, cells := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, j+1)
			if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
				return err
			}
		}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="assessment-`+strconv.FormatInt(x.ID, 10)+`.xlsx"`)
	return f.Write(w)
}
