package web

import (
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"onestop/internal/apperr"
	"onestop/internal/catalogue"
	"onestop/internal/publicity"
)

// Case publicity (办件公示, issue 13 §2): recent cases with the applicant
// masked (publicity.List). The list is public, so it is throttled per
// address: a page of 20 every few seconds is plenty for a reader, and
// scraping the county's cases would take long.

func (s *Server) registerPublicity() {
	s.handleReads("GET /publicity", everyone, s.publicityPage)
	s.handleReads("GET /api/v1/open/publicity", everyone, s.apiPublicity)
}

// publicityRate: a burst of 20 requests, then one every 3 seconds, per
// address (a hall's kiosks share one address and stay well inside it).
var publicityRate = struct {
	every time.Duration
	burst int
}{3 * time.Second, 20}

// addressLimits are token buckets per client address, in this process.
// The map is dropped whole when it grows past maxAddresses: a flood of
// addresses costs memory otherwise, and a fresh bucket is full anyway.
type addressLimits struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

const maxAddresses = 10000

func (l *addressLimits) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil || len(l.buckets) > maxAddresses {
		l.buckets = map[string]*rate.Limiter{}
	}
	b := l.buckets[addr]
	if b == nil {
		b = rate.NewLimiter(rate.Every(publicityRate.every), publicityRate.burst)
		l.buckets[addr] = b
	}
	return b.AllowN(now, 1)
}

var errPublicityBusy = apperr.New(apperr.TooMany, "publicity.throttled")

// publicityFilter reads ?department= (id or code), ?item= (a code), and
// the page. An unknown department or a malformed item code is a field
// error, never "every case".
func (s *Server) publicityFilter(r *http.Request) (publicity.Filter, error) {
	q := readQuery(r)
	var f publicity.Filter
	f.Limit, f.Offset = q.Page(20, 50)
	dept, ok, err := s.departmentParam(r, q.Text("department"))
	if err != nil {
		return f, err
	}
	if !ok {
		q.f.Add("department", "error.choose")
	}
	f.DepartmentID = dept
	if f.ItemCode = q.Text("item"); f.ItemCode != "" && !catalogue.ValidCode(f.ItemCode) {
		q.f.Add("item", "publicity.bad_item")
	}
	return f, q.Err()
}

func (s *Server) publicity(r *http.Request) ([]publicity.Case, int, publicity.Filter, error) {
	if !s.portal.limits.allow(clientAddress(r), s.Now()) {
		return nil, 0, publicity.Filter{}, errPublicityBusy
	}
	f, err := s.publicityFilter(r)
	if err != nil {
		return nil, 0, f, err
	}
	items, total, err := publicity.List(r.Context(), s.DB, s.Now(), f)
	return items, total, f, err
}

type publicityView struct {
	Items       []publicity.Case
	Pager       pager
	Department  string
	Item        string
	Departments []catalogue.DepartmentStats
}

func (s *Server) publicityPage(w http.ResponseWriter, r *http.Request) error {
	items, total, f, err := s.publicity(r)
	if err != nil {
		return err
	}
	st, err := s.Catalogue.Stats(r.Context())
	if err != nil {
		return err
	}
	q := readQuery(r)
	v := publicityView{Items: items, Pager: newPager(r, total, f.Offset, f.Limit), Department: q.Text("department"), Item: f.ItemCode}
	for _, d := range st.Departments {
		if d.InForce > 0 {
			v.Departments = append(v.Departments, d)
		}
	}
	p := s.page(r, "publicity.title")
	p.Data = v
	return s.render(w, r, "publicity", p)
}

func (s *Server) apiPublicity(w http.ResponseWriter, r *http.Request) error {
	items, total, _, err := s.publicity(r)
	if err != nil {
		return err
	}
	return listJSON(w, items, total)
}
