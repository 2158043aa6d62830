package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"onestop/internal/demo"
)

// In a province's database the inbox's township menu offers the clerk's
// own county's townships, not every county's.
func TestWorkbenchTownshipsOfOwnCounty(t *testing.T) {
	f := newFixture(t)
	if err := demo.EnsureProvince(context.Background(), f.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	res, page := f.login("clerk").get("/workbench")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("workbench: %d", res.StatusCode)
	}
	if !strings.Contains(page, `<option value="431022`) {
		t.Fatalf("the clerk's county's townships are not offered")
	}
	if strings.Contains(page, `<option value="430121`) {
		t.Fatalf("another county's townships are offered")
	}
}
