package web

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/catalogue"
	"onestop/internal/payments"
)

// The item form repeats rows for materials, fees and steps, named like
// "materials.2.name" (1-based) — the same names the domain uses for its
// field-level errors, so a message lands next to the row it is about.

// blankRows are offered under the existing rows, so an admin can add a few
// entries without a script.
const blankRows = 3

// maxFormRows bounds what a crafted form can make the server allocate.
const maxFormRows = 200

var rowFieldRE = regexp.MustCompile(`^(materials|fees|steps)\.([1-9][0-9]{0,2})\.[a-z_]+$`)

// itemForm is an item form as submitted.
type itemForm struct {
	Code, Note string
	Content    catalogue.Content
	// Values are the raw values, to show the form again unchanged.
	Values map[string]string
	// Problems are typing mistakes found while reading, under form names.
	Problems apperr.Fields
	// rowOf maps each kept entry (0-based, as the domain numbers them) to
	// its row number on the form: empty rows are dropped before the
	// domain sees the list, so "materials.2" may be the form's row 3.
	rowOf map[string][]int
	// Rows is the number of rows of each list that were on the form.
	Rows map[string]int
}

// readItemForm reads an item form. Empty rows are ignored; numbers and
// amounts that do not parse become problems of their own field.
func readItemForm(vals url.Values) itemForm {
	f := itemForm{Values: map[string]string{}, Problems: apperr.Fields{}, rowOf: map[string][]int{}, Rows: map[string]int{}}
	for k, v := range vals {
		if len(v) == 0 || k == "csrf_token" {
			continue
		}
		if m := rowFieldRE.FindStringSubmatch(k); m != nil {
			n, _ := strconv.Atoi(m[2])
			if n > maxFormRows {
				continue
			}
			f.Rows[m[1]] = max(f.Rows[m[1]], n)
		}
		f.Values[k] = v[0]
	}
	for _, t := range vals["themes"] {
		f.Values["themes."+t] = "on"
	}
	get := func(k string) string { return strings.TrimSpace(f.Values[k]) }
	num := func(k string, def int) int {
		raw := get(k)
		if raw == "" {
			return def
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < -100000 || n > 100000 {
			f.Problems.Add(k, "error.number")
			return def
		}
		return n
	}
	on := func(k string) bool { v := get(k); return v == "on" || v == "true" || v == "1" }

	f.Code = get("code")
	f.Note = get("change_note")
	c := &f.Content
	c.Name = f.Values["name"]
	c.Type = get("type")
	if id, err := strconv.ParseInt(get("department_id"), 10, 64); err == nil {
		c.DepartmentID = id
	} else if get("department_id") != "" {
		f.Problems.Add("department_id", "error.choose")
	}
	c.Audience = get("audience")
	c.Themes = vals["themes"]
	c.LegalBasis = f.Values["legal_basis"]
	c.Conditions = f.Values["conditions"]
	c.StatutoryDays = num("statutory_days", 0)
	c.PromisedDays = num("promised_days", 0)
	c.Immediate = on("immediate")
	c.Visits = num("visits", 0)
	c.Online, c.AtHall, c.AtTownship = on("online"), on("at_hall"), on("at_township")
	c.Commissioned = on("commissioned")
	c.DeemedApproval = on("deemed_approval")
	c.DeemedNote = f.Values["deemed_note"]

	for i := 1; i <= f.Rows["materials"]; i++ {
		p := "materials." + strconv.Itoa(i) + "."
		if get(p+"name") == "" && get(p+"condition") == "" && get(p+"notes") == "" {
			continue
		}
		c.Materials = append(c.Materials, catalogue.Material{
			Name: f.Values[p+"name"], Required: get(p+"required") != "0", Condition: f.Values[p+"condition"],
			Form: get(p + "form"), Copies: num(p+"copies", 1), BlankForm: on(p + "blank_form"), Notes: f.Values[p+"notes"],
		})
		f.rowOf["materials"] = append(f.rowOf["materials"], i)
	}
	for i := 1; i <= f.Rows["fees"]; i++ {
		p := "fees." + strconv.Itoa(i) + "."
		if get(p+"name") == "" && get(p+"amount") == "" && get(p+"basis") == "" {
			continue
		}
		fen, ok := payments.ParseYuan(get(p + "amount"))
		if !ok {
			f.Problems.Add(p+"amount", "catalogue.amount_format")
			fen = 1 // a stand-in, so the rest of the row is still checked
		}
		c.Fees = append(c.Fees, catalogue.Fee{Name: f.Values[p+"name"], AmountFen: fen, Basis: f.Values[p+"basis"],
			OnAcceptance: on(p + "on_acceptance"), BeforeDelivery: on(p + "before_delivery")})
		f.rowOf["fees"] = append(f.rowOf["fees"], i)
	}
	for i := 1; i <= f.Rows["steps"]; i++ {
		p := "steps." + strconv.Itoa(i) + "."
		if get(p+"name") == "" && get(p+"days") == "" {
			continue
		}
		c.Steps = append(c.Steps, catalogue.Step{Name: f.Values[p+"name"], Role: get(p + "role"), Days: num(p+"days", 0)})
		f.rowOf["steps"] = append(f.rowOf["steps"], i)
	}
	return f
}

// formField turns a domain field name into the form's: list entries are
// renumbered to their rows, and an amount in fen is the amount typed in yuan.
func (f itemForm) formField(k string) string {
	parts := strings.Split(k, ".")
	if len(parts) == 3 {
		if n, err := strconv.Atoi(parts[1]); err == nil && n >= 1 && n <= len(f.rowOf[parts[0]]) {
			parts[1] = strconv.Itoa(f.rowOf[parts[0]][n-1])
		}
		if parts[0] == "fees" && parts[2] == "amount_fen" {
			parts[2] = "amount"
		}
	}
	return strings.Join(parts, ".")
}

// check runs the domain's rules over the content without saving, for when
// typing mistakes already stop the save: the user then sees every problem
// at once instead of one round at a time.
func (f itemForm) check() error {
	_, err := f.Content.Validate(true, true)
	return f.explain(err)
}

// explain moves the domain's field errors to the form's field names and
// adds the typing problems found while reading.
func (f itemForm) explain(err error) error {
	if err == nil && len(f.Problems) == 0 {
		return nil
	}
	out := &apperr.Error{Code: apperr.Invalid, Msg: apperr.M("error.invalid"), Fields: map[string]apperr.Msg{}}
	if ae := apperr.As(err); ae != nil {
		if ae.Code != apperr.Invalid && ae.Code != apperr.Conflict {
			return err
		}
		out.Code, out.Msg, out.Err = ae.Code, ae.Msg, ae.Err
		for k, m := range ae.Fields {
			k = f.formField(k)
			// The domain refuses control characters in every text, line
			// breaks included; say which one rather than "bad characters",
			// since an Enter in a text box is the usual cause.
			if m.Key == "error.bad_characters" && strings.ContainsAny(f.Values[k], "\r\n") {
				m = apperr.M("catalogue.no_line_breaks")
			}
			out.Fields[k] = m
		}
	} else if err != nil {
		return err
	}
	for k, m := range f.Problems {
		out.Fields[k] = m // a typing mistake explains the field better than a rule does
	}
	return out
}

// contentValues is the form's view of an item's content, for editing.
func contentValues(code string, c catalogue.Content) map[string]string {
	v := map[string]string{
		"code": code, "name": c.Name, "type": c.Type, "audience": c.Audience, "legal_basis": c.LegalBasis,
		"conditions": c.Conditions, "statutory_days": strconv.Itoa(c.StatutoryDays), "promised_days": strconv.Itoa(c.PromisedDays),
		"visits": strconv.Itoa(c.Visits), "deemed_note": c.DeemedNote,
	}
	if c.DepartmentID != 0 {
		v["department_id"] = strconv.FormatInt(c.DepartmentID, 10)
	}
	for k, b := range map[string]bool{"immediate": c.Immediate, "online": c.Online, "at_hall": c.AtHall, "at_township": c.AtTownship,
		"commissioned": c.Commissioned, "deemed_approval": c.DeemedApproval} {
		if b {
			v[k] = "on"
		}
	}
	for _, t := range c.Themes {
		v["themes."+t] = "on"
	}
	for i, m := range c.Materials {
		p := "materials." + strconv.Itoa(i+1) + "."
		v[p+"name"], v[p+"condition"], v[p+"form"], v[p+"notes"] = m.Name, m.Condition, m.Form, m.Notes
		v[p+"copies"] = strconv.Itoa(m.Copies)
		v[p+"required"] = "1"
		if !m.Required {
			v[p+"required"] = "0"
		}
		if m.BlankForm {
			v[p+"blank_form"] = "on"
		}
	}
	for i, fee := range c.Fees {
		p := "fees." + strconv.Itoa(i+1) + "."
		v[p+"name"], v[p+"amount"], v[p+"basis"] = fee.Name, payments.FormatYuan(fee.AmountFen), fee.Basis
		for name, set := range map[string]bool{"on_acceptance": fee.OnAcceptance, "before_delivery": fee.BeforeDelivery} {
			if set {
				v[p+name] = "on"
			}
		}
	}
	for i, s := range c.Steps {
		p := "steps." + strconv.Itoa(i+1) + "."
		v[p+"name"], v[p+"role"], v[p+"days"] = s.Name, s.Role, strconv.Itoa(s.Days)
	}
	return v
}

// rows lists the row numbers to show for each list: every row that was on
// the form, and at least a few blank ones after the entries.
func (f itemForm) rows(list string) []int {
	return rowNumbers(max(f.Rows[list], len(f.rowOf[list])+blankRows))
}

func rowNumbers(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}
