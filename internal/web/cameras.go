package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/cameras"
	"onestop/internal/clock"
	"onestop/internal/org"
)

// Camera links (电子监控, issue 15 §5; docs/ARCHITECTURE.md §22). A link
// from a case event, a rating, a complaint or a queue ticket leads to the
// recording page, which names the window, its cameras and the span; only
// the POST that opens one shows an address, and it is on the record
// first. cameras.Viewer decides who may; the routes' roles say the same.
var (
	cameraViewers  = roles(org.Supervisor, org.Leader, org.CentreAdmin)
	cameraManagers = roles(org.CentreAdmin)
)

// The audit log shows recorders' and cameras' fields in this area's words.
func init() {
	auditAreas["camera_recorder"] = []string{"cameras.field"}
	auditAreas["camera"] = []string{"cameras.field"}
}

func (s *Server) registerCameras() {
	s.handle("GET /cameras/recording", cameraViewers, s.cameraRecording)
	s.handle("POST /cameras/recording", cameraViewers, s.cameraOpen)
	s.handle("GET /cameras/views", cameraViewers, s.cameraViews)
	s.handle("GET /admin/cameras", cameraManagers, s.camerasAdmin)
	s.handle("GET /admin/recorders/new", cameraManagers, s.recorderNew)
	s.handle("POST /admin/recorders", cameraManagers, s.recorderSave)
	s.handle("GET /admin/recorders/{id}", cameraManagers, s.recorderEdit)
	s.handle("POST /admin/recorders/{id}", cameraManagers, s.recorderSave)
	s.handle("POST /admin/recorders/{id}/retire", cameraManagers, s.retireHandler("entity.recorder", s.Cameras.RetireRecorder))
	s.handle("GET /admin/cameras/new", cameraManagers, s.cameraNew)
	s.handle("POST /admin/cameras", cameraManagers, s.cameraSave)
	s.handle("GET /admin/cameras/{id}", cameraManagers, s.cameraEdit)
	s.handle("POST /admin/cameras/{id}", cameraManagers, s.cameraSave)
	s.handle("POST /admin/cameras/{id}/retire", cameraManagers, s.retireHandler("entity.camera", s.Cameras.RetireCamera))
}

// CanWatch reports whether the signed-in staff member may open
// recordings, so pages offer the link only to them.
func (p *Page) CanWatch() bool {
	return p.Staff != nil && cameras.Viewer(p.Staff.Actor(""))
}

// CamWindow is the window a case event happened at, 0 for none.
func (p *Page) CamWindow(place string) int64 { return cameras.EventWindow(place) }

// CamTime shows an instant to the second in Shanghai: a recording is
// searched by its on-screen clock.
func (p *Page) CamTime(t time.Time) string {
	return t.In(clock.Shanghai).Format("2006-01-02 15:04:05")
}

// CamHref is a playback address as a link. html/template turns an
// rtsp:// address into "#ZgotmplZ", not knowing the scheme; the address
// is one a recorder's form allowed (cameras.LinkScheme), checked again.
func (p *Page) CamHref(u string) template.URL {
	if !cameras.LinkScheme(u) {
		return "#"
	}
	return template.URL(u)
}

// atLayout is how a moment's time travels in a link and a form: the
// browser's datetime-local, in Shanghai.
const atLayout = "2006-01-02T15:04"

// TicketRecordingURL is the "recording at that time" link of a queue
// ticket, for the ticket's staff page: only the id travels; the window
// and the service interval are read from the queue's record
// (cameras.Service.Ticket).
func TicketRecordingURL(ticketID int64) string {
	return "/cameras/recording?source=" + cameras.FromTicket + "&id=" + strconv.FormatInt(ticketID, 10)
}

