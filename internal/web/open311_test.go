package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"onestop/internal/auth"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/voice"
)

func init() {
	// Issue 13 §5: the Open311 endpoint is everyone's (the api_key is
	// checked by the handler, not the role); its keys are the hall
	// admin's.
	for _, p := range []string{"GET /open311/v2/{file}", "POST /open311/v2/{file}", "GET /open311/v2/services/{file}",
		"GET /open311/v2/requests/{file}", "GET /open311/v2/tokens/{file}", "GET /open311/v2/{path...}", "POST /open311/v2/{path...}"} {
		expected[p] = public
		// No record of anyone's scope is named: requests are public, and
		// what they may show is TestOpen311NoPersonalData's.
		scopeRoutes[p] = kNone
	}
	filterParams["GET /open311/v2/{file}"] = []string{"service_request_id", "service_code", "start_date", "end_date", "status", "jurisdiction_id", "locale"}
	expected["GET /admin/open311"] = hallAdmin
	expected["POST /admin/open311"] = hallAdmin
	expected["POST /admin/open311/{id}/revoke"] = hallAdmin
	// A key of another county is refused as unknown: TestOpen311Keys.
	scopeRoutes["POST /admin/open311/{id}/revoke"] = kNone
}

// console is the server's console, which issues keys for any county.
var console = org.Actor{Name: "系统控制台", Username: "console", Role: org.CentreAdmin, Province: true}

// o311 is a civic app talking to a real server: no cookies, no CSRF
// token, only its api_key.
type o311 struct {
	*fixture
	key string
}

func newO311(t *testing.T) *o311 {
	f := newFixture(t)
	key, _, err := f.srv.Open311.Keys.Issue(context.Background(), console, "测试 App", "431022")
	if err != nil {
		t.Fatal(err)
	}
	return &o311{fixture: f, key: key}
}

type o311Answer struct {
	status int
	header http.Header
	body   string
}

func (o *o311) send(req *http.Request) o311Answer {
	o.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return o311Answer{res.StatusCode, res.Header, string(b)}
}

func (o *o311) get(path string) o311Answer {
	req, _ := http.NewRequest(http.MethodGet, o.ts.URL+path, nil)
	return o.send(req)
}

func (o *o311) post(path string, form url.Values) o311Answer {
	req, _ := http.NewRequest(http.MethodPost, o.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return o.send(req)
}

// form is a complete consultation to FGJ; extra replaces its values.
func (o *o311) form(extra url.Values) url.Values {
	v := url.Values{"api_key": {o.key}, "service_code": {"consult"}, "address_string": {"宜章县政务服务中心"},
		"phone": {"13800138000"}, "description": {"办理企业投资项目备案需要哪些材料？\n第二行"}, "attribute[department]": {"FGJ"}}
	for k, vs := range extra {
		v[k] = vs
	}
	return v
}

// file posts a request and returns its number.
func (o *o311) file(extra url.Values) string {
	o.t.Helper()
	a := o.post("/open311/v2/requests.json", o.form(extra))
	var out []map[string]any
	if a.status != http.StatusOK || json.Unmarshal([]byte(a.body), &out) != nil || len(out) != 1 {
		o.t.Fatalf("file: %d %s", a.status, a.body)
	}
	return out[0]["service_request_id"].(string)
}

// errorsOf reads an error document (JSON or XML) as code → descriptions,
// failing when it is not one.
func errorsOf(t *testing.T, a o311Answer) []struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
} {
	t.Helper()
	var doc struct {
		Items []struct {
			Code        int    `json:"code" xml:"code"`
			Description string `json:"description" xml:"description"`
		} `xml:"error"`
	}
	var err error
	if strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		err = json.Unmarshal([]byte(a.body), &doc.Items)
	} else if strings.HasPrefix(a.header.Get("Content-Type"), "text/xml") {
		err = xml.Unmarshal([]byte(a.body), &doc)
	} else {
		t.Fatalf("error in %q, not the specification's format: %s", a.header.Get("Content-Type"), a.body)
	}
	if err != nil || len(doc.Items) == 0 {
		t.Fatalf("not an error document (%v): %s", err, a.body)
	}
	return doc.Items
}

// expectErrors checks the status and that each field named is described.
func expectErrors(t *testing.T, what string, a o311Answer, status int, fields ...string) {
	t.Helper()
	if a.status != status {
		t.Errorf("%s: status %d, want %d: %s", what, a.status, status, a.body)
		return
	}
	errs := errorsOf(t, a)
	for _, f := range fields {
		if !slices.ContainsFunc(errs, func(e struct {
			Code        int    `json:"code" xml:"code"`
			Description string `json:"description" xml:"description"`
		}) bool {
			return strings.HasPrefix(e.Description, f+": ")
		}) {
			t.Errorf("%s: no error names %s: %s", what, f, a.body)
		}
	}
}

// shape maps every path of a document to the kind of value found there
// (XML: leaf or node; JSON: string, number, bool, null, object, array).
type shape map[string]map[string]bool

