package catalogue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Service reads and changes the catalogue.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// Type is an item type (行政许可 …).
type Type struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Power bool   `json:"power"`
}

// Types lists the item types in order.
func (s *Service) Types(ctx context.Context) ([]Type, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT code, name, power FROM item_types ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("item types: %w", err)
	}
	defer rows.Close()
	var out []Type
	for rows.Next() {
		var t Type
		if err := rows.Scan(&t.Code, &t.Name, &t.Power); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CanManage reports whether the actor may change items of a department: the
// county hall's admin any, a department admin their own.
func CanManage(a org.Actor, departmentID int64) bool {
	return (a.Role == org.CentreAdmin && a.CountyWide()) || (a.Role == org.DeptAdmin && a.DepartmentID == departmentID)
}

const itemCols = `i.id, i.code, i.status, i.status_reason, i.cancelled_on, v.version, v.id, d.name, d.code, t.name, v.change_note, v.created_at,
	v.name, v.type, i.department_id, v.audience, v.themes, v.legal_basis, v.conditions, v.statutory_days, v.promised_days, v.immediate,
	v.visits, v.online, v.at_hall, v.at_township, v.commissioned, v.deemed_approval, v.deemed_note, v.materials, v.fees, v.steps,
	COALESCE(d.region_code, '')`

const itemFrom = itemMatch + ` JOIN item_types t ON t.code = v.type`

// itemIndex is what a list without content filters needs: the items row
// keeps the name and search text of the version in force.
const itemIndex = `items i JOIN departments d ON d.id = i.department_id`

// itemMatch is what a list filters and sorts on (every version has a
// type: the foreign key makes the join with item_types a lookup only).
const itemMatch = `items i JOIN item_versions v ON v.item_id = i.id AND v.version = i.current_version
	JOIN departments d ON d.id = i.department_id`

func scanItem(row interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var themes, materials, fees, steps string
	err := row.Scan(&it.ID, &it.Code, &it.Status, &it.StatusReason, &it.CancelledOn, &it.Version, &it.VersionID, &it.Department, &it.DepartmentCode,
		&it.TypeName, &it.ChangeNote, &it.VersionAt, &it.Name, &it.Type, &it.DepartmentID, &it.Audience, &themes, &it.LegalBasis, &it.Conditions,
		&it.StatutoryDays, &it.PromisedDays, &it.Immediate, &it.Visits, &it.Online, &it.AtHall, &it.AtTownship, &it.Commissioned,
		&it.DeemedApproval, &it.DeemedNote, &materials, &fees, &steps, &it.County)
	if errors.Is(err, sql.ErrNoRows) {
		return it, apperr.NotFoundf("entity.item")
	}
	if err != nil {
		return it, err
	}
	for _, p := range []struct {
		s string
		v any
	}{{themes, &it.Themes}, {materials, &it.Materials}, {fees, &it.Fees}, {steps, &it.Steps}} {
		if err := json.Unmarshal([]byte(p.s), p.v); err != nil {
			return it, fmt.Errorf("item %s: %w", it.Code, err)
		}
	}
	return it, nil
}

// Item returns an item with its version in force.
func (s *Service) Item(ctx context.Context, code string) (Item, error) {
	return scanItem(s.DB.Read().QueryRowContext(ctx, "SELECT "+itemCols+" FROM "+itemFrom+" WHERE i.code = $1", strings.TrimSpace(code)))
}

// ItemVersion returns one version of an item (cases name their version).
func (s *Service) ItemVersion(ctx context.Context, code string, version int) (Item, error) {
	return ItemVersionIn(ctx, s.DB.Read(), code, version)
}

var itemVersionQuery = "SELECT " + itemCols + " FROM " + strings.Replace(itemFrom, "v.version = i.current_version", "v.version = $2", 1) +
	" WHERE i.code = $1"

// ItemVersionIn reads one version of an item through q, so a transaction
// can read it on its own connection.
func ItemVersionIn(ctx context.Context, q store.Querier, code string, version int) (Item, error) {
	return scanItem(q.QueryRowContext(ctx, itemVersionQuery, code, version))
}

// Filter narrows a listing. Status "" means in force; "all" means every status.
type Filter struct {
	Q            string
	DepartmentID int64
	Type         string
	Theme        string
	Audience     string // citizen or organisation: also matches "both"
	Status       string
	Online       bool
	AtTownship   bool
	// County narrows to one county's items (the departments it serves).
	County string
	Limit  int
	Offset int
}

// List finds items. Keywords match the name, code, department and themes;
// several words must all match; partial words match (LIKE on a lower-cased
// search text behaves the same on SQLite and PostgreSQL, Chinese included).
func (s *Service) List(ctx context.Context, f Filter) ([]Item, int, error) {
	var w store.Where
	switch f.Status {
	case "":
		w.Add("i.status = ?", InForce)
	case "all":
	default:
		w.Add("i.status = ?", f.Status)
	}
	for _, word := range strings.Fields(strings.ToLower(f.Q)) {
		if len([]rune(word)) > 50 {
			word = string([]rune(word)[:50])
		}
		w.Add(`i.search_text LIKE ? ESCAPE '\'`, store.Contains(word))
	}
	// The filters below read the version's content; without them the ids
	// are found on items and departments alone.
	content := f.Type != "" || f.Theme != "" || f.Audience == "citizen" || f.Audience == "organisation" || f.Online || f.AtTownship
	if f.DepartmentID != 0 {
		w.Add("i.department_id = ?", f.DepartmentID)
	}
	if f.Type != "" {
		w.Add("v.type = ?", f.Type)
	}
	if f.County != "" {
		w.Add("(d.region_code = ? OR d.region_code IS NULL)", f.County)
	}
	if f.Theme != "" {
		// The themes are a JSON array of strings: the quotes make the match whole.
		w.Add(`v.themes LIKE ? ESCAPE '\'`, store.Contains(`"`+f.Theme+`"`))
	}
	if f.Audience == "citizen" || f.Audience == "organisation" {
		w.Add("v.audience IN (?, 'both')", f.Audience)
	}
	if f.Online {
		w.Add("v.online = ?", true)
	}
	if f.AtTownship {
		w.Add("v.at_township = ?", true)
	}
	cond := w.String()
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	countArgs := w.Args()
	order := "d.code, i.code"
	// A query of only spaces has no first word (indexing it panicked).
	if words := strings.Fields(strings.ToLower(f.Q)); len(words) > 0 {
		// Names that start with the first word come first.
		order = `CASE WHEN LOWER(i.name) LIKE ` + w.Bind(store.Prefix(words[0])) + ` ESCAPE '\' THEN 0 ELSE 1 END, LENGTH(i.name), i.code`
	}
	// Two steps. First the page's ids, sorted on narrow rows, with the
	// number of matches: a province's catalogue has tens of thousands of
	// items, and sorting them with their whole content (materials, fees,
	// steps) spilled to disk on PostgreSQL - a minute a page at 52 000
	// items. Then the page's content by id.
	r := s.DB.Read()
	from := itemMatch
	if !content {
		from = itemIndex
	}
	page := fmt.Sprintf("SELECT i.id, COUNT(*) OVER () FROM %s%s ORDER BY %s LIMIT %s OFFSET %s",
		from, cond, order, w.Bind(limit), w.Bind(max(f.Offset, 0)))
	rows, err := r.QueryContext(ctx, page, w.Args()...)
	if err != nil {
		return nil, 0, fmt.Errorf("list items: %w", err)
	}
	var ids []int64
	total := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &total); err != nil {
			rows.Close()
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list items: %w", err)
	}
	out := []Item{}
	if len(ids) == 0 {
		// Past the end, or nothing matches: the count alone.
		if f.Offset > 0 {
			if err := r.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+from+cond, countArgs...).Scan(&total); err != nil {
				return nil, 0, fmt.Errorf("count items: %w", err)
			}
		}
		return out, total, nil
	}
	marks, idArgs := store.IDList(ids, 1)
	rows, err = r.QueryContext(ctx, "SELECT "+itemCols+" FROM "+itemFrom+" WHERE i.id IN ("+marks+")", idArgs...)
	if err != nil {
		return nil, 0, fmt.Errorf("list items: %w", err)
	}
	defer rows.Close()
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	out = make([]Item, len(ids))
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, 0, err
		}
		out[at[it.ID]] = it
	}
	return out, total, rows.Err()
}

