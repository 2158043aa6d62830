package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/annual"
	"onestop/internal/org"
)

// The annual disclosure report (政府信息公开工作年度报告, issue 16 item 3).
// Every member of staff reaches the pages: who sees and does what is a
// grant at an organ's disclosure office (disclosure.AccessTo), checked by
// annual.Service on every read and write — a role implies nothing, so the
// routes cannot narrow it further. The public reads a published report
// without signing in.
func (s *Server) registerDisclosureReports() {
	s.handle("GET /disclosure/reports", anyStaff, s.discReportsPage)
	s.handle("POST /disclosure/reports", anyStaff, s.discReportGenerate)
	s.handle("GET /disclosure/reports/{id}", anyStaff, s.discReportPage)
	s.handle("POST /disclosure/reports/{id}/texts", anyStaff, s.discReportTexts)
	s.handle("POST /disclosure/reports/{id}/adjust", anyStaff, s.discReportAdjust)
	s.handle("POST /disclosure/reports/{id}/approve", anyStaff, s.discReportStep((*annual.Service).Approve, "disclosure_report.approved"))
	s.handle("POST /disclosure/reports/{id}/reopen", anyStaff, s.discReportStep((*annual.Service).Reopen, "disclosure_report.reopened"))
	s.handle("POST /disclosure/reports/{id}/publish", anyStaff, s.discReportStep((*annual.Service).Publish, "disclosure_report.published"))
	s.handle("GET /disclosure/reports/{id}/print", anyStaff, s.discReportPrint)
	s.handle("GET /disclosure/reports/{id}/export.xlsx", anyStaff, s.discReportExport)
	s.handleReads("GET /open/disclosure/reports/{id}", everyone, s.discReportPublic)
	s.handle("GET /disclosure/appeals", anyStaff, s.discAppealsPage)
	s.handle("POST /disclosure/appeals", anyStaff, s.discAppealRecord)
	s.handle("POST /disclosure/appeals/{id}/conclude", anyStaff, s.discAppealConclude)
	s.handle("GET /api/v1/disclosure/reports", anyStaff, s.apiDiscReports)
	s.handle("GET /api/v1/disclosure/reports/{id}", anyStaff, s.apiDiscReport)
}

// discListView is the list page: the deadline watch, the reports, and the
// organs the viewer may generate a report for.
type discListView struct {
	Watch   []discDue
	Reports []discListItem
	Organs  []disclosure.Organ
}

type discDue struct {
	Organ, Status, StatusCode, Deadline, Days string
	ReportID                                  int64
	Late                                      bool
}

type discListItem struct {
	ID                        int64
	Organ, Status, StatusCode string
	Year                      int
}

func (s *Server) discReportsPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "disclosure_report.title")
	if err := s.discList(r, p); err != nil {
		return err
	}
	return s.render(w, r, "disclosure_reports", p)
}

func (s *Server) discList(r *http.Request, p *Page) error {
	a := actor(r)
	v := &discListView{}
	dues, err := s.DisclosureReports.Watch(r.Context(), a)
	if err != nil {
		return err
	}
	for _, d := range dues {
		x := discDue{Organ: d.Organ.Name, Status: p.T("disclosure_report.status." + d.Status), StatusCode: d.Status, Deadline: d.Deadline.String(),
			ReportID: d.ReportID, Late: d.Late}
		switch {
		case d.Status == annual.Published && d.Late:
			x.Days = p.T("disclosure_report.published_late", "N", daysBetween(d.Deadline.String(), d.PublishedOn))
		case d.Status == annual.Published:
			x.Days = p.T("disclosure_report.published_on_time")
		case d.DaysLeft < 0:
			x.Days = p.T("disclosure_report.days_late", "N", -d.DaysLeft)
		default:
			x.Days = p.T("disclosure_report.days_left", "N", d.DaysLeft)
		}
		v.Watch = append(v.Watch, x)
	}
	reports, err := s.DisclosureReports.List(r.Context(), a, annual.Filter{})
	if err != nil {
		return err
	}
	for _, x := range reports {
		v.Reports = append(v.Reports, discListItem{ID: x.ID, Organ: x.Organ.Name, Year: x.Year, Status: p.T("disclosure_report.status." + x.Status), StatusCode: x.Status})
	}
	organs, err := disclosure.Organs(r.Context(), s.DB.Read(), a)
	if err != nil {
		return err
	}
	for _, x := range organs {
		if x.Acts(disclosure.Officer) {
			v.Organs = append(v.Organs, x.Organ)
		}
	}
	if p.Form["year"] == "" {
		p.Form["year"] = strconv.Itoa(clock.Today(s.Now()).Year - 1)
	}
	p.Data = v
	return nil
}

// daysBetween is the calendar days from one Shanghai day to a later one.
func daysBetween(from, to string) int {
	a, err1 := calendar.ParseDate(from)
	b, err2 := calendar.ParseDate(to)
	if err1 != nil || err2 != nil {
		return 0
	}
	return a.DaysUntil(b)
}

