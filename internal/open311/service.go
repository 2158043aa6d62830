package open311

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/voice"
)

// Desk is what Open311 needs of the enquiry service (voice.Service): to
// file, to find one by number, and to list.
type Desk interface {
	File(ctx context.Context, in voice.Input) (*voice.Enquiry, error)
	ByNo(ctx context.Context, no string) (*voice.Enquiry, error)
	Find(ctx context.Context, f voice.Filter) ([]*voice.Enquiry, error)
}

// Words are the texts a document carries in the reader's language (the
// web layer's translations).
type Words interface {
	T(key string, kv ...any) string
	// Day writes a deadline in words (2026年12月11日).
	Day(d calendar.Date) string
}

// Service answers the Open311 methods over the enquiry desk.
type Service struct {
	Org  *org.Service
	Desk Desk
	Keys *Keys
}

// The services offered: consultations and complaints (issue 13 §5). Help
// requests (求助) are the portal's and are never listed or shown here.
var kinds = []voice.Kind{voice.Consult, voice.Complaint}

// serviceKind is the enquiry kind of a service_code, or false.
func serviceKind(code string) (voice.Kind, bool) {
	k := voice.Kind(code)
	return k, slices.Contains(kinds, k)
}

// Attribute codes of the service definitions.
const (
	attrDepartment = "department"
	attrCaseNo     = "case_no"
	attrPublic     = "public"
)

// jurisdiction is the county a request names: the one county of an
// installation that has one, otherwise the one named. An unknown id is
// the specification's 404; a missing one where several counties share the
// installation is its 400.
func (s *Service) jurisdiction(ctx context.Context, id string) (string, error) {
	counties, err := s.Org.Counties(ctx)
	if err != nil {
		return "", err
	}
	if id == "" {
		if len(counties) == 1 {
			return counties[0].Code, nil
		}
		f := apperr.Fields{}
		f.Add("jurisdiction_id", "open311.jurisdiction_required")
		return "", f.Err()
	}
	for _, c := range counties {
		if c.Code == id {
			return id, nil
		}
	}
	return "", apperr.New(apperr.NotFound, "open311.unknown_jurisdiction")
}

// departments are the county's departments a consultation may go to.
func (s *Service) departments(ctx context.Context, county string) ([]org.Department, error) {
	ds, _, err := s.Org.Departments(ctx, org.DepartmentFilter{RegionCode: county}, org.ListOptions{Limit: 10000})
	return ds, err
}

// ServiceList is GET services.
func (s *Service) ServiceList(ctx context.Context, w Words, jurisdiction string) (Services, error) {
	if _, err := s.jurisdiction(ctx, jurisdiction); err != nil {
		return Services{}, err
	}
	out := Services{}
	for _, k := range kinds {
		out.Items = append(out.Items, ServiceEntry{Code: string(k), Name: w.T("open311.service." + string(k)),
			Description: w.T("open311.service." + string(k) + "_description"), Metadata: true, Type: "realtime",
			Keywords: w.T("open311.service." + string(k) + "_keywords"), Group: w.T("open311.group")})
	}
	return out, nil
}

// Definition is GET services/{code}: the department (required for a
// consultation, which the department answers), the case it is about, and
// whether the text may be shown publicly.
func (s *Service) Definition(ctx context.Context, w Words, code, jurisdiction string) (Definition, error) {
	k, ok := serviceKind(code)
	if !ok {
		return Definition{}, apperr.New(apperr.NotFound, "open311.unknown_service")
	}
	county, err := s.jurisdiction(ctx, jurisdiction)
	if err != nil {
		return Definition{}, err
	}
	ds, err := s.departments(ctx, county)
	if err != nil {
		return Definition{}, err
	}
	dept := Attribute{Variable: true, Code: attrDepartment, Datatype: "singlevaluelist", Required: k == voice.Consult, Order: 1,
		Description: w.T("open311.attr.department_" + string(k))}
	for _, d := range ds {
		dept.Values = append(dept.Values, Value{Key: d.Code, Name: d.Name})
	}
	return Definition{Code: code, Attributes: []Attribute{
		dept,
		{Variable: true, Code: attrCaseNo, Datatype: "string", Order: 2, Description: w.T("open311.attr.case_no"),
			DatatypeDescription: Text(w.T("open311.attr.case_no_format"))},
		{Variable: true, Code: attrPublic, Datatype: "singlevaluelist", Order: 3, Description: w.T("open311.attr.public"),
			Values: []Value{{Key: "false", Name: w.T("open311.attr.public_no")}, {Key: "true", Name: w.T("open311.attr.public_yes")}}},
	}}, nil
}

