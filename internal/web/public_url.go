package web

import (
	"fmt"
	"net/url"
	"strings"
)

// ParsePublicURL checks --public-url: an absolute http or https address
// with a host and nothing after the path, returned without a trailing
// slash so paths can be appended.
func ParsePublicURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("--public-url: %q is not an address like https://zwfw.example.gov.cn", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// publicURL is path on the address citizens reach us at, for links that
// leave the screen (QR codes on paper, printed cards). It comes from the
// configuration, never from the request's Host header: a client can forge
// that, and at a window it is an intranet name no citizen's phone reaches.
func (s *Server) publicURL(path string) string {
	base := s.Config.PublicURL
	if base == "" {
		base = "http://localhost"
	}
	return base + path
}
