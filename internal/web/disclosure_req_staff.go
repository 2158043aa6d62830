package web

import (
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/disclosure"
	discreq "onestop/internal/disclosure/request"
	"onestop/internal/org"
)

// The disclosure office's side of requests: an organ's requests with
// their lights, registering a request received by post, in person or by
// fax, each step on its page, the printouts, supervision's county-wide
// overdue list and the JSON API. The routes let any staff in; the
// request package decides by explicit organ grants (no grant: "not found").
// officeChannels are the channels the office registers (online requests
// are filed by the requester).
var officeChannels = []disclosure.Channel{disclosure.InPerson, disclosure.Post, disclosure.Fax}

var discSupervision = access{Roles: []org.Role{org.Supervisor, org.Leader, org.CentreAdmin}, CountyWide: true}

func init() {
	auditAreas["disclosure_request"] = []string{"disclosure_req"}
}

func (s *Server) registerDisclosureRequestStaff() {
	s.handle("GET /disclosure-requests", anyStaff, s.discRequests)
	s.handle("GET /disclosure-requests/new", anyStaff, s.discNewForm)
	s.handle("POST /disclosure-requests", anyStaff, s.discRegister)
	s.handle("GET /disclosure-requests/{no}", anyStaff, s.discRequest)
	s.handle("POST /disclosure-requests/{no}/{action}", anyStaff, s.discStep)
	s.handle("GET /disclosure-requests/{no}/receipt", anyStaff, s.discReceipt)
	s.handle("GET /disclosure-requests/{no}/reply", anyStaff, s.discReplyPrint)
	s.handle("GET /supervision/disclosure-requests", discSupervision, s.discOverdue)
	s.handle("GET /api/v1/disclosure/requests", anyStaff, s.apiDiscRequests)
	s.handle("GET /api/v1/disclosure/requests/{no}", anyStaff, s.apiDiscRequest)
}

// discFilter reads ?organ=&status= ; the organ is required (no value
// never means every organ) and defaults to the viewer's first office on
// the page (not in the API).
func (s *Server) discFilter(r *http.Request, organs []disclosure.Access, page bool) (discreq.Filter, error) {
	q := readQuery(r)
	f := discreq.Filter{OrganID: q.ID("organ"), Status: q.Text("status")}
	if f.Status != "" && f.Status != "active" {
		ok := false
		for _, st := range discreq.Statuses {
			ok = ok || st == f.Status
		}
		if !ok {
			q.f.Add("status", "error.choose")
		}
	}
	if f.OrganID == 0 && page && len(organs) > 0 {
		f.OrganID = organs[0].Organ.ID
		for _, o := range organs {
			if o.Duty != "" {
				f.OrganID = o.Organ.ID
				break
			}
		}
	}
	return f, q.Err()
}

func (s *Server) discRequests(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	organs, err := disclosure.Organs(r.Context(), s.DB.Read(), a)
	if err != nil {
		return err
	}
	f, err := s.discFilter(r, organs, true)
	if err != nil {
		return err
	}
	v := &discReqListView{Organs: organs, Organ: f.OrganID, Status: f.Status}
	if f.OrganID != 0 {
		items, err := s.DiscRequests.List(r.Context(), a, f)
		if err != nil {
			return err
		}
		if v.Items, err = s.discListed(r, items); err != nil {
			return err
		}
		for _, o := range organs {
			v.Acts = v.Acts || (o.Organ.ID == f.OrganID && o.Acts(disclosure.Officer))
		}
	}
	p := s.page(r, "disclosure_req.list.title")
	p.Data = v
	return s.render(w, r, "disclosure_req_list", p)
}

func (s *Server) discNewForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.discFormPage(r, "disclosure_req.new.title", officeChannels)
	if err != nil {
		return err
	}
	p.Form["organ_id"], p.Form["channel"], p.Form["form"] = r.URL.Query().Get("organ"), string(disclosure.InPerson), "paper"
	return s.render(w, r, "disclosure_req_new", p)
}

func (s *Server) discRegister(w http.ResponseWriter, r *http.Request) error {
	return s.discFile(w, r, "disclosure_req.new.title", "disclosure_req_new", officeChannels, "disclosure_req.done.registered", "/disclosure-requests/",
		func(in discreq.Input) (*discreq.Request, error) {
			return s.DiscRequests.Register(r.Context(), actor(r), in)
		})
}

func (s *Server) discRequest(w http.ResponseWriter, r *http.Request) error {
	return s.renderDisc(w, r, s.page(r, "disclosure_req.one"))
}

func (s *Server) renderDisc(w http.ResponseWriter, r *http.Request, p *Page) error {
	q, x, err := s.DiscRequests.Get(r.Context(), actor(r), r.PathValue("no"))
	if err != nil {
		return err
	}
	v, err := s.discReqView(r, q, false)
	if err != nil {
		return err
	}
	v.Acts, v.Head = x.Acts(disclosure.Officer), x.Acts(disclosure.Head)
	v.Notices = discreq.NoticeOutcomes
	for _, row := range disclosure.OutcomeRows {
		v.Outcomes = append(v.Outcomes, row.Outcome)
	}
	for t := disclosure.ReplyType(1); t <= 7; t++ {
		v.ReplyTypes = append(v.ReplyTypes, t)
	}
	p.Title = p.T("disclosure_req.one_title", "No", q.No)
	p.Data = v
	return s.render(w, r, "disclosure_req", p)
}

