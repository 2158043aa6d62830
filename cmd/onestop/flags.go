package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// flags is a command's flag set where every flag also reads an
// environment variable, ONESTOP_ and the flag's name in capitals with
// "-" as "_" (--log-format: ONESTOP_LOG_FORMAT), named in --help. A flag
// on the command line wins over the variable; the variable over the
// default. A systemd unit's environment file can so set any flag.
type flags struct {
	*flag.FlagSet
	// envErrs are variables whose value the flag refused; Parse reports
	// them, as it would a bad value on the command line.
	envErrs []error
}

func newFlagSet(name, help string, stderr io.Writer) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nFlags (each also an environment variable):\n", help)
		fs.PrintDefaults()
	}
	return &flags{FlagSet: fs}
}

// subcommand reads the first argument of a command with subcommands
// (user create, checkpoint check, open311 key): one of subs, or the help
// printed and "" — with no error when help was asked for.
func subcommand(args []string, help string, stderr io.Writer, subs ...string) (string, error) {
	if len(args) > 0 && slices.Contains(subs, args[0]) {
		return args[0], nil
	}
	fmt.Fprintln(stderr, help)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		return "", nil
	}
	return "", fmt.Errorf("say %s", strings.Join(subs, " or "))
}

// envName is the environment variable of a flag.
func envName(flag string) string {
	return "ONESTOP_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// withEnv registers a flag through register, naming its environment
// variable in the usage, and takes the variable's value when it is set:
// the one place every flag goes through.
func withEnv[T any](f *flags, name, usage string, register func(usage string) T) T {
	key := envName(name)
	p := register(usage + " (env " + key + ")")
	if s, ok := os.LookupEnv(key); ok {
		if err := f.FlagSet.Set(name, s); err != nil {
			f.envErrs = append(f.envErrs, fmt.Errorf("%s=%q: %w", key, s, err))
		}
	}
	return p
}

func (f *flags) String(name, def, usage string) *string {
	return withEnv(f, name, usage, func(u string) *string { return f.FlagSet.String(name, def, u) })
}

func (f *flags) StringVar(p *string, name, def, usage string) {
	withEnv(f, name, usage, func(u string) *string { f.FlagSet.StringVar(p, name, def, u); return p })
}

func (f *flags) Int(name string, def int, usage string) *int {
	return withEnv(f, name, usage, func(u string) *int { return f.FlagSet.Int(name, def, u) })
}

func (f *flags) Int64(name string, def int64, usage string) *int64 {
	return withEnv(f, name, usage, func(u string) *int64 { return f.FlagSet.Int64(name, def, u) })
}

func (f *flags) Bool(name string, def bool, usage string) *bool {
	return withEnv(f, name, usage, func(u string) *bool { return f.FlagSet.Bool(name, def, u) })
}

func (f *flags) Duration(name string, def time.Duration, usage string) *time.Duration {
	return withEnv(f, name, usage, func(u string) *time.Duration { return f.FlagSet.Duration(name, def, u) })
}

func (f *flags) Var(v flag.Value, name, usage string) {
	withEnv(f, name, usage, func(u string) flag.Value { f.FlagSet.Var(v, name, u); return v })
}

// parsing, when set, sees every flag set as it is parsed (the test that
// every flag has a working variable walks them with it).
var parsing func(*flags)

// Parse reports a variable a flag refused before reading the command line.
func (f *flags) Parse(args []string) error {
	if parsing != nil {
		parsing(f)
	}
	if err := errors.Join(f.envErrs...); err != nil {
		return err
	}
	return f.FlagSet.Parse(args)
}
