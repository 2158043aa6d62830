package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/org"
	"onestop/internal/voice"
)

// Consultations, complaints and help requests (咨询、投诉、求助, issue 13
// §3): the public forms, the page after filing, following a number. The
// rules (fields, limits, numbers, deadlines) are internal/voice's.

// formKinds: the home page links to these paths (the portal's part).
var formKinds = map[string]voice.Kind{"/consult": voice.Consult, "/complain": voice.Complaint, "/help": voice.Help}

// sessFiled holds the number just filed, for the page after the form.
const sessFiled = "voice_filed"

func (s *Server) registerVoice() {
	for path := range formKinds {
		s.handle("GET "+path, everyone, s.voiceForm)
		s.handle("POST "+path, everyone, s.voiceFile)
	}
	s.handle("GET /voice/filed", everyone, s.voiceFiled)
	s.handle("GET /voice/track", everyone, s.voiceTrack)
	s.handle("POST /voice/track/confirm", everyone, s.voiceConfirm)
	s.registerVoiceStaff()
}

// voiceFormView is a form's data.
type voiceFormView struct {
	Kind        voice.Kind
	Action      string
	Departments []org.Department
	Centres     []org.Centre
	MaxSubject  int
	MaxBody     int
	MaxName     int
	SignedIn    bool
}

func (s *Server) voiceFormPage(r *http.Request, k voice.Kind) (*Page, error) {
	p := s.page(r, "voice.title."+string(k))
	v := &voiceFormView{Kind: k, Action: r.URL.Path, MaxSubject: voice.MaxSubject, MaxBody: voice.MaxBody, MaxName: voice.MaxName}
	var err error
	if k != voice.Help {
		if v.Departments, _, err = s.Org.Departments(r.Context(), org.DepartmentFilter{}, allOptions); err != nil {
			return nil, err
		}
	} else if v.Centres, _, err = s.Org.Centres(r.Context(), "", allOptions); err != nil {
		return nil, err
	}
	v.SignedIn = s.Sessions.GetInt64(r.Context(), sessApplicant) != 0
	p.Data = v
	return p, nil
}

// voiceForm shows an empty form, prefilled with a signed-in applicant's
// name and phone.
func (s *Server) voiceForm(w http.ResponseWriter, r *http.Request) error {
	k := formKinds[r.URL.Path]
	p, err := s.voiceFormPage(r, k)
	if err != nil {
		return err
	}
	if id := s.Sessions.GetInt64(r.Context(), sessApplicant); id != 0 {
		if a, err := s.Applicants.ByID(r.Context(), id); err == nil {
			p.Form["name"], p.Form["phone"] = a.Name, a.Phone
		}
	}
	q := r.URL.Query()
	if no := q.Get("case_no"); no != "" && len(no) <= 40 {
		p.Form["case_no"] = no
	}
	return s.render(w, r, "voice_form", p)
}

// voiceFile files the form. Every problem comes back on the form with what
// was typed; the filing limits answer 429 with the rule in words.
func (s *Server) voiceFile(w http.ResponseWriter, r *http.Request) error {
	k := formKinds[r.URL.Path]
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	form := r.PostForm
	in := voice.Input{Kind: k, Channel: "portal", Subject: form.Get("subject"), Body: form.Get("body"), Name: form.Get("name"),
		Phone: form.Get("phone"), CaseNo: form.Get("case_no"), Public: form.Get("public") == "1",
		ApplicantID: s.Sessions.GetInt64(r.Context(), sessApplicant), From: clientAddress(r)}
	f := apperr.Fields{}
	in.DepartmentID = formID(f, "department_id", form.Get("department_id"))
	in.CentreID = formID(f, "centre_id", form.Get("centre_id"))
	var e *voice.Enquiry
	err := f.Err()
	if err == nil {
		e, err = s.fileGuarded(r, in)
	}
	if err != nil {
		p, perr := s.voiceFormPage(r, k)
		if perr != nil {
			return perr
		}
		for _, name := range []string{"subject", "body", "name", "phone", "case_no", "department_id", "centre_id", "public"} {
			p.Form[name] = form.Get(name)
		}
		return s.formFailed(w, r, "voice_form", p, err)
	}
	s.Sessions.Put(r.Context(), sessFiled, e.No)
	http.Redirect(w, r, "/voice/filed", http.StatusSeeOther)
	return nil
}

