package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/ratings"
)

// Evaluation (好差评, issue 13 §4): the citizen's side. /rate lists a
// signed-in applicant's decided cases not yet rated, or asks for the case
// number and phone as the progress query does (same throttle); /rate/{no}
// is the form, reached signed in or with a token (the receipt's QR link,
// or the link the number + phone check gives); the thank-you page shows
// the rating and takes the one addition. ratings.Service decides who may
// rate which case: another applicant's case, a forged or expired link
// answer "not found", never confirming that a case exists.

func (s *Server) registerRatings() {
	s.handle("GET /rate", everyone, s.ratePage)
	s.handle("GET /rate/{no}", everyone, s.rateForm)
	s.handle("POST /rate/{no}", everyone, s.rateSubmit)
	s.handle("GET /rate/{no}/thanks", everyone, s.rateThanks)
	s.handle("POST /rate/{no}/addition", everyone, s.rateAddition)
	s.handle("POST "+ratingPadPath, access{Public: true, ClientKey: true}, s.apiRateDevice)
	s.registerRatingsStaff()
}

// rater is who rates in this request: the link's token (t) when one is
// given, else the signed-in applicant; ok is false for a visitor without
// either.
func (s *Server) rater(r *http.Request, token string) (ratings.Rater, bool, error) {
	if token != "" {
		return ratings.Rater{Token: token}, true, nil
	}
	ca, ok, err := s.applicantActor(r)
	if err != nil || !ok {
		return ratings.Rater{}, false, err
	}
	return ratings.Rater{ApplicantID: ca.ApplicantID}, true, nil
}

// rateEntry is /rate's data: the signed-in applicant's cases to rate.
type rateEntry struct {
	SignedIn bool
	Cases    []ratings.Pending
}

func (s *Server) ratePage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "rating.title")
	v := &rateEntry{}
	p.Data = v
	ca, ok, err := s.applicantActor(r)
	if err != nil {
		return err
	}
	if ok {
		v.SignedIn = true
		if v.Cases, err = s.Ratings.Pending(r.Context(), ca.ApplicantID); err != nil {
			return err
		}
	}
	// The progress query's check and throttle: a wrong phone answers as an
	// unknown number.
	pr, found, err := lookupForm(s, w, r, "rate", p, s.progress)
	if !found {
		return err
	}
	tok, err := s.Ratings.PhoneToken(r.Context(), pr.No)
	if err != nil {
		return err
	}
	http.Redirect(w, r, rateURL(pr.No, tok, ""), http.StatusSeeOther)
	return nil
}

// rateURL is the form's (or a sub-page's) address with the token.
func rateURL(no, token, sub string) string {
	u := "/rate/" + url.PathEscape(no) + sub
	if token != "" {
		u += "?t=" + url.QueryEscape(token)
	}
	return u
}

// rateView is the form's and the thank-you page's data.
type rateView struct {
	T      *ratings.Target
	Token  string
	Levels []int
	// Reasons are the ticked reasons of a refused form.
	Reasons []string
	Choices []string
	Thanks  bool
}

// Ticked reports whether a reason was ticked on the refused form.
func (v *rateView) Ticked(r string) bool { return slices.Contains(v.Reasons, r) }

// rateTarget reads the case for the request's rater; a visitor without a
// token is sent to /rate with the number filled in.
func (s *Server) rateTarget(w http.ResponseWriter, r *http.Request, token string) (*ratings.Target, bool, error) {
	rt, ok, err := s.rater(r, token)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		http.Redirect(w, r, "/rate?no="+url.QueryEscape(caseNo(r)), http.StatusSeeOther)
		return nil, false, nil
	}
	t, err := s.Ratings.Target(r.Context(), rt, caseNo(r))
	return t, err == nil, err
}

func (s *Server) rateForm(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("t")
	t, ok, err := s.rateTarget(w, r, token)
	if err != nil || !ok {
		return err
	}
	if t.Given != nil {
		http.Redirect(w, r, rateURL(t.No, token, "/thanks"), http.StatusSeeOther)
		return nil
	}
	p := s.page(r, "rating.title")
	p.Title = p.T("rating.title_no", "No", t.No)
	p.Data = &rateView{T: t, Token: token, Levels: ratings.Levels, Choices: ratings.Reasons}
	return s.render(w, r, "rate_form", p)
}

