package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/clock"
	"onestop/internal/queue"
)

// Queue tickets, the public side (排队叫号, issue 15 §4): the hall's kiosk,
// the portal's "take a number before coming", a ticket's own page, and
// the hall's screen with its live stream.
//
// The kiosk is a browser in the hall opened at the centre's public address
// /queue/kiosk/{centre} — no device key: a ticket carries no personal data
// and is worth nothing outside the hall, so what needs guarding is only
// one person draining the numbers, which the issue throttle does
// (Services.QueueThrottle). docs/ARCHITECTURE.md §21.

func (s *Server) registerQueue() {
	s.handle("GET /queue/kiosk/{centre}", everyone, s.queuePlacePage(queueKiosk))
	s.handle("POST /queue/kiosk/{centre}", everyone, s.queuePlaceIssue(queueKiosk))
	s.handle("GET /queue/take", everyone, s.queueTakeCentres)
	s.handle("GET /queue/take/{centre}", everyone, s.queuePlacePage(queuePortal))
	s.handle("POST /queue/take/{centre}", everyone, s.queuePlaceIssue(queuePortal))
	s.handle("GET /queue/tickets/{id}", everyone, s.queueTicketPage)
	s.handle("GET /queue/screen/{centre}", everyone, s.queueScreen)
	s.handle("GET /queue/screen/{centre}/stream", everyone, s.queueScreenStream)
	s.handle("GET /api/v1/queue/screen/{centre}", everyone, s.apiQueueScreen)
}

// queueCentre reads the {centre} of the path.
func (s *Server) queueCentre(r *http.Request) (queue.Centre, error) {
	return s.Queue.CentreByCode(r.Context(), r.PathValue("centre"))
}

// queueKioskView is the kiosk's and the portal form's data.
type queueKioskView struct {
	Centre queue.Centre
	Groups []queue.Group
	// Waiting counts the line of each group by prefix.
	Waiting map[string]int
}

func (s *Server) queueKioskData(r *http.Request) (*queueKioskView, error) {
	c, err := s.queueCentre(r)
	if err != nil {
		return nil, err
	}
	gs, err := s.Queue.Groups(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	sc, err := s.Queue.Screen(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	v := &queueKioskView{Centre: c, Groups: gs, Waiting: map[string]int{}}
	for _, g := range sc.Groups {
		v.Waiting[g.Prefix] = g.Waiting
	}
	return v, nil
}

// queuePlace is one of the two public places a ticket is taken: the
// hall's kiosk (a touch screen, a large button per group) and the
// portal's form (a group and a phone).
type queuePlace struct{ channel, page, title string }

var (
	queueKiosk  = queuePlace{queue.Kiosk, "queue_kiosk", "queue.kiosk_title"}
	queuePortal = queuePlace{queue.Portal, "queue_take", "queue.take_title"}
)

// queuePlacePage shows the place's groups of the centre in the path.
func (s *Server) queuePlacePage(pl queuePlace) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := s.queueKioskData(r)
		if err != nil {
			return err
		}
		p := s.page(r, pl.title)
		p.Data = v
		return s.render(w, r, pl.page, p)
	}
}

// queuePlaceIssue issues a ticket at the place under the throttle and
// sends the browser to the ticket's page; a refusal is said on the
// place's page.
func (s *Server) queuePlaceIssue(pl queuePlace) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return apperr.New(apperr.Invalid, "error.bad_form")
		}
		v, err := s.queueKioskData(r)
		if err != nil {
			return err
		}
		p := s.page(r, pl.title)
		p.Data = v
		return s.queueIssue(w, r, pl.channel, pl.page, v, p)
	}
}

