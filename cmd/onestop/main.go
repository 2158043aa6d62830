// Command onestop runs a county government service centre: the public
// portal, the staff workbench, supervision and the JSON API, in one binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `OneStop — government service centre software (政务服务中心)

Usage:
  onestop <command> [flags]

Commands:
  demo      start with a demo county loaded on first start (prints one login per role)
  serve     start the server
  migrate   apply database migrations and exit
  user      create a staff account or reset a password (onestop user --help)
  open311   issue, list or revoke the API keys of Open311 civic apps (onestop open311 --help)
  verify    check the whole record (chains, case rows, documents, messages, files, checkpoints); names every break
  anomalies replay the case record through supervision's anomaly rules (after gen or a restore)
  checkpoint  check published daily checkpoints (for auditors), or rotate the signing key (onestop checkpoint --help)
  gen       fill a database with the demo county and many cases (bulk, for load tests: --cases 1000000)
  bench     performance table: transitions beside the raw durable commit rate, queries, HTTP (--quick: < 1 min)
  backup    write a consistent backup (database + uploaded files) while the server runs
  restore   restore a backup into an empty data directory, then verify every case record
  version   print the version

Common flags (each also an environment variable):
  --addr HOST:PORT   where to listen            ONESTOP_ADDR  (default 127.0.0.1:8080)
  --data DIR         data directory (SQLite file, uploads)
                                                ONESTOP_DATA  (default ./onestop-data)
  --db URL           PostgreSQL URL, e.g. postgres://user:pass@host/db; empty = SQLite in --data
                                                ONESTOP_DB

Examples:
  onestop demo                                   try it: http://127.0.0.1:8080
  onestop serve --addr 0.0.0.0:8080 --data /var/lib/onestop
  onestop serve --db postgres://onestop:secret@db.internal/onestop

Run "onestop <command> --help" for a command's own flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, rest, stdout, stderr, false)
	case "demo":
		err = cmdServe(ctx, rest, stdout, stderr, true)
	case "migrate":
		err = cmdMigrate(ctx, rest, stdout, stderr)
	case "user":
		err = cmdUser(ctx, rest, stdout, stderr)
	case "open311":
		err = cmdOpen311(ctx, rest, stdout, stderr)
	case "verify":
		err = cmdVerify(ctx, rest, stdout, stderr)
	case "checkpoint":
		err = cmdCheckpoint(ctx, rest, stdout, stderr)
	case "anomalies":
		err = cmdAnomalies(ctx, rest, stdout, stderr)
	case "bench":
		err = cmdBench(ctx, rest, stdout, stderr)
	case "gen":
		err = cmdGen(ctx, rest, stdout, stderr)
	case "backup":
		err = cmdBackup(ctx, rest, stdout, stderr)
	case "restore":
		err = cmdRestore(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "onestop", version)
	default:
		fmt.Fprintf(stderr, "onestop: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "onestop:", err)
		return 1
	}
	return 0
}

// common are the flags every command that touches the database takes.
type common struct {
	addr, data, db, logFormat string
}

func (c *common) register(fs *flags) {
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on (HOST:PORT)")
	fs.StringVar(&c.data, "data", "onestop-data", "data directory for the SQLite file and uploads")
	fs.StringVar(&c.db, "db", "", "PostgreSQL URL (postgres://…); empty uses SQLite in the data directory")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
}

func (c *common) logger(w io.Writer) *slog.Logger {
	if strings.EqualFold(c.logFormat, "json") {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