func (s *Server) rateSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	token := r.PostFormValue("t")
	t, ok, err := s.rateTarget(w, r, token)
	if err != nil || !ok {
		return err
	}
	// Not a number is no level: the service says which to choose.
	level, _ := strconv.Atoi(r.PostFormValue("level"))
	in := ratings.Input{Level: level, Reasons: r.PostForm["reasons"], Comment: r.PostFormValue("comment")}
	rt, _, err := s.rater(r, token)
	if err != nil {
		return err
	}
	if _, err = s.Ratings.Rate(r.Context(), rt, t.No, in); err != nil {
		p := s.page(r, "rating.title")
		p.Title = p.T("rating.title_no", "No", t.No)
		p.Form["level"], p.Form["comment"] = r.PostFormValue("level"), in.Comment
		p.Data = &rateView{T: t, Token: token, Levels: ratings.Levels, Choices: ratings.Reasons, Reasons: in.Reasons}
		return s.formFailed(w, r, "rate_form", p, err)
	}
	http.Redirect(w, r, rateURL(t.No, token, "/thanks"), http.StatusSeeOther)
	return nil
}

func (s *Server) rateThanks(w http.ResponseWriter, r *http.Request) error {
	return s.renderThanks(w, r, r.URL.Query().Get("t"), nil)
}

func (s *Server) renderThanks(w http.ResponseWriter, r *http.Request, token string, failure error) error {
	t, ok, err := s.rateTarget(w, r, token)
	if err != nil || !ok {
		return err
	}
	if t.Given == nil {
		http.Redirect(w, r, rateURL(t.No, token, ""), http.StatusSeeOther)
		return nil
	}
	p := s.page(r, "rating.thanks")
	p.Data = &rateView{T: t, Token: token, Thanks: true}
	if failure != nil {
		p.Form["addition"] = r.PostFormValue("addition")
		return s.formFailed(w, r, "rate_thanks", p, failure)
	}
	return s.render(w, r, "rate_thanks", p)
}

func (s *Server) rateAddition(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	token := r.PostFormValue("t")
	rt, ok, err := s.rater(r, token)
	if err != nil {
		return err
	}
	if !ok {
		return toSignin(w, r)
	}
	if _, err := s.Ratings.Add(r.Context(), rt, caseNo(r), r.PostFormValue("addition")); err != nil {
		return s.renderThanks(w, r, token, err)
	}
	s.flash(r, "rating.added")
	http.Redirect(w, r, rateURL(caseNo(r), token, "/thanks"), http.StatusSeeOther)
	return nil
}

// caseRatings is what the applicant's case page shows of its ratings.
type caseRatings struct {
	Given   []ratings.Given
	CanRate bool // decided, and not yet rated on the portal
}

// caseRatings reads the ratings of the applicant's own case c (nil when
// there is nothing to show: undecided and unrated).
func (s *Server) caseRatings(r *http.Request, c *cases.Case) (*caseRatings, error) {
	given, err := s.Ratings.OfCase(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	v := &caseRatings{Given: given, CanRate: ratings.Decided(c)}
	for _, g := range given {
		if g.Channel == ratings.Portal {
			v.CanRate = false
		}
	}
	if len(given) == 0 && !v.CanRate {
		return nil, nil
	}
	return v, nil
}

// deviceRating is the pad's JSON: the case and the rating (the fields
// are spelt out, not embedded, so a field error names "level", not
// "Input.level").
type deviceRating struct {
	CaseNo  string   `json:"case_no"`
	Level   int      `json:"level"`
	Reasons []string `json:"reasons"`
	Comment string   `json:"comment"`
}

// apiRateDevice takes a rating from a window's pad, authenticated by the
// pad's key (Authorization: Bearer osr_…); no session, no CSRF token.
func (s *Server) apiRateDevice(w http.ResponseWriter, r *http.Request) error {
	key, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found {
		return apperr.New(apperr.Unauth, "rating.device_key")
	}
	d, err := s.Ratings.DeviceByKey(r.Context(), key)
	if err != nil {
		return err
	}
	var in deviceRating
	if err := decode(r, &in); err != nil {
		return err
	}
	f := apperr.Fields{}
	f.Text("case_no", in.CaseNo, true, 40)
	if err := f.Err(); err != nil {
		return err
	}
	rt, err := s.Ratings.Rate(r.Context(), ratings.Rater{Device: d}, in.CaseNo, ratings.Input{Level: in.Level, Reasons: in.Reasons, Comment: in.Comment})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, rt)
}