func (s shape) add(path, kind string) {
	if s[path] == nil {
		s[path] = map[string]bool{}
	}
	s[path][kind] = true
}

func xmlShape(t *testing.T, b []byte) shape {
	t.Helper()
	out := shape{}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []string
	var children []bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("xml: %v\n%s", err, b)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if len(children) > 0 {
				children[len(children)-1] = true
			}
			stack, children = append(stack, e.Name.Local), append(children, false)
		case xml.EndElement:
			kind := "leaf"
			if children[len(children)-1] {
				kind = "node"
			}
			out.add(strings.Join(stack, "/"), kind)
			stack, children = stack[:len(stack)-1], children[:len(children)-1]
		}
	}
	return out
}

// leadingZeros are the specification's own non-JSON numbers (001).
var leadingZeros = regexp.MustCompile(`:\s*(0[0-9]+)\s*([,}\n])`)

func jsonShape(t *testing.T, b []byte) shape {
	t.Helper()
	b = leadingZeros.ReplaceAll(b, []byte(`:"$1"$2`))
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("json: %v\n%s", err, b)
	}
	out := shape{}
	var walk func(p string, v any)
	walk = func(p string, v any) {
		switch x := v.(type) {
		case map[string]any:
			out.add(p, "object")
			for k, e := range x {
				walk(p+"/"+k, e)
			}
		case []any:
			out.add(p, "array")
			for _, e := range x {
				walk(p+"[]", e)
			}
		case string:
			out.add(p, "string")
		case json.Number:
			out.add(p, "number")
		case bool:
			out.add(p, "bool")
		case nil:
			out.add(p, "null")
		}
	}
	walk("", v)
	return out
}

// idFields are written as numbers in one of the specification's examples
// and as strings in another.
var idFields = regexp.MustCompile(`/(service_code|service_request_id|key|address_id|zipcode|token)$`)

// sameShape reports paths one document has and the other lacks, and
// values of different kinds (null, the specification's "left empty",
// matches any value).
func sameShape(t *testing.T, name string, spec, ours shape) {
	t.Helper()
	for p, kinds := range spec {
		got, ok := ours[p]
		if !ok {
			t.Errorf("%s: ours lacks %s", name, p)
			continue
		}
		if kinds["null"] || got["null"] {
			continue
		}
		for k := range kinds {
			if !got[k] && !(idFields.MatchString(p) && (k == "number" || k == "string") && (got["number"] || got["string"])) {
				t.Errorf("%s: %s is %v in the specification, %v in ours", name, p, kinds, got)
			}
		}
	}
	for p := range ours {
		if _, ok := spec[p]; !ok {
			t.Errorf("%s: ours has %s, which the specification does not", name, p)
		}
	}
}

// The specification's own example documents (internal/open311/testdata)
// against ours, in both formats: services, a service definition, a POST
// answer, a GET requests answer, an error, the discovery document.
func TestOpen311SpecExamples(t *testing.T) {
	o := newO311(t)
	no := o.file(url.Values{"attribute[public]": {"true"}, "lat": {"25.3995"}, "long": {"112.9481"},
		"media_url": {"https://example.org/p/1.jpg"}})
	for _, fmtName := range []string{"xml", "json"} {
		docs := map[string]o311Answer{
			"services":           o.get("/open311/v2/services." + fmtName),
			"service_definition": o.get("/open311/v2/services/consult." + fmtName),
			"post_response":      o.post("/open311/v2/requests."+fmtName, o.form(url.Values{"account_id": {"app-42"}})),
			"requests":           o.get("/open311/v2/requests." + fmtName + "?service_request_id=" + no),
			"errors":             o.post("/open311/v2/requests."+fmtName, o.form(url.Values{"api_key": {"o311_wrong"}})),
			"discovery":          o.get("/open311/v2/discovery." + fmtName),
		}
		for name, a := range docs {
			spec, err := os.ReadFile(filepath.Join("..", "open311", "testdata", name+"."+fmtName))
			if err != nil {
				t.Fatal(err)
			}
			wantType := "text/xml; charset=utf-8"
			if fmtName == "json" {
				wantType = "application/json; charset=utf-8"
			}
			if ct := a.header.Get("Content-Type"); ct != wantType {
				t.Errorf("%s.%s: Content-Type %q, want %q", name, fmtName, ct, wantType)
			}
			if fmtName == "xml" {
				if !strings.HasPrefix(a.body, `<?xml version="1.0" encoding="utf-8"?>`) {
					t.Errorf("%s.xml: no XML declaration with the encoding: %.80s", name, a.body)
				}
				sameShape(t, name+".xml", xmlShape(t, spec), xmlShape(t, []byte(a.body)))
			} else {
				sameShape(t, name+".json", jsonShape(t, spec), jsonShape(t, []byte(a.body)))
			}
		}
		if docs["errors"].status != http.StatusForbidden {
			t.Errorf("a wrong key: %d, want 403", docs["errors"].status)
		}
	}
}

