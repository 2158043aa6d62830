package web

import (
	"net/http"
	"slices"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/corrections"
	"onestop/internal/org"
	"onestop/internal/voice"
)

// The staff side of consultations, complaints and help requests: the
// inbox by reply deadline, the page to answer (or, for a complaint, to
// refer it to a department by a correction order and accept the reply),
// supervision's board of the clocks and the reply limits, and the JSON
// API. The route lets in who may ever use the page; internal/voice
// decides scope (out of scope is "not found") and who takes which step.
var (
	voiceActors      = roles(org.Clerk, org.Reviewer, org.Approver, org.DeptAdmin, org.CentreAdmin, org.Supervisor)
	voiceSupervision = roles(org.Supervisor, org.Leader)
)

// The audit log shows an enquiry's entries in the voice area's words.
func init() {
	auditAreas["enquiry"] = []string{"voice"}
	auditAreas["enquiry_deadlines"] = []string{"voice"}
}

func (s *Server) registerVoiceStaff() {
	s.handle("GET /enquiries", anyStaff, s.enquiriesPage)
	s.handle("GET /enquiries/{no}", anyStaff, s.enquiryPage)
	s.handle("POST /enquiries/{no}/{action}", voiceActors, s.enquiryStep)
	s.handle("GET /supervision/enquiries", voiceSupervision, s.enquiryBoard)
	s.handle("POST /supervision/enquiries/deadlines", roles(org.Supervisor), s.enquiryDeadlines)
	s.handle("GET /api/v1/enquiries", anyStaff, s.apiEnquiries)
	s.handle("GET /api/v1/enquiries/{no}", anyStaff, s.apiEnquiry)
}

// enquiryFilter reads ?kind=&state=&limit=&offset=; a kind or state that
// is not one is a field error, never "all".
func enquiryFilter(r *http.Request) (voice.Filter, error) {
	q := readQuery(r)
	f := voice.Filter{Kind: voice.Kind(q.Text("kind")), State: q.Text("state")}
	if f.Kind != "" && !f.Kind.Valid() {
		q.f.Add("kind", "error.choose")
	}
	if f.State != "" && !slices.Contains(voice.States, f.State) {
		q.f.Add("state", "error.choose")
	}
	f.Limit, f.Offset = q.Page(50, 200)
	return f, q.Err()
}

// enquiriesView is the inbox's data.
type enquiriesView struct {
	Items      []voice.Listed
	Total      int
	Filter     voice.Filter
	Kinds      []voice.Kind
	States     []string
	Prev, Next string
}

// listEnquiries is the inbox and the API's list: the caller's enquiries
// under the request's filter.
func (s *Server) listEnquiries(r *http.Request) ([]voice.Listed, int, voice.Filter, error) {
	f, err := enquiryFilter(r)
	if err != nil {
		return nil, 0, f, err
	}
	items, total, err := s.Voice.List(r.Context(), actor(r), f)
	return items, total, f, err
}

func (s *Server) enquiriesPage(w http.ResponseWriter, r *http.Request) error {
	items, total, f, err := s.listEnquiries(r)
	if err != nil {
		return err
	}
	v := &enquiriesView{Items: items, Total: total, Filter: f, Kinds: voice.Kinds, States: voice.States}
	page := func(off int) string {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(off))
		return "/enquiries?" + q.Encode()
	}
	if f.Offset > 0 {
		v.Prev = page(max(0, f.Offset-f.Limit))
	}
	if f.Offset+len(items) < total {
		v.Next = page(f.Offset + f.Limit)
	}
	p := s.page(r, "voice.inbox.title")
	p.Data = v
	return s.render(w, r, "enquiries", p)
}

// enquiryView is the detail page's data.
type enquiryView struct {
	*voice.Record
	Light       voice.Listed
	Allowed     []string
	Answer      bool
	Refer       bool
	Close       bool
	Accept      bool // the supervisor accepts the department's reply here
	Departments []org.Department
}

func (s *Server) enquiryPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderEnquiry(w, r, s.page(r, "voice.one"))
}

func (s *Server) renderEnquiry(w http.ResponseWriter, r *http.Request, p *Page) error {
	a := actor(r)
	rec, err := s.Voice.Get(r.Context(), a, r.PathValue("no"))
	if err != nil {
		return err
	}
	v := &enquiryView{Record: rec, Allowed: voice.Allowed(rec.Enquiry, a)}
	if v.Light, err = s.Voice.Standing(r.Context(), rec.Enquiry); err != nil {
		return err
	}
	for _, act := range v.Allowed {
		switch act {
		case voice.ActAnswer:
			v.Answer = true
		case voice.ActRefer:
			v.Refer = true
		case voice.ActClose:
			v.Close = true
		}
	}
	v.Accept = rec.OrderState == corrections.Replied && a.Role == org.Supervisor && rec.State == voice.Open
	if v.Refer {
		if v.Departments, err = s.orderDepartments(r, a); err != nil {
			return err
		}
		if p.Form["deadline_days"] == "" {
			p.Form["deadline_days"] = "5"
		}
	}
	if v.Accept && p.Form["public_reply"] == "" {
		p.Form["public_reply"] = rec.DeptReply
	}
	p.Title = p.T("voice.one_title", "No", rec.No)
	p.Data = v
	return s.render(w, r, "enquiry", p)
}

