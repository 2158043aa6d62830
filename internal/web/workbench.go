package web

import (
	"net/http"
	"slices"
	"strconv"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/org"
)

// caseStates are the states a filter can pick, in lifecycle order.
var caseStates = []string{cases.Received, cases.Supplement, cases.InProgress, cases.Approved, cases.Refused, cases.Completed,
	cases.Delivered, cases.Declined, cases.Withdrawn, cases.Terminated}

// workbenchView is the inbox page.
type workbenchView struct {
	Items     []inboxRow
	Total     int
	Filter    cases.InboxFilter
	States    []string
	Channels  []string
	Townships []org.Centre
	Full      bool
	Prev      string
	Next      string
	Clerk     bool
	OwnQueue  bool // the role has a queue of its own ("all" widens it)
	// Queue is the calling panel of a clerk whose window serves a queue
	// group (queue_desk.go); nil otherwise.
	Queue *queueDesk
}

// inboxFilter reads the filters from the query: item, state, channel,
// township (a township centre's region code), all, limit, offset.
func inboxFilter(r *http.Request) cases.InboxFilter {
	q := readQuery(r)
	f := cases.InboxFilter{ItemCode: q.Text("item"), State: q.Get("state"), Channel: q.Get("channel"),
		RegionCode: q.Text("township"), All: q.Get("all") == "1" || q.Get("all") == "true" || q.Get("all") == "on"}
	f.Limit, f.Offset = q.Page(50, 200)
	if !slices.Contains(caseStates, f.State) {
		f.State = ""
	}
	if !slices.Contains(cases.Channels, f.Channel) {
		f.Channel = ""
	}
	return f
}

// workbench is the inbox: the cases waiting for me (or, with "all", every
// open case in my scope), the most urgent first.
func (s *Server) workbench(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	f := inboxFilter(r)
	list, total, err := s.Cases.Inbox(r.Context(), cases.StaffActor(a), f)
	if err != nil {
		return err
	}
	cal, err := s.Cases.WorkingCalendar(r.Context())
	if err != nil {
		return err
	}
	today := clock.Today(s.Now())
	rows := make([]inboxRow, 0, len(list))
	for _, c := range list {
		maskCase(c, &a)
		row := inboxRow{Case: c, Due: c.Due()}
		if row.Due != nil {
			var decided *calendar.Date
			if c.DecidedAt != nil {
				d := clock.Today(*c.DecidedAt)
				decided = &d
			}
			// One standing for the light and the days column, so they agree.
			st := clock.Stand(cal, *row.Due, decided, today, s.Cases.Light)
			row.Standing = &st
		}
		rows = append(rows, row)
	}
	townships, err := s.Org.Townships(r.Context(), a.County())
	if err != nil {
		return err
	}
	v := &workbenchView{Items: rows, Total: total, Filter: f, States: caseStates, Channels: cases.Channels, Townships: townships,
		Full: seesFullNumbers(a), Clerk: a.Role == org.Clerk, OwnQueue: cases.OwnQueue(a.Role)}
	if v.Queue, err = s.queueDeskOf(r, a); err != nil {
		return err
	}
	q := r.URL.Query()
	if f.Offset > 0 {
		q.Set("offset", strconv.Itoa(max(f.Offset-f.Limit, 0)))
		v.Prev = "?" + q.Encode()
	}
	if f.Offset+len(list) < total {
		q.Set("offset", strconv.Itoa(f.Offset+f.Limit))
		v.Next = "?" + q.Encode()
	}
	// The title says what the list shows: my queue, or every open case in
	// the scope (the county, for a supervisor or a leader).
	title := "workbench.title_scope"
	switch {
	case v.OwnQueue && !f.All:
		title = "workbench.title_mine"
	case a.CountyWide():
		title = "workbench.title_county"
	}
	p := s.page(r, title)
	p.Data = v
	return s.render(w, r, "workbench", p)
}

// apiInbox is the inbox as JSON: {"items": [...], "total": N}.
func (s *Server) apiInbox(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	list, total, err := s.Cases.Inbox(r.Context(), cases.StaffActor(a), inboxFilter(r))
	if err != nil {
		return err
	}
	for _, c := range list {
		maskCase(c, &a)
	}
	return listJSON(w, list, total)
}

// inboxRow is one case of the inbox with where it stands.
type inboxRow struct {
	*cases.Case
	Due      *calendar.Date  // the deadline, or the supplement-notice due date before acceptance
	Standing *clock.Standing // nil without a due day
}
