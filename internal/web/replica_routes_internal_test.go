package web

import "testing"

// Only GET routes may be marked for the replica: registering anything else
// stops the server at start, so a write can never be routed there.
func TestHandleReadsRefusesNonGET(t *testing.T) {
	for _, p := range []string{"POST /x", "PUT /x", "DELETE /x", "GETX /x", "/x"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("handleReads(%q) was accepted", p)
				}
			}()
			(&Server{}).handleReads(p, everyone, nil)
		}()
	}
}
