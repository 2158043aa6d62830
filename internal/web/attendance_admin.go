package web

import (
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/attendance"
	"onestop/internal/org"
)

// The centre admin's attendance settings (/attendance/devices): the
// terminals (an HTTP terminal's key shown once, an iclock terminal by its
// serial; revoke), the staff's PINs and the centre's shift.

func (s *Server) registerAttendanceAdmin() {
	s.handle("GET /attendance/devices", centreAdmins, s.attDevicesPage)
	s.handle("POST /attendance/devices", centreAdmins, s.attDeviceIssue)
	s.handle("POST /attendance/devices/{id}/revoke", centreAdmins, s.attDeviceRevoke)
	s.handle("POST /attendance/devices/{id}/window", centreAdmins, s.attDeviceWindow)
	s.handle("POST /attendance/pins", centreAdmins, s.attPIN)
	s.handle("POST /attendance/shift", centreAdmins, s.attShift)
}

// attDevicesView is /attendance/devices' data; Key is a new terminal's
// key, shown on this answer only.
type attDevicesView struct {
	Devices []*attendance.Device
	People  []attendance.Enrolled
	Shift   attendance.Shift
	Key     string
	Issued  *attendance.Device
	// Windows are the centre's windows a terminal may be bound to.
	Windows []org.Window
}

func (s *Server) attDevicesRender(w http.ResponseWriter, r *http.Request, key string, d *attendance.Device, form map[string]string, ferr error) error {
	a := actor(r)
	v := &attDevicesView{Key: key, Issued: d}
	var err error
	if v.Devices, err = s.Attendance.Devices(r.Context(), a); err != nil {
		return err
	}
	if v.People, err = s.Attendance.People(r.Context(), a); err != nil {
		return err
	}
	if v.Shift, err = s.Attendance.Shift(r.Context(), a.CentreID); err != nil {
		return err
	}
	if v.Windows, _, err = s.Org.Windows(r.Context(), a, org.WindowFilter{CentreID: a.CentreID}, org.ListOptions{Limit: 500}); err != nil {
		return err
	}
	p := s.page(r, "attendance.devices_title")
	p.Data = v
	for k, val := range form {
		p.Form[k] = val
	}
	if ferr != nil {
		return s.formFailed(w, r, "attendance_devices", p, ferr)
	}
	if key != "" {
		p.Status = http.StatusCreated
	}
	return s.render(w, r, "attendance_devices", p)
}

func (s *Server) attDevicesPage(w http.ResponseWriter, r *http.Request) error {
	return s.attDevicesRender(w, r, "", nil, nil, nil)
}

func postedFields(r *http.Request, names ...string) (map[string]string, error) {
	if err := r.ParseForm(); err != nil {
		return nil, apperr.New(apperr.Invalid, "error.bad_form")
	}
	out := map[string]string{}
	for _, n := range names {
		out[n] = r.PostFormValue(n)
	}
	return out, nil
}

func (s *Server) attDeviceIssue(w http.ResponseWriter, r *http.Request) error {
	f, err := postedFields(r, "name", "protocol", "serial", "window_id")
	if err != nil {
		return err
	}
	fe := apperr.Fields{}
	window := formID(fe, "window_id", f["window_id"])
	if err := fe.Err(); err != nil {
		return s.attDevicesRender(w, r, "", nil, f, err)
	}
	// The terminal is at the admin's own centre.
	d, key, err := s.Attendance.IssueDevice(r.Context(), actor(r), attendance.DeviceInput{CentreID: actor(r).CentreID, Name: f["name"],
		Protocol: f["protocol"], Serial: f["serial"], WindowID: window})
	if err != nil {
		return s.attDevicesRender(w, r, "", nil, f, err)
	}
	if key == "" {
		s.flash(r, "attendance.device_registered")
		http.Redirect(w, r, "/attendance/devices", http.StatusSeeOther)
		return nil
	}
	return s.attDevicesRender(w, r, key, d, nil, nil)
}

func (s *Server) attDeviceRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFoundf("entity.attendance_device")
	}
	if err := s.Attendance.RevokeDevice(r.Context(), actor(r), id); err != nil {
		return err
	}
	s.flash(r, "attendance.device_revoked")
	http.Redirect(w, r, "/attendance/devices", http.StatusSeeOther)
	return nil
}

// attDeviceWindow binds a terminal to a window of its centre, or to none.
func (s *Server) attDeviceWindow(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFoundf("entity.attendance_device")
	}
	f, err := postedFields(r, "window_id")
	if err != nil {
		return err
	}
	fe := apperr.Fields{}
	window := formID(fe, "window_id", f["window_id"])
	err = fe.Err()
	if err == nil {
		err = s.Attendance.SetDeviceWindow(r.Context(), actor(r), id, window)
	}
	if ae := apperr.As(err); ae != nil && (ae.Code == apperr.Invalid || ae.Code == apperr.Conflict) {
		return s.attDevicesRender(w, r, "", nil, nil, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "attendance.device_window_saved")
	http.Redirect(w, r, "/attendance/devices", http.StatusSeeOther)
	return nil
}

func (s *Server) attPIN(w http.ResponseWriter, r *http.Request) error {
	f, err := postedFields(r, "staff_id", "pin")
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(f["staff_id"], 10, 64)
	if err := s.Attendance.SetPIN(r.Context(), actor(r), id, f["pin"]); err != nil {
		return s.attDevicesRender(w, r, "", nil, f, err)
	}
	s.flash(r, "attendance.pin_saved")
	http.Redirect(w, r, "/attendance/devices", http.StatusSeeOther)
	return nil
}

var shiftFields = []string{"am_start", "am_end", "pm_start", "pm_end", "summer_am_start", "summer_am_end", "summer_pm_start", "summer_pm_end",
	"grace_minutes", "merge_seconds", "enabled"}

func (s *Server) attShift(w http.ResponseWriter, r *http.Request) error {
	f, err := postedFields(r, shiftFields...)
	if err != nil {
		return err
	}
	a := actor(r)
	in := attendance.Shift{CentreID: a.CentreID, Enabled: f["enabled"] != "",
		Winter: attendance.Times{AMStart: f["am_start"], AMEnd: f["am_end"], PMStart: f["pm_start"], PMEnd: f["pm_end"]},
		Summer: attendance.Times{AMStart: f["summer_am_start"], AMEnd: f["summer_am_end"], PMStart: f["summer_pm_start"], PMEnd: f["summer_pm_end"]}}
	fe := apperr.Fields{}
	for name, dst := range map[string]*int{"grace_minutes": &in.GraceMinutes, "merge_seconds": &in.MergeSeconds} {
		n, err := strconv.Atoi(f[name])
		if err != nil {
			fe.Add(name, "error.wrong_type")
		}
		*dst = n
	}
	err = fe.Err()
	if err == nil {
		_, err = s.Attendance.SaveShift(r.Context(), a, in)
	}
	if err != nil {
		return s.attDevicesRender(w, r, "", nil, f, err)
	}
	s.flash(r, "attendance.shift_saved")
	http.Redirect(w, r, "/attendance/devices", http.StatusSeeOther)
	return nil
}
