package web

import (
	_ "embed"
	"net/http"
)

// openapiJSON describes every /api/v1 route. It is written by hand, and a
// test compares its paths with the routes the server registers, so the two
// cannot drift apart.
//
//go:embed openapi.json
var openapiJSON []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(openapiJSON)
	return err
}