// Every endpoint in both formats, with what a client relies on.
func TestOpen311Endpoints(t *testing.T) {
	o := newO311(t)
	no := o.file(nil)
	var services []map[string]any
	if a := o.get("/open311/v2/services.json"); a.status != http.StatusOK || json.Unmarshal([]byte(a.body), &services) != nil {
		t.Fatalf("services: %d %s", a.status, a.body)
	}
	if len(services) != 2 || services[0]["service_code"] != "consult" || services[1]["service_code"] != "complaint" ||
		services[0]["service_name"] != "咨询" || services[0]["type"] != "realtime" || services[0]["metadata"] != true {
		t.Errorf("services: %v", services)
	}
	if a := o.get("/open311/v2/services.json?locale=en_US"); !strings.Contains(a.body, `"Consultation"`) {
		t.Errorf("locale=en: %s", a.body)
	}
	var def struct {
		Code       string `json:"service_code"`
		Attributes []struct {
			Code     string
			Required bool
			Values   []struct{ Key, Name string }
		}
	}
	if a := o.get("/open311/v2/services/consult.json"); json.Unmarshal([]byte(a.body), &def) != nil || def.Code != "consult" ||
		len(def.Attributes) != 3 || def.Attributes[0].Code != "department" || !def.Attributes[0].Required ||
		!slices.ContainsFunc(def.Attributes[0].Values, func(v struct{ Key, Name string }) bool {
			return v.Key == "FGJ" && v.Name == "宜章县发展和改革局"
		}) {
		t.Errorf("consult definition: %+v", def)
	}
	if a := o.get("/open311/v2/services/complaint.xml"); a.status != http.StatusOK || !strings.Contains(a.body, "<required>false</required>") {
		t.Errorf("complaint definition: the department is optional: %s", a.body)
	}
	for _, p := range []string{"/open311/v2/requests.xml", "/open311/v2/requests/" + no + ".xml", "/open311/v2/requests.xml?service_request_id=" + no} {
		a := o.get(p)
		if a.status != http.StatusOK || !strings.Contains(a.body, "<service_request_id>"+no+"</service_request_id>") ||
			!strings.Contains(a.body, "<status>open</status>") || !strings.Contains(a.body, "<agency_responsible>发改局</agency_responsible>") ||
			!regexp.MustCompile(`<requested_datetime>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00</requested_datetime>`).MatchString(a.body) ||
			!regexp.MustCompile(`<expected_datetime>\d{4}-\d\d-\d\dT23:59:59\+08:00</expected_datetime>`).MatchString(a.body) {
			t.Errorf("%s: %d %s", p, a.status, a.body)
		}
	}
	var reqs []map[string]any
	if a := o.get("/open311/v2/requests/" + no + ".json"); json.Unmarshal([]byte(a.body), &reqs) != nil || len(reqs) != 1 ||
		!strings.Contains(fmt.Sprint(reqs[0]["service_notice"]), "5 个工作日") {
		t.Errorf("one request: %s", a.body)
	}
	// Text that looks like markup but is not stays text, escaped.
	plain := o.file(url.Values{"attribute[public]": {"true"}, "description": {"费用 < 100 元 & 免费？"}})
	if a := o.get("/open311/v2/requests/" + plain + ".xml"); !strings.Contains(a.body, "<description>费用 &lt; 100 元 &amp; 免费？</description>") {
		t.Errorf("escaped text: %s", a.body)
	}
	if a := o.get("/open311/v2/discovery.json"); a.status != http.StatusOK || !strings.Contains(a.body, `"http://wiki.open311.org/GeoReport_v2"`) {
		t.Errorf("discovery: %s", a.body)
	}
	// Never a token: the id comes back at once.
	expectErrors(t, "token", o.get("/open311/v2/tokens/12345.json"), http.StatusNotFound)
	expectErrors(t, "token xml", o.get("/open311/v2/tokens/12345.xml"), http.StatusNotFound)
	if a := o.get("/open311/v2/tokens/12345.xml"); !strings.Contains(a.body, "<errors>") {
		t.Errorf("xml error: %s", a.body)
	}
	// Anything else is the specification's 404, in its format.
	for _, p := range []string{"/open311/v2/services.html", "/open311/v2/services", "/open311/v2/nothing.json", "/open311/v2/a/b/c.json",
		"/open311/v2/services/parking.json", "/open311/v2/requests/ZX-20990101-0001.json", "/open311/v2/", "/open311/v2/requests.json.json"} {
		expectErrors(t, p, o.get(p), http.StatusNotFound)
	}
	expectErrors(t, "post elsewhere", o.post("/open311/v2/services.json", o.form(nil)), http.StatusNotFound)
	for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		req, _ := http.NewRequest(m, o.ts.URL+"/open311/v2/requests/"+no+".json", nil)
		expectErrors(t, m, o.send(req), http.StatusBadRequest)
	}
}

