package web

import (
	"net"
	"net/http/httptest"
	"testing"
)

func TestPeerAddressTrustsOnlyConfiguredProxies(t *testing.T) {
	_, lan, _ := net.ParseCIDR("10.1.0.0/16")
	_, lo, _ := net.ParseCIDR("127.0.0.1/32")
	s := &Server{Config: Config{TrustedProxies: []*net.IPNet{lan, lo}}}
	cases := []struct{ remote, xff, want string }{
		{"198.51.100.7:5000", "203.0.113.9", "198.51.100.7"},                // not a proxy: the header is ignored
		{"127.0.0.1:5000", "203.0.113.9", "203.0.113.9"},                    // through the local proxy
		{"127.0.0.1:5000", "203.0.113.9, 10.1.2.3", "203.0.113.9"},          // two trusted hops
		{"127.0.0.1:5000", "6.6.6.6, 203.0.113.9, 10.1.2.3", "203.0.113.9"}, // a forged first hop is not believed
		{"127.0.0.1:5000", "", "127.0.0.1"},
		{"127.0.0.1:5000", "garbage", "127.0.0.1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := s.peerAddress(r); got != c.want {
			t.Errorf("%s via %q: %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
	if got := (&Server{}).peerAddress(httptest.NewRequest("GET", "/", nil)); got != "192.0.2.1" {
		t.Errorf("no proxies configured: %s", got)
	}
}
