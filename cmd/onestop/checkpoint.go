package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/checkpoint"
	"onestop/internal/store"
)

const checkpointHelp = `onestop checkpoint — the daily signed checkpoints over the case record

  onestop checkpoint check --url https://SITE [--save FILE] [--file SAVED.json …] [--data DIR | --db URL]
  onestop checkpoint check --file SAVED.json … [--data DIR | --db URL]
  onestop checkpoint rotate-key [--data DIR] [--checkpoint-key FILE]

check (for an auditor; needs no account): reads the published checkpoints and
public keys from the site (--url) and/or checkpoints saved earlier (--file, the
JSON that --save writes), and checks that every signature holds, that the days
follow each other and each names the digest of the day before, and that every
saved checkpoint is still published unchanged. With --data or --db it also
recomputes every checkpointed day from the events in that database: an event
deleted, added or rewritten on or before a checkpointed day fails its day.
One kept checkpoint is enough: offline, the database's own checkpoints fill in
the days before it, and the kept one's prev digest pins them all.
Keep the file --save writes: it is your evidence next time.

rotate-key (for the operator): replaces the signing key with a new one; the
old public key stays published, so old checkpoints still verify. Copy the new
key file to every server process and restart them.`

// keyFlag is --checkpoint-key: the signing key's file, by default
// checkpoint.key in the data directory.
func keyFlag(fs *flags) *string {
	return fs.String("checkpoint-key", "", "the checkpoint signing key (Ed25519, PEM); default DATA/"+checkpoint.KeyFile)
}

func keyPath(data, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return filepath.Join(data, checkpoint.KeyFile)
}

func cmdCheckpoint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, err := subcommand(args, checkpointHelp, stderr, "check", "rotate-key")
	if sub == "" {
		return err
	}
	if sub == "rotate-key" {
		return cmdRotateKey(args[1:], stdout, stderr)
	}
	return cmdCheckpointCheck(ctx, args[1:], stdout, stderr)
}

func cmdRotateKey(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("checkpoint rotate-key", checkpointHelp, stderr)
	var c common
	c.register(fs)
	key := keyFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	old, cur, err := checkpoint.RotateKey(keyPath(c.data, *key))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rotated: key %s replaced by %s in %s\nthe old public key stays published; copy the new key file to every server and restart them\n",
		old.ID, cur.ID, keyPath(c.data, *key))
	return nil
}

// savedCheckpoints is the file --save writes and --file reads: the API's
// list with the public keys beside it.
type savedCheckpoints struct {
	Items []checkpoint.Checkpoint `json:"items"`
	Total int                     `json:"total"`
	Keys  []checkpoint.PublicKey  `json:"keys,omitempty"`
}

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

func cmdCheckpointCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("checkpoint check", checkpointHelp, stderr)
	site := fs.String("url", "", "the site's address, e.g. https://zwfw.example.gov.cn")
	save := fs.String("save", "", "write the published checkpoints and keys to this file (keep it)")
	var saved fileList
	fs.Var(&saved, "file", "checkpoints saved earlier (repeatable)")
	data := fs.String("data", "", "with the installation's data directory (SQLite): recompute each day from its events")
	dbURL := fs.String("db", "", "with the installation's PostgreSQL: recompute each day from its events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *site == "" && len(saved) == 0 {
		return errors.New("give --url, --file, or both")
	}
	keys := map[string]ed25519.PublicKey{}
	byDay := map[string]checkpoint.Checkpoint{}
	var kept []checkpoint.Checkpoint
	for _, f := range saved {
		s, err := readSaved(f)
		if err != nil {
			return err
		}
		maps(keys, checkpoint.KeyMap(s.Keys))
		kept = append(kept, s.Items...)
	}
	var problems []checkpoint.Problem
	var cps []checkpoint.Checkpoint
	if *site != "" {
		pub, err := fetchPublished(ctx, *site)
		if err != nil {
			return err
		}
		maps(keys, checkpoint.KeyMap(pub.Keys))
		cps = pub.Items
		if *save != "" {
			if err := writeSaved(*save, pub); err != nil {
				return err
			}
		}
		for _, c := range cps {
			byDay[c.Day] = c
		}
		// What was saved must still be published as it was: someone who
		// holds the key could re-sign a rewritten history, but not make
		// it match what others kept.
		for _, k := range kept {
			p, ok := byDay[k.Day]
			switch {
			case !ok:
				problems = append(problems, checkpoint.Problem{Day: k.Day, Reason: "saved earlier but no longer published"})
			case p.Events != k.Events || p.Root != k.Root || p.Prev != k.Prev || p.Signature != k.Signature || p.KeyID != k.KeyID:
				problems = append(problems, checkpoint.Problem{Day: k.Day, Reason: "the published checkpoint differs from the one saved earlier (history rewritten)"})
			}
		}
	} else {
		cps = dedupe(kept)
	}
	withEvents := *data != "" || *dbURL != ""
	var db *store.DB
	if withEvents {
		var err error
		if db, err = store.Open(ctx, *data, *dbURL); err != nil {
			return err
		}
		defer db.Close()
		if *site == "" && len(cps) > 0 {
			// Offline, the database's own checkpoints fill the days before
			// the saved ones: a kept checkpoint names the digest of the day
			// before it, that one of the day before it, and so on, so one
			// kept checkpoint pins every earlier day.
			var more []checkpoint.Problem
			if cps, more, err = withStored(ctx, db, cps, keys); err != nil {
				return err
			}
			problems = append(problems, more...)
		}
	}
	if len(keys) == 0 {
		return errors.New("no public keys: give --url, or a --file saved with --save")
	}
	problems = append(problems, checkpoint.CheckChain(cps, keys)...)
	if withEvents {
		p, err := checkpoint.CheckEvents(ctx, db.Read(), cps)
		if err != nil {
			return err
		}
		problems = append(problems, p...)
	}
	for _, p := range problems {
		fmt.Fprintf(stdout, "BROKEN %s\n", p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d checkpoint problems (listed above)", len(problems))
	}
	if len(cps) == 0 {
		fmt.Fprintln(stdout, "ok: no checkpoints published yet")
		return nil
	}
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range keys {
			if !yield(id) {
				return
			}
		}
	})
	fmt.Fprintf(stdout, "ok: %d checkpoints from %s to %s: signatures hold (keys %s), every day links to the day before",
		len(cps), cps[0].Day, cps[len(cps)-1].Day, strings.Join(ids, ", "))
	if *site != "" && len(kept) > 0 {
		fmt.Fprintf(stdout, ", the %d saved checkpoints are still published unchanged", len(kept))
	}
	if withEvents {
		fmt.Fprint(stdout, ", and every day's events still hash to its root")
	}
	fmt.Fprintln(stdout)
	return nil
}

