package web

import (
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/publication"
)

// An organ's publication catalogue for its disclosure office (issue 16
// item 1): officers draft and submit, the head returns, publishes,
// withdraws and repeals (publication.Service decides who may). Any member
// of staff may hold a grant, so the routes admit every role and the
// service answers "not found" for an organ the actor does not read.

func (s *Server) registerDisclosureCatalogue() {
	s.handle("GET /disclosure/overdue", overdueReaders, s.disclosureOverdue)
	s.handle("GET /disclosure/organs/{id}", anyStaff, s.disclosureCatalogue)
	s.handle("GET /disclosure/organs/{id}/new", anyStaff, s.disclosureNew)
	s.handle("POST /disclosure/organs/{id}/entries", anyStaff, s.disclosureDraft)
	s.handle("GET /disclosure/entries/{id}", anyStaff, s.disclosureEntry)
	s.handle("POST /disclosure/entries/{id}", anyStaff, s.disclosureUpdate)
	s.handle("POST /disclosure/entries/{id}/{action}", anyStaff, s.disclosureStep)
}

type disclosureCatalogueView struct {
	Access     disclosure.Access
	Items      []publication.Entry
	Pager      pager
	Category   string
	Status     string
	Overdue    bool
	Categories []disclosure.Category
	Statuses   []string
	Today      calendar.Date // for the overdue and repealed marks
}

func (s *Server) disclosureCatalogue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.organ")
	if err != nil {
		return err
	}
	q := readQuery(r)
	f := publication.Filter{OrganID: id, Category: disclosure.Category(q.Text("category")), Status: q.Text("status"), Overdue: q.Flag("overdue")}
	f.Limit, f.Offset = q.Page(20, 100)
	if err := q.Err(); err != nil {
		return err
	}
	x, items, total, err := s.Publication.Catalogue(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	p := s.page(r, "disclosure_pub.catalogue")
	p.Title = x.Organ.Name
	p.Data = disclosureCatalogueView{Access: x, Items: items, Pager: newPager(r, total, f.Offset, f.Limit), Category: string(f.Category),
		Status: f.Status, Overdue: f.Overdue, Categories: disclosure.Categories, Statuses: publication.Statuses, Today: clock.Today(s.Now())}
	return s.render(w, r, "disclosure_catalogue", p)
}

func (s *Server) disclosureOverdue(w http.ResponseWriter, r *http.Request) error {
	limit, offset := pageParams(r, 50, 200)
	items, total, err := s.Publication.OverdueAll(r.Context(), actor(r), limit, offset)
	if err != nil {
		return err
	}
	p := s.page(r, "disclosure_pub.overdue")
	p.Data = disclosureCatalogueView{Items: items, Pager: newPager(r, total, offset, limit), Today: clock.Today(s.Now())}
	return s.render(w, r, "disclosure_overdue", p)
}

// disclosureFormView is the entry form's data: the entry, nil for a new
// one, and the organ it belongs to.
type disclosureFormView struct {
	Access     disclosure.Access
	Entry      *publication.Entry
	Categories []disclosure.Category
	Kinds      []disclosure.DocKind
	Today      calendar.Date
}

func allKinds() []disclosure.DocKind {
	return append(disclosure.KindsOf(disclosure.Policy), disclosure.KindsOf(disclosure.Decisions)...)
}

func (s *Server) formView(x disclosure.Access, e *publication.Entry) disclosureFormView {
	return disclosureFormView{Access: x, Entry: e, Categories: publication.ManualCategories(), Kinds: allKinds(), Today: clock.Today(s.Now())}
}

func (s *Server) disclosureNew(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.organ")
	if err != nil {
		return err
	}
	x, err := disclosure.AccessTo(r.Context(), s.DB.Read(), actor(r), id)
	if err != nil {
		return err
	}
	if !x.Acts(disclosure.Officer) {
		return apperr.New(apperr.Forbidden, "disclosure_pub.error.no_duty")
	}
	p := s.page(r, "disclosure_pub.new")
	p.Form["created_on"] = clock.Today(s.Now()).String()
	p.Data = s.formView(x, nil)
	return s.render(w, r, "disclosure_entry", p)
}

func entryInput(r *http.Request) publication.Input {
	v := r.PostFormValue
	return publication.Input{Category: v("category"), DocKind: v("doc_kind"), Title: v("title"), DocNo: v("doc_no"), Body: v("body"),
		Link: v("link"), CreatedOn: v("created_on"), IssuedOn: v("issued_on"), RepealedOn: v("repealed_on")}
}

