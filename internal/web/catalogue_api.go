package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/catalogue"
	"onestop/internal/payments"
)

// apiFee is a fee with its amount both in fen (exact, for programs) and in
// yuan with two decimals (for people reading the JSON).
type apiFee struct {
	Name      string `json:"name"`
	AmountFen int64  `json:"amount_fen"`
	Amount    string `json:"amount"`
	Basis     string `json:"basis"`
}

// apiItem is an item as the API answers it: the stable field names of
// docs/ARCHITECTURE.md §5 (code, name, type, department, statutory_days,
// promised_days, immediate, deemed_approval, online, fees, materials) and
// everything else the card shows.
type apiItem struct {
	catalogue.Item
	Fees []apiFee `json:"fees"`
	Free bool     `json:"free"`
	// Reason repeats status_reason for an item not in force, under the
	// plain name integrations look for.
	Reason string `json:"reason,omitempty"`
	URL    string `json:"url"` // the public card
}

func toAPIItem(it catalogue.Item) apiItem {
	out := apiItem{Item: it, Fees: []apiFee{}, Free: it.Free(), URL: "/guide/items/" + it.Code}
	for _, f := range it.Content.Fees {
		out.Fees = append(out.Fees, apiFee{Name: f.Name, AmountFen: f.AmountFen, Amount: payments.FormatYuan(f.AmountFen), Basis: f.Basis})
	}
	if it.Status != catalogue.InForce {
		out.Reason = it.StatusReason
	}
	return out
}

// apiItems is the public search: items in force only.
func (s *Server) apiItems(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	dept, ok, err := s.departmentParam(r, q.Get("department"))
	if err != nil {
		return err
	}
	if !ok { // an unknown department has no items
		return listJSON(w, []apiItem{}, 0)
	}
	limit, offset := pageParams(r, 50, 500)
	items, total, err := s.Catalogue.List(r.Context(), catalogue.Filter{Q: q.Get("q"), DepartmentID: dept, Type: q.Get("type"),
		Theme: q.Get("theme"), Audience: q.Get("audience"), County: q.Get("county"), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	out := make([]apiItem, len(items))
	for i, it := range items {
		out[i] = toAPIItem(it)
	}
	return listJSON(w, out, total)
}

// apiItem answers one item in any status (a cancelled item says so, with
// its reason), the version in force or ?version=N.
func (s *Server) apiItem(w http.ResponseWriter, r *http.Request) error {
	svc := s.Catalogue
	it, err := svc.Item(r.Context(), itemCode(r))
	if err != nil {
		return err
	}
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > it.Version {
			return errNoVersion
		}
		if it, err = svc.ItemVersion(r.Context(), it.Code, n); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, toAPIItem(it))
}

func (s *Server) apiItemVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.Catalogue.Versions(r.Context(), itemCode(r))
	if err != nil {
		return err
	}
	return listJSON(w, vs, len(vs))
}

// itemInput is what POST and PUT /api/v1/items send: the content fields
// under their own names, the code, a change note, and optionally the
// department by code instead of by id.
type itemInput struct {
	Code           string `json:"code"`
	ChangeNote     string `json:"change_note"`
	DepartmentCode string `json:"department_code"`
	catalogue.Content
}

// readItemInput decodes the body strictly (unknown fields are errors) and
// reports which top-level fields were present, so PUT can keep the rest.
func readItemInput(r *http.Request) (itemInput, map[string]json.RawMessage, error) {
	var in itemInput
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return in, nil, errTooLarge
		}
		return in, nil, err
	}
	if err := decodeJSON(bytes.NewReader(body), &in); err != nil {
		return in, nil, err
	}
	present := map[string]json.RawMessage{}
	_ = json.Unmarshal(body, &present) // decodeJSON has proved it is an object
	return in, present, nil
}

