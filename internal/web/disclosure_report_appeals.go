package web

import (
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/annual"
)

// Reviews and suits over an organ's disclosure (table 四): the office
// records them and their conclusions; readers of the organ see them.

type discAppealsView struct {
	Organs  []disclosure.Access
	Organ   *disclosure.Access
	Appeals []discAppealRow
	Kinds   []string
	Results []string
	Acts    bool
}

type discAppealRow struct {
	annual.Appeal
	KindLabel, ResultLabel string
}

func (s *Server) discAppealsPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "disclosure_report.appeals")
	if err := s.discAppealsOn(r, p, readQuery(r).ID("organ")); err != nil {
		return err
	}
	return s.render(w, r, "disclosure_appeals", p)
}

// discAppealsOn lists the organs the viewer reads and, for the chosen
// one, its reviews and suits.
func (s *Server) discAppealsOn(r *http.Request, p *Page, organ int64) error {
	a := actor(r)
	organs, err := disclosure.Organs(r.Context(), s.DB.Read(), a)
	if err != nil {
		return err
	}
	v := &discAppealsView{Organs: organs, Kinds: annual.AppealKinds, Results: annual.Results}
	if organ != 0 {
		x, err := disclosure.AccessTo(r.Context(), s.DB.Read(), a, organ)
		if err != nil {
			return err
		}
		v.Organ, v.Acts = &x, x.Acts(disclosure.Officer)
		list, err := s.DisclosureReports.Appeals(r.Context(), a, organ)
		if err != nil {
			return err
		}
		for _, ap := range list {
			row := discAppealRow{Appeal: ap, KindLabel: p.T("disclosure_report.t4." + ap.Kind)}
			if ap.Result != "" {
				row.ResultLabel = p.T("disclosure_report.t4." + ap.Result)
			}
			v.Appeals = append(v.Appeals, row)
		}
	}
	p.Data = v
	return nil
}

func (s *Server) discAppealRecord(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	p := s.page(r, "disclosure_report.appeals")
	for _, k := range []string{"organ", "kind", "filed_on", "request_no", "note"} {
		p.Form[k] = r.PostFormValue(k)
	}
	organ, err := strconv.ParseInt(p.Form["organ"], 10, 64)
	if err != nil || organ <= 0 {
		return apperr.Fields{"organ": apperr.M("disclosure_report.error.organ")}.Err()
	}
	in := annual.AppealInput{OrganID: organ, Kind: p.Form["kind"], FiledOn: p.Form["filed_on"], RequestNo: p.Form["request_no"], Note: p.Form["note"]}
	if _, err := s.DisclosureReports.RecordAppeal(r.Context(), actor(r), in); err != nil {
		if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid {
			return err
		}
		if lerr := s.discAppealsOn(r, p, organ); lerr != nil {
			return lerr
		}
		return s.formFailed(w, r, "disclosure_appeals", p, err)
	}
	s.flash(r, "disclosure_report.appeal.recorded")
	http.Redirect(w, r, "/disclosure/appeals?organ="+itoa(organ), http.StatusSeeOther)
	return nil
}

func (s *Server) discAppealConclude(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r.PathValue("id"), "entity.disclosure_appeal")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	ap, err := s.DisclosureReports.ConcludeAppeal(r.Context(), actor(r), id,
		annual.Conclusion{Result: r.PostFormValue("result"), ConcludedOn: r.PostFormValue("concluded_on")})
	if ae := apperr.As(err); ae != nil && (ae.Code == apperr.Invalid || ae.Code == apperr.Conflict) {
		// Shown on the organ's list, which the form names; the service
		// has already checked the appeal is the viewer's to conclude.
		p := s.page(r, "disclosure_report.appeals")
		organ, _ := strconv.ParseInt(r.PostFormValue("organ"), 10, 64)
		if lerr := s.discAppealsOn(r, p, organ); lerr != nil {
			return lerr
		}
		return s.formFailed(w, r, "disclosure_appeals", p, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "disclosure_report.appeal.concluded")
	http.Redirect(w, r, "/disclosure/appeals?organ="+itoa(ap.OrganID), http.StatusSeeOther)
	return nil
}
