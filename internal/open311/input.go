package open311

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/voice"
)

// Limits of a posted request. The lengths the enquiry keeps are its own
// (voice.Max…): the specification's 4,000 characters for a description
// are an upper bound, and the hall's enquiries hold voice.MaxBody; a
// longer text is refused with that limit named, never cut.
const (
	maxID       = voice.MaxDeviceID // address_id, device_id, account_id, codes
	maxNamePart = voice.MaxName     // first_name, last_name
	// MaxIDs bounds service_request_id in a query: a client tracking more
	// asks again.
	MaxIDs = 50
	// MaxRange is the widest window of a query, and the default one
	// (the specification: "may not span more than 90 days").
	MaxRange = 90 * 24 * time.Hour
	// MaxList is how many requests a query answers at most (the
	// specification's default, "first 1000 requests").
	MaxList = 1000
)

// Post is a request to file, as read from the form. Field problems are
// named by the form's own parameter names (description,
// attribute[department] …) so the client knows what to fix.
type Post struct {
	ServiceCode  string
	Jurisdiction string
	Lat, Long    *float64
	// AddressString is the place as typed; AddressID a place in the
	// jurisdiction's address register. A hall is no street defect, but the
	// specification requires one of the three, so each is accepted and
	// kept.
	AddressString, AddressID string
	Email, Phone             string
	FirstName, LastName      string
	DeviceID, AccountID      string
	Description              string
	MediaURL                 string
	// Attributes are attribute[code]=value; the service definition says
	// which codes exist and which are required.
	Attributes map[string]string
}

// html finds markup: a tag's opening (<a, </p, <!--, <?xml) or a
// character reference (&lt; &#60;). "a < b" and "A&B" are plain text.
var html = regexp.MustCompile(`<[A-Za-z!/?]|&(#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z]+);`)

// ReadPost reads and checks the parameters of POST requests.{fmt}. The
// service's own rules (which codes exist, required attributes, the
// department list) are checked by Service.File.
func ReadPost(form url.Values) (Post, apperr.Fields) {
	f := apperr.Fields{}
	p := Post{Attributes: map[string]string{}}
	p.ServiceCode = f.Text("service_code", form.Get("service_code"), true, maxID)
	p.Jurisdiction = f.Text("jurisdiction_id", form.Get("jurisdiction_id"), false, maxID)
	p.Lat = coord(f, "lat", form.Get("lat"))
	p.Long = coord(f, "long", form.Get("long"))
	p.AddressString = f.Text("address_string", form.Get("address_string"), false, voice.MaxAddress)
	p.AddressID = f.Text("address_id", form.Get("address_id"), false, maxID)
	// One of the three places is required; a half pair of coordinates is
	// the enquiry service's to refuse (voice.File), as are their ranges.
	if p.Lat == nil && p.Long == nil && p.AddressString == "" && p.AddressID == "" &&
		!f.Has("lat") && !f.Has("long") && !f.Has("address_string") && !f.Has("address_id") {
		f.Add("address_string", "open311.location_required")
	}
	p.Email = f.Email("email", form.Get("email"), false)
	p.Phone = f.Phone("phone", form.Get("phone"), false)
	if p.Email == "" && p.Phone == "" && !f.Has("email") && !f.Has("phone") {
		f.Add("phone", "open311.contact_required")
	}
	p.FirstName = f.Text("first_name", form.Get("first_name"), false, maxNamePart)
	p.LastName = f.Text("last_name", form.Get("last_name"), false, maxNamePart)
	p.DeviceID = f.Text("device_id", form.Get("device_id"), false, maxID)
	p.AccountID = f.Text("account_id", form.Get("account_id"), false, maxID)
	p.Description = f.Para("description", form.Get("description"), true, voice.MaxBody)
	if !f.Has("description") && html.MatchString(p.Description) {
		f.Add("description", "open311.no_html")
	}
	// Its scheme (http or https only) is checked by voice.File.
	p.MediaURL = f.Text("media_url", form.Get("media_url"), false, voice.MaxMediaURL)
	for name, vs := range form {
		code, ok := attributeCode(name)
		if !ok {
			continue
		}
		if strings.HasSuffix(code, "][") || len(vs) != 1 {
			// attribute[x][]=…: a multi-value answer; none of ours is.
			f.Add(name, "open311.attribute_single")
			continue
		}
		if !attrCodeRE.MatchString(code) {
			f.Add("attribute", "open311.unknown_attribute") // a garbage name is not echoed back
			continue
		}
		p.Attributes[code] = f.Text(name, vs[0], false, maxID)
	}
	return p, f
}

var attrCodeRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,40}$`)

// attributeCode reads "attribute[code]" (or "attribute[code][]").
func attributeCode(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "attribute[")
	if !ok || !strings.HasSuffix(rest, "]") {
		return "", false
	}
	rest = strings.TrimSuffix(rest, "]")
	return rest, rest != ""
}

// coord reads an optional WGS84 coordinate; its range is checked by
// voice.File.
func coord(f apperr.Fields, name, v string) *float64 {
	v = f.Text(name, v, false, 40)
	if v == "" || f.Has(name) {
		return nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		f.Add(name, "error.number")
		return nil
	}
	return &x
}

// Query is a checked GET requests query.
type Query struct {
	// IDs, when given, override every other filter (the specification).
	IDs          []string
	Codes        []string
	From, To     time.Time // requested in [From, To)
	Open, Closed bool      // which statuses; both when none was named
	Jurisdiction string
}

// ReadQuery reads the filters of GET requests.{fmt}. Dates are W3C
// datetimes with a zone; the window is at most MaxRange and defaults to
// the MaxRange before now.
func ReadQuery(q url.Values, now time.Time) (Query, apperr.Fields) {
	f := apperr.Fields{}
	out := Query{Jurisdiction: f.Text("jurisdiction_id", q.Get("jurisdiction_id"), false, maxID)}
	out.IDs = list(f, "service_request_id", q.Get("service_request_id"))
	if len(out.IDs) > MaxIDs {
		f.Add("service_request_id", "open311.too_many_ids", "Max", MaxIDs)
	}
	out.Codes = list(f, "service_code", q.Get("service_code"))
	for _, s := range list(f, "status", q.Get("status")) {
		switch s {
		case "open":
			out.Open = true
		case "closed":
			out.Closed = true
		default:
			f.Add("status", "open311.bad_status")
		}
	}
	if !out.Open && !out.Closed {
		out.Open, out.Closed = true, true
	}
	from, hasFrom := datetime(f, "start_date", q.Get("start_date"))
	to, hasTo := datetime(f, "end_date", q.Get("end_date"))
	if f.Has("start_date") || f.Has("end_date") {
		return out, f
	}
	switch {
	case hasFrom && hasTo:
		if !from.Before(to) {
			f.Add("end_date", "open311.range_reversed")
		} else if to.Sub(from) > MaxRange {
			f.Add("end_date", "open311.range_too_long", "Days", int(MaxRange/(24*time.Hour)))
		}
	case hasFrom:
		to = from.Add(MaxRange)
	case hasTo:
		from = to.Add(-MaxRange)
	default:
		to = now
		from = now.Add(-MaxRange)
	}
	out.From, out.To = from, to
	return out, f
}

// list splits a comma-separated parameter, dropping empty items.
func list(f apperr.Fields, name, v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, f.Text(name, s, false, maxID))
		}
	}
	return out
}

// w3cLayouts are the W3C profile's complete forms that carry a time; a
// zone is required by the specification, so a bare date or a local time
// is refused rather than guessed.
var w3cLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"}

func datetime(f apperr.Fields, name, v string) (time.Time, bool) {
	v = f.Text(name, v, false, 40)
	if v == "" || f.Has(name) {
		return time.Time{}, false
	}
	for _, l := range w3cLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	f.Add(name, "open311.bad_datetime")
	return time.Time{}, false
}