// File is POST requests: the checked post becomes an enquiry of the
// client's county, filed through the desk.
func (s *Service) File(ctx context.Context, w Words, c Client, p Post) (CreatedList, error) {
	k, ok := serviceKind(p.ServiceCode)
	if !ok {
		return CreatedList{}, apperr.New(apperr.NotFound, "open311.unknown_service")
	}
	if p.Jurisdiction != "" && p.Jurisdiction != c.RegionCode {
		if _, err := s.jurisdiction(ctx, p.Jurisdiction); err != nil {
			return CreatedList{}, err
		}
		// A key is issued for one county: it files nowhere else.
		return CreatedList{}, apperr.New(apperr.Forbidden, "open311.key_elsewhere")
	}
	ds, err := s.departments(ctx, c.RegionCode)
	if err != nil {
		return CreatedList{}, err
	}
	in := voice.Input{Kind: k, Channel: "open311", ClientID: c.ID, County: c.RegionCode, Body: p.Description, Phone: p.Phone, Email: p.Email,
		Name: fullName(p.FirstName, p.LastName), Address: p.AddressString, Lat: p.Lat, Long: p.Long,
		DeviceID: p.DeviceID, AccountID: p.AccountID, MediaURL: p.MediaURL}
	if in.Address == "" {
		// The place register's id is the place the app knows; kept as
		// the address so it is not lost (we have no register to resolve
		// it against).
		in.Address = p.AddressID
	}
	f := apperr.Fields{}
	for code, v := range p.Attributes {
		name := "attribute[" + code + "]"
		switch code {
		case attrDepartment:
			if v == "" {
				continue
			}
			i := slices.IndexFunc(ds, func(d org.Department) bool { return d.Code == v })
			if i < 0 {
				f.Add(name, "open311.unknown_value")
				continue
			}
			in.DepartmentID = ds[i].ID
		case attrCaseNo:
			in.CaseNo = v
		case attrPublic:
			switch v {
			case "", "false":
			case "true":
				in.Public = true
			default:
				f.Add(name, "open311.unknown_value")
			}
		default:
			f.Add(name, "open311.unknown_attribute")
		}
	}
	if k == voice.Consult && in.DepartmentID == 0 && !f.Has("attribute["+attrDepartment+"]") {
		f.Add("attribute["+attrDepartment+"]", "error.required")
	}
	if err := f.Err(); err != nil {
		return CreatedList{}, err
	}
	in.Subject = subject(p.Description, w.T("open311.service."+string(k)))
	e, err := s.Desk.File(ctx, in)
	if err != nil {
		return CreatedList{}, renameFields(err)
	}
	return CreatedList{Items: []Created{{ID: e.No, Notice: notice(w, e), AccountID: Text(p.AccountID)}}}, nil
}

// fullName joins the two halves the specification sends: family name
// first for Chinese, given name first when either is written in Latin.
func fullName(first, last string) string {
	latin := strings.ContainsFunc(first+last, func(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) })
	if latin {
		return strings.TrimSpace(first + " " + last)
	}
	return last + first
}

// subjectRunes is how much of the description names the enquiry in lists.
const subjectRunes = 30

// subject is the description's first line, cut to subjectRunes, or the
// service's name for a description without words.
func subject(description, service string) string {
	line, _, _ := strings.Cut(description, "\n")
	line = strings.TrimSpace(line)
	if utf8.RuneCountInString(line) > subjectRunes {
		line = string([]rune(line)[:subjectRunes]) + "…"
	}
	if line == "" {
		return service
	}
	return line
}

// fieldNames maps the enquiry service's field names to the parameters a
// client sent, so its errors name what the client can fix.
var fieldNames = map[string]string{
	"subject": "description", "body": "description", "name": "first_name", "address": "address_string",
	"department_id": "attribute[" + attrDepartment + "]", "case_no": "attribute[" + attrCaseNo + "]",
}

func renameFields(err error) error {
	ae := apperr.As(err)
	if ae == nil || len(ae.Fields) == 0 {
		return err
	}
	out := *ae
	out.Fields = map[string]apperr.Msg{}
	for f, m := range ae.Fields {
		if n, ok := fieldNames[f]; ok {
			f = n
		}
		if _, dup := out.Fields[f]; !dup {
			out.Fields[f] = m
		}
	}
	return &out
}