// fileGuarded files in. A case number named on the form is a guess at a
// case number like the progress query's: a refused one is counted on the
// progress throttle (the number's and the address's budget), and a
// blocked address files nothing with a case number.
func (s *Server) fileGuarded(r *http.Request, in voice.Input) (*voice.Enquiry, error) {
	no := strings.ToUpper(strings.TrimSpace(in.CaseNo))
	if no == "" {
		return s.Voice.File(r.Context(), in)
	}
	ctx, now := r.Context(), s.Now()
	account, addr := "progress:"+no, "progress:"+clientAddress(r)
	blocked, until, err := s.ProgressThrottle.Blocked(ctx, account, addr, now)
	if err != nil {
		return nil, err
	}
	if blocked {
		return nil, throttled(now, until, "progress.throttled")
	}
	e, err := s.Voice.File(ctx, in)
	if ae := apperr.As(err); ae != nil && ae.Fields["case_no"].Key != "" {
		if ferr := s.ProgressThrottle.Fail(ctx, account, addr, now); ferr != nil {
			return nil, ferr
		}
	}
	return e, err
}

// formID reads an optional id from a select; anything but a whole number
// is the field's error, never "none".
func formID(f apperr.Fields, name, v string) int64 {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		f.Add(name, "error.choose")
		return 0
	}
	return id
}

// voiceFiled is the page after filing: the number, the reply deadline and
// how to follow it. Only the session that filed sees it.
func (s *Server) voiceFiled(w http.ResponseWriter, r *http.Request) error {
	no := s.Sessions.GetString(r.Context(), sessFiled)
	if no == "" {
		http.Redirect(w, r, "/voice/track", http.StatusSeeOther)
		return nil
	}
	e, err := s.Voice.ByNo(r.Context(), no)
	if err != nil {
		return err
	}
	p := s.page(r, "voice.filed.title")
	p.Data = e
	return s.render(w, r, "voice_filed", p)
}

// voiceTrackView is the tracking page's data.
type voiceTrackView struct {
	E *voice.Enquiry
}

// voiceTrack follows a number with the phone it was filed with, like the
// progress query: a wrong number and a wrong phone read the same, and
// misses are throttled by the progress query's throttle (one budget per
// address for guessing either).
func (s *Server) voiceTrack(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "voice.track.title")
	v := &voiceTrackView{}
	p.Data = v
	e, found, err := lookupForm(s, w, r, "voice_track", p, s.track)
	if !found {
		return err
	}
	v.E = e
	return s.render(w, r, "voice_track", p)
}

// errNoEnquiry is the one answer for an unknown number and a wrong phone.
var errNoEnquiry = apperr.New(apperr.NotFound, "voice.track.not_found")

func (s *Server) track(r *http.Request, no, phone string) (*voice.Enquiry, error) {
	return guessed(s, r, "enquiry:"+voice.NormalNo(no), errNoEnquiry, func() (*voice.Enquiry, error) { return s.Voice.Track(r.Context(), no, phone) })
}

// voiceConfirm is the asker closing an answered enquiry from the tracking
// page (with the phone again) or from their own page (signed in).
func (s *Server) voiceConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	no, phone := r.PostFormValue("no"), r.PostFormValue("phone")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	applicant := s.Sessions.GetInt64(r.Context(), sessApplicant)
	if phone != "" {
		applicant = 0
		// The same throttle as the tracking page: confirming is another
		// way to test a phone.
		if _, err := s.track(r, no, phone); err != nil {
			return err
		}
	}
	if _, err := s.Voice.Confirm(r.Context(), no, phone, applicant, version); err != nil {
		return err
	}
	s.flash(r, "voice.track.confirmed")
	if phone == "" {
		http.Redirect(w, r, "/me", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/voice/track?"+url.Values{"no": {no}, "phone": {phone}}.Encode(), http.StatusSeeOther)
	return nil
}

// voiceTrackURL is where the SMS sends the asker: the tracking page on the
// public address (just its path when none is configured).
func voiceTrackURL(cfg Config) string { return cfg.PublicURL + "/voice/track" }
