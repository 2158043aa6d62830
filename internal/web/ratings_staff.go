package web

import (
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/bulletin"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/ratings"
)

// Evaluation, the staff's side: a department's ratings and the ledger of
// its bad ones (/ratings), the centre admin's rating pads
// (/admin/devices), and supervision's figures and settings
// (/supervision/ratings). ratings.Service decides scope (another
// department's or county's rectification is "not found") and who takes
// which step.
var (
	ratingReaders = roles(ratings.Readers...)
	ratingActors  = roles(org.DeptAdmin, org.Approver, org.Supervisor)
	deviceAdmins  = roles(org.CentreAdmin)
	ratingSupers  = access{Roles: []org.Role{org.Supervisor, org.Leader}, CountyWide: true}
)

// The audit log names the settings' and pads' fields in the ratings'
// words (rating.addition_days …).
func init() {
	auditAreas["rating_settings"] = []string{"rating"}
	auditAreas["rating_device"] = []string{"rating"}
}

func (s *Server) registerRatingsStaff() {
	s.handle("GET /ratings", ratingReaders, s.ratingsPage)
	s.handle("GET /ratings/{id}", ratingReaders, s.rectificationPage)
	s.handle("POST /ratings/{id}/{action}", ratingActors, s.rectificationStep)
	s.handle("GET /api/v1/ratings", ratingReaders, s.apiRatings)
	s.handle("GET /admin/devices", deviceAdmins, s.devicesPage)
	s.handle("POST /admin/devices", deviceAdmins, s.deviceIssue)
	s.handle("POST /admin/devices/{id}/revoke", deviceAdmins, s.deviceRevoke)
	s.handle("GET /supervision/ratings", ratingSupers, s.ratingsSupervision)
	s.handle("POST /supervision/ratings/settings", access{Roles: []org.Role{org.Supervisor}, CountyWide: true}, s.ratingSettings)
}

// RatePct is a share as a percentage, "—" when there is none.
func (p *Page) RatePct(v *float64) string {
	if v == nil {
		return "—"
	}
	return Percent(*v)
}

// ratingsView is /ratings' data.
type ratingsView struct {
	Items          []*ratings.Rating
	Total          int
	Bad            bool
	Rectifications []*ratings.Rectification
	Prev, Next     string
}

func ratingFilter(r *http.Request) (ratings.Filter, error) {
	q := readQuery(r)
	f := ratings.Filter{Bad: q.Flag("bad")}
	f.Limit, f.Offset = q.Page(50, 200)
	return f, q.Err()
}

func (s *Server) ratingsPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	f, err := ratingFilter(r)
	if err != nil {
		return err
	}
	items, total, err := s.Ratings.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	v := &ratingsView{Items: items, Total: total, Bad: f.Bad}
	if v.Rectifications, err = s.Ratings.Rectifications(r.Context(), a, true, 100); err != nil {
		return err
	}
	page := func(off int) string {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(off))
		return "/ratings?" + q.Encode()
	}
	if f.Offset > 0 {
		v.Prev = page(max(0, f.Offset-f.Limit))
	}
	if f.Offset+len(items) < total {
		v.Next = page(f.Offset + f.Limit)
	}
	p := s.page(r, "rating.staff_title")
	p.Data = v
	return s.render(w, r, "ratings", p)
}

func (s *Server) apiRatings(w http.ResponseWriter, r *http.Request) error {
	f, err := ratingFilter(r)
	if err != nil {
		return err
	}
	items, total, err := s.Ratings.List(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	return listJSON(w, items, total)
}

// rectificationID reads {id}; anything but a positive number names none.
func rectificationID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("entity.rectification")
	}
	return id, nil
}

// rectificationView is the ledger page's data.
type rectificationView struct {
	*ratings.Rectification
	// Steps are the allowed steps but the revisit, which has its form.
	Steps   []string
	Revisit bool
	Ways    []string
	Today   string
}

func (s *Server) rectificationPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "rating.rect_title")
	if err := s.rectificationData(r, p); err != nil {
		return err
	}
	return s.render(w, r, "rectification", p)
}

// rectificationData puts the ledger page's data on p.
func (s *Server) rectificationData(r *http.Request, p *Page) error {
	id, err := rectificationID(r)
	if err != nil {
		return err
	}
	a := actor(r)
	x, err := s.Ratings.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	v := &rectificationView{Rectification: x, Ways: ratings.RevisitWays, Today: clock.Today(s.Now()).String()}
	for _, act := range ratings.Allowed(x, a) {
		if act == ratings.ActRevisit {
			v.Revisit = true
		} else {
			v.Steps = append(v.Steps, act)
		}
	}
	p.Title = p.T("rating.rect_title_no", "No", x.Rating.CaseNo)
	p.Data = v
	return nil
}

