package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"onestop/internal/cases"
	"onestop/internal/store"
)

// cmdVerify recomputes every case's hash chain. It exits 0 when all hold
// and non-zero naming the first broken link (DESIGN.md §5).
func cmdVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", "onestop verify — check that no case record was altered (every event's hash chain)", stderr)
	var c common
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := store.Open(ctx, c.data, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	brk, n, err := cases.Verify(ctx, db)
	if err != nil {
		return err
	}
	if brk != nil {
		fmt.Fprintf(stdout, "BROKEN after %d events checked: %s\n", n, brk)
		return errors.New("the case record has been altered: " + brk.Error())
	}
	fmt.Fprintf(stdout, "ok: %d events in every case chain verify\n", n)
	return nil
}
