package web

import (
	"context"
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/cameras"
	"onestop/internal/org"
)

// The centre admin's pages for recorders and cameras (cameras.Manager):
// a list of both, and a form for each.

type camerasAdminView struct {
	Recorders []cameras.Recorder
	Cameras   []cameras.Camera
}

func (s *Server) camerasAdmin(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	rs, err := s.Cameras.Recorders(r.Context(), a)
	if err != nil {
		return err
	}
	cs, err := s.Cameras.Cameras(r.Context(), a)
	if err != nil {
		return err
	}
	p := s.page(r, "cameras.admin")
	p.Data = camerasAdminView{Recorders: rs, Cameras: cs}
	return s.render(w, r, "cameras_admin", p)
}

// pathID reads {id}; anything but a positive number names nothing.
func pathID(r *http.Request, entity string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf(entity)
	}
	return id, nil
}

// retireHandler retires the {id} record by fn and goes back to the list.
func (s *Server) retireHandler(entity string, fn func(context.Context, org.Actor, int64) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, entity)
		if err != nil {
			return err
		}
		if err := fn(r.Context(), actor(r), id); err != nil {
			return err
		}
		s.flash(r, "cameras.retired_done")
		http.Redirect(w, r, "/admin/cameras", http.StatusSeeOther)
		return nil
	}
}

// recorderFormView is the recorder form: the record edited (nil for a
// new one) and the choices.
type recorderFormView struct {
	Recorder     *cameras.Recorder
	Brands       []string
	TimeModes    []string
	Placeholders []string
}

var recorderFields = []string{"name", "brand", "host", "port", "device_id", "time_zone", "time_mode", "template", "before_min", "after_min"}

func (s *Server) recorderForm(w http.ResponseWriter, r *http.Request, p *Page, rec *cameras.Recorder, err error) error {
	p.Data = recorderFormView{Recorder: rec, Brands: cameras.Brands, TimeModes: cameras.TimeModes, Placeholders: cameras.Placeholders}
	if err != nil {
		return s.formFailed(w, r, "camera_recorder_form", p, err)
	}
	return s.render(w, r, "camera_recorder_form", p)
}

func (s *Server) recorderNew(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "cameras.recorder_new")
	p.Form["time_zone"], p.Form["port"], p.Form["time_mode"] = cameras.DefaultZone, "554", cameras.TimeLocal
	p.Form["before_min"], p.Form["after_min"] = strconv.Itoa(cameras.DefaultBefore), strconv.Itoa(cameras.DefaultAfter)
	return s.recorderForm(w, r, p, nil, nil)
}

func (s *Server) recorderEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "entity.recorder")
	if err != nil {
		return err
	}
	rec, err := s.Cameras.Recorder(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	p := s.page(r, "cameras.recorder_edit")
	p.Form = map[string]string{"name": rec.Name, "brand": rec.Brand, "host": rec.Host, "port": strconv.Itoa(rec.Port), "device_id": rec.DeviceID,
		"time_zone": rec.TimeZone, "time_mode": rec.TimeMode, "template": rec.Template, "before_min": strconv.Itoa(rec.BeforeMin), "after_min": strconv.Itoa(rec.AfterMin)}
	return s.recorderForm(w, r, p, &rec, nil)
}

