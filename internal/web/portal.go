package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"onestop/internal/bulletin"
	"onestop/internal/catalogue"
	"onestop/internal/notice"
	"onestop/internal/org"
	"onestop/internal/publicity"
)

// The public portal (issue 13 §1): the home page a county's 政务服务网
// publishes, and the care mode (关怀版). docs/ARCHITECTURE.md §11.

func (s *Server) registerPortal() {
	s.handle("GET /care", everyone, s.careSwitch)
	s.handleReads("GET /guide/bundles/{code}", everyone, s.bundlePage)
	s.registerNotices()
	s.registerPublicity()
}

// Audiences of the home page's tabs: ?for=person (个人办事) or
// ?for=company (法人办事), as the catalogue's audiences.
var portalAudiences = map[string]string{"person": "citizen", "company": "organisation"}

// portalCacheFor is how long the home page's browsing lists (themes, hot
// items, bundles) are kept: they change with the catalogue and the cases
// of a month, so minutes of staleness are invisible, and the home page
// is the most visited page of the site.
const portalCacheFor = 5 * time.Minute

// portalLists are the slow parts of the home page for one audience.
type portalLists struct {
	at      time.Time
	Themes  []portalTheme
	Hot     []publicity.Hot
	HotNone bool // no cases lately: the list is the catalogue's first items
	Bundles []catalogue.Composite
}

type portalTheme struct {
	Name, URL string
	N         int
}

// portalCache keeps portalLists per audience, and the per-address limits
// of the case publicity (publicity.go).
type portalCache struct {
	mu     sync.Mutex
	sets   map[string]*portalLists
	limits addressLimits
}

func (s *Server) portalLists(ctx context.Context, audience string) (*portalLists, error) {
	c := &s.portal
	now := s.Now()
	c.mu.Lock()
	l := c.sets[audience]
	c.mu.Unlock()
	if l != nil && now.Sub(l.at) < portalCacheFor && !now.Before(l.at) {
		return l, nil
	}
	l = &portalLists{at: now}
	for _, th := range catalogue.Themes {
		_, n, err := s.Catalogue.List(ctx, catalogue.Filter{Theme: th, Audience: audience, Limit: 1})
		if err != nil {
			return nil, err
		}
		if n > 0 {
			v := url.Values{"theme": {th}}
			if audience != "" {
				v.Set("audience", audience)
			}
			l.Themes = append(l.Themes, portalTheme{Name: th, URL: "/guide?" + v.Encode(), N: n})
		}
	}
	hot, err := publicity.HotItems(ctx, s.DB, now, 30)
	if err != nil {
		return nil, err
	}
	for _, h := range hot {
		it, err := s.Catalogue.Item(ctx, h.Code)
		if err != nil {
			return nil, err
		}
		if audience == "" || catalogue.Serves(it.Audience, audience) {
			l.Hot = append(l.Hot, h)
		}
		if len(l.Hot) == 8 {
			break
		}
	}
	if len(l.Hot) == 0 {
		// A new installation has no cases: the catalogue's own order.
		items, _, err := s.Catalogue.List(ctx, catalogue.Filter{Audience: audience, Limit: 8})
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			l.Hot = append(l.Hot, publicity.Hot{Code: it.Code, Name: it.Name})
		}
		l.HotNone = true
	}
	if l.Bundles, err = s.Catalogue.Composites(ctx); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.sets == nil {
		c.sets = map[string]*portalLists{}
	}
	c.sets[audience] = l
	c.mu.Unlock()
	return l, nil
}

// portalView is the home page's data.
type portalView struct {
	Centre *org.Centre
	Hours  string // the centre's opening hours today, of the season
	For    string // person, company or "" (both)
	Tabs   []guideTab
	*portalLists
	Notices   []notice.Notice
	Bulletin  *bulletin.Published
	Publicity []publicity.Case
	Applicant bool
}

