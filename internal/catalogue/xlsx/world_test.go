package xlsx_test

import (
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/catalogue/cataloguetest"
)

// The catalogue packages share one test world (cataloguetest).
type world = cataloguetest.World

var (
	now     = cataloguetest.Now
	setup   = cataloguetest.Setup
	content = cataloguetest.Content
)

func wantCode(t testing.TB, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}
