package web

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/checkpoint"
	"onestop/internal/corrections"
	"onestop/internal/org"
	"onestop/internal/store"
)

// The record for an auditor (issue 12 item 7): the supervisor and the
// leader verify the chains as `onestop verify` does, see the daily signed
// checkpoints, and take away one case's evidence (supervision_evidence.go).

var recordReaders = roles(org.Supervisor, org.Leader)

func (s *Server) registerRecord() {
	s.handle("GET /supervision/record", recordReaders, s.recordPage)
	s.handle("POST /supervision/record/verify", recordReaders, s.recordVerify)
	s.handle("GET /supervision/evidence", recordReaders, s.evidenceLookup)
	s.handle("GET /supervision/cases/{no}/evidence.zip", recordReaders, s.evidenceZip)
}

// maxKeptBreaks bounds the breaks a run keeps for the page: a record
// broken in a million places needs its first thousand to be seen, and
// `onestop verify` names them all.
const maxKeptBreaks = 1000

// verifyJob is the one verification a server process runs at a time. A
// full verification reads every event of every case (and re-hashes every
// stored file), minutes to hours on a province's database, so it runs in
// the background on the read pool, streaming a range of case ids at a time
// (cases.VerifyAll), and the page shows its progress; a request never
// waits for it. One run serves every viewer: each sees the breaks of the
// counties they cover (a case's county is looked up when it breaks).
type verifyJob struct {
	mu       sync.Mutex
	running  bool
	started  time.Time
	finished time.Time
	by       string
	lastID   int64
	maxID    int64
	res      cases.VerifyResult
	orders   int
	cps      int
	breaks   []recordBreak
	more     int
	err      string
}

// recordBreak is one break, with the county it is in ("" when unknown:
// only a province-wide viewer sees it).
type recordBreak struct {
	Region string
	// All: a checkpoint's problem, which names a day of the whole
	// installation, not a case: every viewer sees it.
	All  bool
	What string
}

// verifyStatus is the job as one viewer sees it.
type verifyStatus struct {
	Ran, Running      bool
	Started, Finished time.Time
	By                string
	Percent           int
	Cases, Events     int
	Files, Orders     int
	Checkpoints       int
	Unrecorded        int
	Breaks            []string
	// Hidden counts the breaks kept beyond the first thousand.
	Hidden int
	Err    string
}

func (j *verifyJob) status(a org.Actor) verifyStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	st := verifyStatus{Ran: !j.started.IsZero(), Running: j.running, Started: j.started, Finished: j.finished, By: j.by,
		Cases: j.res.Cases, Events: j.res.Events, Files: j.res.Files, Orders: j.orders, Checkpoints: j.cps, Unrecorded: j.res.Unrecorded,
		Hidden: j.more, Err: j.err}
	if j.maxID > 0 {
		st.Percent = int(min(100, j.lastID*100/j.maxID))
	}
	if !j.running && st.Ran && st.Err == "" {
		st.Percent = 100
	}
	for _, b := range j.breaks {
		if b.All || a.Province || (b.Region != "" && a.CoversRegion(b.Region)) {
			st.Breaks = append(st.Breaks, b.What)
		}
	}
	return st
}

// start begins a run unless one is running; it reports whether it did.
func (j *verifyJob) start(s *Server, a org.Actor) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.running {
		return false
	}
	// Field by field: the mutex, held here, must not be overwritten.
	j.running, j.started, j.finished, j.by = true, s.Now().UTC(), time.Time{}, a.Name
	j.lastID, j.maxID, j.res, j.orders, j.cps, j.breaks, j.more, j.err = 0, 0, cases.VerifyResult{}, 0, 0, nil, 0, ""
	// Not the request's context: the run outlives the request that
	// started it, and ends with the process.
	go j.run(context.Background(), s)
	return true
}

func (j *verifyJob) add(b recordBreak) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.breaks) >= maxKeptBreaks {
		j.more++
		return
	}
	j.breaks = append(j.breaks, b)
}