// portalHome is GET / for visitors.
func (s *Server) portalHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := readQuery(r)
	v := &portalView{For: q.Text("for"), Applicant: s.Sessions.GetInt64(ctx, sessApplicant) != 0}
	audience, ok := portalAudiences[v.For]
	if !ok {
		// 个人办事 is the first tab, as on every county portal: most
		// visitors are citizens.
		v.For, audience = "person", portalAudiences["person"]
	}
	for _, t := range []struct{ key, label string }{{"person", "guide.tab.citizen"}, {"company", "guide.tab.organisation"}} {
		v.Tabs = append(v.Tabs, guideTab{Label: t.label, URL: "/?for=" + t.key + "#portal-browse", Current: t.key == v.For})
	}
	var err error
	if v.Centre, err = s.portalCentre(ctx); err != nil {
		return err
	}
	if v.Centre != nil {
		v.Hours = v.Centre.HoursOn(s.Now())
	}
	if v.portalLists, err = s.portalLists(ctx, audience); err != nil {
		return err
	}
	if v.Notices, _, err = s.Notices.Latest(ctx, notice.Filter{Limit: 5}); err != nil {
		return err
	}
	bs, _, err := s.Bulletins.List(ctx, bulletin.Filter{Limit: 1})
	if err != nil {
		return err
	}
	if len(bs) > 0 {
		v.Bulletin = &bs[0]
	}
	if v.Publicity, _, err = publicity.List(ctx, s.DB, s.Now(), publicity.Filter{Limit: 5}); err != nil {
		return err
	}
	p := s.page(r, "portal.title")
	if v.Centre != nil {
		p.Title = v.Centre.Name
	}
	p.Data = v
	return s.render(w, r, "portal", p)
}

// portalCentre is the centre the portal speaks for: the county hall (the
// first one, for an installation holding several counties).
func (s *Server) portalCentre(ctx context.Context) (*org.Centre, error) {
	halls, _, err := s.Org.Centres(ctx, "hall", org.ListOptions{Limit: 1})
	if err != nil || len(halls) == 0 {
		return nil, err
	}
	return &halls[0], nil
}

// careCookie remembers the care mode (关怀版) for a year.
const careCookie = "care"

// careSwitch turns the care mode on (?on=1) or off (?on=0) and returns to
// next, a local path only: the switch must not send anyone to another
// site (an open redirect would lend the government's address to a
// phishing link).
func (s *Server) careSwitch(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r)
	on := q.Text("on")
	if on != "1" && on != "0" {
		q.f.Add("on", "error.choose")
	}
	if err := q.Err(); err != nil {
		return err
	}
	c := &http.Cookie{Name: careCookie, Value: "1", Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.Config.SecureCookies}
	if on == "0" {
		c.Value, c.MaxAge = "", -1
	}
	http.SetCookie(w, c)
	next := safeNext(q.Get("next"))
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// CareMode reports whether the page is shown in the care mode.
func (p *Page) CareMode() bool { return p.care }

// CareURL is the switch's link from this page, back to it.
func (p *Page) CareURL() string {
	on := "1"
	if p.care {
		on = "0"
	}
	next := p.Path
	if p.Query != "" {
		next += "?" + p.Query
	}
	return "/care?" + url.Values{"on": {on}, "next": {next}}.Encode()
}

// careOn reads the care cookie.
func careOn(r *http.Request) bool {
	c, err := r.Cookie(careCookie)
	return err == nil && c.Value == "1"
}

// siteFooter are the footer fields every page carries, from the --site-*
// flags; the empty ones are not shown. 政府网站发展指引 (国办发〔2017〕47号)
// lists them for the foot of a government site; the ICP number links to
// the MIIT filing system (信息产业部令第33号 Art. 13). docs/DOMAIN.md §13.
type siteFooter struct {
	Organiser, SiteCode, ICP, Police, Contact string
}

// Any reports whether there is a field to show.
func (f siteFooter) Any() bool {
	return f.Organiser != "" || f.SiteCode != "" || f.ICP != "" || f.Police != "" || f.Contact != ""
}

// PoliceURL is the public-security filing's page on beian.mps.gov.cn:
// its query takes the filing's digits ("京公网安备 11010502030143号" →
// 11010502030143), as the filing rules ask the link to carry.
func (f siteFooter) PoliceURL() string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, f.Police)
	return "https://beian.mps.gov.cn/#/query/webSearch?code=" + url.QueryEscape(digits)
}

// SiteFooter is the footer of this site.
func (p *Page) SiteFooter() siteFooter {
	c := p.s.Config
	return siteFooter{Organiser: c.Organiser, SiteCode: c.SiteCode, ICP: c.ICP, Police: c.PublicSecurityFiling, Contact: c.Contact}
}

// bundleView is a life-event bundle's public card.
type bundleView struct {
	Bundle catalogue.Composite
}

// bundlePage is the public card of a bundle (一件事): what it joins and
// where each part's own card is, the promised time, and the one online
// application for all of it.
func (s *Server) bundlePage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Catalogue.Composite(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	c.Items = slices.DeleteFunc(c.Items, func(it catalogue.Item) bool { return it.Status != catalogue.InForce })
	p := s.page(r, "portal.bundle")
	p.Title = c.Name
	p.Data = bundleView{Bundle: c}
	return s.render(w, r, "portal_bundle", p)
}
