package files_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/files"
)

// tinyPDF is enough of a PDF for the sniffer (and for a browser).
var tinyPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

var pngHead = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

func TestPutStoresOnceByContent(t *testing.T) {
	s := &files.Store{Dir: t.TempDir()}
	a, err := s.Put(bytes.NewReader(tinyPDF), `C:\scans\申请表.pdf`, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if a.Type != "application/pdf" || a.Size != int64(len(tinyPDF)) || a.Name != "申请表.pdf" || len(a.SHA256) != 64 {
		t.Fatalf("ref %+v", a)
	}
	want := filepath.Join(s.Dir, a.SHA256[:2], a.SHA256[2:4], a.SHA256)
	if _, err := os.Stat(want); err != nil {
		t.Fatalf("not at %s: %v", want, err)
	}
	// The same bytes under another name: one file, same hash.
	var wg sync.WaitGroup
	refs := make([]files.Ref, 4)
	for i := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			refs[i], _ = s.Put(bytes.NewReader(tinyPDF), "again.pdf", 1<<20)
		}()
	}
	wg.Wait()
	for _, r := range refs {
		if r.SHA256 != a.SHA256 {
			t.Fatalf("hash changed: %s vs %s", r.SHA256, a.SHA256)
		}
	}
	n := 0
	filepath.WalkDir(s.Dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	if n != 1 {
		t.Fatalf("%d files stored, want 1 (temporary files must be gone too)", n)
	}
	f, err := s.Open(a.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, tinyPDF) {
		t.Fatal("content differs")
	}
	st, err := s.Stat(a.SHA256)
	if err != nil || st.Type != "application/pdf" || st.Size != a.Size {
		t.Fatalf("stat %+v %v", st, err)
	}
}

func TestPutRefuses(t *testing.T) {
	s := &files.Store{Dir: t.TempDir()}
	cases := []struct {
		name string
		body []byte
		max  int64
		key  string
	}{
		{"empty", nil, 1 << 20, "files.empty"},
		{"html", []byte("<html><script>alert(1)</script></html>"), 1 << 20, "files.bad_type"},
		{"zip", []byte("PK\x03\x04rest of an archive"), 1 << 20, "files.bad_type"},
		{"text named .pdf", []byte("just some text, not a PDF at all"), 1 << 20, "files.bad_type"},
		{"too large", append(append([]byte{}, tinyPDF...), bytes.Repeat([]byte("x"), 2000)...), 1000, "files.too_large"},
		{"too large in the head", append(append([]byte{}, pngHead...), bytes.Repeat([]byte("x"), 600)...), 100, "files.too_large"},
	}
	for _, tc := range cases {
		_, err := s.Put(bytes.NewReader(tc.body), tc.name, tc.max)
		if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || ae.Msg.Key != tc.key {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.key)
		}
	}
	// Exactly the limit is fine.
	if _, err := s.Put(bytes.NewReader(tinyPDF), "x.pdf", int64(len(tinyPDF))); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	if _, err := s.Put(bytes.NewReader(append(append([]byte{}, pngHead...), 0, 0, 0)), "x.png", 1<<20); err != nil {
		t.Fatalf("png: %v", err)
	}
	if _, err := s.Put(bytes.NewReader([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")), "x.jpg", 1<<20); err != nil {
		t.Fatalf("jpeg: %v", err)
	}
}

func TestOpenRejectsPathsAndUnknown(t *testing.T) {
	s := &files.Store{Dir: t.TempDir()}
	for _, sha := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("0", 63), strings.Repeat("0", 64)} {
		if _, err := s.Open(sha); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%q: %v", sha, err)
		}
	}
	if got := files.CleanName("../../x\x00y\".pdf"); got != "xy.pdf" {
		t.Errorf("clean name %q", got)
	}
}