// parseAt reads a moment's time, to the minute or the second, in Shanghai.
func parseAt(v string) (time.Time, bool) {
	for _, l := range []string{"2006-01-02T15:04:05", atLayout} {
		if t, err := time.ParseInLocation(l, v, clock.Shanghai); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// recordingView is the recording page: the moment and its cameras, or
// for a complaint the form that names its window and time.
type recordingView struct {
	Choice *cameras.Choice
	// Params are the moment's parameters, carried into each open form.
	Params map[string]string
	// Complaint is set for a complaint: its number and its centre's
	// windows to choose from.
	Complaint *cameras.ComplaintFacts
	Windows   []org.Window
	Back      string
}

// momentParams are the parameters a moment is named by.
var momentParams = []string{"source", "id", "seq", "window", "at", "ref"}

// cameraMoment reads the moment a request names. get reads the query
// or the posted form. The window and time come from the record except for
// a complaint's (the supervisor's reading).
func (s *Server) cameraMoment(r *http.Request, get func(string) string) (cameras.Moment, error) {
	id, err := strconv.ParseInt(get("id"), 10, 64)
	if err != nil || id <= 0 {
		return cameras.Moment{}, apperr.NotFoundf("entity.page")
	}
	ctx := r.Context()
	switch get("source") {
	case cameras.FromCase:
		seq, err := strconv.Atoi(get("seq"))
		if err != nil {
			return cameras.Moment{}, apperr.NotFoundf("entity.case")
		}
		return s.Cameras.CaseEvent(ctx, id, seq)
	case cameras.FromRating:
		return s.Cameras.Rating(ctx, id)
	case cameras.FromTicket:
		return s.Cameras.Ticket(ctx, id)
	case cameras.FromComplaint:
		f := apperr.Fields{}
		window, err := strconv.ParseInt(get("window"), 10, 64)
		if err != nil || window <= 0 {
			f.Add("window", "error.choose")
		}
		at, ok := parseAt(get("at"))
		if !ok {
			f.Add("at", "cameras.at.invalid")
		}
		if err := f.Err(); err != nil {
			return cameras.Moment{}, err
		}
		m, err := s.Cameras.Complaint(ctx, id, window, at)
		if ae := apperr.As(err); ae != nil && ae.Fields["window_id"].Key != "" {
			// The form's field is "window".
			ae.Fields["window"] = ae.Fields["window_id"]
			delete(ae.Fields, "window_id")
		}
		return m, err
	}
	return cameras.Moment{}, apperr.NotFoundf("entity.page")
}

// backURL is the page the moment came from.
func backURL(m cameras.Moment) string {
	switch m.Source {
	case cameras.FromCase:
		no, _, _ := strings.Cut(m.Ref, " #")
		return "/cases/" + url.PathEscape(no)
	case cameras.FromRating:
		return "/ratings"
	case cameras.FromComplaint:
		return "/enquiries/" + url.PathEscape(m.Ref)
	case cameras.FromTicket:
		return queueRecordURL(m.SourceID)
	}
	return ""
}

func (s *Server) cameraRecording(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := s.page(r, "cameras.recording")
	v := recordingView{Params: map[string]string{}}
	for _, k := range momentParams {
		if x := q.Get(k); x != "" {
			v.Params[k] = x
			p.Form[k] = x
		}
	}
	a := actor(r)
	if !cameras.Viewer(a) {
		return errForbidden
	}
	if q.Get("source") == cameras.FromComplaint {
		id, _ := strconv.ParseInt(q.Get("id"), 10, 64)
		c, err := s.Cameras.ComplaintOf(r.Context(), id)
		if err != nil {
			return err
		}
		if !a.SeesCentre(c.CentreID) {
			// Another centre's complaint: not even its number.
			return apperr.NotFoundf("entity.enquiry")
		}
		v.Complaint = &c
		v.Back = "/enquiries/" + url.PathEscape(c.No)
		if v.Windows, _, err = s.Org.Windows(r.Context(), a, org.WindowFilter{CentreID: c.CentreID}, org.ListOptions{Limit: 1000}); err != nil {
			return err
		}
		if p.Form["at"] == "" {
			p.Form["at"] = c.Received.In(clock.Shanghai).Format(atLayout)
		}
		if q.Get("window") == "" {
			// The form first: the supervisor reads the window and time
			// off the complaint.
			p.Data = v
			return s.render(w, r, "camera_recording", p)
		}
	}
	m, err := s.cameraMoment(r, q.Get)
	if err == nil {
		var ch cameras.Choice
		if ch, err = s.Cameras.Choose(r.Context(), a, m); err == nil {
			v.Choice = &ch
			if v.Back == "" {
				v.Back = backURL(m)
			}
		}
	}
	p.Data = v
	if err != nil {
		return s.formFailed(w, r, "camera_recording", p, err)
	}
	return s.render(w, r, "camera_recording", p)
}

// cameraOpen opens one camera's recording: recorded, then shown.
func (s *Server) cameraOpen(w http.ResponseWriter, r *http.Request) error {
	m, err := s.cameraMoment(r, r.PostFormValue)
	if err != nil {
		return err
	}
	camera, err := strconv.ParseInt(r.PostFormValue("camera"), 10, 64)
	if err != nil || camera <= 0 {
		return apperr.NotFoundf("entity.camera")
	}
	o, err := s.Cameras.Open(r.Context(), actor(r), m, camera)
	if err != nil {
		return err
	}
	p := s.page(r, "cameras.playback")
	p.Data = o
	// The address is shown once per opening: a cache must not keep it.
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, "camera_playback", p)
}

type cameraViewsView struct {
	Items []cameras.View
	Pager pager
}

func (s *Server) cameraViews(w http.ResponseWriter, r *http.Request) error {
	limit, offset := pageParams(r, 50, 200)
	items, total, err := s.Cameras.Views(r.Context(), actor(r), limit, offset)
	if err != nil {
		return err
	}
	p := s.page(r, "cameras.views")
	p.Data = cameraViewsView{Items: items, Pager: newPager(r, total, offset, limit)}
	return s.render(w, r, "camera_views", p)
}
