package web

import (
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/duty"
	"onestop/internal/org"
)

// Leaders' window duty (一把手窗口值守, issue 15 §3): the month's plan for
// the head, the department, the centre admin, supervisors and leaders
// (internal/duty decides whose rows each reads); scheduling by the centre
// admin or the department's own admin; the manual record by the centre
// admin; the heads and chief representatives named on the department.

var (
	dutySweepers = access{Roles: []org.Role{org.CentreAdmin, org.Supervisor}, CountyWide: true}
)

func (s *Server) registerDuty() {
	s.handle("GET /duty", anyStaff, s.dutyPage)
	s.handle("POST /duty/days", orgAdmins, s.scheduleDuty)
	s.handle("POST /duty/days/{id}/record", hallAdmin, s.recordDuty)
	s.handle("POST /duty/sweep", dutySweepers, s.sweepDuty)
	s.handle("GET /api/v1/duty", anyStaff, s.apiDuty)
	s.handle("GET /admin/departments/{key}/leads", hallAdmin, s.leadsPage)
	s.handle("POST /admin/departments/{key}/leads", hallAdmin, s.setLeads)
}

// dutyMonth reads ?month=YYYY-MM (this month when left out) and
// ?department=.
func (s *Server) dutyMonth(r *http.Request) (calendar.Date, int64, error) {
	q := readQuery(r)
	dept := q.ID("department")
	m := q.Text("month")
	if m == "" {
		t := clock.Today(s.Now())
		return calendar.Date{Year: t.Year, Month: t.Month, Day: 1}, dept, q.Err()
	}
	d, err := duty.ParseMonth(m)
	if err != nil {
		return d, dept, err
	}
	return d, dept, q.Err()
}

// dutyView is the month page's data.
type dutyView struct {
	Month       string
	Rows        []duty.DepartmentMonth
	Windows     []org.Window
	Departments []org.Department
	Schedules   bool // the viewer may schedule (centre or department admin)
	Records     bool // the viewer may record by hand (the hall's admin)
	// Required: the viewer's centre's required days a month, which its
	// admin may change (SetsRequired).
	Required     int
	SetsRequired bool
}

func (s *Server) dutyPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderDuty(w, r, nil)
}

func (s *Server) renderDuty(w http.ResponseWriter, r *http.Request, failure error) error {
	p := s.page(r, "duty.title")
	a := actor(r)
	month, dept, err := s.dutyMonth(r)
	v := &dutyView{Month: month.String()[:7], Schedules: a.Role == org.DeptAdmin || (a.Role == org.CentreAdmin && a.CountyWide()),
		Records: a.Role == org.CentreAdmin && a.CountyWide()}
	p.Data = v
	if err != nil {
		v.Month = clock.Today(s.Now()).String()[:7]
		return s.formFailed(w, r, "duty", p, err)
	}
	if v.Rows, err = s.Duty.Month(r.Context(), a, month, dept); err != nil {
		return err
	}
	if v.SetsRequired = a.Role == org.CentreAdmin && a.CentreID != 0; v.SetsRequired {
		if v.Required, err = s.Duty.Required(r.Context(), a.CentreID); err != nil {
			return err
		}
		p.Form["required"] = strconv.Itoa(v.Required)
	}
	if v.Schedules {
		f := org.WindowFilter{}
		if a.Role == org.DeptAdmin {
			f.DepartmentID = a.DepartmentID
		}
		if v.Windows, _, err = s.Org.Windows(r.Context(), a, f, allOptions); err != nil {
			return err
		}
	}
	if failure != nil {
		for _, k := range []string{"department_id", "window_id", "day", "reason", "required"} {
			p.Form[k] = r.PostFormValue(k)
		}
		return s.formFailed(w, r, "duty", p, failure)
	}
	return s.render(w, r, "duty", p)
}