func fillEntryForm(p *Page, in publication.Input) {
	p.Form["category"], p.Form["doc_kind"], p.Form["title"], p.Form["doc_no"] = in.Category, in.DocKind, in.Title, in.DocNo
	p.Form["body"], p.Form["link"], p.Form["created_on"] = in.Body, in.Link, in.CreatedOn
	p.Form["issued_on"], p.Form["repealed_on"] = in.IssuedOn, in.RepealedOn
}

func (s *Server) disclosureDraft(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.organ")
	if err != nil {
		return err
	}
	a := actor(r)
	in := entryInput(r)
	e, err := s.Publication.Draft(r.Context(), a, id, in)
	if ae := apperr.As(err); ae != nil && ae.Code == apperr.Invalid {
		x, xerr := disclosure.AccessTo(r.Context(), s.DB.Read(), a, id)
		if xerr != nil {
			return xerr
		}
		p := s.page(r, "disclosure_pub.new")
		fillEntryForm(p, in)
		p.Data = s.formView(x, nil)
		return s.formFailed(w, r, "disclosure_entry", p, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "disclosure_pub.saved")
	http.Redirect(w, r, "/disclosure/entries/"+strconv.FormatInt(e.ID, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) disclosureEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.entity")
	if err != nil {
		return err
	}
	return s.renderEntry(w, r, id, nil, nil)
}

// renderEntry shows an entry with its form and actions; err is a failed
// change's, in shown back in the form.
func (s *Server) renderEntry(w http.ResponseWriter, r *http.Request, id int64, in *publication.Input, err error) error {
	x, e, gerr := s.Publication.Get(r.Context(), actor(r), id)
	if gerr != nil {
		return gerr
	}
	p := s.page(r, "disclosure_pub.entry")
	p.Title = e.Title
	if in == nil {
		fillEntryForm(p, publication.Input{Category: string(e.Category), DocKind: string(e.DocKind), Title: e.Title, DocNo: e.DocNo,
			Body: e.Body, Link: e.Link, CreatedOn: e.CreatedOn.String(), IssuedOn: dayText(e.IssuedOn), RepealedOn: dayText(e.RepealedOn)})
	} else {
		fillEntryForm(p, *in)
	}
	p.Data = s.formView(x, &e)
	if err != nil {
		return s.formFailed(w, r, "disclosure_entry", p, err)
	}
	return s.render(w, r, "disclosure_entry", p)
}

func (s *Server) disclosureUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.entity")
	if err != nil {
		return err
	}
	in := entryInput(r)
	_, err = s.Publication.Update(r.Context(), actor(r), id, in)
	if ae := apperr.As(err); ae != nil && (ae.Code == apperr.Invalid || ae.Code == apperr.Conflict) {
		return s.renderEntry(w, r, id, &in, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "disclosure_pub.saved")
	http.Redirect(w, r, "/disclosure/entries/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// disclosureStep submits, returns, publishes, withdraws or repeals.
func (s *Server) disclosureStep(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.entity")
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	err = s.entryStep(r, id, action, stepInput{Reason: r.PostFormValue("reason"), RepealedOn: r.PostFormValue("repealed_on")})
	if apperr.Is(err, apperr.NotFound) {
		return err
	}
	if ae := apperr.As(err); ae != nil && (ae.Code == apperr.Invalid || ae.Code == apperr.Conflict) {
		return s.renderEntry(w, r, id, nil, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "disclosure_pub.done."+action)
	http.Redirect(w, r, "/disclosure/entries/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// dayText is an optional day as a form shows it.
func dayText(d *calendar.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// stepInput is what a step may carry: the reason of a return or a
// withdrawal, the day of a repeal.
type stepInput struct {
	Reason     string `json:"reason"`
	RepealedOn string `json:"repealed_on"`
}

// entryStep runs the named step on an entry, for the page and the API.
func (s *Server) entryStep(r *http.Request, id int64, action string, in stepInput) error {
	a, ctx := actor(r), r.Context()
	switch action {
	case "submit":
		return s.Publication.Submit(ctx, a, id)
	case "return":
		return s.Publication.Return(ctx, a, id, in.Reason)
	case "publish":
		return s.Publication.Publish(ctx, a, id)
	case "withdraw":
		return s.Publication.Withdraw(ctx, a, id, in.Reason)
	case "repeal":
		return s.Publication.Repeal(ctx, a, id, in.RepealedOn)
	}
	return apperr.NotFoundf("entity.page")
}
