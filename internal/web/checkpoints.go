package web

import (
	"net/http"
	"net/url"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/checkpoint"
)

// The daily signed checkpoints are public (docs/ARCHITECTURE.md §5): anyone may keep
// them, and a kept checkpoint later proves that the record of its day and
// every day before was not changed. Only the published checkpoints are
// served here; the events they cover stay behind their usual access.

func (s *Server) registerCheckpoints() {
	s.handle("GET /checkpoints", everyone, s.checkpointsPage)
	s.handle("GET /api/v1/checkpoints", everyone, s.apiCheckpoints)
	s.handle("GET /api/v1/checkpoints/key", everyone, s.apiCheckpointKey)
}

// checkpointRange reads ?from=&to= (YYYY-MM-DD, either may be left out);
// a malformed day is the caller's mistake.
func checkpointRange(r *http.Request) (from, to calendar.Date, err error) {
	q := r.URL.Query()
	f := apperr.Fields{}
	for _, p := range []struct {
		name string
		d    *calendar.Date
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(p.name); v != "" {
			d, err := calendar.ParseDate(v)
			if err != nil {
				f.Add(p.name, "record.bad_day")
			}
			*p.d = d
		}
	}
	return from, to, f.Err()
}

func (s *Server) apiCheckpoints(w http.ResponseWriter, r *http.Request) error {
	from, to, err := checkpointRange(r)
	if err != nil {
		return err
	}
	o := listOptions(r)
	limit := o.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	items, total, err := s.Checkpoints.List(r.Context(), from, to, limit, o.Offset)
	if err != nil {
		return err
	}
	return listJSON(w, items, total)
}

// checkpointKey is the signing key now and every key that ever signed.
type checkpointKey struct {
	checkpoint.PublicKey
	Keys []checkpoint.PublicKey `json:"keys"`
}

func (s *Server) checkpointKey(r *http.Request) (*checkpointKey, error) {
	keys, err := s.Checkpoints.Keys(r.Context())
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, apperr.NotFoundf("entity.checkpoint_key")
	}
	return &checkpointKey{PublicKey: keys[len(keys)-1], Keys: keys}, nil
}

func (s *Server) apiCheckpointKey(w http.ResponseWriter, r *http.Request) error {
	k, err := s.checkpointKey(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, k)
}

// checkpointsView is the page's data: the newest days first.
type checkpointsView struct {
	Items      []checkpoint.Checkpoint
	Total      int
	Key        *checkpoint.PublicKey
	Keys       []checkpoint.PublicKey
	Prev, Next string
	APIURL     string
}

const checkpointsPerPage = 31

func (s *Server) checkpointsPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "record.title")
	ctx := r.Context()
	cs := s.Checkpoints
	_, total, err := cs.List(ctx, calendar.Date{}, calendar.Date{}, 0, 0)
	if err != nil {
		return err
	}
	// Newest first: page n shows the n-th block of days back from today.
	off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	off = max(0, min(off, total))
	start := max(0, total-off-checkpointsPerPage)
	items, _, err := cs.List(ctx, calendar.Date{}, calendar.Date{}, total-off-start, start)
	if err != nil {
		return err
	}
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	v := &checkpointsView{Items: items, Total: total, APIURL: "/api/v1/checkpoints"}
	if k, err := s.checkpointKey(r); err == nil {
		v.Key, v.Keys = &k.PublicKey, k.Keys
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	if off > 0 {
		v.Prev = "/checkpoints?" + url.Values{"offset": {strconv.Itoa(max(0, off-checkpointsPerPage))}}.Encode()
	}
	if start > 0 {
		v.Next = "/checkpoints?" + url.Values{"offset": {strconv.Itoa(off + checkpointsPerPage)}}.Encode()
	}
	p.Data = v
	return s.render(w, r, "checkpoints", p)
}
