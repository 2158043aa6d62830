package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"onestop/internal/open311"
	"onestop/internal/org"
)

const open311Help = `onestop open311 — Open311 API keys of civic apps, from the server's console

  onestop open311 key    --name NAME [--county CODE]
  onestop open311 revoke --id N
  onestop open311 list

A key files consultations and complaints in one county (the only one of a county's
installation; name it with --county in a province's). It is printed once; only its hash is
kept. The hall admin does the same on the page /admin/open311. docs/OPEN311.md describes the API.`

func cmdOpen311(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, err := subcommand(args, open311Help, stderr, "key", "revoke", "list")
	if sub == "" {
		return err
	}
	fs := newFlagSet("open311 "+sub, open311Help, stderr)
	var c common
	c.register(fs)
	name := fs.String("name", "", "the app's name, as the admin page lists it")
	county := fs.String("county", "", "the county's division code (6 digits); may be left out when there is one county")
	id := fs.Int64("id", 0, "the client's id, as list shows it")
	lang := fs.String("lang", "zh-CN", "language of the messages: zh-CN or en")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := openMigrated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	keys := &open311.Keys{DB: db, Now: time.Now}
	switch sub {
	case "key":
		if *county == "" {
			counties, err := (&org.Service{DB: db, Now: time.Now}).Counties(ctx)
			if err != nil {
				return err
			}
			if len(counties) != 1 {
				return fmt.Errorf("%d counties: name one with --county", len(counties))
			}
			*county = counties[0].Code
		}
		key, cl, err := keys.Issue(ctx, system, *name, *county)
		if err != nil {
			return explain(err, *lang)
		}
		fmt.Fprintf(stdout, "client %d (%s, county %s); its key, shown this once:\n%s\n", cl.ID, cl.Name, cl.RegionCode, key)
	case "revoke":
		cl, err := keys.Revoke(ctx, system, *id)
		if err != nil {
			return explain(err, *lang)
		}
		fmt.Fprintf(stdout, "client %d (%s) revoked\n", cl.ID, cl.Name)
	case "list":
		list, err := keys.List(ctx, system)
		if err != nil {
			return explain(err, *lang)
		}
		for _, cl := range list {
			state := "live"
			if !cl.Live() {
				state = "revoked"
			}
			fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\t%s\n", cl.ID, cl.RegionCode, cl.CreatedAt.Format(time.RFC3339), state, strconv.Quote(cl.Name))
		}
	}
	return nil
}
