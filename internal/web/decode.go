package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"onestop/internal/apperr"
)

// decode fills dst (a pointer to a struct with json tags) from the request:
// a JSON body for the API, form values for pages. Unknown JSON fields, wrong
// types and malformed numbers are the user's mistakes and answer field-level
// errors, never a 500.
func decode(r *http.Request, dst any) error {
	if isAPI(r) {
		return decodeJSON(r.Body, dst)
	}
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	return decodeValues(r.PostForm, dst)
}

func decodeJSON(body io.Reader, dst any) error {
	raw, err := io.ReadAll(body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	if err != nil {
		return err
	}
	// JSON is UTF-8 (RFC 8259 §8.1); the decoder would quietly turn bad
	// bytes into U+FFFD and store a name nobody typed.
	if !utf8.Valid(raw) {
		return apperr.New(apperr.Invalid, "error.bad_utf8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field != "":
			f := apperr.Fields{}
			f.Add(te.Field, "error.wrong_type")
			return f.Err()
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := apperr.Fields{}
			f.Add(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "error.unknown_field")
			return f.Err()
		}
		return apperr.New(apperr.Invalid, "error.bad_json")
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "error.bad_json")
	}
	f := apperr.Fields{}
	checkStrings(reflect.ValueOf(dst), "", f)
	return f.Err()
}

// checkStrings applies the text rule (no control characters but tab and
// line breaks) to every string of a decoded body, so a NUL in a code that
// is only looked up ("item_code", "type") is the user's mistake, not a 500
// from PostgreSQL, which refuses it. Lengths stay the domain's to judge.
// List entries are named like the catalogue's fields, 1-based
// ("materials.2.name").
func checkStrings(v reflect.Value, path string, f apperr.Fields) {
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkStrings(v.Elem(), path, f)
		}
	case reflect.String:
		f.Para(path, v.String(), false, maxBody)
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			checkStrings(v.Index(i), join(strconv.Itoa(i+1)), f)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			checkStrings(it.Value(), join(fmt.Sprint(it.Key())), f)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			switch {
			case sf.Anonymous && sf.Tag.Get("json") == "":
				checkStrings(v.Field(i), path, f) // embedded: its fields are the body's
			case jsonName(sf) != "":
				checkStrings(v.Field(i), join(jsonName(sf)), f)
			}
		}
	}
}

// decodeValues sets the string, integer and boolean fields of dst from form
// values named by their json tags. A checkbox absent from the form is false.
func decodeValues(vals map[string][]string, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	f := apperr.Fields{}
	for i := 0; i < t.NumField(); i++ {
		name := jsonName(t.Field(i))
		if name == "" {
			continue
		}
		raw := ""
		if vs := vals[name]; len(vs) > 0 {
			raw = vs[0]
		}
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.String:
			fv.SetString(raw)
		case reflect.Int, reflect.Int64, reflect.Int32:
			raw = strings.TrimSpace(raw)
			if raw == "" {
				fv.SetInt(0)
				continue
			}
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || fv.OverflowInt(n) {
				f.Add(name, "error.number")
				continue
			}
			fv.SetInt(n)
		case reflect.Bool:
			fv.SetBool(raw == "on" || raw == "true" || raw == "1")
		}
	}
	return f.Err()
}

// formValues is the reverse of decodeValues, to fill a form for editing.
func formValues(src any) map[string]string {
	out := map[string]string{}
	v := reflect.ValueOf(src)
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := jsonName(t.Field(i))
		if name == "" {
			continue
		}
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.String:
			out[name] = fv.String()
		case reflect.Int, reflect.Int64, reflect.Int32:
			if fv.Int() != 0 {
				out[name] = strconv.FormatInt(fv.Int(), 10)
			}
		case reflect.Bool:
			if fv.Bool() {
				out[name] = "on"
			}
		}
	}
	return out
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// parseID reads a numeric path id; anything else is simply not found.
func parseID(s string, what string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf(what)
	}
	return id, nil
}

// intParam reads an optional record id filter (see query.ID).
func intParam(r *http.Request, name string) int64 { return readQuery(r).ID(name) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
