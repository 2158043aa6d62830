// Package apperr is the error vocabulary shared by domain code and the web
// layer: a machine code (mapped to an HTTP status), a translatable message and
// optional field-level messages. Domain code never formats user text itself:
// it names a message key from the translation files and its arguments.
package apperr

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Code classifies an error for the API and the HTTP status.
type Code string

const (
	Invalid   Code = "EINVALID"   // 422: the user's input needs fixing
	NotFound  Code = "ENOTFOUND"  // 404: missing, or outside the caller's scope
	Conflict  Code = "ECONFLICT"  // 409: changed by someone else, or a duplicate
	Forbidden Code = "EFORBIDDEN" // 403: the role may not do this at all
	Unauth    Code = "EUNAUTHORIZED"
	TooMany   Code = "ETOOMANY" // 429: throttled
	TooLarge  Code = "ETOOLARGE"
	Internal  Code = "EINTERNAL"
)

// Msg is a translation key with its template data.
type Msg struct {
	Key  string
	Args map[string]any
}

// M builds a Msg from a key and alternating name/value pairs.
func M(key string, kv ...any) Msg {
	m := Msg{Key: key}
	if len(kv) > 1 {
		m.Args = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m.Args[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return m
}

// Error is an error a user may see.
type Error struct {
	Code   Code
	Msg    Msg
	Fields map[string]Msg
	Err    error // the cause, for logs only
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Msg.Key
	for f, m := range e.Fields {
		s += " [" + f + ": " + m.Key + "]"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// New makes an error with a code and a message key.
func New(code Code, key string, kv ...any) *Error {
	return &Error{Code: code, Msg: M(key, kv...)}
}

// NotFoundf is a not-found error naming the kind of thing (a message key).
func NotFoundf(what string) *Error {
	return New(NotFound, "error.not_found", "What", what)
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf returns the code of err, Internal for anything unknown.
func CodeOf(err error) Code {
	if e := As(err); e != nil {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// Fields collects field-level problems; Err returns nil when there are none.
type Fields map[string]Msg

// Add records a problem with a field unless one is already recorded (the
// first problem is the one to fix first).
func (f Fields) Add(field, key string, kv ...any) {
	if _, ok := f[field]; !ok {
		f[field] = M(key, kv...)
	}
}

// Has reports whether field already has a problem.
func (f Fields) Has(field string) bool { _, ok := f[field]; return ok }

// Err turns the collected problems into an Invalid error.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Msg: M("error.invalid"), Fields: map[string]Msg(f)}
}

// Text trims v, checks it is present when required, no longer than maxRunes
// and free of control characters, records any problem under field and
// returns the trimmed value.
func (f Fields) Text(field, v string, required bool, maxRunes int) string {
	return f.text(field, v, required, maxRunes, false)
}

// Para is Text for multi-line text (legal bases, conditions, reasons):
// line breaks and tabs are allowed, other control characters are not.
func (f Fields) Para(field, v string, required bool, maxRunes int) string {
	return f.text(field, strings.ReplaceAll(v, "\r\n", "\n"), required, maxRunes, true)
}

func (f Fields) text(field, v string, required bool, maxRunes int, lines bool) string {
	v = strings.TrimSpace(v)
	bad := func(r rune) bool { return unicode.IsControl(r) && !(lines && (r == '\n' || r == '\t')) }
	switch {
	case v == "" && required:
		f.Add(field, "error.required")
	case utf8.RuneCountInString(v) > maxRunes:
		f.Add(field, "error.too_long", "Max", maxRunes)
	case !Storable(v) || strings.IndexFunc(v, bad) >= 0:
		f.Add(field, "error.bad_characters")
	}
	return v
}

// Storable reports whether v can be stored as text at all: valid UTF-8
// without NUL, both of which PostgreSQL refuses (SQLite would keep them).
// Text and Para demand more of what people type.
func Storable(v string) bool { return utf8.ValidString(v) && strings.IndexByte(v, 0) < 0 }