// notice says when the answer is due, in words.
func notice(w Words, e *voice.Enquiry) string {
	if e.Due.IsZero() {
		return ""
	}
	return w.T("open311.notice_"+string(e.Kind), "Date", w.Day(e.Due), "Days", e.ReplyDays)
}

// Requests is GET requests. The list holds nothing about the person who
// filed each request (see Request).
func (s *Service) Requests(ctx context.Context, w Words, q Query) (Requests, error) {
	county, err := s.jurisdiction(ctx, q.Jurisdiction)
	if err != nil {
		return Requests{}, err
	}
	f := voice.Filter{Kinds: kinds, Limit: MaxList, County: county}
	states := []string{""}
	if len(q.IDs) > 0 {
		f.Nos = q.IDs
	} else {
		if len(q.Codes) > 0 {
			f.Kinds = nil
			for _, c := range q.Codes {
				k, ok := serviceKind(c)
				if !ok {
					return Requests{}, apperr.New(apperr.NotFound, "open311.unknown_service")
				}
				f.Kinds = append(f.Kinds, k)
			}
		}
		f.From, f.To = q.From, q.To
		switch {
		case q.Open && !q.Closed:
			states = []string{voice.Open}
		case q.Closed && !q.Open:
			states = []string{voice.Answered, voice.Closed}
		}
	}
	var all []*voice.Enquiry
	for _, st := range states {
		f.State = st
		es, err := s.Desk.Find(ctx, f)
		if err != nil {
			return Requests{}, err
		}
		all = append(all, es...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Received.After(all[j].Received) })
	out := Requests{}
	for _, e := range all {
		if _, ok := serviceKind(string(e.Kind)); !ok || !inCounty(e, county) {
			continue
		}
		if len(out.Items) == MaxList {
			break
		}
		out.Items = append(out.Items, request(w, e))
	}
	return out, nil
}

// Request is GET requests/{id}: a list of one, or the specification's 404
// for a number that is not a consultation or complaint of the county.
func (s *Service) Request(ctx context.Context, w Words, no, jurisdiction string) (Requests, error) {
	county, err := s.jurisdiction(ctx, jurisdiction)
	if err != nil {
		return Requests{}, err
	}
	e, err := s.Desk.ByNo(ctx, no)
	if apperr.Is(err, apperr.NotFound) {
		return Requests{}, apperr.New(apperr.NotFound, "open311.unknown_request")
	}
	if err != nil {
		return Requests{}, err
	}
	// A help request (the portal's) and another county's enquiry are not
	// this endpoint's to show: the same 404 as an unknown number.
	if _, ok := serviceKind(string(e.Kind)); !ok || !inCounty(e, county) {
		return Requests{}, apperr.New(apperr.NotFound, "open311.unknown_request")
	}
	return Requests{Items: []Request{request(w, e)}}, nil
}

// inCounty tells whether an enquiry belongs to county: the enquiry
// service places each in its department's county or its centre's region.
func inCounty(e *voice.Enquiry, county string) bool { return strings.HasPrefix(e.RegionCode, county) }

// request is what anyone may read of an enquiry. Never a name, phone,
// email, account or device; the text, the reply, the place and the media
// only when the asker agreed to publication (voice Public).
func request(w Words, e *voice.Enquiry) Request {
	r := Request{ID: e.No, ServiceCode: string(e.Kind), ServiceName: w.T("open311.service." + string(e.Kind)),
		Requested: Time(e.Received), Updated: Time(e.Updated), ServiceNotice: Text(notice(w, e)),
		AgencyResponsible: Text(e.Department), StatusNotes: Text(w.T("open311.state." + e.State))}
	if r.AgencyResponsible == "" {
		r.AgencyResponsible = Text(e.Centre)
	}
	r.Status = "open"
	switch e.State {
	case voice.Answered:
		r.Status = "closed"
		if e.RepliedAt != nil {
			r.Updated = Time(*e.RepliedAt)
		}
	case voice.Closed:
		r.Status = "closed"
		if e.ClosedAt != nil {
			r.Updated = Time(*e.ClosedAt)
		}
	}
	if !e.Due.IsZero() {
		// The reply is due by the end of that working day.
		r.Expected = Time(e.Due.AddDays(1).Time(clock.Shanghai).Add(-time.Second))
	}
	if e.Public {
		r.Description = Text(e.Body)
		r.Address = Text(e.Address)
		r.Lat, r.Long = CoordOf(e.Lat), CoordOf(e.Long)
		r.MediaURL = Text(e.MediaURL)
		if e.Reply != "" {
			r.StatusNotes = Text(e.Reply)
		}
	}
	return r
}
