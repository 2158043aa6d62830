package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"onestop/internal/store"
	"onestop/internal/testutil"
)

func TestWhereNumbersPlaceholdersInOrder(t *testing.T) {
	var w store.Where
	if w.String() != "" || len(w.Args()) != 0 {
		t.Fatalf("empty builder: %q %v", w.String(), w.Args())
	}
	w.Add("a IS NULL")
	w.Add("b = ?", 7)
	w.Add("(c LIKE ? ESCAPE '\\' OR d = ?)", "%x%", "y")
	want := ` WHERE a IS NULL AND b = $1 AND (c LIKE $2 ESCAPE '\' OR d = $3)`
	if got := w.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	args := w.Args()
	if !slices.Equal(args, []any{7, "%x%", "y"}) {
		t.Errorf("Args() = %v", args)
	}
	// A caller appending its LIMIT to the args it got must keep it when the
	// builder binds more afterwards (they must not share an array).
	page := append(args, 50)
	if p := w.Bind(10); p != "$4" {
		t.Errorf("Bind = %q, want $4", p)
	}
	if page[3] != 50 {
		t.Errorf("the caller's appended argument was overwritten: %v", page)
	}
	if got := w.Args(); !slices.Equal(got, []any{7, "%x%", "y", 10}) {
		t.Errorf("after Bind: %v", got)
	}
}

func TestWhereRefusesMiscountedPlaceholders(t *testing.T) {
	for _, tc := range []struct {
		cond string
		args []any
	}{{"a = ?", nil}, {"a = ? AND b = ?", []any{1}}, {"a = 1", []any{1}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Add(%q, %v) did not panic", tc.cond, tc.args)
				}
			}()
			var w store.Where
			w.Add(tc.cond, tc.args...)
		}()
	}
}

// The patterns match the user's text literally on both engines: % and _
// are not wildcards, and a backslash is itself.
func TestLikePatternsMatchLiterally(t *testing.T) {
	db := testutil.NewTestDB(t)
	ctx := context.Background()
	if _, err := db.W.ExecContext(ctx, `CREATE TABLE like_probe (v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	values := []string{`100%`, `1000`, `a_b`, `axb`, `c\d`, `c\\d`, `50% off`, `half 50% off`, `营业执照`}
	for _, v := range values {
		if _, err := db.W.ExecContext(ctx, `INSERT INTO like_probe (v) VALUES ($1)`, v); err != nil {
			t.Fatal(err)
		}
	}
	match := func(pattern string) []string {
		t.Helper()
		got, err := store.Column[string](db.R.QueryContext(ctx, `SELECT v FROM like_probe WHERE v LIKE $1 ESCAPE '\' ORDER BY v`, pattern))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, tc := range []struct {
		pattern string
		want    []string
	}{
		{store.Contains("0%"), []string{`100%`, `50% off`, `half 50% off`}},
		{store.Contains("_"), []string{`a_b`}},
		{store.Contains(`c\d`), []string{`c\d`}},
		{store.Contains("执照"), []string{`营业执照`}},
		{store.Prefix("50%"), []string{`50% off`}},
		{store.Prefix("a_"), []string{`a_b`}},
		{"%" + store.EscapeLike("x") + "%", []string{`axb`}},
	} {
		got := match(tc.pattern)
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("LIKE %q matched %q, want %q", tc.pattern, got, tc.want)
		}
	}
	if p := store.Contains("a%b"); !strings.HasPrefix(p, "%") || !strings.HasSuffix(p, "%") {
		t.Errorf("Contains = %q", p)
	}
}

func TestNullID(t *testing.T) {
	if v := store.NullID(0); v != nil {
		t.Errorf("NullID(0) = %v, want nil", v)
	}
	if v := store.NullID(42); v != int64(42) {
		t.Errorf("NullID(42) = %#v", v)
	}
}