// enquiryStep takes a step from the detail page: answer, close, refer, or
// accept the department's reply on the order (with the text the
// complainant will read).
func (s *Server) enquiryStep(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	ctx := r.Context()
	a := actor(r)
	no, action := r.PathValue("no"), r.PathValue("action")
	form := r.PostForm
	version, _ := strconv.Atoi(form.Get("version"))
	var err error
	switch action {
	case voice.ActAnswer, voice.ActClose:
		_, err = s.Voice.Act(ctx, a, no, action, voice.StepInput{Version: version, Text: form.Get("text")})
	case voice.ActRefer:
		f := apperr.Fields{}
		in := voice.ReferInput{Version: version, DepartmentID: formID(f, "department_id", form.Get("department_id")), Instruction: form.Get("instruction")}
		in.DeadlineDays, _ = strconv.Atoi(form.Get("deadline_days"))
		if err = f.Err(); err == nil {
			_, err = s.Voice.Refer(ctx, a, no, in)
		}
	case corrections.ActAccept:
		var rec *voice.Record
		if rec, err = s.Voice.Get(ctx, a, no); err == nil {
			if rec.OrderID == 0 {
				err = apperr.New(apperr.Conflict, "voice.wrong_state", "Action", action, "State", rec.State)
			} else {
				ov, _ := strconv.Atoi(form.Get("order_version"))
				_, err = s.Orders.Act(ctx, a, rec.OrderID, corrections.ActAccept, corrections.StepInput{Version: ov, Public: form.Get("public_reply")})
			}
		}
	default:
		return apperr.New(apperr.NotFound, "voice.unknown_action", "Action", action)
	}
	if err != nil {
		ae := apperr.As(err)
		if ae == nil || (ae.Code != apperr.Invalid && ae.Code != apperr.Conflict) {
			return err
		}
		p := s.page(r, "voice.one")
		p.Problem, p.Status = s.i18n.Msg(p.Lang, ae.Msg), statusOf(ae.Code)
		for k, m := range ae.Fields {
			// The order's own field names, on this page's boxes.
			switch k {
			case "subject":
				k = "instruction"
			}
			p.Errors[k] = s.i18n.Msg(p.Lang, m)
		}
		for _, k := range []string{"text", "instruction", "department_id", "deadline_days", "public_reply"} {
			p.Form[k] = form.Get(k)
		}
		return s.renderEnquiry(w, r, p)
	}
	s.flash(r, "voice.done."+action)
	http.Redirect(w, r, "/enquiries/"+voice.NormalNo(no), http.StatusSeeOther)
	return nil
}

// enquiryBoardView is supervision's page.
type enquiryBoardView struct {
	*voice.Board
	Days     map[voice.Kind]int
	Kinds    []voice.Kind
	CanSet   bool
	Min, Max int
}

func (s *Server) enquiryBoard(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "voice.board.title")
	return s.renderBoard(w, r, p)
}

func (s *Server) renderBoard(w http.ResponseWriter, r *http.Request, p *Page) error {
	a := actor(r)
	b, err := s.Voice.Supervise(r.Context(), a)
	if err != nil {
		return err
	}
	v := &enquiryBoardView{Board: b, Kinds: voice.Kinds, CanSet: a.Role == org.Supervisor && a.County() != "", Min: voice.MinReplyDays, Max: voice.MaxReplyDays}
	if v.Days, err = s.Voice.ReplyDays(r.Context(), a.County()); err != nil {
		return err
	}
	for _, k := range voice.Kinds {
		if p.Form["days_"+string(k)] == "" {
			p.Form["days_"+string(k)] = strconv.Itoa(v.Days[k])
		}
	}
	p.Data = v
	return s.render(w, r, "enquiry_board", p)
}

// enquiryDeadlines saves the county's reply limits (the board's form).
func (s *Server) enquiryDeadlines(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	days := map[voice.Kind]int{}
	f := apperr.Fields{}
	for _, k := range voice.Kinds {
		name := "days_" + string(k)
		n, err := strconv.Atoi(r.PostFormValue(name))
		if err != nil {
			f.Add(name, "voice.days_range", "Min", voice.MinReplyDays, "Max", voice.MaxReplyDays)
			continue
		}
		days[k] = n
	}
	err := f.Err()
	if err == nil {
		err = s.Voice.SetReplyDays(r.Context(), actor(r), days)
	}
	if err != nil {
		p := s.page(r, "voice.board.title")
		for _, k := range voice.Kinds {
			p.Form["days_"+string(k)] = r.PostFormValue("days_" + string(k))
		}
		ae := apperr.As(err)
		if ae == nil || ae.Code != apperr.Invalid {
			return err
		}
		p.Problem, p.Status = s.i18n.Msg(p.Lang, ae.Msg), statusOf(ae.Code)
		for k, m := range ae.Fields {
			p.Errors[k] = s.i18n.Msg(p.Lang, m)
		}
		return s.renderBoard(w, r, p)
	}
	s.flash(r, "voice.board.saved")
	http.Redirect(w, r, "/supervision/enquiries", http.StatusSeeOther)
	return nil
}

func (s *Server) apiEnquiries(w http.ResponseWriter, r *http.Request) error {
	items, total, _, err := s.listEnquiries(r)
	if err != nil {
		return err
	}
	return listJSON(w, items, total)
}

func (s *Server) apiEnquiry(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.Voice.Get(r.Context(), actor(r), r.PathValue("no"))
	if err != nil {
		return err
	}
	l, err := s.Voice.Standing(r.Context(), rec.Enquiry)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"enquiry": rec, "standing": l.Standing})
}
