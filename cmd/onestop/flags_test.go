package main

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

// commands are every command line that parses flags.
var commands = [][]string{{"serve"}, {"demo"}, {"migrate"}, {"user", "create"}, {"user", "reset"}, {"verify"},
	{"checkpoint", "check"}, {"checkpoint", "rotate-key"}, {"gen"}, {"bench"}, {"backup"}, {"restore"}}

// flagsOf runs a command with --help and returns its flag set as parsed.
func flagsOf(t *testing.T, cmd []string) *flags {
	t.Helper()
	var got *flags
	parsing = func(f *flags) { got = f }
	defer func() { parsing = nil }()
	if code, _, errOut := runCmd(t, append(cmd, "--help")...); code != 0 {
		t.Fatalf("%v --help: %d %s", cmd, code, errOut)
	}
	if got == nil {
		t.Fatalf("%v parsed no flags", cmd)
	}
	return got
}

// Every flag of every command can be set by its variable (the README
// promises it, and a systemd environment file relies on it), and --help
// names the variable.
func TestEveryFlagHasAWorkingVariable(t *testing.T) {
	seen := 0
	for _, cmd := range commands {
		var names []*flag.Flag
		flagsOf(t, cmd).VisitAll(func(f *flag.Flag) { names = append(names, f) })
		for _, f := range names {
			seen++
			key := envName(f.Name)
			if !strings.Contains(f.Usage, "(env "+key+")") {
				t.Errorf("%v --%s: the usage does not name %s: %q", cmd, f.Name, key, f.Usage)
			}
			// A value of the flag's type that is not its default.
			want := "from-the-environment"
			var v any
			if g, ok := f.Value.(flag.Getter); ok {
				v = g.Get()
			}
			switch v.(type) {
			case bool:
				want = "true"
				if f.DefValue == "true" {
					want = "false"
				}
			case int, int64:
				want = "7"
			case time.Duration:
				want = "3s"
			}
			t.Setenv(key, want)
			got := flagsOf(t, cmd).Lookup(f.Name).Value.String()
			if got != want {
				t.Errorf("%v --%s: %s=%s gives %q", cmd, f.Name, key, want, got)
			}
		}
	}
	if seen < 40 {
		t.Fatalf("only %d flags seen: a command's flags were missed", seen)
	}
}

// A variable the flag cannot read is an error, as on the command line.
func TestBadVariableIsRefused(t *testing.T) {
	t.Setenv("ONESTOP_SEED", "not-a-number")
	code, _, errOut := runCmd(t, "serve", "--help")
	if code != 1 || !strings.Contains(errOut, "ONESTOP_SEED") {
		t.Fatalf("a bad ONESTOP_SEED: %d %s", code, errOut)
	}
}

// The systemd environment file names only variables serve reads: a
// misspelt one would be ignored without a word.
func TestEnvironmentFileNamesServeFlags(t *testing.T) {
	b, err := os.ReadFile("../../deploy/onestop.env")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	flagsOf(t, []string{"serve"}).VisitAll(func(f *flag.Flag) { known[envName(f.Name)] = true })
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		key, _, ok := strings.Cut(strings.TrimPrefix(line, "#"), "=")
		if !ok || !strings.HasPrefix(key, "ONESTOP_") {
			continue
		}
		n++
		if !known[key] {
			t.Errorf("deploy/onestop.env sets %s, which onestop serve does not read", key)
		}
	}
	if n < 5 {
		t.Fatalf("only %d variables found in deploy/onestop.env", n)
	}
}