// withStored merges the database's checkpoints up to the last saved day
// into the saved ones; a day both have must be the same in both. The
// database's public keys join the known ones: its checkpoints are pinned
// by the saved ones' links, whoever signed them.
func withStored(ctx context.Context, db *store.DB, saved []checkpoint.Checkpoint, keys map[string]ed25519.PublicKey) ([]checkpoint.Checkpoint, []checkpoint.Problem, error) {
	s := &checkpoint.Service{DB: db}
	pubs, err := s.Keys(ctx)
	if err != nil {
		return nil, nil, err
	}
	for id, k := range checkpoint.KeyMap(pubs) {
		if _, ok := keys[id]; !ok {
			keys[id] = k
		}
	}
	to, err := calendar.ParseDate(saved[len(saved)-1].Day)
	if err != nil {
		return nil, nil, fmt.Errorf("saved checkpoint day %q: %w", saved[len(saved)-1].Day, err)
	}
	var stored []checkpoint.Checkpoint
	for off := 0; ; off += 1000 {
		page, _, err := s.List(ctx, calendar.Date{}, to, 1000, off)
		if err != nil {
			return nil, nil, err
		}
		stored = append(stored, page...)
		if len(page) < 1000 {
			break
		}
	}
	kept := map[string]checkpoint.Checkpoint{}
	for _, c := range saved {
		kept[c.Day] = c
	}
	var problems []checkpoint.Problem
	out := slices.Clone(saved)
	for _, c := range stored {
		k, ok := kept[c.Day]
		switch {
		case !ok:
			out = append(out, c)
		case k.Root != c.Root || k.Events != c.Events || k.Prev != c.Prev || k.Signature != c.Signature:
			problems = append(problems, checkpoint.Problem{Day: c.Day, Reason: "the database's checkpoint differs from the one saved earlier (history rewritten)"})
		}
	}
	return dedupe(out), problems, nil
}

func maps(dst, src map[string]ed25519.PublicKey) {
	for k, v := range src {
		dst[k] = v
	}
}

// dedupe sorts saved checkpoints by day, keeping one per day (several
// files may overlap); differing copies of one day stay, so the chain check
// reports them.
func dedupe(cps []checkpoint.Checkpoint) []checkpoint.Checkpoint {
	slices.SortStableFunc(cps, func(a, b checkpoint.Checkpoint) int { return strings.Compare(a.Day, b.Day) })
	return slices.CompactFunc(cps, func(a, b checkpoint.Checkpoint) bool { return a == b })
}

func readSaved(path string) (savedCheckpoints, error) {
	var s savedCheckpoints
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func writeSaved(path string, s savedCheckpoints) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// fetchPublished reads every published checkpoint, a page at a time, and
// the public keys.
func fetchPublished(ctx context.Context, site string) (savedCheckpoints, error) {
	hc := &http.Client{Timeout: 60 * time.Second}
	base := strings.TrimRight(site, "/")
	var out savedCheckpoints
	for {
		var page savedCheckpoints
		u := base + "/api/v1/checkpoints?" + url.Values{"limit": {"1000"}, "offset": {fmt.Sprint(len(out.Items))}}.Encode()
		if err := getJSON(ctx, hc, u, &page); err != nil {
			return out, err
		}
		out.Items, out.Total = append(out.Items, page.Items...), page.Total
		if len(page.Items) == 0 || len(out.Items) >= page.Total {
			break
		}
	}
	var key struct {
		Keys []checkpoint.PublicKey `json:"keys"`
	}
	if err := getJSON(ctx, hc, base+"/api/v1/checkpoints/key", &key); err != nil && len(out.Items) > 0 {
		return out, err
	}
	out.Keys = key.Keys
	return out, nil
}

func getJSON(ctx context.Context, hc *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, res.Status)
	}
	return json.NewDecoder(io.LimitReader(res.Body, 256<<20)).Decode(v)
}

// checkpointsChecked is what verify found in the stored checkpoints.
type checkpointsChecked struct{ checked, breaks int }

// verifyCheckpoints checks the database's checkpoints for `onestop
// verify`, with the key file's public key beside the recorded ones.
func verifyCheckpoints(ctx context.Context, db *store.DB, keyFile string, stdout io.Writer) (checkpointsChecked, error) {
	var r checkpointsChecked
	extra := map[string]ed25519.PublicKey{}
	if k, err := checkpoint.LoadKey(keyFile); err == nil {
		extra[k.ID] = k.Public
	} else if !errors.Is(err, os.ErrNotExist) {
		return r, err
	}
	n, err := checkpoint.VerifyStored(ctx, db, extra, func(p checkpoint.Problem) {
		r.breaks++
		fmt.Fprintf(stdout, "BROKEN %s\n", p)
	})
	r.checked = n
	return r, err
}
