package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"onestop/internal/audit"
	"onestop/internal/calendar"
)

// The audit log stores each record before and after a change as JSON
// (audit.Write); the page reads it as a list of the fields that changed,
// each labelled in the reader's language and its values formatted, so no
// one has to read JSON to see who changed what.

// auditRow is one entry of the log as the page shows it.
type auditRow struct {
	audit.Entry
	Subject string        // the record's name, when it has one
	Changes []auditChange // the fields shown, in a stable order
}

// auditChange is one field: its label and its value before and after.
type auditChange struct {
	Label, Before, After string
}

// auditHidden are keys that tell a reader nothing: row ids, hashes and
// bookkeeping the log itself records (the time, the version row).
var auditHidden = []string{"id", "version_id", "version_at", "created_at", "updated_at", "retired_at", "password_hash"}

// auditIDNames: an id hidden when the record also names what it points to.
var auditIDNames = map[string][]string{
	"centre_id":     {"centre_name"},
	"department_id": {"department_name", "department"},
	"backup_id":     {"backup_name"},
	"window_id":     {"window_number"},
}

// auditAreas are the translation areas a field's label and a value's
// words are looked up in, per entity, before the shared audit ones.
var auditAreas = map[string][]string{
	"region":         {"regions"},
	"centre":         {"centres"},
	"department":     {"departments"},
	"window":         {"windows"},
	"staff":          {"staff"},
	"applicant":      {"applicant"},
	"item":           {"catalogue.field", "catalogue"},
	"composite":      {"catalogue.field", "catalogue"},
	"open311_client": {"open311"},
}

// auditNames resolves the ids a page of the log names, each once.
func (s *Server) auditNames(r *http.Request) func(string, int64) string {
	seen := map[string]string{}
	return func(key string, id int64) string {
		ck := fmt.Sprint(key, id)
		if n, ok := seen[ck]; ok {
			return n
		}
		var n string
		switch key {
		case "department_id", "lead_department_id":
			if d, err := s.Org.Department(r.Context(), id); err == nil {
				n = d.Name
			}
		case "centre_id":
			if c, err := s.Org.Centre(r.Context(), id); err == nil {
				n = c.Name
			}
		}
		seen[ck] = n
		return n
	}
}

var isoDay = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// auditFmt formats the log for one page; name resolves a department or
// centre id to its name ("" when unknown), so a catalogue record, which
// stores only the id, still reads as a name.
type auditFmt struct {
	p    *Page
	name func(key string, id int64) string
}

// auditRows turns log entries into rows for the page.
func (f auditFmt) auditRows(entries []audit.Entry) []auditRow {
	out := make([]auditRow, 0, len(entries))
	for _, e := range entries {
		before, after := auditObject(e.Before), auditObject(e.After)
		row := auditRow{Entry: e}
		for _, m := range []map[string]any{after, before} {
			if n, ok := m["name"].(string); ok && row.Subject == "" {
				row.Subject = n
			}
		}
		keys := map[string]bool{}
		for k := range before {
			keys[k] = true
		}
		for k := range after {
			keys[k] = true
		}
		var order []string
		for k := range keys {
			if f.auditShown(k, before, after) {
				order = append(order, k)
			}
		}
		slices.Sort(order)
		for _, k := range order {
			b, a := before[k], after[k]
			// An update shows what changed; a record created or retired shows all of it.
			if before != nil && after != nil && reflect.DeepEqual(b, a) {
				continue
			}
			ch := auditChange{Label: f.auditLabel(e.Entity, k), Before: f.auditValue(e.Entity, k, b), After: f.auditValue(e.Entity, k, a)}
			if ch.Before == "" && ch.After == "" {
				continue
			}
			row.Changes = append(row.Changes, ch)
		}
		out = append(out, row)
	}
	return out
}

// auditObject reads a stored before/after; anything but a JSON object
// (an empty string, a bare value) is nil.
func auditObject(s string) map[string]any {
	var m map[string]any
	if s == "" || json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	return m
}

func (f auditFmt) auditShown(k string, before, after map[string]any) bool {
	if slices.Contains(auditHidden, k) {
		return false
	}
	for _, name := range auditIDNames[k] {
		if _, ok := after[name]; ok {
			return false
		}
		if _, ok := before[name]; ok {
			return false
		}
	}
	return true
}

// auditLabel names a field: the audit area's word for it, else the
// entity's form label, else words made from the key (never a raw key).
func (f auditFmt) auditLabel(entity, k string) string {
	p := f.p
	keys := []string{"audit.field." + k}
	for _, area := range auditAreas[entity] {
		keys = append(keys, area+"."+k)
	}
	for _, key := range keys {
		if p.s.i18n.Has(p.Lang, key) {
			return p.T(key)
		}
	}
	return strings.ReplaceAll(k, "_", " ")
}

// auditValue formats a value: yes/no, money in yuan, days as dates,
// instants in Shanghai, codes in words, lists by their names.
func (f auditFmt) auditValue(entity, k string, v any) string {
	p := f.p
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return p.T("audit.yes")
		}
		return p.T("audit.no")
	case float64:
		if strings.HasSuffix(k, "_fen") {
			return p.CaseYuan(int64(x))
		}
		if n := f.name(k, int64(x)); n != "" {
			return n
		}
		return fmt.Sprint(int64(x))
	case string:
		return f.auditString(entity, k, x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if s := f.auditValue(entity, k, e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "、")
	case map[string]any:
		// A material, a fee, a step, a holiday: its name, with the amount
		// or the days where it has them.
		s := fmt.Sprint(x["name"])
		if x["name"] == nil {
			s = ""
		}
		if f, ok := x["amount_fen"].(float64); ok {
			s += "（" + p.CaseYuan(int64(f)) + "）"
		}
		if d, ok := x["date"].(string); ok {
			s = strings.TrimSpace(s + " " + f.auditString(entity, "date", d))
		}
		if from, ok := x["from"].(string); ok {
			s += " " + f.auditString(entity, "from", from)
			if to, ok := x["to"].(string); ok && to != from {
				s += "—" + f.auditString(entity, "to", to)
			}
		}
		return strings.TrimSpace(s)
	}
	return fmt.Sprint(v)
}

func (f auditFmt) auditString(entity, k, s string) string {
	p := f.p
	if isoDay.MatchString(s) {
		if d, err := calendar.ParseDate(s); err == nil {
			return p.CaseDay(d)
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return p.Date(t)
	}
	if k == "role" && p.s.i18n.Has(p.Lang, "role."+s) {
		return p.T("role." + s)
	}
	// A code with a word in the entity's area (a centre's kind, an item's
	// audience, a status).
	for _, area := range append(slices.Clone(auditAreas[entity]), "audit.value") {
		area = strings.TrimSuffix(area, ".field")
		if key := area + "." + k + "." + s; p.s.i18n.Has(p.Lang, key) {
			return p.T(key)
		}
	}
	return s
}
