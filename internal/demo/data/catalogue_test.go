package data

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The county's published figures (docs/DOMAIN.md §1).
const (
	wantSeatedItems    = 328
	wantCommissioned   = 42
	wantInForce        = 370
	wantCancelled      = 62
	wantAllItems       = 432
	wantParallelStatut = 45
)

var itemCodeRE = regexp.MustCompile(`^([A-Z]+)-(\d{3})$`)

func TestCatalogueCounts(t *testing.T) {
	items := CatalogueItems()
	inForce := map[string]int{}
	cancelled := map[string]int{}
	for _, s := range items {
		if s.Cancelled {
			cancelled[s.Department]++
		} else {
			inForce[s.Department]++
		}
	}
	seated, commissioned, force, canc := 0, 0, 0, 0
	for _, d := range Departments {
		if inForce[d.Code] != d.ItemHint {
			t.Errorf("department %s (%s): %d items in force, ItemHint %d", d.Code, d.ShortName, inForce[d.Code], d.ItemHint)
		}
		if d.Seated {
			seated += inForce[d.Code]
		} else {
			commissioned += inForce[d.Code]
		}
		force += inForce[d.Code]
		canc += cancelled[d.Code]
	}
	check := func(what string, got, want int) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %d, want %d", what, got, want)
		}
	}
	check("items in force in seated departments", seated, wantSeatedItems)
	check("items in force in commissioning units", commissioned, wantCommissioned)
	check("items in force", force, wantInForce)
	check("cancelled items", canc, wantCancelled)
	check("all items", len(items), wantAllItems)
	if t.Failed() {
		var b strings.Builder
		for _, d := range Departments {
			fmt.Fprintf(&b, " %s:%d/%d+%dx", d.Code, inForce[d.Code], d.ItemHint, cancelled[d.Code])
		}
		t.Logf("in force/hint+cancelled per department:%s", b.String())
	}
}

func TestCatalogueItems(t *testing.T) {
	depts := map[string]bool{}
	for _, d := range Departments {
		depts[d.Code] = true
	}
	themes := map[string]bool{}
	for _, th := range Themes {
		themes[th] = true
	}
	audiences := map[string]bool{audCitizn: true, audOrg: true, audBoth: true}
	forms := map[string]bool{"original": true, "copy": true, "original_and_copy": true, "electronic": true}
	roles := map[string]bool{roleClerk: true, roleReviewer: true, roleApprover: true}
	first, _ := time.Parse(time.DateOnly, cancelFirstDay)
	last, _ := time.Parse(time.DateOnly, cancelLastDay)

	codes := map[string]bool{}
	names := map[string]string{}
	for _, s := range CatalogueItems() {
		id := s.Code + " " + s.Name
		errf := func(format string, args ...any) {
			t.Helper()
			t.Errorf("%s: %s", id, fmt.Sprintf(format, args...))
		}
		if codes[s.Code] {
			errf("duplicate code")
		}
		codes[s.Code] = true
		if m := itemCodeRE.FindStringSubmatch(s.Code); m == nil || m[1] != s.Department {
			errf("code does not match department %s", s.Department)
		}
		if !depts[s.Department] {
			errf("unknown department %q", s.Department)
		}
		key := s.Department + "/" + s.Name
		if other, ok := names[key]; ok {
			errf("same name as %s in department %s", other, s.Department)
		}
		names[key] = s.Code
		if strings.TrimSpace(s.Name) == "" || strings.TrimSpace(s.LegalBasis) == "" || strings.TrimSpace(s.Conditions) == "" {
			errf("empty name, legal basis or conditions")
		}
		if !slices.Contains(ItemTypes, s.Type) {
			errf("type %q not in ItemTypes", s.Type)
		}
		if !audiences[s.Audience] {
			errf("audience %q", s.Audience)
		}
		if len(s.Themes) > 2 {
			errf("%d themes, at most 2", len(s.Themes))
		}
		for _, th := range s.Themes {
			if !themes[th] {
				errf("theme %q not in Themes", th)
			}
		}

		// Limits and the process template.
		if s.StatutoryDays < 1 {
			errf("statutory limit %d", s.StatutoryDays)
		}
		if s.PromisedDays < 0 || s.PromisedDays > s.StatutoryDays {
			errf("promised %d not within statutory %d", s.PromisedDays, s.StatutoryDays)
		}
		if s.Immediate != (s.PromisedDays == 0) {
			errf("immediate %v but promised limit %d", s.Immediate, s.PromisedDays)
		}
		if len(s.Steps) == 0 {
			errf("no steps")
		}
		sum := 0
		for _, st := range s.Steps {
			if !roles[st.Role] {
				errf("step %q: role %q", st.Name, st.Role)
			}
			if st.Days < 0 || st.Name == "" {
				errf("step %q: %d days", st.Name, st.Days)
			}
			sum += st.Days
		}
		if sum != s.PromisedDays {
			errf("steps take %d days, promised limit %d", sum, s.PromisedDays)
		}
		if s.Visits < 0 || s.Visits > 2 {
			errf("%d visits", s.Visits)
		}

		// Materials and fees.
		required := 0
		for _, m := range s.Materials {
			if strings.TrimSpace(m.Name) == "" {
				errf("material without a name")
			}
			if !forms[m.Form] {
				errf("material %q: form %q", m.Name, m.Form)
			}
			if m.Copies < 1 {
				errf("material %q: %d copies", m.Name, m.Copies)
			}
			if m.Required {
				required++
			} else if strings.TrimSpace(m.Condition) == "" {
				errf("conditional material %q without a condition", m.Name)
			}
		}
		if !s.Immediate && required == 0 {
			errf("promised item without a required material")
		}
		for _, f := range s.Fees {
			if f.AmountFen <= 0 || strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.Basis) == "" {
				errf("fee %+v: needs a name, a positive amount and a basis", f)
			}
		}

		if s.DeemedApproval && (s.DeemedNote == "" || s.Immediate) {
			errf("deemed approval needs a note and a promised item")
		}
		if !s.DeemedApproval && s.DeemedNote != "" {
			errf("deemed note without deemed approval")
		}

		if s.Cancelled {
			on, err := time.Parse(time.DateOnly, s.CancelledOn)
			if err != nil || on.Before(first) || on.After(last) {
				errf("cancelled on %q, want a date in [%s, %s]", s.CancelledOn, cancelFirstDay, cancelLastDay)
			}
			if strings.TrimSpace(s.CancelReason) == "" {
				errf("cancelled without a reason")
			}
		} else if s.CancelledOn != "" || s.CancelReason != "" {
			errf("in force but has a cancellation date or reason")
		}
	}
}

