package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"onestop/internal/apperr"
	"onestop/internal/attendance"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
)

// The staff's attendance pages: the sheet (/attendance, everyone sees
// their scope: attendance.Service.Sheet), its XLSX export, the centre
// admin's manual punch, and leave (/attendance/leave).

func (s *Server) registerAttendancePages() {
	s.handle("GET /attendance", anyStaff, s.attendancePage)
	s.handle("GET /attendance/export.xlsx", anyStaff, s.attendanceExport)
	s.handle("POST /attendance/punches", roles(org.CentreAdmin), s.attendanceManual)
	s.handle("GET /attendance/leave", anyStaff, s.leavePage)
	s.handle("POST /attendance/leave", anyStaff, s.leaveFile)
	s.handle("POST /attendance/leave/{id}/decide", roles(org.DeptAdmin, org.CentreAdmin), s.leaveDecide)
	s.handle("GET /api/v1/attendance/sheets", anyStaff, s.apiAttendanceSheets)
}

// apiAttendanceSheets is the sheet as JSON: the page's filters and scope
// (attendance.Service.Sheet decides whom the reader sees).
func (s *Server) apiAttendanceSheets(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.sheetOf(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sh)
}

// sheetOf is the sheet the request asks for, in the reader's scope.
func (s *Server) sheetOf(r *http.Request) (*attendance.Sheet, error) {
	f, _, err := s.sheetQuery(r)
	if err != nil {
		return nil, err
	}
	return s.Attendance.Sheet(r.Context(), actor(r), f)
}

// sheetQuery reads the sheet's span and filters: ?day= (a daily sheet,
// today by default) or ?month=YYYY-MM (the month, to today).
func (s *Server) sheetQuery(r *http.Request) (attendance.SheetFilter, string, error) {
	q := r.URL.Query()
	f := attendance.SheetFilter{}
	fe := apperr.Fields{}
	mode := "day"
	if m := q.Get("month"); m != "" {
		mode = "month"
		t, err := time.Parse("2006-01", m)
		if err != nil {
			fe.Add("month", "attendance.day_format")
		} else {
			f.From = calendar.Date{Year: t.Year(), Month: t.Month(), Day: 1}
			f.To = f.From.AddDays(32)
			f.To = calendar.Date{Year: f.To.Year, Month: f.To.Month, Day: 1}.AddDays(-1)
		}
	} else if d := q.Get("day"); d != "" {
		day, err := calendar.ParseDate(d)
		if err != nil {
			fe.Add("day", "attendance.day_format")
		}
		f.From, f.To = day, day
	} else {
		f.From = clock.Today(s.Now())
		f.To = f.From
	}
	for name, dst := range map[string]*int64{"department_id": &f.DepartmentID, "window_id": &f.WindowID, "staff_id": &f.StaffID} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				fe.Add(name, "error.invalid")
			}
			*dst = n
		}
	}
	return f, mode, fe.Err()
}

// sheetView is /attendance's data.
type sheetView struct {
	Mode   string
	Sheet  *attendance.Sheet
	People []attendance.Enrolled // the manual punch form's choice (centre admins)
	Query  string
}

func (s *Server) attendancePage(w http.ResponseWriter, r *http.Request) error {
	f, mode, err := s.sheetQuery(r)
	if err != nil {
		return err
	}
	a := actor(r)
	v := &sheetView{Mode: mode, Query: r.URL.RawQuery}
	if v.Sheet, err = s.Attendance.Sheet(r.Context(), a, f); err != nil {
		return err
	}
	if a.Role == org.CentreAdmin {
		if v.People, err = s.Attendance.People(r.Context(), a); err != nil {
			return err
		}
	}
	p := s.page(r, "attendance.title")
	p.Data = v
	return s.render(w, r, "attendance", p)
}