func (j *verifyJob) run(ctx context.Context, s *Server) {
	var caseBreaks []cases.Break
	res, err := cases.VerifyAll(ctx, s.DB, cases.VerifyOptions{
		Files: s.Files,
		Report: func(b cases.Break) {
			if len(caseBreaks) < maxKeptBreaks {
				caseBreaks = append(caseBreaks, b)
			}
		},
		Progress: func(r cases.VerifyResult, last int64) {
			j.mu.Lock()
			j.res, j.lastID, j.maxID = r, r.LastID, last
			j.mu.Unlock()
		},
	})
	for _, b := range caseBreaks {
		j.add(recordBreak{Region: caseRegion(ctx, s.DB, b.CaseNo), What: b.Error()})
	}
	if res.Breaks > len(caseBreaks) {
		j.mu.Lock()
		j.more += res.Breaks - len(caseBreaks)
		j.mu.Unlock()
	}
	orders := 0
	if err == nil {
		orders, err = corrections.Verify(ctx, s.DB.Read(), func(b corrections.Break) { j.add(recordBreak{Region: b.Region, What: b.String()}) })
	}
	if err == nil {
		var diffs []corrections.TotalsDiff
		if diffs, err = corrections.CheckTotals(ctx, s.DB.Read()); err == nil {
			for _, d := range diffs {
				var region string
				_ = s.DB.Read().QueryRowContext(ctx, `SELECT COALESCE(region_code, '') FROM departments WHERE id = $1`, d.DepartmentID).Scan(&region)
				j.add(recordBreak{Region: region, What: "totals: " + d.String()})
			}
		}
	}
	cps := 0
	if err == nil {
		// As the command does: the keys recorded in the database, and the
		// key this server signs with.
		extra := map[string]ed25519.PublicKey{}
		if k := s.Checkpoints.Key; k != nil {
			extra[k.ID] = k.Public
		}
		cps, err = checkpoint.VerifyStored(ctx, s.DB, extra, func(p checkpoint.Problem) { j.add(recordBreak{All: true, What: p.String()}) })
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.res, j.orders, j.cps, j.running, j.finished = res, orders, cps, false, s.Now().UTC()
	j.lastID = j.maxID
	if err != nil {
		s.Log.Error("record verification", "err", err)
		j.err = "auditor.verify_failed"
	}
}

// caseRegion is the division code of the centre of the case numbered no,
// or, when the case is gone, of the centre whose code starts the number.
func caseRegion(ctx context.Context, db *store.DB, no string) string {
	var region string
	q := db.Read()
	if err := q.QueryRowContext(ctx, `SELECT ce.region_code FROM cases c JOIN centres ce ON ce.id = c.centre_id WHERE c.no = $1`, no).Scan(&region); err == nil {
		return region
	}
	_ = q.QueryRowContext(ctx, `SELECT region_code FROM centres WHERE $1 LIKE UPPER(code) || '%' ORDER BY LENGTH(code) DESC LIMIT 1`, no).Scan(&region)
	return region
}

// recordView is the record page's data.
type recordView struct {
	Verify      verifyStatus
	Checkpoints []checkpoint.Checkpoint
	Total       int
	Key         *checkpoint.PublicKey
	No          string
}

func (s *Server) recordPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	ctx := r.Context()
	p := s.page(r, "auditor.title")
	v := &recordView{Verify: s.verify.status(a), No: readQuery(r).Text("no")}
	_, total, err := s.Checkpoints.List(ctx, calendar.Date{}, calendar.Date{}, 0, 0)
	if err != nil {
		return err
	}
	items, _, err := s.Checkpoints.List(ctx, calendar.Date{}, calendar.Date{}, 7, max(0, total-7))
	if err != nil {
		return err
	}
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	v.Checkpoints, v.Total = items, total
	if keys, err := s.Checkpoints.Keys(ctx); err == nil && len(keys) > 0 {
		v.Key = &keys[len(keys)-1]
	} else if err != nil {
		return err
	}
	p.Data = v
	return s.render(w, r, "supervision_record", p)
}

func (s *Server) recordVerify(w http.ResponseWriter, r *http.Request) error {
	if s.verify.start(s, actor(r)) {
		s.flash(r, "auditor.verify_started")
	} else {
		s.flash(r, "auditor.verify_running")
	}
	http.Redirect(w, r, "/supervision/record", http.StatusSeeOther)
	return nil
}

// evidenceLookup turns the record page's case-number box (a GET form,
// so it works without JavaScript) into the bundle's address.
func (s *Server) evidenceLookup(w http.ResponseWriter, r *http.Request) error {
	no := strings.ToUpper(readQuery(r).Text("no"))
	if no == "" {
		http.Redirect(w, r, "/supervision/record", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/supervision/cases/"+url.PathEscape(no)+"/evidence.zip", http.StatusSeeOther)
	return nil
}
