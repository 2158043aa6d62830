package web

import (
	"context"
	"net/http"

	"onestop/internal/apperr"
	"onestop/internal/bundles"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/notify"
	"onestop/internal/store"
)

// The applicant's side: apply online with uploaded materials, follow one's
// own cases, upload what a supplement notice asks for, withdraw. Every page
// acts as the signed-in applicant (/signin), whatever staff session the
// browser may also hold, and the engine only shows an applicant their own
// cases.

// applyView is the online application form.
type applyView struct {
	Item *catalogue.Item
	// Refused: the item does not serve this kind of applicant; the page
	// says so and offers no upload.
	Refused bool
	// Kept are the files of a refused form, by material number, offered
	// again so nobody uploads twice.
	Kept map[int]*cases.FileRef
	// Modes are the item's acceptance modes for this applicant (modes.go).
	Modes *modeOffer
	// NotifyBy are the ways of being told about the case; Phone is the
	// account's number the SMS go to (the choice is saved as on /me/notify).
	NotifyBy []string
	Phone    string
	lang     string // the saved language of the messages, kept as it is
}

// notifyChoice fills the form's "how to be told" part with the saved
// choice, unless the form came back with what was typed.
func (s *Server) notifyChoice(r *http.Request, p *Page, v *applyView, applicantID int64) error {
	pref, err := notify.Preferences(r.Context(), s.DB, applicantID)
	if err != nil {
		return err
	}
	v.NotifyBy, v.Phone, v.lang = notify.ByChoices, pref.Phone, pref.Lang
	if _, posted := p.Form["notify_by"]; !posted {
		p.Form["notify_by"], p.Form["email"] = pref.By, pref.Email
	}
	return nil
}

// eligible checks, before any upload is read, that the item serves the
// applicant's kind (catalogue.Serves, the engine's rule); false with the
// page made ready to say why.
func (s *Server) eligible(r *http.Request, ca cases.Actor, p *Page) (bool, error) {
	v := p.Data.(*applyView)
	a, err := s.Applicants.ByID(r.Context(), ca.ApplicantID)
	if err != nil {
		return false, err
	}
	if catalogue.Serves(v.Item.Audience, a.Kind) {
		v.Modes, err = s.offerModes(r, v.Item.Code, a.ID, nil)
		return err == nil, err
	}
	v.Refused = true
	p.Problem, p.Status = p.T("case.audience_"+v.Item.Audience), http.StatusForbidden
	return false, nil
}

// onlineItem is an in-force item that may be applied for online; anything
// else is "not found" here (its public card says how to apply instead).
func (s *Server) onlineItem(r *http.Request) (*catalogue.Item, error) {
	it, err := s.Cases.Catalogue.Item(r.Context(), itemCode(r))
	if err != nil {
		return nil, err
	}
	if it.Status != catalogue.InForce || !it.Online {
		return nil, apperr.New(apperr.NotFound, "apply.not_online")
	}
	return &it, nil
}

func (s *Server) applyPage(w http.ResponseWriter, r *http.Request) error {
	ca, ok, err := s.applicantActor(r)
	if err != nil || !ok {
		if err != nil {
			return err
		}
		return toSignin(w, r)
	}
	if comp, ok, err := s.compositeOf(r); err != nil || ok {
		if err != nil {
			return err
		}
		return s.applyBundle(w, r, ca, comp)
	}
	it, err := s.onlineItem(r)
	if err != nil {
		return err
	}
	p := s.page(r, "apply.title")
	p.Title = p.T("apply.title_item", "Name", it.Name)
	v := &applyView{Item: it}
	p.Data = v
	if _, err := s.eligible(r, ca, p); err != nil {
		return err
	}
	if err := s.notifyChoice(r, p, v, ca.ApplicantID); err != nil {
		return err
	}
	return s.render(w, r, "apply", p)
}

// applySubmit stores the uploaded files and submits the case online; the
// applicant lands on their case page with the receipt.
func (s *Server) applySubmit(w http.ResponseWriter, r *http.Request) error {
	ca, ok, err := s.applicantActor(r)
	if err != nil {
		return err
	}
	if !ok {
		return toSignin(w, r)
	}
	if comp, ok, err := s.compositeOf(r); err != nil || ok {
		if err != nil {
			return err
		}
		return s.applyBundle(w, r, ca, comp)
	}
	it, err := s.onlineItem(r)
	if err != nil {
		return err
	}
	p := s.page(r, "apply.title")
	p.Title = p.T("apply.title_item", "Name", it.Name)
	v := &applyView{Item: it}
	p.Data = v
	// Refused before the uploads are read: nothing is stored for a case
	// that cannot be.
	if ok, err := s.eligible(r, ca, p); err != nil || !ok {
		if err != nil {
			return err
		}
		return s.render(w, r, "apply", p)
	}
	if err := parseAnyForm(r); err != nil {
		return s.formFailed(w, r, "apply", p, err)
	}
	// How to be told is chosen on the form; an older page without it
	// leaves the saved choice as it is.
	var first func(context.Context, store.Querier) error
	if _, sent := r.PostForm["notify_by"]; sent {
		p.Form["notify_by"], p.Form["email"] = r.PostFormValue("notify_by"), r.PostFormValue("email")
	}
	if err := s.notifyChoice(r, p, v, ca.ApplicantID); err != nil {
		return err
	}
	if _, sent := r.PostForm["notify_by"]; sent {
		choice := notify.Preference{By: p.Form["notify_by"], Email: p.Form["email"], Lang: v.lang}
		first = func(ctx context.Context, q store.Querier) error {
			return notify.SetPreferencesTx(ctx, q, ca.ApplicantID, choice, s.Now())
		}
	}
	// The files are checked against the item's materials: a stand-in case
	// with the item's list lets the same reader serve both sides.
	stand := &cases.Case{}
	for i, m := range it.Materials {
		stand.Materials = append(stand.Materials, cases.Material{Seq: i + 1, Name: m.Name, Required: m.Required})
	}
	ms, err := s.receivedMaterials(r, ca, stand, false)
	var c *cases.Case
	if err == nil {
		p.Form["mode"] = r.PostFormValue("mode")
		c, err = s.submitCase(r, ca, cases.SubmitInput{ItemCode: it.Code, Materials: ms, Mode: p.Form["mode"], First: first})
	}
	if err != nil {
		// Whatever refused the form, the files already received stay
		// offered with it.
		v.Kept = map[int]*cases.FileRef{}
		for _, m := range ms {
			if m.File != nil {
				v.Kept[m.Seq] = m.File
			}
		}
		return s.formFailed(w, r, "apply", p, err)
	}
	s.flash(r, "apply.done")
	http.Redirect(w, r, "/my/cases/"+c.No, http.StatusSeeOther)
	return nil
}

