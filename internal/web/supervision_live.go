package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/clock"
	"onestop/internal/modes"
	"onestop/internal/monitor"
	"onestop/internal/org"
)

// The live monitor (实时监控, issue 12 item 1): the supervision office's and
// the leader's start page, the hall's display wall, the stream that keeps
// both current, and the same counts as JSON.

// liveReaders are the efficiency-supervision office and the leaders: the
// board counts every case of a county, beyond any window's reach.
var liveReaders = roles(org.Supervisor, org.Leader)

// streamLife bounds one stream: the browser reconnects at once, and the
// reconnection passes the sign-in check again (a signed-out or retired
// account stops receiving).
const streamLife = 30 * time.Minute

// heartbeat keeps proxies from closing a quiet stream.
const heartbeat = 20 * time.Second

func (s *Server) registerLive() {
	s.handleReads("GET /supervision/live", liveReaders, s.livePage)
	s.handle("GET /supervision/live/stream", liveReaders, s.liveStream)
	s.handleReads("GET /supervision/live/{by}/{key}", liveReaders, s.liveGroupPage)
	s.handleReads("GET /supervision/wall", liveReaders, s.liveWall)
	s.handleReads("GET /api/v1/supervision/live", liveReaders, s.apiLive)
	s.handleReads("GET /api/v1/supervision/live/{by}/{key}", liveReaders, s.apiLiveGroup)
}

// liveScope reads ?by= and ?county= against the reader's reach.
func (s *Server) liveScope(r *http.Request) (monitor.Scope, monitor.Dim, error) {
	q := readQuery(r)
	by, ok := monitor.ParseDim(q.Text("by"))
	if !ok {
		q.f.Add("by", "monitor.bad_by")
	}
	if err := q.Err(); err != nil {
		return monitor.Scope{}, "", err
	}
	sc, err := monitor.ScopeOf(*reqInfo(r).Actor, q.Text("county"))
	if err != nil {
		return monitor.Scope{}, "", err
	}
	if by == monitor.County && !sc.Wide() {
		// One county has one row by county: not an error, just by department.
		by = monitor.Department
	}
	return sc, by, nil
}

// liveView is a board as pages and the stream show it: words translated,
// days formatted, links made.
type liveView struct {
	At            string          `json:"at"`
	Today         string          `json:"today"`
	By            monitor.Dim     `json:"by"`
	Wide          bool            `json:"wide"`
	Totals        monitor.Counts  `json:"totals"`
	Full          bool            `json:"full"`
	Groups        []liveGroupView `json:"groups"`
	Removed       []string        `json:"removed,omitempty"`
	UrgentChanged bool            `json:"urgent_changed"`
	Urgent        []liveRowView   `json:"urgent"`
}

type liveGroupView struct {
	monitor.Group
	Href string `json:"href"`
	Sort string `json:"sort"`
}

type liveRowView struct {
	monitor.Row
	StateText string `json:"state_text"`
	LightText string `json:"light_text"`
	Due       string `json:"due"`
	Href      string `json:"href"`
}

func (p *Page) liveRows(rows []monitor.Row) []liveRowView {
	out := make([]liveRowView, 0, len(rows))
	for _, r := range rows {
		out = append(out, liveRowView{Row: r, StateText: p.T("case.state." + r.State), LightText: p.CaseLight(r.Light),
			Due: p.Day(r.Deadline), Href: "/cases/" + url.PathEscape(r.No)})
	}
	return out
}

func (p *Page) liveView(u monitor.Update, wide bool) liveView {
	b := u.Board
	v := liveView{At: b.At.In(clock.Shanghai).Format("15:04:05"), Today: p.Day(b.At), By: b.By, Wide: wide, Totals: b.Totals,
		Full: u.Full, Removed: u.Removed, UrgentChanged: u.Full || u.UrgentChanged, Groups: []liveGroupView{}}
	groups := u.Changed
	if u.Full {
		groups = b.Groups
	}
	for _, g := range groups {
		v.Groups = append(v.Groups, liveGroupView{Group: g, Href: "/supervision/live/" + string(b.By) + "/" + url.PathEscape(g.Key),
			Sort: g.County + "/" + g.Code + "/" + g.Key})
	}
	if v.UrgentChanged {
		v.Urgent = p.liveRows(b.Urgent)
	}
	return v
}

// livePageData is what the live page and the wall render.
type livePageData struct {
	View       liveView
	Scope      monitor.Scope
	By         monitor.Dim
	Dims       []monitor.Dim
	County     string
	CountyName string
	Counties   []org.Region
	Stream     string
	// Links lead to the rest of supervision, as far as the reader may go;
	// OrderFrom names the page that issues a correction order on a case
	// ("" for a reader who may not issue one).
	Links     []liveLink
	OrderFrom string
}

type liveLink struct{ Href, Key string }

// liveLinks are the supervision pages the live monitor leads to (it is
// the supervisor's and the leader's home).
var liveLinks = []struct {
	liveLink
	who access
}{
	{liveLink{"/supervision/dashboard", "dashboard.title"}, bulletinReaders},
	{liveLink{"/supervision/bulletin", "bulletin.title"}, bulletinReaders},
	{liveLink{"/supervision/orders", "orders.title"}, orderReaders},
	{liveLink{"/supervision/record", "auditor.title"}, recordReaders},
}

