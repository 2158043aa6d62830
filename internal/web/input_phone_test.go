package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// TestPhonesAreWrittenTheSameEverywhere: every form that takes a phone
// accepts the same ways of writing one (+86…, 86…, spaces, hyphens,
// brackets round the area code) and stores it the same way; the public
// progress query finds the case however the applicant writes the number
// they registered with.
func TestPhonesAreWrittenTheSameEverywhere(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.intake(cf.login("clerk"), "T-001", 1, 2)
	visitor := cf.anon()
	for _, phone := range []string{appPhone, "+86 138-0013-8000", "86 13800138000", "138 0013 8000", "0086-13800138000"} {
		res, out := visitor.api("GET", "/api/v1/progress?no="+no+"&phone="+url.QueryEscape(phone), "")
		if res.StatusCode != http.StatusOK || out["no"] != no {
			t.Errorf("progress with %q: %d %v", phone, res.StatusCode, out)
		}
	}

	admin := cf.login("admin")
	hall := cf.idOf(`SELECT centre_id FROM staff WHERE username = 'clerk'`)
	dept := cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	for i, tc := range []struct{ typed, stored string }{
		{"+86 139-0013-9000", "13900139000"},
		{"86 13900139001", "13900139001"},
		{"(0735) 3712345", "0735-3712345"},
		{"0735-3712346", "0735-3712346"},
	} {
		bodies := map[string]string{
			"staff": fmt.Sprintf(`{"username":"zz.phone%d","name":"测试","role":"clerk","centre_id":%d,"department_id":%d,"phone":%q,"password":"abc12345xyz"}`,
				i, hall, dept, tc.typed),
			"centres":     fmt.Sprintf(`{"code":"ZZP%d","name":"测试中心%d","kind":"hall","region_code":"431022","phone":%q}`, i, i, tc.typed),
			"departments": fmt.Sprintf(`{"code":"ZZP%d","name":"测试局%d","short_name":"测试%d","mode":"seated","phone":%q}`, i, i, i, tc.typed),
		}
		for kind, body := range bodies {
			res, out := admin.api("POST", "/api/v1/"+kind, body)
			if res.StatusCode != http.StatusCreated || out["phone"] != tc.stored {
				t.Errorf("%s with phone %q: %d %v, want it stored as %s", kind, tc.typed, res.StatusCode, out, tc.stored)
			}
		}
		// Applicants: as a clerk records them at the window (online
		// registration takes mobiles only, for its texted code).
		ids := []string{"110105198001010016", "110105198001010032", "110105198001010059", "110105198001010075"}
		res, out := cf.login("clerk").api("POST", "/api/v1/applicants", fmt.Sprintf(`{"kind":"citizen","id_number":%q,"name":"测试","phone":%q}`, ids[i], tc.typed))
		if res.StatusCode != http.StatusCreated {
			t.Errorf("walk-in applicant with phone %q: %d %v", tc.typed, res.StatusCode, out)
		} else if got := cf.text(`SELECT phone FROM applicants WHERE id_number = $1`, ids[i]); got != tc.stored {
			t.Errorf("applicant phone %q stored as %q, want %s", tc.typed, got, tc.stored)
		}
	}
	// Not a phone anywhere: the same field error.
	for kind, body := range map[string]string{
		"staff":       fmt.Sprintf(`{"username":"zz.nophone","name":"测试","role":"clerk","centre_id":%d,"department_id":%d,"phone":"12345","password":"abc12345xyz"}`, hall, dept),
		"departments": `{"code":"ZZPX","name":"测试局X","short_name":"测试X","mode":"seated","phone":"12345"}`,
	} {
		res, out := admin.api("POST", "/api/v1/"+kind, body)
		if res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, "phone") == "" {
			t.Errorf("%s with phone 12345: %d %v", kind, res.StatusCode, out)
		}
	}
}

// text reads one string from the database.
func (f *fixture) text(query string, args ...any) string {
	f.t.Helper()
	var s string
	if err := f.db.R.QueryRowContext(context.Background(), query, args...).Scan(&s); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return s
}
