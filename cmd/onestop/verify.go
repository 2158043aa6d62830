package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"onestop/internal/cases"
	"onestop/internal/corrections"
	"onestop/internal/files"
	"onestop/internal/store"
	"onestop/internal/tally"
)

// cmdVerify checks the whole record: every case's hash chain, its row,
// documents, messages and materials against what its events recorded, the
// stored bytes of every material file, the daily checkpoints and the
// correction orders' chains. It exits
// 0 when all hold and non-zero after naming every break (docs/ARCHITECTURE.md §5).
func cmdVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", "onestop verify — check that no case record, row, file or checkpoint was altered; names every break", stderr)
	var c common
	c.register(fs)
	key := keyFlag(fs)
	recount := fs.Bool("recount", false, "first rebuild the supervision totals from the cases (once after upgrading to the release that keeps them, or to repair what verify reported), then verify")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := store.Open(ctx, c.data, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	prog := newProgress(stderr)
	broken := 0
	r, err := cases.VerifyAll(ctx, db, cases.VerifyOptions{
		Files: &files.Store{Dir: filepath.Join(c.data, "files")},
		Report: func(b cases.Break) {
			broken++
			prog.clear()
			fmt.Fprintf(stdout, "BROKEN %s\n", b.Error())
		},
		Progress: func(r cases.VerifyResult, last int64) {
			prog.show(fmt.Sprintf("verify: case id %d of %d, %d events, %d breaks", r.LastID, last, r.Events, r.Breaks))
		},
	})
	prog.done()
	if err != nil {
		return err
	}
	ck, err := verifyCheckpoints(ctx, db, keyPath(c.data, *key), stdout)
	if err != nil {
		return err
	}
	broken += ck.breaks
	// Supervision's running totals are kept by the engine's witness in the
	// transitions' transactions: a recount from the cases must equal them.
	if *recount {
		if err := tally.Recount(ctx, db); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "recounted the supervision totals from the cases")
	}
	diffs, err := tally.Check(ctx, db)
	if err != nil {
		return err
	}
	for _, d := range diffs {
		fmt.Fprintf(stdout, "TOTALS %s\n", d)
	}
	// The correction orders' chains (督办, internal/corrections) use the
	// case record's hash rule and are checked the same way.
	orders, err := corrections.Verify(ctx, db.Read(), func(b corrections.Break) {
		broken++
		fmt.Fprintf(stdout, "BROKEN %s\n", b)
	})
	if err != nil {
		return err
	}
	// Each order is counted once in the running totals (tally.Orders) as
	// it is issued; a recount from the orders must agree.
	orderDiffs, err := corrections.CheckTotals(ctx, db.Read())
	if err != nil {
		return err
	}
	for _, d := range orderDiffs {
		broken++
		fmt.Fprintf(stdout, "TOTALS %s\n", d)
	}
	if broken > 0 {
		return fmt.Errorf("the record has been altered: %d breaks (listed above)", broken)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("the supervision totals differ from a recount of the cases in %d rows (listed above); `onestop verify --recount` rebuilds them", len(diffs))
	}
	fmt.Fprintf(stdout, "ok: %d cases, %d events, %d files, %d correction orders and %d checkpoints verify; supervision totals equal a recount", r.Cases, r.Events, r.Files, orders, ck.checked)
	if r.Unrecorded > 0 {
		fmt.Fprintf(stdout, " (%d cases predate the events' records: their chains verify, their rows cannot be checked)", r.Unrecorded)
	}
	fmt.Fprintln(stdout)
	return nil
}
