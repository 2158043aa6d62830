package main

import (
	"runtime/debug"
	"testing"
)

// Built without the stamp, the binary names the commit Go recorded, or
// the module version of a go install, rather than "dev".
func TestVersionFromBuildInfo(t *testing.T) {
	vcs := func(rev, modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}}
	}
	for _, c := range []struct {
		info *debug.BuildInfo
		want string
	}{
		{vcs("0123456789abcdef0123456789abcdef01234567", "false"), "0123456789ab"},
		{vcs("0123456789abcdef0123456789abcdef01234567", "true"), "0123456789ab-dirty"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
	} {
		if got := fromBuildInfo(c.info); got != c.want {
			t.Errorf("%+v: %q, want %q", c.info.Main, got, c.want)
		}
	}
}
