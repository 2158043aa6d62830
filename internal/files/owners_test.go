package files_test

import (
	"bytes"
	"testing"
	"time"

	"onestop/internal/files"
	"onestop/internal/testutil"
)

// The clean-up reads a file's modification time, which Put stamps with
// the store's clock: a file written (or uploaded again) within the
// retention period stays even when its binding looks old, so a clean-up
// racing a new upload of the same bytes does not take them.
func TestCleanupSkipsFilesWrittenLately(t *testing.T) {
	db := testutil.NewTestDB(t)
	base := time.Date(2030, 1, 1, 2, 0, 0, 0, time.UTC)
	now := base
	st := &files.Store{Dir: t.TempDir(), Now: func() time.Time { return now }}
	owners := &files.Owners{DB: db}
	who := files.Owner{Kind: files.OwnerStaff, ID: 1}
	put := func(marker string) files.Ref {
		ref, err := st.Put(bytes.NewReader(append(append([]byte{}, tinyPDF...), marker...)), "x.pdf", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		// A binding from long ago: only the file's time protects it.
		if err := owners.Bind(t.Context(), ref, who, base.Add(-30*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		return ref
	}
	cleanup := func(at time.Time) int {
		n, err := owners.Cleanup(t.Context(), st, at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	fresh := put("written at base")
	if n := cleanup(base.Add(24 * time.Hour)); n != 0 {
		t.Fatalf("removed %d files written a day ago", n)
	}
	now = base.Add(10 * 24 * time.Hour)
	again := put("written at base") // the same bytes again, ten days on
	if again.SHA256 != fresh.SHA256 {
		t.Fatal("same bytes, other hash")
	}
	if n := cleanup(base.Add(12 * 24 * time.Hour)); n != 0 {
		t.Fatalf("removed %d files uploaded again two days ago", n)
	}
	if n := cleanup(base.Add(18 * 24 * time.Hour)); n != 1 {
		t.Fatalf("removed %d files, want 1", n)
	}
	if _, err := st.Open(fresh.SHA256); err == nil {
		t.Fatal("still there")
	}
}