// InForce calls fn for every item in force in id order, streaming: bulk
// tools that need the whole catalogue (52 000 items in a province) would
// otherwise page through it, sorting it once per page.
func (s *Service) InForce(ctx context.Context, fn func(Item) error) error {
	return s.each(ctx, " WHERE i.status = $1 ORDER BY i.id", fn, InForce)
}

// each streams the items a condition and order select.
func (s *Service) each(ctx context.Context, condOrder string, fn func(Item) error, args ...any) error {
	rows, err := s.DB.Read().QueryContext(ctx, "SELECT "+itemCols+" FROM "+itemFrom+condOrder, args...)
	if err != nil {
		return fmt.Errorf("items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return err
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	return rows.Err()
}

// check validates content against the database's types and departments.
func (s *Service) check(ctx context.Context, q store.Querier, c Content) (Content, string, error) {
	var typeOK, deptOK bool
	var deptText string
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM item_types WHERE code = $1`, c.Type).Scan(&n); err != nil {
		return c, "", err
	}
	typeOK = n == 1
	var name, short, code string
	err := q.QueryRowContext(ctx, `SELECT name, short_name, code FROM departments WHERE id = $1 AND retired_at IS NULL`, c.DepartmentID).Scan(&name, &short, &code)
	switch {
	case err == nil:
		deptOK, deptText = true, name+" "+short+" "+code
	case !errors.Is(err, sql.ErrNoRows):
		return c, "", err
	}
	c, err = c.Validate(typeOK, deptOK)
	return c, deptText, err
}

// searchText is what keyword search looks in, lower-cased once on write.
func searchText(code string, c Content, dept string) string {
	return strings.ToLower(strings.Join([]string{c.Name, code, dept, strings.Join(c.Themes, " ")}, " "))
}

func (s *Service) insertVersion(ctx context.Context, tx *sql.Tx, itemID int64, version int, code string, c Content, dept, note, by string, now time.Time) (int64, error) {
	search := searchText(code, c, dept)
	themes, _ := json.Marshal(nonNil(c.Themes))
	materials, _ := json.Marshal(nonNil(c.Materials))
	fees, _ := json.Marshal(nonNil(c.Fees))
	steps, _ := json.Marshal(nonNil(c.Steps))
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO item_versions (item_id, version, name, type, audience, themes, legal_basis, conditions, statutory_days,
		promised_days, immediate, visits, online, at_hall, at_township, commissioned, deemed_approval, deemed_note, materials, fees, steps,
		search_text, change_note, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25)
		RETURNING id`, itemID, version, c.Name, c.Type, c.Audience, string(themes), c.LegalBasis, c.Conditions, c.StatutoryDays, c.PromisedDays,
		c.Immediate, c.Visits, c.Online, c.AtHall, c.AtTownship, c.Commissioned, c.DeemedApproval, c.DeemedNote, string(materials), string(fees),
		string(steps), search, note, by, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert item version: %w", err)
	}
	// The version just written is the one in force: search reads its name
	// and text from the items row.
	if _, err := tx.ExecContext(ctx, `UPDATE items SET name = $1, search_text = $2 WHERE id = $3`, c.Name, search, itemID); err != nil {
		return 0, fmt.Errorf("item search text: %w", err)
	}
	return id, nil
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// maxChangeNote bounds the note a version carries in the item's history.
const maxChangeNote = 500

// Create adds an item in force with version 1.
func (s *Service) Create(ctx context.Context, a org.Actor, code string, c Content, note string) (Item, error) {
	if a.Role == org.DeptAdmin {
		c.DepartmentID = a.DepartmentID // a department lists only its own items
	}
	if !CanManage(a, c.DepartmentID) {
		return Item{}, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	now := s.Now().UTC().Truncate(time.Millisecond)
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := s.create(ctx, tx, a.Who(), code, c, note, now)
		return err
	})
	if err != nil {
		return Item{}, err
	}
	return s.Item(ctx, code)
}

// create is Create inside a transaction, for the importer and the demo.
func (s *Service) create(ctx context.Context, tx *sql.Tx, who audit.Who, code string, c Content, note string, now time.Time) (int64, error) {
	f := apperr.Fields{}
	if !codeRE.MatchString(code) {
		f.Add("code", "catalogue.code_format")
	}
	note = f.Para("change_note", note, false, maxChangeNote)
	c, dept, err := s.check(ctx, tx, c)
	if err != nil {
		if ae := apperr.As(err); ae != nil {
			for k, v := range ae.Fields {
				f[k] = v
			}
		} else {
			return 0, err
		}
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO items (code, department_id, status, current_version, created_at, updated_at) VALUES ($1,$2,$3,1,$4,$4) RETURNING id`,
		code, c.DepartmentID, InForce, now).Scan(&id)
	if err != nil {
		if store.IsUnique(err) {
			f.Add("code", "error.duplicate")
			return 0, &apperr.Error{Code: apperr.Conflict, Msg: apperr.M("error.invalid"), Fields: f}
		}
		return 0, fmt.Errorf("insert item: %w", err)
	}
	if note == "" {
		note = "新增事项"
	}
	if _, err := s.insertVersion(ctx, tx, id, 1, code, c, dept, note, who.Name, now); err != nil {
		return 0, err
	}
	return id, audit.Write(ctx, tx, now, who, "create", "item", code, 0, c.DepartmentID, nil, c)
}

// Update saves new content as a new version; content equal to the version
// in force changes nothing (so an export re-imported makes no versions).
// It reports whether a version was made.
func (s *Service) Update(ctx context.Context, a org.Actor, code string, c Content, note string) (Item, bool, error) {
	cur, err := s.Item(ctx, code)
	if err != nil {
		return Item{}, false, err
	}
	if !CanManage(a, cur.DepartmentID) || !CanManage(a, c.DepartmentID) {
		return Item{}, false, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	changed := false
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		changed, err = s.update(ctx, tx, a.Who(), cur, c, note, now)
		return err
	})
	if err != nil {
		return Item{}, false, err
	}
	it, err := s.Item(ctx, code)
	return it, changed, err
}

func (s *Service) update(ctx context.Context, tx *sql.Tx, who audit.Who, cur Item, c Content, note string, now time.Time) (bool, error) {
	nf := apperr.Fields{}
	if note = nf.Para("change_note", note, false, maxChangeNote); len(nf) > 0 {
		return false, nf.Err()
	}
	c, dept, err := s.check(ctx, tx, c)
	if err != nil {
		return false, err
	}
	if Equal(cur.Content, c) {
		return false, nil
	}
	if note == "" {
		note = strings.Join(Changes(cur.Content, c), "、")
	}
	// The conditional update makes two simultaneous edits produce one
	// version each in turn, never two versions with the same number.
	res, err := tx.ExecContext(ctx, `UPDATE items SET current_version = current_version + 1, department_id = $1, updated_at = $2
		WHERE id = $3 AND current_version = $4`, c.DepartmentID, now, cur.ID, cur.Version)
	if err != nil {
		return false, fmt.Errorf("update item: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, apperr.New(apperr.Conflict, "catalogue.changed_meanwhile")
	}
	if _, err := s.insertVersion(ctx, tx, cur.ID, cur.Version+1, cur.Code, c, dept, note, who.Name, now); err != nil {
		return false, err
	}
	return true, audit.Write(ctx, tx, now, who, "update", "item", cur.Code, 0, c.DepartmentID, cur.Content, c)
}

// Equal compares two contents as the catalogue sees them (nil and empty
// lists are the same).
func Equal(a, b Content) bool {
	norm := func(c Content) Content {
		c.Themes, c.Materials, c.Fees, c.Steps = nonNil(c.Themes), nonNil(c.Materials), nonNil(c.Fees), nonNil(c.Steps)
		return c
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// Changes names the fields that differ, as translation-free Chinese labels
// for the public version history.
func Changes(a, b Content) []string {
	var out []string
	av, bv := reflect.ValueOf(a), reflect.ValueOf(b)
	t := av.Type()
	for i := 0; i < t.NumField(); i++ {
		x, y := av.Field(i).Interface(), bv.Field(i).Interface()
		if reflect.ValueOf(x).Kind() == reflect.Slice && reflect.ValueOf(x).Len() == 0 && reflect.ValueOf(y).Len() == 0 {
			continue
		}
		if !reflect.DeepEqual(x, y) {
			out = append(out, fieldLabels[t.Field(i).Name])
		}
	}
	return out
}

var fieldLabels = map[string]string{"Name": "名称", "Type": "事项类型", "DepartmentID": "实施部门", "Audience": "服务对象", "Themes": "主题",
	"LegalBasis": "设定依据", "Conditions": "受理条件", "StatutoryDays": "法定时限", "PromisedDays": "承诺时限", "Immediate": "办件类型",
	"Visits": "跑动次数", "Online": "网上办理", "AtHall": "大厅受理", "AtTownship": "乡镇代办", "Commissioned": "委托受理",
	"DeemedApproval": "超时默认", "DeemedNote": "超时默认依据", "Materials": "申请材料", "Fees": "收费", "Steps": "办理流程"}

// SetStatus suspends, cancels or restores an item. Cancelling needs a
// reason and records the date (the yearly clean-up report counts these).
func (s *Service) SetStatus(ctx context.Context, a org.Actor, code, status, reason string) (Item, error) {
	cur, err := s.Item(ctx, code)
	if err != nil {
		return Item{}, err
	}
	if !CanManage(a, cur.DepartmentID) {
		return Item{}, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	f := apperr.Fields{}
	reason = f.Text("reason", reason, status != InForce, 500)
	if status != InForce && status != Suspended && status != Cancelled {
		f.Add("status", "error.choose")
	}
	if err := f.Err(); err != nil {
		return Item{}, err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.setStatus(ctx, tx, a.Who(), cur, status, reason, now) })
	if err != nil {
		return Item{}, err
	}
	return s.Item(ctx, code)
}

// civilDate is the Shanghai calendar day of an instant, as a midnight UTC
// time both drivers store as a date.
func civilDate(t time.Time) time.Time {
	y, m, d := t.In(clock.Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Version is one line of an item's public history.
type Version struct {
	Version   int       `json:"version"`
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Note      string    `json:"change_note"`
	By        string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// Versions lists an item's versions, newest first.
func (s *Service) Versions(ctx context.Context, code string) ([]Version, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT v.version, v.id, v.name, v.change_note, v.created_by, v.created_at FROM item_versions v
		JOIN items i ON i.id = v.item_id WHERE i.code = $1 ORDER BY v.version DESC`, code)
	if err != nil {
		return nil, fmt.Errorf("item versions: %w", err)
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		var v Version
		if err := rows.Scan(&v.Version, &v.ID, &v.Name, &v.Note, &v.By, &v.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, apperr.NotFoundf("entity.item")
	}
	return out, rows.Err()
}