// A posted request's bad input: a field-level 400 naming each field at
// fault, several at once; nothing is filed.
func TestOpen311PostErrors(t *testing.T) {
	o := newO311(t)
	before := o.idOf(`SELECT COUNT(*) FROM enquiries`)
	for _, tc := range []struct {
		what   string
		extra  url.Values
		status int
		fields []string
	}{
		{"nothing at all", url.Values{"service_code": {""}, "address_string": {""}, "phone": {""}, "description": {""}},
			400, []string{"service_code", "address_string", "phone", "description"}},
		{"50,000 characters", url.Values{"description": {strings.Repeat("问", 50000)}}, 400, []string{"description"}},
		{"over the enquiry's limit", url.Values{"description": {strings.Repeat("问", voice.MaxBody+1)}}, 400, []string{"description"}},
		{"HTML", url.Values{"description": {`请看 <script>alert(1)</script>`}}, 400, []string{"description"}},
		{"an entity", url.Values{"description": {`a &lt;b&gt;`}}, 400, []string{"description"}},
		{"control characters", url.Values{"description": {"坏\x1b[2J字符"}}, 400, []string{"description"}},
		{"NUL", url.Values{"description": {"坏\x00字符"}}, 400, []string{"description"}},
		{"invalid UTF-8", url.Values{"first_name": {"\xff\xfe"}}, 400, []string{"first_name"}},
		{"no way to answer", url.Values{"phone": {""}}, 400, []string{"phone"}},
		{"a bad phone", url.Values{"phone": {"12345"}}, 400, []string{"phone"}},
		{"a bad email", url.Values{"phone": {""}, "email": {"not-an-address"}}, 400, []string{"email"}},
		{"no place", url.Values{"address_string": {""}}, 400, []string{"address_string"}},
		{"half a place", url.Values{"address_string": {""}, "lat": {"25.4"}}, 400, []string{"lat"}},
		{"not a number", url.Values{"lat": {"north"}, "long": {"112"}}, 400, []string{"lat"}},
		{"off the globe", url.Values{"lat": {"95"}, "long": {"112"}}, 400, []string{"lat"}},
		{"a javascript: media_url", url.Values{"media_url": {"javascript:alert(1)"}}, 400, []string{"media_url"}},
		{"a long media_url", url.Values{"media_url": {"https://example.org/" + strings.Repeat("a", 3000)}}, 400, []string{"media_url"}},
		{"consult without a department", url.Values{"attribute[department]": {""}}, 400, []string{"attribute[department]"}},
		{"a department that is none", url.Values{"attribute[department]": {"NOPE"}}, 400, []string{"attribute[department]"}},
		{"an unknown attribute", url.Values{"attribute[colour]": {"red"}}, 400, []string{"attribute[colour]"}},
		{"a list for a single value", url.Values{"attribute[department][]": {"FGJ", "MZJ"}}, 400, []string{"attribute[department][]"}},
		{"public neither true nor false", url.Values{"attribute[public]": {"maybe"}}, 400, []string{"attribute[public]"}},
		{"an unknown case", url.Values{"attribute[case_no]": {"431022-FGJ-20990101-9999"}}, 400, []string{"attribute[case_no]"}},
		{"an unknown service", url.Values{"service_code": {"pothole"}}, 404, nil},
		{"another jurisdiction", url.Values{"jurisdiction_id": {"999999"}}, 404, nil},
		{"no key", url.Values{"api_key": {""}}, 403, nil},
		{"a wrong key", url.Values{"api_key": {"o311_" + strings.Repeat("x", 32)}}, 403, nil},
		{"a 50,000-character key", url.Values{"api_key": {strings.Repeat("k", 50000)}}, 403, nil},
	} {
		expectErrors(t, tc.what, o.post("/open311/v2/requests.json", o.form(tc.extra)), tc.status, tc.fields...)
	}
	// The same in XML: several <error> elements.
	a := o.post("/open311/v2/requests.xml", o.form(url.Values{"phone": {""}, "description": {""}}))
	if a.status != 400 || strings.Count(a.body, "<error>") != 2 || !strings.Contains(a.body, "<code>400</code>") {
		t.Errorf("xml errors: %d %s", a.status, a.body)
	}
	// English on request.
	if a := o.post("/open311/v2/requests.json?locale=en", o.form(url.Values{"phone": {""}})); !strings.Contains(a.body, "Give a phone or an email") {
		t.Errorf("english: %s", a.body)
	}
	// Not a form at all.
	req, _ := http.NewRequest(http.MethodPost, o.ts.URL+"/open311/v2/requests.json", strings.NewReader(`{"service_code":"consult"}`))
	req.Header.Set("Content-Type", "application/json")
	expectErrors(t, "a JSON body", o.send(req), 403) // no api_key in a form: the key is what is missing
	if n := o.idOf(`SELECT COUNT(*) FROM enquiries`); n != before {
		t.Errorf("bad input filed %d enquiries", n-before)
	}
	// A good one, with an email instead of a phone, is filed.
	no := o.file(url.Values{"phone": {""}, "email": {"asker@example.org"}, "service_code": {"complaint"}, "attribute[department]": {""}})
	if !strings.HasPrefix(no, "TS-") {
		t.Errorf("a complaint's number: %s", no)
	}
	if ch := o.text(`SELECT channel FROM enquiries WHERE no = $1`, no); ch != "open311" {
		t.Errorf("channel %q", ch)
	}
}

