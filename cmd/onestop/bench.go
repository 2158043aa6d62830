package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"onestop/internal/bench"
	"onestop/internal/demo"
)

// cmdBench measures OneStop against the raw durable commit rate of the same
// database in the same run and prints the table (docs/PERFORMANCE.md). A
// missed target is reported, not an error; a failure (database error, 5xx
// under load, broken chain) makes the command exit non-zero after the table.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", `onestop bench — performance table: durable transitions beside the raw durable commit rate,
supervision queries, deadline scan, HTTP latency on loopback, peak memory.

  onestop bench --quick                         small data through the engine, < 1 minute (CI)
  onestop bench --sizes 100000,1000000          bulk-generated sizes (takes a while)
  onestop bench --quick --db postgres://…       the same on PostgreSQL (a fresh schema per size)`, stderr)
	quick := fs.Bool("quick", false, "small size generated through the engine; each measurement "+bench.QuickDuration.String())
	db := fs.String("db", "", "PostgreSQL URL (a schema bench_<size> is created in it); empty: SQLite")
	data := fs.String("data", "", "directory for the SQLite benchmark databases (DIR/bench-<size>, kept); empty: a temporary directory")
	sizes := fs.String("sizes", "100000,1000000", "case counts of the full run, comma-separated")
	clients := fs.Int("clients", 64, "concurrent clients for transitions and HTTP load")
	duration := fs.Duration("duration", 0, "length of each throughput or load measurement (default 10s, --quick 1.5s)")
	jsonOut := fs.String("json", "", "also write the report as JSON to this file")
	keep := fs.Bool("keep", false, "keep the generated databases (PostgreSQL schemas, temporary SQLite directories)")
	seed := fs.Int64("seed", 431022, "seed of the demo county and generated cases")
	counties := fs.Int("counties", 1, fmt.Sprintf("counties of a synthetic province sharing the database (1 to %d); cases spread over all", demo.MaxCounties))
	verbose := fs.Bool("verbose", false, "print progress and the query plans (EXPLAIN) to stderr")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	memProfile := fs.String("memprofile", "", "write a heap profile taken at the end of the HTTP load to this file (go tool pprof); with several sizes, the last one's; needs --server-process=false")
	serverProcess := fs.Bool("server-process", true, "run the server under load as a process of its own (onestop serve), so the memory row is the server's alone; false: inside the bench process")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	opt := bench.Options{Quick: *quick, DBURL: *db, DataDir: *data, Clients: *clients, Duration: *duration, Keep: *keep, Seed: *seed,
		Counties: *counties, MemProfile: *memProfile, Verbose: *verbose}
	if *counties < 1 || *counties > demo.MaxCounties {
		return fmt.Errorf("--counties: %d is not between 1 and %d", *counties, demo.MaxCounties)
	}
	if *serverProcess {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("--server-process: %w", err)
		}
		opt.ServerCommand = []string{exe, "serve"}
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
		if err != nil || n <= 0 {
			return fmt.Errorf("--sizes: %q is not a positive number", s)
		}
		opt.Sizes = append(opt.Sizes, n)
	}
	if *verbose {
		opt.Log = stderr
	}
	start := time.Now()
	rep, err := bench.Run(ctx, opt)
	if rep != nil {
		rep.Command = "onestop bench " + strings.Join(args, " ")
		fmt.Fprintf(stdout, "onestop bench — %s, %d CPUs, %s, %s\n\n", rep.Host, rep.CPUs, rep.Go, rep.Started.Format(time.RFC3339))
		if werr := bench.WriteTable(stdout, rep.Rows); werr != nil && err == nil {
			err = werr
		}
		fmt.Fprintf(stdout, "\nfinished in %.1f s; targets are reported, not asserted (docs/PERFORMANCE.md)\n", time.Since(start).Seconds())
		if *jsonOut != "" {
			if werr := rep.WriteJSON(*jsonOut); werr != nil && err == nil {
				err = werr
			}
		}
	}
	return err
}