func (s *Server) scheduleDuty(w http.ResponseWriter, r *http.Request) error {
	var in duty.ScheduleInput
	if err := decode(r, &in); err != nil {
		return s.renderDuty(w, r, err)
	}
	// The form names a window; the department is the window's (a window
	// the actor may not see names none, and the service refuses it).
	if in.DepartmentID == 0 && in.WindowID > 0 {
		if win, err := s.Org.Window(r.Context(), actor(r), in.WindowID); err == nil {
			in.DepartmentID = win.DepartmentID
		}
	}
	d, err := s.Duty.Schedule(r.Context(), actor(r), in)
	if err != nil {
		return s.renderDuty(w, r, err)
	}
	s.flash(r, "duty.scheduled_flash")
	http.Redirect(w, r, "/duty?month="+d.Date[:7], http.StatusSeeOther)
	return nil
}

// recordInput is the centre admin's reason for a manual record.
type recordInput struct {
	Reason string `json:"reason"`
}

func (s *Server) recordDuty(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r.PathValue("id"), "entity.duty_day")
	if err != nil {
		return err
	}
	var in recordInput
	if err := decode(r, &in); err != nil {
		return s.renderDuty(w, r, err)
	}
	if err := s.Duty.RecordManually(r.Context(), actor(r), id, in.Reason); err != nil {
		return s.renderDuty(w, r, err)
	}
	s.flash(r, "duty.recorded_flash")
	http.Redirect(w, r, "/duty", http.StatusSeeOther)
	return nil
}

// sweepDuty raises the D01 anomalies of the month that ended last (the
// same sweep serve runs; idempotent).
func (s *Server) sweepDuty(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Duty.SweepDue(r.Context()); err != nil {
		return err
	}
	s.flash(r, "duty.swept")
	http.Redirect(w, r, "/duty", http.StatusSeeOther)
	return nil
}

func (s *Server) apiDuty(w http.ResponseWriter, r *http.Request) error {
	month, dept, err := s.dutyMonth(r)
	if err != nil {
		return err
	}
	rows, err := s.Duty.Month(r.Context(), actor(r), month, dept)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []duty.DepartmentMonth{}
	}
	return listJSON(w, rows, len(rows))
}

// leadsView is the department leads form's data.
type leadsView struct {
	Department org.Department
	Staff      []org.Staff
}

func (s *Server) leadsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderLeads(w, r, nil)
}

func (s *Server) renderLeads(w http.ResponseWriter, r *http.Request, failure error) error {
	id, err := parseID(r.PathValue("key"), "entity.department")
	if err != nil {
		return err
	}
	a := actor(r)
	d, err := s.Org.Department(r.Context(), id)
	if err == nil && d.RegionCode != "" && !a.CoversRegion(d.RegionCode) {
		err = apperr.NotFoundf("entity.department")
	}
	if err != nil {
		return err
	}
	p := s.page(r, "duty.leads_title")
	staff, _, err := s.Org.StaffList(r.Context(), a, org.StaffFilter{DepartmentID: id}, allOptions)
	if err != nil {
		return err
	}
	p.Data = &leadsView{Department: d, Staff: staff}
	p.Form["head_id"], p.Form["chief_rep_id"] = strconv.FormatInt(d.HeadID, 10), strconv.FormatInt(d.ChiefRepID, 10)
	if failure != nil {
		p.Form["head_id"], p.Form["chief_rep_id"] = r.PostFormValue("head_id"), r.PostFormValue("chief_rep_id")
		return s.formFailed(w, r, "duty_leads", p, failure)
	}
	return s.render(w, r, "duty_leads", p)
}

func (s *Server) setLeads(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r.PathValue("key"), "entity.department")
	if err != nil {
		return err
	}
	var in org.LeadsInput
	if err := decode(r, &in); err != nil {
		return s.renderLeads(w, r, err)
	}
	if _, err := s.Org.SetDepartmentLeads(r.Context(), actor(r), id, in); err != nil {
		return s.renderLeads(w, r, err)
	}
	s.flash(r, "duty.leads_saved")
	http.Redirect(w, r, "/admin/departments/"+strconv.FormatInt(id, 10)+"/leads", http.StatusSeeOther)
	return nil
}