// The query's filters and their bad values.
func TestOpen311Query(t *testing.T) {
	o := newO311(t)
	consult := o.file(nil)
	complaint := o.file(url.Values{"service_code": {"complaint"}})
	list := func(q string) []string {
		t.Helper()
		a := o.get("/open311/v2/requests.json?" + q)
		var out []struct {
			ID string `json:"service_request_id"`
		}
		if a.status != http.StatusOK || json.Unmarshal([]byte(a.body), &out) != nil {
			t.Fatalf("%s: %d %s", q, a.status, a.body)
		}
		var ids []string
		for _, r := range out {
			ids = append(ids, r.ID)
		}
		slices.Sort(ids)
		return ids
	}
	now := time.Now()
	w3c := func(t time.Time) string { return url.QueryEscape(t.Format(time.RFC3339)) }
	both := []string{consult, complaint}
	slices.Sort(both)
	for q, want := range map[string][]string{
		"":                               both,
		"service_code=consult":           {consult},
		"service_code=complaint,consult": both,
		"status=open":                    both,
		"status=closed":                  nil,
		"status=open,closed":             both,
		"service_request_id=" + complaint + ",ZX-20990101-0001":                                {complaint},
		"service_request_id=" + consult + "&service_code=complaint&status=closed":              {consult}, // the ids override the rest
		"start_date=" + w3c(now.Add(-time.Hour)) + "&end_date=" + w3c(now.Add(time.Hour)):      both,
		"start_date=" + w3c(now.Add(time.Hour)):                                                nil,
		"end_date=" + w3c(now.Add(-time.Hour)):                                                 nil,
		"start_date=" + url.QueryEscape(now.UTC().Add(-time.Hour).Format("2006-01-02T15:04Z")): both,
	} {
		if got := list(q); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", q, got, want)
		}
	}
	for q, field := range map[string]string{
		"status=pending":                 "status",
		"status=OPEN":                    "status",
		"start_date=2026-12-01":          "start_date", // no time, no zone
		"start_date=2026-12-01T00:00:00": "start_date", // no zone
		"start_date=yesterday":           "start_date",
		"end_date=2026-13-01T00:00:00Z":  "end_date",
		"start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z":  "end_date", // 151 days
		"start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z":  "end_date", // reversed
		"service_request_id=" + strings.Repeat("ZX-20261205-0001,", 51):  "service_request_id",
		"service_request_id=" + strings.Repeat("Z", 50000):               "service_request_id",
		"start_date=" + url.QueryEscape("2026-12-01T00:00:00+08:00\x00"): "start_date",
	} {
		expectErrors(t, q[:min(len(q), 60)], o.get("/open311/v2/requests.xml?"+q), http.StatusBadRequest, field)
	}
	expectErrors(t, "an unknown service_code", o.get("/open311/v2/requests.json?service_code=pothole"), http.StatusNotFound)
	expectErrors(t, "another jurisdiction", o.get("/open311/v2/requests.json?jurisdiction_id=110101"), http.StatusNotFound)
	if got := list("jurisdiction_id=431022"); len(got) != 2 {
		t.Errorf("the county's own jurisdiction_id: %v", got)
	}
	// Exactly 90 days is allowed.
	if got := list("start_date=2026-01-01T00:00:00%2B08:00&end_date=2026-04-01T00:00:00%2B08:00"); len(got) != 0 {
		t.Errorf("90 days: %v", got)
	}
}

