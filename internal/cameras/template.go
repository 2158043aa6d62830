package cameras

import (
	"strconv"
	"strings"
	"time"
)

// A playback template is an address with placeholders, for recorders
// whose make has no built-in form (custom) and for a GB/T 28181
// platform's playback page. The placeholders:
//
//	{host} {port} {channel} {device_id}
//	{start:<layout>} {end:<layout>}          the time in the recorder's zone
//	{start_utc:<layout>} {end_utc:<layout>}  the time in UTC
//	{start_unix} {end_unix}                  seconds since 1970 (SDP t=)
//
// A layout is written with yyyy MM dd HH mm ss; every other character is
// itself: {start:yyyy_MM_dd_HH_mm_ss} gives Dahua's form,
// {start_utc:yyyyMMddTHHmmssZ} ISO 8601 basic. Operators copy these from
// a recorder's manual, so the layout is the manuals' notation, not Go's.
// A template is checked when saved: an unknown placeholder is the
// operator's typo and fails there, not on a supervisor's click.

// MaxTemplate caps a template: a playback address with every parameter
// is a few hundred characters.
const MaxTemplate = 1000

// Placeholders lists the plain placeholders and the timed ones, for the
// form's help text and the error message.
var Placeholders = []string{"{host}", "{port}", "{channel}", "{device_id}", "{start:<layout>}", "{end:<layout>}",
	"{start_utc:<layout>}", "{end_utc:<layout>}", "{start_unix}", "{end_unix}"}

// schemes are the addresses a template may produce: an RTSP stream or a
// web page. Anything else (javascript:, file:) is refused, since the
// address becomes a link on a supervisor's page.
var schemes = []string{"rtsp://", "rtsps://", "http://", "https://"}

// part is a piece of a parsed template: literal text, or a placeholder
// name with its layout.
type part struct {
	lit    string
	name   string
	layout string
}

// values are what a template's placeholders expand to.
type values struct {
	host, port, channel, deviceID string
	start, end                    time.Time
	zone                          *time.Location
}

var plain = map[string]bool{"host": true, "port": true, "channel": true, "device_id": true, "start_unix": true, "end_unix": true}
var timed = map[string]bool{"start": true, "end": true, "start_utc": true, "end_utc": true}

// parseTemplate splits a template into parts. It answers the field key of
// the first problem ("" when none) and the offending placeholder.
func parseTemplate(t string) ([]part, string, string) {
	if !LinkScheme(t) {
		return nil, "cameras.template.scheme", ""
	}
	var parts []part
	hasStart := false
	for t != "" {
		open := strings.IndexAny(t, "{}")
		if open < 0 {
			parts = append(parts, part{lit: t})
			break
		}
		if t[open] == '}' {
			return nil, "cameras.template.unclosed", ""
		}
		if open > 0 {
			parts = append(parts, part{lit: t[:open]})
		}
		end := strings.IndexAny(t[open+1:], "{}")
		if end < 0 || t[open+1+end] == '{' {
			return nil, "cameras.template.unclosed", ""
		}
		inner := t[open+1 : open+1+end]
		name, layout, hasLayout := strings.Cut(inner, ":")
		switch {
		case plain[name] && !hasLayout:
		case timed[name] && hasLayout && validLayout(layout):
		case timed[name]:
			return nil, "cameras.template.layout", "{" + inner + "}"
		default:
			return nil, "cameras.template.unknown", "{" + inner + "}"
		}
		if strings.HasPrefix(name, "start") {
			hasStart = true
		}
		parts = append(parts, part{name: name, layout: layout})
		t = t[open+1+end+1:]
	}
	if !hasStart {
		return nil, "cameras.template.no_start", ""
	}
	return parts, "", ""
}

// layoutTokens in the order they are tried: longest first, so "mm" is
// never read out of "yyyy".
var layoutTokens = []string{"yyyy", "MM", "dd", "HH", "mm", "ss"}

// validLayout: at least one token, and nothing that would end the
// placeholder or break the address.
func validLayout(l string) bool {
	if l == "" || strings.ContainsAny(l, " {}") {
		return false
	}
	for _, tok := range layoutTokens {
		if strings.Contains(l, tok) {
			return true
		}
	}
	return false
}

// formatLayout writes t in a manuals'-notation layout.
func formatLayout(layout string, t time.Time) string {
	var b strings.Builder
	for layout != "" {
		matched := false
		for _, tok := range layoutTokens {
			if strings.HasPrefix(layout, tok) {
				var v string
				switch tok {
				case "yyyy":
					v = pad(t.Year(), 4)
				case "MM":
					v = pad(int(t.Month()), 2)
				case "dd":
					v = pad(t.Day(), 2)
				case "HH":
					v = pad(t.Hour(), 2)
				case "mm":
					v = pad(t.Minute(), 2)
				case "ss":
					v = pad(t.Second(), 2)
				}
				b.WriteString(v)
				layout = layout[len(tok):]
				matched = true
				break
			}
		}
		if !matched {
			b.WriteByte(layout[0])
			layout = layout[1:]
		}
	}
	return b.String()
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// expand fills a parsed template.
func expand(parts []part, v values) string {
	var b strings.Builder
	for _, p := range parts {
		switch p.name {
		case "":
			b.WriteString(p.lit)
		case "host":
			b.WriteString(v.host)
		case "port":
			b.WriteString(v.port)
		case "channel":
			b.WriteString(v.channel)
		case "device_id":
			b.WriteString(v.deviceID)
		case "start_unix":
			b.WriteString(strconv.FormatInt(v.start.Unix(), 10))
		case "end_unix":
			b.WriteString(strconv.FormatInt(v.end.Unix(), 10))
		case "start":
			b.WriteString(formatLayout(p.layout, v.start.In(v.zone)))
		case "end":
			b.WriteString(formatLayout(p.layout, v.end.In(v.zone)))
		case "start_utc":
			b.WriteString(formatLayout(p.layout, v.start.UTC()))
		case "end_utc":
			b.WriteString(formatLayout(p.layout, v.end.UTC()))
		}
	}
	return b.String()
}

// LinkScheme reports whether an address is one a page may link to: an
// RTSP stream or a web page, never javascript: or file:.
func LinkScheme(u string) bool {
	for _, s := range schemes {
		if strings.HasPrefix(strings.ToLower(u), s) {
			return true
		}
	}
	return false
}