func (s *Server) liveData(r *http.Request, p *Page) (*livePageData, error) {
	sc, by, err := s.liveScope(r)
	if err != nil {
		return nil, err
	}
	b, err := s.Monitor.Board(r.Context(), sc, by)
	if err != nil {
		return nil, err
	}
	d := &livePageData{View: p.liveView(monitor.Update{Board: b, Full: true}, sc.Wide()), Scope: sc, By: by, Dims: monitor.Dims,
		County: sc.County, CountyName: b.CountyName}
	if !sc.Wide() {
		d.Dims = monitor.Dims[:3]
	} else if d.Counties, err = s.Org.Counties(r.Context()); err != nil {
		return nil, err
	}
	if d.CountyName == "" {
		d.CountyName = p.T("monitor.all_counties")
	}
	q := url.Values{"by": {string(by)}}
	if sc.Actor.Province && sc.County != "" {
		q.Set("county", sc.County)
	}
	d.Stream = "/supervision/live/stream?" + q.Encode()
	for _, l := range liveLinks {
		if l.who.Allows(sc.Actor) {
			d.Links = append(d.Links, l.liveLink)
		}
	}
	if orderIssuers.Allows(sc.Actor) {
		d.OrderFrom = "/supervision/orders/new?case="
	}
	return d, nil
}

// livePage is the monitor: server-rendered, readable without JavaScript;
// live.js keeps it current through the stream.
func (s *Server) livePage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "monitor.title")
	d, err := s.liveData(r, p)
	if err != nil {
		return err
	}
	p.Data = d
	return s.render(w, r, "live", p)
}

// liveWall is the full-screen view for the hall's display wall.
func (s *Server) liveWall(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "monitor.wall_title")
	d, err := s.liveData(r, p)
	if err != nil {
		return err
	}
	p.Data = d
	return s.render(w, r, "live_wall", p)
}

// liveGroup reads a group's open cases (drill-down).
func (s *Server) liveGroup(r *http.Request) (monitor.Scope, monitor.Dim, []monitor.Row, int, int, int, error) {
	sc, err := monitor.ScopeOf(*reqInfo(r).Actor, readQuery(r).Text("county"))
	if err != nil {
		return sc, "", nil, 0, 0, 0, err
	}
	by, ok := monitor.ParseDim(r.PathValue("by"))
	if !ok || r.PathValue("by") == "" {
		return sc, "", nil, 0, 0, 0, apperr.NotFoundf("entity.monitor_group")
	}
	q := readQuery(r)
	mode := q.Text("mode")
	if mode != "" && !slices.Contains(modes.Modes, mode) {
		q.f.Add("mode", "monitor.bad_mode")
	}
	if err := q.Err(); err != nil {
		return sc, "", nil, 0, 0, 0, err
	}
	limit, offset := q.Page(50, 200)
	rows, total, err := s.Monitor.Cases(r.Context(), sc, by, r.PathValue("key"), mode, limit, offset)
	return sc, by, rows, total, limit, offset, err
}

func (s *Server) liveGroupPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "monitor.group_title")
	_, by, rows, total, limit, offset, err := s.liveGroup(r)
	if err != nil {
		return err
	}
	mode := r.URL.Query().Get("mode")
	data := map[string]any{"Rows": p.liveRows(rows), "Total": total, "By": by, "Key": r.PathValue("key"), "Order": "",
		"Mode": mode, "Modes": modes.Modes}
	if orderIssuers.Allows(*reqInfo(r).Actor) {
		data["Order"] = "/supervision/orders/new?case="
	}
	base := r.URL.Path + "?mode=" + url.QueryEscape(mode) + "&limit=" + strconv.Itoa(limit) + "&offset="
	if offset > 0 {
		data["Prev"] = base + strconv.Itoa(max(offset-limit, 0))
	}
	if offset+limit < total {
		data["Next"] = base + strconv.Itoa(offset+limit)
	}
	p.Data = data
	return s.render(w, r, "live_group", p)
}

// apiLive is the board as JSON: the same grouped counts.
func (s *Server) apiLive(w http.ResponseWriter, r *http.Request) error {
	sc, by, err := s.liveScope(r)
	if err != nil {
		return err
	}
	b, err := s.Monitor.Board(r.Context(), sc, by)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"at": b.At, "today": b.Today, "by": b.By, "county": b.County, "totals": b.Totals,
		"items": b.Groups, "total": len(b.Groups), "urgent": b.Urgent})
}

func (s *Server) apiLiveGroup(w http.ResponseWriter, r *http.Request) error {
	_, _, rows, total, _, _, err := s.liveGroup(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": rows, "total": total})
}

// liveStream pushes the board as server-sent events: a full board first,
// then what changed, whenever a case changes or the periodic recompute
// finds a light turned. It ends when the client goes, the server shuts
// down (the hub closes), or after streamLife.
func (s *Server) liveStream(w http.ResponseWriter, r *http.Request) error {
	sc, by, err := s.liveScope(r)
	if err != nil {
		return err
	}
	sub, err := s.Live.Subscribe(sc, by)
	if err != nil {
		return err
	}
	defer sub.Close()
	p := &Page{s: s, Lang: reqInfo(r).Lang}
	return streamEvents(w, r, sub.Done(), sub.C, "board", func(u monitor.Update) ([]byte, error) {
		return json.Marshal(p.liveView(u, sc.Wide()))
	})
}
