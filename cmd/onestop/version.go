package main

import "runtime/debug"

// version is set at build time with -ldflags "-X main.version=…"
// (scripts/build does it). A plain `go build` leaves "dev", and then the
// commit Go recorded in the binary is shown instead, where there is one.
var version = "dev"

func init() {
	if version == "dev" {
		if info, ok := debug.ReadBuildInfo(); ok {
			version = fromBuildInfo(info)
		}
	}
}

// fromBuildInfo is the version Go embedded: the module version of a
// `go install …@v1.2.3`, else the commit of a build in a checkout (with
// "-dirty" when the tree had changes), else "dev".
func fromBuildInfo(info *debug.BuildInfo) string {
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}