func (s *Server) rectificationStep(w http.ResponseWriter, r *http.Request) error {
	id, err := rectificationID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	action := r.PathValue("action")
	in := ratings.StepInput{Text: r.PostFormValue("text"), On: r.PostFormValue("on"), How: r.PostFormValue("how"), Opinion: r.PostFormValue("opinion")}
	in.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	if _, err := s.Ratings.Act(r.Context(), actor(r), id, action, in); err != nil {
		p := s.page(r, "rating.rect_title")
		if derr := s.rectificationData(r, p); derr != nil {
			return derr
		}
		p.Form["text"], p.Form["on"], p.Form["how"], p.Form["opinion"] = in.Text, in.On, in.How, in.Opinion
		return s.formFailed(w, r, "rectification", p, err)
	}
	s.flash(r, "rating.done")
	http.Redirect(w, r, "/ratings/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// devicesView is /admin/devices' data; Key is a new pad's key, shown once.
type devicesView struct {
	Items   []*ratings.Device
	Windows []org.Window
	Key     string
	Issued  *ratings.Device
}

func (s *Server) devicesView(r *http.Request) (*devicesView, error) {
	a := actor(r)
	v := &devicesView{}
	var err error
	if v.Items, err = s.Ratings.Devices(r.Context(), a); err != nil {
		return nil, err
	}
	if v.Windows, _, err = s.Org.Windows(r.Context(), a, org.WindowFilter{}, allOptions); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) devicesPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.devicesView(r)
	if err != nil {
		return err
	}
	p := s.page(r, "rating.devices_title")
	p.Data = v
	return s.render(w, r, "devices", p)
}

func (s *Server) deviceIssue(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	window, _ := strconv.ParseInt(r.PostFormValue("window_id"), 10, 64)
	d, key, err := s.Ratings.IssueDevice(r.Context(), actor(r), window, r.PostFormValue("name"))
	v, verr := s.devicesView(r)
	if verr != nil {
		return verr
	}
	p := s.page(r, "rating.devices_title")
	p.Data = v
	if err != nil {
		p.Form["name"], p.Form["window_id"] = r.PostFormValue("name"), r.PostFormValue("window_id")
		return s.formFailed(w, r, "devices", p, err)
	}
	// The key is shown on this answer only, never again: no redirect.
	v.Key, v.Issued = key, d
	p.Status = http.StatusCreated
	return s.render(w, r, "devices", p)
}

func (s *Server) deviceRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFoundf("entity.rating_device")
	}
	if err := s.Ratings.RevokeDevice(r.Context(), actor(r), id); err != nil {
		return err
	}
	s.flash(r, "rating.device_revoked")
	http.Redirect(w, r, "/admin/devices", http.StatusSeeOther)
	return nil
}

// ratingsSupView is /supervision/ratings' data.
type ratingsSupView struct {
	Period         bulletin.Period
	Months         []bulletin.Period
	Quarters       []bulletin.Period
	Years          []bulletin.Period
	Report         *ratings.Report
	Rankings       []string
	Rectifications []*ratings.Rectification
	Settings       ratings.Settings
	CanSet         bool
}

func (s *Server) ratingsSupervision(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "rating.sup_title")
	if err := s.ratingsSupData(r, p); err != nil {
		return err
	}
	return s.render(w, r, "ratings_supervision", p)
}

// ratingsSupData puts the supervision page's data on p.
func (s *Server) ratingsSupData(r *http.Request, p *Page) error {
	a := actor(r)
	q := readQuery(r)
	today := clock.Today(s.Now())
	code := q.Text("period")
	if code == "" {
		code = bulletin.MonthOf(today).Code()
	}
	period, err := bulletin.Parse(code, "", "", today)
	if err != nil {
		return err
	}
	by := q.Text("by")
	if by == "" {
		by = "department"
	}
	v := &ratingsSupView{Period: period, Rankings: ratings.Rankings}
	if v.CanSet, err = s.Ratings.MaySet(r.Context(), a); err != nil {
		return err
	}
	v.Months, v.Quarters, _, v.Years = bulletin.Choices(today)
	if v.Report, err = s.Ratings.Stats(r.Context(), a, period.From, period.To, by); err != nil {
		return err
	}
	if v.Rectifications, err = s.Ratings.Rectifications(r.Context(), a, false, 100); err != nil {
		return err
	}
	if v.Settings, err = s.Ratings.Settings(r.Context()); err != nil {
		return err
	}
	if _, ok := p.Form["addition_days"]; !ok {
		p.Form["addition_days"] = strconv.Itoa(v.Settings.AdditionDays)
		p.Form["revisit_days"] = strconv.Itoa(v.Settings.RevisitDays)
		p.Form["fix_days"] = strconv.Itoa(v.Settings.FixDays)
	}
	p.Data = v
	return nil
}

func (s *Server) ratingSettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	num := func(k string) int { n, _ := strconv.Atoi(r.PostFormValue(k)); return n }
	st := ratings.Settings{AdditionDays: num("addition_days"), RevisitDays: num("revisit_days"), FixDays: num("fix_days")}
	if err := s.Ratings.SaveSettings(r.Context(), actor(r), st); err != nil {
		p := s.page(r, "rating.sup_title")
		for _, k := range []string{"addition_days", "revisit_days", "fix_days"} {
			p.Form[k] = r.PostFormValue(k)
		}
		if derr := s.ratingsSupData(r, p); derr != nil {
			return derr
		}
		return s.formFailed(w, r, "ratings_supervision", p, err)
	}
	s.flash(r, "rating.settings_saved")
	http.Redirect(w, r, "/supervision/ratings", http.StatusSeeOther)
	return nil
}
