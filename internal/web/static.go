package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves the embedded assets under /static/<hash>/<name>: the
// hash changes with the content, so browsers may cache forever.
type staticFiles struct {
	hashes map[string]string // name → short content hash
	files  map[string][]byte
}

func newStaticFiles() (*staticFiles, error) {
	sf := &staticFiles{hashes: map[string]string{}, files: map[string][]byte{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		h := sha256.Sum256(b)
		sf.hashes[name] = hex.EncodeToString(h[:6])
		sf.files[name] = b
		return nil
	})
	return sf, err
}

// URL is the cache-busting address of an asset.
func (sf *staticFiles) URL(name string) string {
	return "/static/" + sf.hashes[name] + "/" + name
}

func (sf *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hash, name := r.PathValue("hash"), r.PathValue("name")
	b, ok := sf.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if hash == sf.hashes[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	_, _ = w.Write(b)
}