func (s *Server) queueIssue(w http.ResponseWriter, r *http.Request, channel, page string, v *queueKioskView, p *Page) error {
	f := apperr.Fields{}
	in := queue.IssueInput{CentreID: v.Centre.ID, GroupID: formID(f, "group", r.PostFormValue("group")), Channel: channel, Phone: r.PostFormValue("phone")}
	p.Form["phone"], p.Form["group"] = in.Phone, r.PostFormValue("group")
	if err := f.Err(); err != nil {
		return s.formFailed(w, r, page, p, err)
	}
	ctx, now := r.Context(), s.Now()
	account := "queue"
	addr := "queue:" + clientAddress(r)
	th := s.QueueThrottle
	blocked, until, err := th.Blocked(ctx, account, addr, now)
	if err != nil {
		return err
	}
	if blocked {
		return s.formFailed(w, r, page, p, throttled(now, until, "queue.throttled"))
	}
	t, err := s.Queue.Issue(ctx, in)
	if err != nil {
		return s.formFailed(w, r, page, p, err)
	}
	if err := th.Fail(ctx, account, addr, now); err != nil {
		return err
	}
	q := url.Values{"no": {t.No}}
	if channel == queue.Kiosk {
		q.Set("kiosk", "1")
	}
	http.Redirect(w, r, "/queue/tickets/"+strconv.FormatInt(t.ID, 10)+"?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// queueTakeCentres lists the centres where a number can be taken.
func (s *Server) queueTakeCentres(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Queue.Centres(r.Context())
	if err != nil {
		return err
	}
	p := s.page(r, "queue.take_title")
	p.Data = cs
	return s.render(w, r, "queue_take_centres", p)
}

// queueTicketView is a ticket's page: the slip at the kiosk, the answer
// on the portal.
type queueTicketView struct {
	T     queue.Issued
	Kiosk string // the kiosk to return to, at the kiosk
	At    string
}

// queueTicketPage shows a ticket to whoever holds its id and number.
func (s *Server) queueTicketPage(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFoundf("entity.ticket")
	}
	q := readQuery(r)
	t, err := s.Queue.Status(r.Context(), id, q.Text("no"))
	if err != nil {
		return err
	}
	p := s.page(r, "queue.ticket_title")
	v := &queueTicketView{T: t, At: t.IssuedAt.In(clock.Shanghai).Format("2006-01-02 15:04")}
	if q.Get("kiosk") == "1" {
		c, err := s.Org.Centre(r.Context(), t.CentreID)
		if err != nil {
			return err
		}
		v.Kiosk = "/queue/kiosk/" + url.PathEscape(c.Code)
	}
	p.Data = v
	return s.render(w, r, "queue_ticket", p)
}

// queueScreenView is the hall screen as the page and the stream show it.
type queueScreenView struct {
	Calls  []queueCallView     `json:"calls"`
	Groups []queue.GroupCounts `json:"groups"`
	// Say is the newest call as one line to read out (or show in a
	// ticker): "请 A012 号到 3 号窗口办理".
	Say string `json:"say"`
	At  string `json:"at"`
}

type queueCallView struct {
	queue.Call
	Text string `json:"text"`
}

func (p *Page) queueScreen(sc queue.Screen, now time.Time) queueScreenView {
	v := queueScreenView{Calls: []queueCallView{}, Groups: sc.Groups, At: now.In(clock.Shanghai).Format("15:04")}
	for i, c := range sc.Calls {
		cv := queueCallView{Call: c, Text: p.T("queue.call_text", "No", c.No, "Window", c.Window)}
		if i == 0 {
			v.Say = cv.Text
		}
		v.Calls = append(v.Calls, cv)
	}
	return v
}

type queueScreenPage struct {
	Centre queue.Centre
	View   queueScreenView
	Stream string
}

// queueScreen is the hall's screen: the calls and the lines, kept current
// by queue.js through the stream.
func (s *Server) queueScreen(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "queue.screen_title")
	c, v, err := s.queueScreenOf(r, p)
	if err != nil {
		return err
	}
	p.Title = c.Name + " · " + p.Title
	p.Data = &queueScreenPage{Centre: c, View: v, Stream: r.URL.Path + "/stream"}
	return s.render(w, r, "queue_screen", p)
}

// queueScreenOf reads the screen of the centre in the path.
func (s *Server) queueScreenOf(r *http.Request, p *Page) (queue.Centre, queueScreenView, error) {
	c, err := s.queueCentre(r)
	if err != nil {
		return c, queueScreenView{}, err
	}
	sc, err := s.Queue.Screen(r.Context(), c.ID)
	if err != nil {
		return c, queueScreenView{}, err
	}
	return c, p.queueScreen(sc, s.Now()), nil
}

// queueScreenStream pushes the screen on every change at the centre (and
// on the hub's tick), skipping a reading that says nothing new.
func (s *Server) queueScreenStream(w http.ResponseWriter, r *http.Request) error {
	c, err := s.queueCentre(r)
	if err != nil {
		return err
	}
	watch, err := s.QueueHub.Subscribe(c.ID)
	if err != nil {
		return err
	}
	defer watch.Close()
	p := &Page{s: s, Lang: reqInfo(r).Lang}
	var last []byte
	return streamEvents(w, r, watch.Done(), watch.C, "screen", func(struct{}) ([]byte, error) {
		sc, err := s.Queue.Screen(r.Context(), c.ID)
		if err != nil {
			return nil, err
		}
		v := p.queueScreen(sc, s.Now())
		v.At = "" // the clock alone is no news
		b, err := json.Marshal(v)
		if err != nil || bytes.Equal(b, last) {
			return nil, err
		}
		last = b
		return b, nil
	})
}

func (s *Server) apiQueueScreen(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.queueScreenOf(r, &Page{s: s, Lang: reqInfo(r).Lang})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}