// A request's asker is never shown: not their name, phone, email, account
// or device; the text, place and media only when they agreed.
func TestOpen311NoPersonalData(t *testing.T) {
	o := newO311(t)
	personal := url.Values{"first_name": {"三丰"}, "last_name": {"张"}, "phone": {"13912345678"}, "email": {"zhang.sanfeng@example.org"},
		"account_id": {"acct-7731"}, "device_id": {"dev-5521"}, "description": {"我的私事：请勿公开的内容"},
		"address_string": {"城关镇幸福路 18 号 3 单元"}, "media_url": {"https://example.org/private.jpg"}}
	private := o.file(personal)
	public := o.file(url.Values{"attribute[public]": {"true"}, "description": {"大厅的叫号屏坏了"}, "first_name": {"四"}, "last_name": {"李"},
		"phone": {"13687654321"}, "account_id": {"acct-8842"}})
	if n := o.text(`SELECT name FROM enquiries WHERE no = $1`, private); n != "张三丰" {
		t.Errorf("stored name %q", n) // kept for the reply, only never shown
	}
	secrets := []string{"三丰", "13912345678", "zhang.sanfeng", "acct-7731", "dev-5521", "请勿公开", "幸福路", "private.jpg",
		"李四", "13687654321", "acct-8842", "5678", "4321"}
	for _, p := range []string{"/open311/v2/requests.json", "/open311/v2/requests.xml", "/open311/v2/requests/" + private + ".json",
		"/open311/v2/requests/" + private + ".xml", "/open311/v2/requests/" + public + ".xml", "/open311/v2/requests.json?service_request_id=" + private + "," + public} {
		a := o.get(p)
		if a.status != http.StatusOK {
			t.Fatalf("%s: %d", p, a.status)
		}
		for _, s := range secrets {
			if strings.Contains(a.body, s) {
				t.Errorf("%s shows %q:\n%s", p, s, a.body)
			}
		}
	}
	if a := o.get("/open311/v2/requests/" + public + ".json"); !strings.Contains(a.body, "大厅的叫号屏坏了") {
		t.Errorf("the public text is not shown: %s", a.body)
	}
	if a := o.get("/open311/v2/requests/" + private + ".json"); !strings.Contains(a.body, `"description":null`) {
		t.Errorf("the private text: %s", a.body)
	}
	// A help request (the portal's) is no Open311 request, even by number.
	desk := &voice.Service{DB: o.db, Cases: o.srv.Cases, Now: time.Now}
	help, err := desk.File(context.Background(), voice.Input{Kind: voice.Help, Channel: "portal", Subject: "求助", Body: "求助内容", Phone: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}
	expectErrors(t, "a help request", o.get("/open311/v2/requests/"+help.No+".json"), http.StatusNotFound)
	if a := o.get("/open311/v2/requests.json?service_request_id=" + help.No); a.body != "[]\n" {
		t.Errorf("a help request listed: %s", a.body)
	}
}

// Keys: issued and revoked by the hall's admin on the page, shown once,
// audited; a revoked key is refused; a township admin may not.
func TestOpen311Keys(t *testing.T) {
	o := newO311(t)
	admin := o.login("admin")
	res, body := admin.post("/admin/open311", url.Values{"name": {"城关街道 App"}})
	m := regexp.MustCompile(`data-testid="open311-key">(o311_[A-Za-z0-9_-]+)<`).FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("issue: %d %s", res.StatusCode, body)
	}
	key := m[1]
	if _, body := admin.get("/admin/open311"); strings.Contains(body, key) || !strings.Contains(body, "城关街道 App") {
		t.Error("the key must be listed, and shown only once")
	}
	if n := o.idOf(`SELECT COUNT(*) FROM open311_clients WHERE key_hash = $1`, auth.HashClientKey(key)); n != 1 {
		t.Errorf("the key's hash is stored %d times", n)
	}
	if n := o.idOf(`SELECT COUNT(*) FROM open311_clients WHERE key_hash = $1`, key); n != 0 {
		t.Error("the key itself is stored")
	}
	o.key = key
	no := o.file(nil)
	if id := o.idOf(`SELECT client_id FROM enquiries WHERE no = $1`, no); id != o.idOf(`SELECT id FROM open311_clients WHERE name = '城关街道 App'`) {
		t.Errorf("filed by client %d", id)
	}
	if res, body := admin.post("/admin/open311", url.Values{"name": {""}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "此项为必填项") {
		t.Errorf("no name: %d", res.StatusCode)
	}
	id := o.idOf(`SELECT id FROM open311_clients WHERE name = '城关街道 App'`)
	township := o.login("township")
	if res, _ := township.get("/admin/open311"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a township admin sees the keys: %d", res.StatusCode)
	}
	if res, _ := township.post(fmt.Sprintf("/admin/open311/%d/revoke", id), nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a township admin revokes: %d", res.StatusCode)
	}
	// A key of another county is no business of this county's admin.
	o.exec(`INSERT INTO regions (code, name, level, kind, created_at, updated_at) VALUES ('431023', '测试县', 'county', '', $1, $1)`, time.Now().UTC())
	_, other, err := o.srv.Open311.Keys.Issue(context.Background(), console, "外县 App", "431023")
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := admin.post(fmt.Sprintf("/admin/open311/%d/revoke", other.ID), nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("another county's key: %d", res.StatusCode)
	}
	if res, _ := admin.post(fmt.Sprintf("/admin/open311/%d/revoke", id), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	expectErrors(t, "a revoked key", o.post("/open311/v2/requests.xml", o.form(nil)), http.StatusForbidden)
	if n := o.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'open311_client' AND action IN ('create', 'revoke') AND actor_id IS NOT NULL`); n != 2 {
		t.Errorf("%d audit entries, want issue and revoke", n)
	}
	if _, body := admin.get("/admin/audit"); !strings.Contains(body, "接口客户端") || !strings.Contains(body, "城关街道 App") || strings.Contains(body, key) {
		t.Error("the audit log names the client in words, and never its key")
	}
	// Reading stays open to everyone.
	if a := o.get("/open311/v2/requests/" + no + ".json?jurisdiction_id=431022"); a.status != http.StatusOK {
		t.Errorf("reading needs no key: %d", a.status)
	}
}

// Several counties share the installation: a key files only in its own,
// and each county's list holds only its own.
func TestOpen311Jurisdictions(t *testing.T) {
	o := newO311(t)
	o.secondCounty()
	otherKey, _, err := o.srv.Open311.Keys.Issue(context.Background(), console, "外县 App", "431023")
	if err != nil {
		t.Fatal(err)
	}
	mine := o.file(nil)
	expectErrors(t, "services without a jurisdiction", o.get("/open311/v2/services.json"), http.StatusBadRequest, "jurisdiction_id")
	expectErrors(t, "a key elsewhere", o.post("/open311/v2/requests.json", o.form(url.Values{"jurisdiction_id": {"431023"}})), http.StatusForbidden)
	expectErrors(t, "another county's department", o.post("/open311/v2/requests.json", o.form(url.Values{"attribute[department]": {"CSJ"}})),
		http.StatusBadRequest, "attribute[department]")
	theirs := o.file(url.Values{"api_key": {otherKey}, "attribute[department]": {"CSJ"}})
	if a := o.get("/open311/v2/services/consult.json?jurisdiction_id=431023"); !strings.Contains(a.body, `"CSJ"`) || strings.Contains(a.body, `"FGJ"`) {
		t.Errorf("the other county's departments: %s", a.body)
	}
	for county, want := range map[string]string{"431022": mine, "431023": theirs} {
		a := o.get("/open311/v2/requests.json?jurisdiction_id=" + county)
		if a.status != http.StatusOK || !strings.Contains(a.body, want) || strings.Count(a.body, "service_request_id") != 1 {
			t.Errorf("%s: %s", county, a.body)
		}
	}
	expectErrors(t, "another county's request", o.get("/open311/v2/requests/"+theirs+".json?jurisdiction_id=431022"), http.StatusNotFound)
	// A complaint naming no department goes to the hall of the key's
	// county, not to the installation's first hall.
	complaint := o.file(url.Values{"api_key": {otherKey}, "service_code": {"complaint"}, "attribute[department]": {""}})
	var hall string
	if err := o.srv.DB.R.QueryRow(`SELECT ce.code FROM enquiries e JOIN centres ce ON ce.id = e.centre_id WHERE e.no = $1`, complaint).Scan(&hall); err != nil || hall != "C431023" {
		t.Errorf("the other county's complaint went to %q (%v)", hall, err)
	}
}

// Posts are throttled per address (and per key): past the allowance the
// answer is the specification's 400 with code 429 and a Retry-After.
func TestOpen311Throttle(t *testing.T) {
	o := newO311(t)
	o.srv.Open311Throttle = &auth.Throttle{DB: o.db,
		Account: auth.Backoff{Free: 5, Base: time.Minute, Cap: time.Hour, Window: time.Hour},
		Address: auth.Backoff{Free: 3, Base: time.Minute, Cap: time.Hour, Window: time.Hour}}
	for i := 0; i < 3; i++ {
		o.file(nil)
	}
	a := o.post("/open311/v2/requests.json", o.form(nil))
	if a.status != http.StatusBadRequest || errorsOf(t, a)[0].Code != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Fatalf("the fourth post: %d %v %s", a.status, a.header, a.body)
	}
	// Guessing keys from the same address is slowed the same way.
	expectErrors(t, "a guess", o.post("/open311/v2/requests.json", o.form(url.Values{"api_key": {"o311_guess"}})), http.StatusBadRequest)
	// Reading is not throttled.
	if a := o.get("/open311/v2/requests.json"); a.status != http.StatusOK {
		t.Errorf("reading: %d", a.status)
	}
}

// The guard's exemption (no session, no CSRF token) reaches the Open311
// routes and the rating pad's, nothing else.
func TestOpen311GuardExemption(t *testing.T) {
	o := newO311(t)
	n := 0
	for _, r := range o.srv.Routes() {
		if r.Allow.ClientKey {
			n++
			_, path, _ := strings.Cut(r.Pattern, " ")
			if !strings.HasPrefix(path, "/open311/v2/") && path != "/api/v1/ratings/device" && !slices.Contains(attendanceTerminalPaths, path) {
				t.Errorf("%s is exempt from sessions and CSRF", r.Pattern)
			}
		}
	}
	if n != 8+6 {
		t.Errorf("%d exempt routes, want the 7 of Open311, the rating pad's and attendance terminals' 6", n)
	}
	// Without the token, a public form elsewhere is still refused.
	for _, p := range []string{"/login", "/register", "/signin"} {
		res := o.post(p, url.Values{"username": {"admin"}, "password": {"x"}})
		if res.status != http.StatusForbidden {
			t.Errorf("POST %s without a CSRF token: %d", p, res.status)
		}
	}
	// A signed-in member of staff's session gives a post to Open311 no
	// right: the key is all that counts.
	clerk := o.login("clerk")
	res, body := clerk.post("/open311/v2/requests.json", url.Values{"service_code": {"consult"}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, `"code":403`) {
		t.Errorf("a session instead of a key: %d %s", res.StatusCode, body)
	}
	// A browser's cross-site post is refused, in the specification's
	// format; the same from the app's server (no such header) files.
	req, _ := http.NewRequest(http.MethodPost, o.ts.URL+"/open311/v2/requests.json", strings.NewReader(o.form(nil).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	expectErrors(t, "a cross-site post", o.send(req), http.StatusBadRequest)
	if n := o.idOf(`SELECT COUNT(*) FROM enquiries`); n != 0 {
		t.Errorf("a cross-site post filed")
	}
	// A body over the limit is refused in the specification's format.
	big := o.post("/open311/v2/requests.json", url.Values{"description": {strings.Repeat("x", 2<<20)}})
	if big.status != http.StatusBadRequest || errorsOf(t, big)[0].Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MiB body: %d %s", big.status, big.body)
	}
}

func (f *fixture) exec(query string, args ...any) {
	f.t.Helper()
	if _, err := f.db.W.ExecContext(context.Background(), query, args...); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
}

// The demo's Open311 records: filed through the service once, shown by
// the API (the public one with its text, the private one without) and on
// the admin page (a live key and a revoked one).
func TestOpen311Demo(t *testing.T) {
	o := newO311(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ { // the second start adds nothing
		if err := demo.EnsureOpen311(ctx, o.db, time.Now(), o.srv.Open311Words("")); err != nil {
			t.Fatal(err)
		}
	}
	var reqs []struct {
		Description *string `json:"description"`
		Service     string  `json:"service_code"`
	}
	a := o.get("/open311/v2/requests.json")
	if json.Unmarshal([]byte(a.body), &reqs) != nil || len(reqs) != 2 {
		t.Fatalf("demo requests: %s", a.body)
	}
	for _, r := range reqs {
		if (r.Service == "consult") != (r.Description != nil) {
			t.Errorf("the public consultation shows its text, the complaint does not: %s", a.body)
		}
	}
	_, body := o.login("admin").get("/admin/open311")
	if !strings.Contains(body, "宜章政务服务 App（示例）") || !strings.Contains(body, "旧版自助终端（已停用）") || strings.Count(body, "/revoke\"") != 2 {
		t.Errorf("the demo's keys on the admin page (the test's own, the app's live, the kiosk's revoked): %s", problemOf(body))
	}
}

// A province-wide admin names the county a key is for, among the
// installation's counties; a county's hall admin cannot.
func TestOpen311KeysProvince(t *testing.T) {
	o := newO311(t)
	o.exec(`INSERT INTO regions (code, name, level, kind, created_at, updated_at) VALUES ('431023', '测试县', 'county', '', $1, $1)`, time.Now().UTC())
	o.exec(`INSERT INTO staff (username, name, role, scope, phone, password_hash, created_at, updated_at)
		SELECT 'province', '省级管理员', 'centre_admin', 'province', '', password_hash, created_at, updated_at FROM staff WHERE username = 'admin'`)
	prov := o.login("province")
	res, body := prov.get("/admin/open311")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `<option value="431023"`) || !strings.Contains(body, "测试 App") {
		t.Fatalf("the province's page: %d %s", res.StatusCode, problemOf(body))
	}
	if res, body = prov.post("/admin/open311", url.Values{"name": {"外县 App"}, "county": {"431023"}}); res.StatusCode != http.StatusOK || !strings.Contains(body, "open311-key") {
		t.Fatalf("issue for 431023: %d %s", res.StatusCode, problemOf(body))
	}
	if n := o.idOf(`SELECT COUNT(*) FROM open311_clients WHERE region_code = '431023'`); n != 1 {
		t.Errorf("%d keys for 431023", n)
	}
	if res, _ = prov.post("/admin/open311", url.Values{"name": {"无县 App"}, "county": {"999999"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown county: %d", res.StatusCode)
	}
	// The county hall's admin sees only its own county's keys and cannot
	// name another county (the form has no such field; it is ignored).
	admin := o.login("admin")
	if _, body := admin.get("/admin/open311"); strings.Contains(body, "外县 App") || strings.Contains(body, `name="county"`) {
		t.Error("the county admin sees another county's key, or may choose a county")
	}
	admin.post("/admin/open311", url.Values{"name": {"越权 App"}, "county": {"431023"}})
	if n := o.idOf(`SELECT COUNT(*) FROM open311_clients WHERE name = '越权 App' AND region_code = '431022'`); n != 1 {
		t.Error("the county admin's key is not its own county's")
	}
}