func TestCatalogueComposites(t *testing.T) {
	byCode := map[string]ItemSeed{}
	for _, s := range CatalogueItems() {
		byCode[s.Code] = s
	}
	comps := Composites()
	if len(comps) == 0 {
		t.Fatal("no composites")
	}
	seen := map[string]bool{}
	for _, c := range comps {
		if seen[c.Code] {
			t.Errorf("duplicate composite code %s", c.Code)
		}
		seen[c.Code] = true
		if c.StatutoryDays != wantParallelStatut {
			t.Errorf("%s: statutory %d, want %d", c.Code, c.StatutoryDays, wantParallelStatut)
		}
		if c.PromisedDays < 1 || c.PromisedDays > c.StatutoryDays {
			t.Errorf("%s: promised %d not in [1, %d]", c.Code, c.PromisedDays, c.StatutoryDays)
		}
		if len(c.Items) < 2 {
			t.Errorf("%s: %d items", c.Code, len(c.Items))
		}
		depts := map[string]bool{}
		items := map[string]bool{}
		for _, code := range c.Items {
			s, ok := byCode[code]
			switch {
			case !ok:
				t.Errorf("%s: unknown item %s", c.Code, code)
				continue
			case s.Cancelled:
				t.Errorf("%s: item %s %s is cancelled", c.Code, code, s.Name)
			case items[code]:
				t.Errorf("%s: item %s twice", c.Code, code)
			}
			items[code] = true
			depts[s.Department] = true
		}
		if len(depts) < 2 {
			t.Errorf("%s: items of %d departments, want ≥ 2", c.Code, len(depts))
		}
		if !depts[c.LeadDepartment] {
			t.Errorf("%s: lead department %s has no item in it", c.Code, c.LeadDepartment)
		}
	}
}

// TestCatalogueDistribution is a sanity check on the shape of the catalogue
// in force: the share of immediate and public-service items, how many items
// township centres accept, allow deemed approval or charge fees.
func TestCatalogueDistribution(t *testing.T) {
	var n, immediate, service, township, deemed, fees int
	for _, s := range CatalogueItems() {
		if s.Cancelled {
			continue
		}
		n++
		if s.Immediate {
			immediate++
		}
		if s.Type == tService {
			service++
		}
		if s.AtTownship {
			township++
		}
		if s.DeemedApproval {
			deemed++
		}
		if len(s.Fees) > 0 {
			fees++
		}
	}
	if n == 0 {
		t.Fatal("no items in force")
	}
	pct := func(k int) float64 { return 100 * float64(k) / float64(n) }
	t.Logf("in force %d: immediate %d (%.1f%%), 公共服务 %d (%.1f%%), at township %d, deemed approval %d, fee-charging %d",
		n, immediate, pct(immediate), service, pct(service), township, deemed, fees)
	share := func(what string, k int, lo, hi float64) {
		t.Helper()
		if p := pct(k); p < lo || p > hi {
			t.Errorf("%s: %d items, %.1f%% of %d, want %.0f–%.0f%%", what, k, p, n, lo, hi)
		}
	}
	count := func(what string, k, lo, hi int) {
		t.Helper()
		if k < lo || k > hi {
			t.Errorf("%s: %d items, want %d–%d", what, k, lo, hi)
		}
	}
	share("immediate items", immediate, 15, 40)
	share("公共服务 items", service, 10, 35)
	count("items township centres accept", township, 30, 90)
	count("items allowing deemed approval", deemed, 10, 45)
	count("fee-charging items", fees, 20, 90)
}

func TestCatalogueItemsReturnsCopy(t *testing.T) {
	a := CatalogueItems()
	if len(a) == 0 {
		t.Fatal("empty catalogue")
	}
	name := a[0].Name
	a[0].Name = "changed"
	if b := CatalogueItems(); b[0].Name != name {
		t.Errorf("CatalogueItems shares its top-level slice with callers")
	}
}