// recorderSave creates (POST /admin/recorders) or changes
// (…/{id}) a recorder.
func (s *Server) recorderSave(w http.ResponseWriter, r *http.Request) error {
	var id int64
	var cur *cameras.Recorder
	a := actor(r)
	title := "cameras.recorder_new"
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "entity.recorder"); err != nil {
			return err
		}
		rec, err := s.Cameras.Recorder(r.Context(), a, id)
		if err != nil {
			return err
		}
		cur, title = &rec, "cameras.recorder_edit"
	}
	in := cameras.RecorderInput{Name: r.PostFormValue("name"), Brand: r.PostFormValue("brand"), Host: r.PostFormValue("host"),
		Port: r.PostFormValue("port"), DeviceID: r.PostFormValue("device_id"), TimeZone: r.PostFormValue("time_zone"),
		TimeMode: r.PostFormValue("time_mode"), Template: r.PostFormValue("template"), BeforeMin: r.PostFormValue("before_min"),
		AfterMin: r.PostFormValue("after_min")}
	if _, err := s.Cameras.SaveRecorder(r.Context(), a, id, in); err != nil {
		p := s.page(r, title)
		for _, f := range recorderFields {
			p.Form[f] = r.PostFormValue(f)
		}
		return s.recorderForm(w, r, p, cur, err)
	}
	s.flash(r, "cameras.saved")
	http.Redirect(w, r, "/admin/cameras", http.StatusSeeOther)
	return nil
}

// cameraFormView is the camera form: the camera edited, the centre's
// recorders and windows.
type cameraFormView struct {
	Camera    *cameras.Camera
	Recorders []cameras.Recorder
	Windows   []org.Window
}

func (s *Server) cameraForm(w http.ResponseWriter, r *http.Request, p *Page, c *cameras.Camera, err error) error {
	a := actor(r)
	rs, lerr := s.Cameras.Recorders(r.Context(), a)
	if lerr != nil {
		return lerr
	}
	ws, _, lerr := s.Org.Windows(r.Context(), a, org.WindowFilter{CentreID: a.CentreID}, org.ListOptions{Limit: 1000})
	if lerr != nil {
		return lerr
	}
	p.Data = cameraFormView{Camera: c, Recorders: rs, Windows: ws}
	if err != nil {
		return s.formFailed(w, r, "camera_form", p, err)
	}
	return s.render(w, r, "camera_form", p)
}

func (s *Server) cameraNew(w http.ResponseWriter, r *http.Request) error {
	return s.cameraForm(w, r, s.page(r, "cameras.camera_new"), nil, nil)
}

func (s *Server) cameraEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "entity.camera")
	if err != nil {
		return err
	}
	c, err := s.Cameras.Camera(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	p := s.page(r, "cameras.camera_edit")
	p.Form = map[string]string{"recorder_id": strconv.FormatInt(c.RecorderID, 10), "name": c.Name, "channel": c.Channel, "area": c.Area}
	if c.WindowID != 0 {
		p.Form["window_id"] = strconv.FormatInt(c.WindowID, 10)
	}
	return s.cameraForm(w, r, p, &c, nil)
}

var cameraFields = []string{"recorder_id", "name", "channel", "window_id", "area"}

func (s *Server) cameraSave(w http.ResponseWriter, r *http.Request) error {
	var id int64
	var cur *cameras.Camera
	a := actor(r)
	title := "cameras.camera_new"
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "entity.camera"); err != nil {
			return err
		}
		c, err := s.Cameras.Camera(r.Context(), a, id)
		if err != nil {
			return err
		}
		cur, title = &c, "cameras.camera_edit"
	}
	// An id that is not a number names no recorder or window: the
	// service's field errors say so.
	rid, _ := strconv.ParseInt(r.PostFormValue("recorder_id"), 10, 64)
	wid, _ := strconv.ParseInt(r.PostFormValue("window_id"), 10, 64)
	in := cameras.CameraInput{RecorderID: rid, Name: r.PostFormValue("name"), Channel: r.PostFormValue("channel"), WindowID: wid, Area: r.PostFormValue("area")}
	if _, err := s.Cameras.SaveCamera(r.Context(), a, id, in); err != nil {
		p := s.page(r, title)
		for _, f := range cameraFields {
			p.Form[f] = r.PostFormValue(f)
		}
		return s.cameraForm(w, r, p, cur, err)
	}
	s.flash(r, "cameras.saved")
	http.Redirect(w, r, "/admin/cameras", http.StatusSeeOther)
	return nil
}
