// Package files is the content-addressed store for uploaded materials: a
// file's name on disk is the SHA-256 of its bytes (Dir/ab/cd/<sha256>), so
// the same scan uploaded twice is stored once, a stored file can never be
// changed without its name changing, and the case record only needs to keep
// the hash to prove which file the applicant handed in.
package files

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"onestop/internal/apperr"
)

// Allowed are the types an applicant may upload: scans and photos of
// paper materials. Anything else (office documents, archives, HTML) is
// refused, because staff open these files and the types a browser renders
// inline without running code are exactly these three.
var Allowed = []string{"application/pdf", "image/jpeg", "image/png"}

// Ref names a stored file with what is known about it.
type Ref struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
}

// Store keeps files under Dir.
type Store struct {
	Dir string
	// Now stamps a stored file's modification time (nil: time.Now), which
	// the clean-up of files never attached reads.
	Now func() time.Time
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Put stores what r yields, refusing more than maxBytes and any type but
// Allowed. The type is sniffed from the bytes (http.DetectContentType), never
// taken from the uploader's file name or header, which a browser fills in
// from the extension. The file is written to a temporary file in Dir and
// renamed into place, so a reader never sees half a file and two uploads of
// the same content at once both end with one complete copy.
func (s *Store) Put(r io.Reader, name string, maxBytes int64) (Ref, error) {
	tmpDir := filepath.Join(s.Dir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return Ref{}, fmt.Errorf("files: %w", err)
	}
	tmp, err := os.CreateTemp(tmpDir, "upload-*")
	if err != nil {
		return Ref{}, fmt.Errorf("files: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	var head [512]byte
	n, err := io.ReadFull(r, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Ref{}, readErr(err)
	}
	if n == 0 {
		return Ref{}, apperr.New(apperr.Invalid, "files.empty")
	}
	typ := sniff(head[:n])
	if typ == "" {
		return Ref{}, apperr.New(apperr.Invalid, "files.bad_type")
	}
	if int64(n) > maxBytes {
		return Ref{}, tooLarge(maxBytes)
	}
	w := io.MultiWriter(tmp, h)
	if _, err := w.Write(head[:n]); err != nil {
		return Ref{}, fmt.Errorf("files: %w", err)
	}
	// Copy at most one byte more than allowed: that byte proves the file is
	// too large without reading the rest of it.
	rest, err := io.Copy(w, io.LimitReader(r, maxBytes-int64(n)+1))
	if err != nil {
		return Ref{}, readErr(err)
	}
	size := int64(n) + rest
	if size > maxBytes {
		return Ref{}, tooLarge(maxBytes)
	}
	// The bytes must be on disk before the rename makes them visible: a
	// case event will name this hash, and it must survive a power cut.
	if err := tmp.Sync(); err != nil {
		return Ref{}, fmt.Errorf("files: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Ref{}, fmt.Errorf("files: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := s.path(sum)
	if _, err := os.Stat(final); err == nil {
		os.Remove(tmp.Name()) // stored before: keep the one copy
		// Uploaded again: the clean-up must not take it now (Cleanup
		// skips files written within the retention period).
		now := s.now()
		_ = os.Chtimes(final, now, now)
	} else {
		if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
			return Ref{}, fmt.Errorf("files: %w", err)
		}
		now := s.now()
		_ = os.Chtimes(tmp.Name(), now, now)
		if err := os.Rename(tmp.Name(), final); err != nil {
			return Ref{}, fmt.Errorf("files: %w", err)
		}
		syncDir(filepath.Dir(final))
	}
	done = true
	return Ref{SHA256: sum, Name: CleanName(name), Type: typ, Size: size}, nil
}

// Open opens a stored file for reading.
func (s *Store) Open(sha string) (*os.File, error) {
	if !ValidSHA(sha) {
		return nil, apperr.NotFoundf("entity.file")
	}
	f, err := os.Open(s.path(sha))
	if errors.Is(err, os.ErrNotExist) {
		return nil, apperr.NotFoundf("entity.file")
	}
	return f, err
}

// Stat describes a stored file (without a name: the store keeps none), so
// an API caller that names a hash it uploaded earlier cannot claim another
// type or size for it.
func (s *Store) Stat(sha string) (Ref, error) {
	f, err := s.Open(sha)
	if err != nil {
		return Ref{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Ref{}, err
	}
	var head [512]byte
	n, _ := io.ReadFull(f, head[:])
	return Ref{SHA256: sha, Type: sniff(head[:n]), Size: fi.Size()}, nil
}

func (s *Store) path(sha string) string {
	return filepath.Join(s.Dir, sha[0:2], sha[2:4], sha)
}

// ValidSHA accepts exactly 64 lower-case hex digits, so a hash from a URL
// can never name a path outside the store.
func ValidSHA(sha string) bool {
	if len(sha) != 64 {
		return false
	}
	for _, c := range sha {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func sniff(head []byte) string {
	t := http.DetectContentType(head)
	t, _, _ = strings.Cut(t, ";")
	for _, a := range Allowed {
		if t == a {
			return t
		}
	}
	return ""
}

// CleanName keeps the base name of what the uploader called the file,
// without control characters and at most 120 characters long; it is shown
// to staff and offered as the download name, never used as a path.
func CleanName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	if r := []rune(name); len(r) > 120 {
		name = string(r[len(r)-120:])
	}
	if name == "" {
		name = "file"
	}
	return name
}

func tooLarge(max int64) error {
	return apperr.New(apperr.Invalid, "files.too_large", "MB", max>>20)
}

// readErr passes on a request body that hit the server's size limit as
// such, and anything else as it is.
func readErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.New(apperr.TooLarge, "error.too_large")
	}
	return fmt.Errorf("files: read upload: %w", err)
}

// syncDir makes a rename durable on file systems that need the directory
// synced too; where that is not possible (some platforms), it is skipped.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