// resolveDepartment turns department_code into department_id.
func (s *Server) resolveDepartment(r *http.Request, in *itemInput) error {
	if in.DepartmentCode == "" || in.DepartmentID != 0 {
		return nil
	}
	id, ok, err := s.departmentParam(r, in.DepartmentCode)
	if err != nil {
		return err
	}
	if !ok {
		f := apperr.Fields{}
		f.Add("department_code", "org.department.missing")
		return f.Err()
	}
	in.DepartmentID = id
	return nil
}

func (s *Server) apiCreateItem(w http.ResponseWriter, r *http.Request) error {
	in, _, err := readItemInput(r)
	if err != nil {
		return err
	}
	if err := s.resolveDepartment(r, &in); err != nil {
		return err
	}
	it, err := s.Catalogue.Create(r.Context(), actor(r), in.Code, in.Content, in.ChangeNote)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/items/"+it.Code)
	return writeJSON(w, http.StatusCreated, toAPIItem(it))
}

// apiUpdateItem saves a new version. Content fields left out of the body
// keep their current values, so a client may send only what changes
// (steps must still add up to the promised limit).
func (s *Server) apiUpdateItem(w http.ResponseWriter, r *http.Request) error {
	svc := s.Catalogue
	cur, err := svc.Item(r.Context(), itemCode(r))
	if err != nil {
		return err
	}
	in, present, err := readItemInput(r)
	if err != nil {
		return err
	}
	if in.Code != "" && !strings.EqualFold(in.Code, cur.Code) {
		f := apperr.Fields{}
		f.Add("code", "catalogue.code_fixed")
		return f.Err()
	}
	if _, ok := present["department_code"]; ok {
		if _, ok := present["department_id"]; !ok {
			in.DepartmentID = 0
			present["department_id"] = nil
		}
	}
	if err := s.resolveDepartment(r, &in); err != nil {
		return err
	}
	keepAbsent(&in.Content, cur.Content, present)
	it, _, err := svc.Update(r.Context(), actor(r), cur.Code, in.Content, in.ChangeNote)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toAPIItem(it))
}

// keepAbsent copies into c every field of cur whose JSON name the body did
// not carry.
func keepAbsent(c *catalogue.Content, cur catalogue.Content, present map[string]json.RawMessage) {
	v, old := reflect.ValueOf(c).Elem(), reflect.ValueOf(cur)
	for i := 0; i < v.NumField(); i++ {
		if _, ok := present[jsonName(v.Type().Field(i))]; !ok {
			v.Field(i).Set(old.Field(i))
		}
	}
}

func (s *Server) apiItemStatus(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	it, err := s.Catalogue.SetStatus(r.Context(), actor(r), itemCode(r), in.Status, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toAPIItem(it))
}

func (s *Server) apiComposites(w http.ResponseWriter, r *http.Request) error {
	// ?q= searches them as the guide search does (issue 14 §1); without
	// words, all in force, as /api/v1/items answers.
	var list []catalogue.Composite
	var err error
	if q := r.URL.Query().Get("q"); strings.TrimSpace(q) != "" {
		list, err = s.Catalogue.FindComposites(r.Context(), q)
	} else {
		list, err = s.Catalogue.Composites(r.Context())
	}
	if err != nil {
		return err
	}
	return listJSON(w, list, len(list))
}

func (s *Server) apiComposite(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Catalogue.Composite(r.Context(), itemCode(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (s *Server) apiCreateComposite(w http.ResponseWriter, r *http.Request) error {
	var in catalogue.CompositeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.Catalogue.CreateComposite(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/composites/"+c.Code)
	return writeJSON(w, http.StatusCreated, c)
}

// apiItemTypes lists the item types, which are data (provinces differ).
func (s *Server) apiItemTypes(w http.ResponseWriter, r *http.Request) error {
	types, err := s.Catalogue.Types(r.Context())
	if err != nil {
		return err
	}
	return listJSON(w, types, len(types))
}

func (s *Server) apiCatalogueStats(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Catalogue.Stats(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}
