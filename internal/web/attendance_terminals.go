package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/attendance"
)

// Attendance terminals (issue 15 §1): the documented HTTP API
// (POST /api/v1/punches, Bearer key of the terminal) and ZKTeco's iclock
// push (docs/INTEGRATIONS.md §1), authenticated by the terminal's
// registered serial. Both sit outside sessions and CSRF (access.ClientKey,
// listed by attendanceDeviceRoute); their handlers call only the
// attendance service's terminal methods, so nothing else is reachable.

const punchesPath = "/api/v1/punches"

// iclockPaths are the push protocol's calls a terminal makes.
var iclockPaths = []string{"/iclock/cdata", "/iclock/getrequest", "/iclock/devicecmd", "/iclock/ping"}

// attendanceDeviceRoute reports whether r is a terminal's call.
func attendanceDeviceRoute(r *http.Request) bool {
	p := r.URL.Path
	if p == punchesPath {
		return true
	}
	for _, x := range iclockPaths {
		if p == x {
			return true
		}
	}
	return false
}

func (s *Server) registerAttendanceTerminals() {
	terminal := access{Public: true, ClientKey: true}
	s.handle("POST "+punchesPath, terminal, s.apiPunches)
	s.handle("GET /iclock/cdata", terminal, s.iclockHandshake)
	s.handle("POST /iclock/cdata", terminal, s.iclockUpload)
	s.handle("GET /iclock/getrequest", terminal, s.iclockCommand)
	s.handle("POST /iclock/devicecmd", terminal, s.iclockCommand)
	s.handle("GET /iclock/ping", terminal, s.iclockCommand)
}

// punchLine is one punch of the API's JSON list; at is RFC 3339 with its
// zone (a terminal's local time without one would be ambiguous).
type punchLine struct {
	PIN       string `json:"pin"`
	At        string `json:"at"`
	Direction string `json:"direction"`
	Verify    string `json:"verify"`
}

// punchAnswer is one line's outcome, its field errors in the reader's
// language.
type punchAnswer struct {
	Line   int               `json:"line"`
	Status string            `json:"status"`
	Errors map[string]string `json:"errors,omitempty"`
}

// apiPunches files a terminal's punches: a JSON list, answered line by
// line (accepted, duplicate, unknown_pin, invalid with field errors).
// A missing, unknown or revoked key is 401 and nothing is stored.
func (s *Server) apiPunches(w http.ResponseWriter, r *http.Request) error {
	key, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found {
		return attendance.ErrDevice
	}
	d, err := s.Attendance.DeviceByKey(r.Context(), key)
	if err != nil {
		return err
	}
	var lines []punchLine
	if err := decodeJSON(r.Body, &lines); err != nil {
		return err
	}
	if len(lines) > attendance.MaxPunches {
		return apperr.New(apperr.Invalid, "attendance.too_many", "Max", attendance.MaxPunches)
	}
	ps := make([]attendance.Punch, len(lines))
	bad := map[int]string{}
	for i, l := range lines {
		ps[i] = attendance.Punch{PIN: l.PIN, Direction: l.Direction, Verify: l.Verify}
		if l.At != "" {
			t, err := time.Parse(time.RFC3339, l.At)
			if err != nil || len(l.At) > 40 {
				bad[i] = "attendance.at_format"
				// A zero time is refused by the service (at required);
				// the answer says why precisely.
			} else {
				ps[i].At = t
			}
		}
	}
	res, err := s.Attendance.Record(r.Context(), d, attendance.SourceDevice, ps)
	if err != nil {
		return err
	}
	_ = s.Attendance.Seen(r.Context(), d)
	lang := reqInfo(r).Lang
	out := make([]punchAnswer, len(res))
	counts := map[string]int{}
	for i, x := range res {
		a := punchAnswer{Line: x.Line, Status: x.Status}
		if k, ok := bad[i]; ok {
			if x.Fields == nil {
				x.Fields = map[string]string{}
			}
			x.Fields["at"] = k
		}
		if len(x.Fields) > 0 {
			a.Errors = map[string]string{}
			for f, k := range x.Fields {
				a.Errors[f] = s.i18n.Msg(lang, apperr.M(k))
			}
		}
		counts[x.Status]++
		out[i] = a
	}
	return writeJSON(w, http.StatusOK, map[string]any{"lines": out, "counts": counts})
}

// iclockText answers a terminal in plain text with the Date header that
// sets its clock (the protocol's rule).
func (s *Server) iclockText(w http.ResponseWriter, status int, body string) error {
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Date", s.Now().UTC().Format(http.TimeFormat))
	w.WriteHeader(status)
	_, err := io.WriteString(w, body)
	return err
}

// iclockDevice is the registered terminal of the request's SN, or nil
// after answering 401 (nothing is stored for an unknown or revoked SN).
func (s *Server) iclockDevice(w http.ResponseWriter, r *http.Request) (*attendance.Device, error) {
	d, err := s.Attendance.DeviceBySerial(r.Context(), r.URL.Query().Get("SN"))
	if err == attendance.ErrDevice {
		return nil, s.iclockText(w, http.StatusUnauthorized, "ERROR: unknown device\n")
	}
	if err != nil {
		return nil, err
	}
	_ = s.Attendance.Seen(r.Context(), d)
	return d, nil
}

// iclockHandshake answers GET /iclock/cdata?SN=…&options=all with the
// options; without options=all it is a poll, answered OK.
func (s *Server) iclockHandshake(w http.ResponseWriter, r *http.Request) error {
	d, err := s.iclockDevice(w, r)
	if d == nil {
		return err
	}
	if r.URL.Query().Get("options") == "all" {
		return s.iclockText(w, http.StatusOK, attendance.IclockOptions(d.Serial))
	}
	return s.iclockText(w, http.StatusOK, "OK")
}

// maxIclockBody bounds an upload (the server's body limit holds too).
const maxIclockBody = 512 << 10

// iclockUpload takes POST /iclock/cdata?SN=…&table=…: ATTLOG punches are
// filed and answered OK:<lines taken>; OPERLOG (user and operation logs,
// names in GB2312 on Chinese devices) and options are read and ignored
// politely: OneStop keeps its own staff register.
func (s *Server) iclockUpload(w http.ResponseWriter, r *http.Request) error {
	d, err := s.iclockDevice(w, r)
	if d == nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxIclockBody+1))
	if err != nil {
		return err
	}
	if len(body) > maxIclockBody {
		return s.iclockText(w, http.StatusRequestEntityTooLarge, "ERROR: too large\n")
	}
	switch r.URL.Query().Get("table") {
	case "ATTLOG":
		ps, n := attendance.ParseAttlog(body)
		if _, err := s.Attendance.Record(r.Context(), d, attendance.SourceIclock, ps); err != nil {
			return err
		}
		return s.iclockText(w, http.StatusOK, "OK:"+strconv.Itoa(n))
	case "OPERLOG":
		return s.iclockText(w, http.StatusOK, "OK:"+strconv.Itoa(strings.Count(strings.TrimSpace(string(body)), "\n")+1))
	}
	return s.iclockText(w, http.StatusOK, "OK")
}

// iclockCommand answers the command poll (no commands: OneStop sends
// none), a command's result and the keep-alive ping with OK; each only
// for a registered serial, so the routes tell a stranger nothing.
func (s *Server) iclockCommand(w http.ResponseWriter, r *http.Request) error {
	d, err := s.iclockDevice(w, r)
	if d == nil {
		return err
	}
	return s.iclockText(w, http.StatusOK, "OK")
}