// discReportGenerate generates (or regenerates) the draft of an organ's
// report for a year and opens it.
func (s *Server) discReportGenerate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	p := s.page(r, "disclosure_report.title")
	for _, k := range []string{"organ", "year"} {
		p.Form[k] = r.PostFormValue(k)
	}
	f := apperr.Fields{}
	organ, err := strconv.ParseInt(strings.TrimSpace(p.Form["organ"]), 10, 64)
	if err != nil || organ <= 0 {
		f.Add("organ", "disclosure_report.error.organ")
	}
	year, err := strconv.Atoi(strings.TrimSpace(p.Form["year"]))
	if err != nil {
		f.Add("year", "disclosure_report.error.year", "First", annual.FirstYear, "Last", clock.Today(s.Now()).Year)
	}
	err = f.Err()
	var rep *annual.Report
	if err == nil {
		rep, err = s.DisclosureReports.Generate(r.Context(), actor(r), organ, year)
	}
	if err != nil {
		if lerr := s.discList(r, p); lerr != nil {
			return lerr
		}
		return s.formFailed(w, r, "disclosure_reports", p, err)
	}
	s.flash(r, "disclosure_report.generated")
	http.Redirect(w, r, "/disclosure/reports/"+itoa(rep.ID), http.StatusSeeOther)
	return nil
}

func discReportID(r *http.Request) (int64, error) {
	return parseID(r.PathValue("id"), "entity.disclosure_report")
}

// discReportOf reads the path's report as the actor may see it.
func (s *Server) discReportOf(r *http.Request) (*annual.Report, error) {
	id, err := discReportID(r)
	if err != nil {
		return nil, err
	}
	return s.DisclosureReports.Get(r.Context(), actor(r), id)
}

// discVersion reads the posted version the edit was made on; a missing
// or garbled one is 0, which the service refuses as a field error.
func discVersion(r *http.Request) int {
	v, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("version")))
	return v
}

func (s *Server) discReportPage(w http.ResponseWriter, r *http.Request) error {
	id, err := discReportID(r)
	if err != nil {
		return err
	}
	p := s.page(r, "disclosure_report.title")
	if err := s.discReportOn(r, p, id, false); err != nil {
		return err
	}
	return s.render(w, r, "disclosure_report", p)
}

// discReportOn puts the report's page data on p; the text form shows the
// stored texts unless p.Form already holds what was typed.
func (s *Server) discReportOn(r *http.Request, p *Page, id int64, printing bool) error {
	rep, err := s.DisclosureReports.Get(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	adj, err := s.DisclosureReports.Adjustments(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	v := p.discView(rep, adj, printing)
	for k, val := range map[string]string{"overview": rep.Overview, "problems": rep.Problems, "other_matters": rep.Other} {
		if _, ok := p.Form[k]; !ok {
			p.Form[k] = val
		}
	}
	p.Title, p.Data = v.Title, v
	return nil
}

// discReportFailed shows the report again with the problem of a refused
// edit (a field error, a stale version, sums that do not add up).
func (s *Server) discReportFailed(w http.ResponseWriter, r *http.Request, p *Page, id int64, err error) error {
	if ae := apperr.As(err); ae == nil || (ae.Code != apperr.Invalid && ae.Code != apperr.Conflict) {
		return err
	}
	if lerr := s.discReportOn(r, p, id, false); lerr != nil {
		return lerr
	}
	return s.formFailed(w, r, "disclosure_report", p, err)
}

// discReportEdit runs an officer's edit of a draft posted from the
// report's page: the posted fields are kept to show again when refused.
func (s *Server) discReportEdit(w http.ResponseWriter, r *http.Request, fields []string, done, anchor string,
	edit func(form map[string]string, id int64, version int) error) error {
	id, err := discReportID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	p := s.page(r, "disclosure_report.title")
	for _, k := range fields {
		p.Form[k] = r.PostFormValue(k)
	}
	if err := edit(p.Form, id, discVersion(r)); err != nil {
		return s.discReportFailed(w, r, p, id, err)
	}
	s.flash(r, done)
	http.Redirect(w, r, "/disclosure/reports/"+itoa(id)+anchor, http.StatusSeeOther)
	return nil
}

func (s *Server) discReportTexts(w http.ResponseWriter, r *http.Request) error {
	return s.discReportEdit(w, r, []string{"overview", "problems", "other_matters"}, "disclosure_report.texts_saved", "",
		func(f map[string]string, id int64, version int) error {
			_, err := s.DisclosureReports.EditTexts(r.Context(), actor(r), id, version, annual.Texts{Overview: f["overview"], Problems: f["problems"], Other: f["other_matters"]})
			return err
		})
}

func (s *Server) discReportAdjust(w http.ResponseWriter, r *http.Request) error {
	return s.discReportEdit(w, r, []string{"cell", "value", "reason"}, "disclosure_report.adjusted_saved", "#tables",
		func(f map[string]string, id int64, version int) error {
			_, err := s.DisclosureReports.Adjust(r.Context(), actor(r), id, version, annual.Adjustment{Cell: f["cell"], Value: f["value"], Reason: f["reason"]})
			return err
		})
}

// discReportStep is one step of the report's course (approve, reopen,
// publish): the head's, on the version they saw.
func (s *Server) discReportStep(step func(svc *annual.Service, ctx context.Context, a org.Actor, id int64, version int) (*annual.Report, error), done string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := discReportID(r)
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return apperr.New(apperr.Invalid, "error.bad_form")
		}
		if _, err := step(s.DisclosureReports, r.Context(), actor(r), id, discVersion(r)); err != nil {
			return s.discReportFailed(w, r, s.page(r, "disclosure_report.title"), id, err)
		}
		s.flash(r, done)
		http.Redirect(w, r, "/disclosure/reports/"+itoa(id), http.StatusSeeOther)
		return nil
	}
}