// attendanceExport is the sheet as a workbook: the days, then each
// person's totals.
func (s *Server) attendanceExport(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.sheetOf(r)
	if err != nil {
		return err
	}
	p := s.page(r, "attendance.title")
	x := excelize.NewFile()
	defer x.Close()
	days, totals := p.T("attendance.sheet_days"), p.T("attendance.sheet_totals")
	if err := x.SetSheetName("Sheet1", days); err != nil {
		return err
	}
	if _, err := x.NewSheet(totals); err != nil {
		return err
	}
	put := func(sheet string, row int, vals ...any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return x.SetSheetRow(sheet, cell, &vals)
	}
	if err := put(days, 1, p.T("attendance.day"), p.T("attendance.person"), p.T("case.department"), p.T("attendance.window"),
		p.T("attendance.status"), p.T("attendance.first"), p.T("attendance.last"), p.T("attendance.late_minutes"),
		p.T("attendance.early_minutes"), p.T("attendance.manual")); err != nil {
		return err
	}
	for i, d := range sh.Rows {
		manual := ""
		if d.Manual {
			manual = p.T("attendance.manual")
		}
		status := p.T("attendance.status." + d.Status)
		if d.Half != "" {
			status += " (" + p.T("attendance.half."+d.Half) + ")"
		}
		if err := put(days, i+2, d.Day, d.Staff, d.Department, d.Window, status, d.First, d.Last,
			d.LateMinutes, d.EarlyMinutes, manual); err != nil {
			return err
		}
	}
	if err := put(totals, 1, p.T("attendance.person"), p.T("case.department"), p.T("attendance.window"), p.T("attendance.working_days"),
		p.T("attendance.present"), p.T("attendance.status.late"), p.T("attendance.status.early"), p.T("attendance.status.absent"),
		p.T("attendance.status.leave"), p.T("attendance.manual")); err != nil {
		return err
	}
	for i, t := range sh.Totals {
		if err := put(totals, i+2, t.Staff, t.Department, t.Window, t.WorkingDays, t.Present, t.Late, t.Early, t.Absent, t.Leave, t.Manual); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="attendance-%s-%s.xlsx"`, sh.From, sh.To))
	return x.Write(w)
}

// attendanceManual enters a punch by hand (补卡): the reason is required.
func (s *Server) attendanceManual(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	in := attendance.ManualInput{Direction: r.PostFormValue("direction"), Reason: r.PostFormValue("reason")}
	in.StaffID, _ = strconv.ParseInt(r.PostFormValue("staff_id"), 10, 64)
	fe := apperr.Fields{}
	if v := r.PostFormValue("at"); v != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v, clock.Shanghai)
		if err != nil {
			fe.Add("at", "attendance.day_format")
		}
		in.At = t
	}
	err := fe.Err()
	if err == nil {
		err = s.Attendance.ManualPunch(r.Context(), actor(r), in)
	}
	if err != nil {
		v := &sheetView{Mode: "day", Sheet: &attendance.Sheet{}}
		if v.People, _ = s.Attendance.People(r.Context(), actor(r)); v.People == nil {
			v.People = []attendance.Enrolled{}
		}
		p := s.page(r, "attendance.title")
		p.Data = v
		for _, k := range []string{"staff_id", "at", "direction", "reason"} {
			p.Form[k] = r.PostFormValue(k)
		}
		return s.formFailed(w, r, "attendance", p, err)
	}
	s.flash(r, "attendance.manual_done")
	day := ""
	if !in.At.IsZero() {
		day = "?day=" + clock.Today(in.At).String()
	}
	http.Redirect(w, r, "/attendance"+day, http.StatusSeeOther)
	return nil
}

// leaveView is /attendance/leave's data.
type leaveView struct {
	Mine     []*attendance.Leave
	ToDecide []*attendance.Leave
	Kinds    []string
	Halves   []string
}

func (s *Server) leaveView(r *http.Request) (*leaveView, error) {
	a := actor(r)
	v := &leaveView{Kinds: attendance.LeaveKinds, Halves: attendance.Halves}
	var err error
	if v.Mine, err = s.Attendance.Leaves(r.Context(), a, false); err != nil {
		return nil, err
	}
	if a.Role == org.DeptAdmin || a.Role == org.CentreAdmin {
		if v.ToDecide, err = s.Attendance.Leaves(r.Context(), a, true); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (s *Server) leavePage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.leaveView(r)
	if err != nil {
		return err
	}
	p := s.page(r, "attendance.leave_title")
	p.Data = v
	return s.render(w, r, "attendance_leave", p)
}

func (s *Server) leaveFile(w http.ResponseWriter, r *http.Request) error {
	var in attendance.LeaveInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if _, err := s.Attendance.FileLeave(r.Context(), actor(r), in); err != nil {
		v, verr := s.leaveView(r)
		if verr != nil {
			return verr
		}
		p := s.page(r, "attendance.leave_title")
		p.Data = v
		p.Form["kind"], p.Form["from"], p.Form["to"], p.Form["reason"], p.Form["half"] = in.Kind, in.From, in.To, in.Reason, in.Half
		return s.formFailed(w, r, "attendance_leave", p, err)
	}
	s.flash(r, "attendance.leave_filed")
	http.Redirect(w, r, "/attendance/leave", http.StatusSeeOther)
	return nil
}

func (s *Server) leaveDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFoundf("entity.leave")
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	approve := r.PostFormValue("decision") == "approve"
	if _, err := s.Attendance.DecideLeave(r.Context(), actor(r), id, approve, r.PostFormValue("decision_reason")); err != nil {
		v, verr := s.leaveView(r)
		if verr != nil {
			return verr
		}
		p := s.page(r, "attendance.leave_title")
		p.Data = v
		return s.formFailed(w, r, "attendance_leave", p, err)
	}
	s.flash(r, "attendance.leave_decided_done")
	http.Redirect(w, r, "/attendance/leave", http.StatusSeeOther)
	return nil
}