// myCases lists the applicant's own cases.
func (s *Server) myCases(w http.ResponseWriter, r *http.Request) error {
	ca, ok, err := s.applicantActor(r)
	if err != nil {
		return err
	}
	if !ok {
		return toSignin(w, r)
	}
	list, err := s.Cases.ForApplicant(r.Context(), ca.ApplicantID, 200)
	if err != nil {
		return err
	}
	bs, err := s.Bundles.ForApplicant(r.Context(), ca.ApplicantID, 50)
	if err != nil {
		return err
	}
	p := s.page(r, "mycases.title")
	p.Data = myCasesView{Cases: list, Bundles: bs}
	return s.render(w, r, "case_mine", p)
}

// myCasesView is the applicant's list: their bundles (each with its
// parts) and their cases.
type myCasesView struct {
	Cases   []*cases.Case
	Bundles []*bundles.Bundle
}

func (s *Server) apiMyCases(w http.ResponseWriter, r *http.Request) error {
	ca, ok, err := s.applicantActor(r)
	if err != nil {
		return err
	}
	if !ok {
		return errSignIn
	}
	list, err := s.Cases.ForApplicant(r.Context(), ca.ApplicantID, 200)
	if err != nil {
		return err
	}
	return listJSON(w, list, len(list))
}

// myCase is one of the applicant's cases: where it stands, the clock, the
// messages and documents, and the forms the state allows (upload what the
// supplement notice asks for; withdraw).
func (s *Server) myCase(w http.ResponseWriter, r *http.Request) error {
	return s.renderMyCase(w, r, "", nil)
}

func (s *Server) renderMyCase(w http.ResponseWriter, r *http.Request, posted string, failure error) error {
	ca, ok, err := s.applicantActor(r)
	if err != nil {
		return err
	}
	if !ok {
		return toSignin(w, r)
	}
	c, err := s.Cases.Get(r.Context(), ca, caseNo(r))
	if err != nil {
		return err
	}
	p := s.page(r, "mycase.title")
	p.Title = p.T("case.title_no", "No", c.No)
	if failure != nil {
		ae := apperr.As(failure)
		p.Problem = s.i18n.Msg(p.Lang, ae.Msg)
		for f, m := range ae.Fields {
			p.Errors[f] = s.i18n.Msg(p.Lang, m)
		}
		p.Status = statusOf(ae.Code)
		if r.PostForm != nil {
			p.Form["reason"] = r.PostFormValue("reason")
		}
	}
	v := s.caseView(p, c, nil, "/my/cases")
	v.Posted = posted
	if v.Mode, err = s.Modes.OfCase(r.Context(), c.ID); err != nil {
		return err
	}
	v.Actions = allowedActions(c, ca)
	if v.Payment, err = s.casePayment(r, c, nil); err != nil {
		return err
	}
	if v.Ratings, err = s.caseRatings(r, c); err != nil {
		return err
	}
	p.Data = v
	return s.render(w, r, "case", p)
}

// myResubmit uploads what the supplement notice asked for and hands it in.
func (s *Server) myResubmit(w http.ResponseWriter, r *http.Request) error {
	return s.myAct(w, r, cases.ActResubmit)
}

func (s *Server) myWithdraw(w http.ResponseWriter, r *http.Request) error {
	return s.myAct(w, r, cases.ActWithdraw)
}

func (s *Server) myAct(w http.ResponseWriter, r *http.Request, action string) error {
	ca, ok, err := s.applicantActor(r)
	if err != nil {
		return err
	}
	if !ok {
		return toSignin(w, r)
	}
	no := caseNo(r)
	c, err := s.Cases.Get(r.Context(), ca, no)
	if err != nil {
		return err
	}
	var f actionForm
	err = parseAnyForm(r)
	if err == nil {
		err = decodeValues(r.PostForm, &f)
	}
	in := cases.Input{Version: f.Version, Reason: f.Reason}
	if err == nil && (action == cases.ActResubmit || action == cases.ActSupply) {
		in.Materials, err = s.receivedMaterials(r, ca, c, false)
		if err == nil && len(in.Materials) == 0 {
			fe := apperr.Fields{}
			fe.Add("materials", "apply.nothing_uploaded")
			err = fe.Err()
		}
	}
	if err == nil {
		_, err = s.actCase(r, ca, no, action, in)
	}
	return s.finishAction(w, r, err, func(err error) error { return s.renderMyCase(w, r, action, err) }, "mycase.done."+action, "/my/cases/"+no)
}
