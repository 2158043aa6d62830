package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onestop/internal/checkpoint"
	"onestop/internal/demo"
)

func init() {
	// The checkpoints are public: anyone may keep them (docs/ARCHITECTURE.md §5).
	expected["GET /checkpoints"] = public
	expected["GET /api/v1/checkpoints"] = public
	expected["GET /api/v1/checkpoints/key"] = public
}

// A visitor reads the signed checkpoints and the key from the API and the
// page, and what the API gives checks out with the checkpoint package's
// own check (what `onestop checkpoint check` runs).
func TestCheckpointsArePublished(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	anon := f.anon()
	if res, out := anon.api("GET", "/api/v1/checkpoints", ""); res.StatusCode != http.StatusOK || out["total"] != float64(0) {
		t.Fatalf("none yet: %d %v", res.StatusCode, out)
	}
	if res, out := anon.api("GET", "/api/v1/checkpoints/key", ""); res.StatusCode != http.StatusNotFound || !strings.Contains(jsonString(out), "校验点密钥") {
		t.Fatalf("no key yet: %d %v", res.StatusCode, out)
	}
	until := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	if err := demo.GenerateCases(ctx, f.db, demo.CaseOptions{PerDay: 3, Days: 6, Until: until, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	key, err := checkpoint.LoadOrCreateKey(filepath.Join(t.TempDir(), checkpoint.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	cs := &checkpoint.Service{DB: f.db, Key: key, Now: func() time.Time { return until.Add(48 * time.Hour) }}
	if err := cs.RegisterKey(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := cs.WriteDue(ctx)
	if err != nil || n < 5 {
		t.Fatalf("wrote %d: %v", n, err)
	}
	res, text := anon.get("/api/v1/checkpoints")
	var list struct {
		Items []checkpoint.Checkpoint `json:"items"`
		Total int                     `json:"total"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(text), &list) != nil || list.Total != n || len(list.Items) != n {
		t.Fatalf("list: %d %s", res.StatusCode, text)
	}
	for _, field := range []string{`"day"`, `"root"`, `"events"`, `"signature"`, `"key_id"`, `"prev"`} {
		if !strings.Contains(text, field) {
			t.Fatalf("no %s in %s", field, text)
		}
	}
	res, text = anon.get("/api/v1/checkpoints/key")
	var k struct {
		checkpoint.PublicKey
		Keys []checkpoint.PublicKey `json:"keys"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(text), &k) != nil || k.KeyID != key.ID || len(k.Keys) != 1 {
		t.Fatalf("key: %d %s", res.StatusCode, text)
	}
	if got := checkpoint.CheckChain(list.Items, checkpoint.KeyMap(k.Keys)); len(got) != 0 {
		t.Fatalf("published checkpoints do not check: %v", got)
	}
	// A range of days.
	d := list.Items[2].Day
	if res, out := anon.api("GET", "/api/v1/checkpoints?from="+d+"&to="+d, ""); res.StatusCode != http.StatusOK || out["total"] != float64(1) {
		t.Fatalf("one day: %d %v", res.StatusCode, out)
	}
	// A malformed day is the caller's mistake, named by field.
	res, out := anon.api("GET", "/api/v1/checkpoints?from=yesterday", "")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(jsonString(out), `"fields":{"from"`) {
		t.Fatalf("bad day: %d %v", res.StatusCode, out)
	}
	// Every page's footer leads to them.
	if _, home := anon.get("/"); !strings.Contains(home, `<a href="/checkpoints">`) {
		t.Fatal("no link to the checkpoints in the footer")
	}
	for _, lang := range []string{"zh-CN", "en"} {
		res, page := anon.get("/checkpoints?lang=" + lang)
		last := list.Items[len(list.Items)-1]
		if res.StatusCode != http.StatusOK || !strings.Contains(page, last.Root) || !strings.Contains(page, key.ID) ||
			!strings.Contains(page, ">"+strings.ReplaceAll(checkpoint.EncodePublic(key.Public), "+", "&#43;")+" (Ed25519)<") {
			t.Fatalf("page [%s]: %d", lang, res.StatusCode)
		}
		if m := untranslated.FindString(page); m != "" {
			t.Fatalf("page [%s]: untranslated %q", lang, m)
		}
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
