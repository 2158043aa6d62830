package open311

import "strings"

// Format is the representation a client asks for by the suffix of the
// last path segment (services.xml, requests/ZX-20261205-0001.json). The
// specification requires XML and allows JSON; both are served.
type Format string

const (
	XML  Format = "xml"
	JSON Format = "json"
)

// Split reads the last segment of an Open311 path: the resource name and
// its format. Go's router cannot match "{code}.json" inside a segment, so
// every route takes the whole segment and this is the one place it is
// taken apart. A segment without a known suffix is no resource (ok false:
// 404 in the error format).
func Split(segment string) (name string, f Format, ok bool) {
	i := strings.LastIndexByte(segment, '.')
	if i <= 0 {
		return "", "", false
	}
	switch f := Format(segment[i+1:]); f {
	case XML, JSON:
		return segment[:i], f, true
	}
	return "", "", false
}

// ContentType is the header value the specification names for each format.
func (f Format) ContentType() string {
	if f == JSON {
		return "application/json; charset=utf-8"
	}
	return "text/xml; charset=utf-8"
}