// discStep takes one step from the request's page.
func (s *Server) discStep(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	ctx, a, no, form := r.Context(), actor(r), r.PathValue("no"), r.PostForm
	atoi := func(k string) int { n, _ := strconv.Atoi(form.Get(k)); return n }
	var q *discreq.Request
	var err error
	action := r.PathValue("action")
	switch action {
	case "confirm":
		q, err = s.DiscRequests.Confirm(ctx, a, no)
	case "supplement":
		q, err = s.DiscRequests.AskSupplement(ctx, a, no, discreq.SupplementAsk{What: form.Get("what"), DueOn: form.Get("due_on")})
	case "supplied":
		q, err = s.DiscRequests.RecordSupply(ctx, a, no, form.Get("text"))
	case "consult":
		q, err = s.DiscRequests.Consult(ctx, a, no, form.Get("party"))
	case "consulted":
		q, err = s.DiscRequests.ConsultDone(ctx, a, no, form.Get("lapsed") == "1", form.Get("note"))
	case "extend":
		q, err = s.DiscRequests.Extend(ctx, a, no, atoi("days"), form.Get("reason"))
	case "fee":
		q, err = s.DiscRequests.FeeNotice(ctx, a, no, discreq.FeeInput{Method: form.Get("method"), Pieces: atoi("pieces"), Pages: atoi("pages")})
	case "paid":
		q, err = s.DiscRequests.FeePaid(ctx, a, no)
	case "lapse":
		q, err = s.DiscRequests.Lapse(ctx, a, no)
	case "reply":
		q, err = s.DiscRequests.Answer(ctx, a, no, discreq.Reply{Type: disclosure.ReplyType(atoi("type")), Outcome: disclosure.Outcome(form.Get("outcome")),
			Text: form.Get("text"), Withheld: form.Get("withheld"), Reason: form.Get("reason"), Basis: form.Get("basis"), Organ: form.Get("organ"),
			Contact: form.Get("contact"), Earlier: form.Get("earlier"), Law: form.Get("law")})
	case "conclude":
		q, err = s.DiscRequests.Conclude(ctx, a, no, disclosure.Outcome(form.Get("outcome")), form.Get("reason"))
	default:
		return apperr.NotFoundf("entity.page")
	}
	if err != nil {
		p, err := s.discFailed(r, err, action+".")
		if p == nil {
			return err
		}
		return s.renderDisc(w, r, p)
	}
	s.flash(r, "disclosure_req.done."+action)
	http.Redirect(w, r, "/disclosure-requests/"+q.No, http.StatusSeeOther)
	return nil
}

func (s *Server) discReceipt(w http.ResponseWriter, r *http.Request) error {
	q, _, err := s.DiscRequests.Get(r.Context(), actor(r), r.PathValue("no"))
	if err != nil {
		return err
	}
	return s.renderDiscPrint(w, r, q, false, "disclosure_req_receipt", "disclosure_req.receipt.title")
}

func (s *Server) discReplyPrint(w http.ResponseWriter, r *http.Request) error {
	q, _, err := s.DiscRequests.Get(r.Context(), actor(r), r.PathValue("no"))
	if err != nil {
		return err
	}
	return s.renderDiscPrint(w, r, q, false, "disclosure_req_notice", "disclosure_req.notice.title")
}

// discOverdue is supervision's county-wide list: every open request past
// its due day in the organs the viewer reads.
func (s *Server) discOverdue(w http.ResponseWriter, r *http.Request) error {
	items, err := s.DiscRequests.List(r.Context(), actor(r), discreq.Filter{Overdue: true})
	if err != nil {
		return err
	}
	v := &discReqListView{}
	if v.Items, err = s.discListed(r, items); err != nil {
		return err
	}
	p := s.page(r, "disclosure_req.overdue.title")
	p.Data = v
	return s.render(w, r, "disclosure_req_overdue", p)
}

// apiDiscRequests lists one organ's requests (?organ=, required) with
// their standing; ?overdue=1 lists the overdue ones of every organ read.
func (s *Server) apiDiscRequests(w http.ResponseWriter, r *http.Request) error {
	f, err := s.discFilter(r, nil, false)
	if err != nil {
		return err
	}
	f.Overdue = r.URL.Query().Get("overdue") == "1"
	items, err := s.DiscRequests.List(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	listed, err := s.discListed(r, items)
	if err != nil {
		return err
	}
	return listJSON(w, listed, len(listed))
}

func (s *Server) apiDiscRequest(w http.ResponseWriter, r *http.Request) error {
	q, _, err := s.DiscRequests.Get(r.Context(), actor(r), r.PathValue("no"))
	if err != nil {
		return err
	}
	v, err := s.discReqView(r, q, false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"request": q, "standing": v.Standing, "events": v.Events})
}
