package checkpoint

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// KeyFile is the signing key's default name in the data directory.
const KeyFile = "checkpoint.key"

// Key is the installation's signing key (Ed25519).
type Key struct {
	Private ed25519.PrivateKey
	Public  ed25519.PublicKey
	ID      string
}

// KeyID names a public key: the first 16 hex digits of its SHA-256, so a
// checkpoint says which key signed it and rotation keeps old ones
// checkable.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// EncodePublic is the published form of a public key: standard base64 of
// its 32 bytes.
func EncodePublic(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

// DecodePublic reads a published public key.
func DecodePublic(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("not an Ed25519 public key (base64 of 32 bytes)")
	}
	return ed25519.PublicKey(b), nil
}

// LoadOrCreateKey reads the key at path, creating it (mode 0600) when there
// is none. Several server processes sharing one database must use the
// same key file; a process that made its own would sign with a key id no
// one published.
func LoadOrCreateKey(path string) (*Key, error) {
	k, err := LoadKey(path)
	if errors.Is(err, os.ErrNotExist) {
		return createKey(path)
	}
	return k, err
}

// LoadKey reads the key at path; a missing file is os.ErrNotExist.
func LoadKey(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("checkpoint key %s: not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("checkpoint key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("checkpoint key %s: not an Ed25519 key", path)
	}
	return keyOf(priv), nil
}

func keyOf(priv ed25519.PrivateKey) *Key {
	pub := priv.Public().(ed25519.PublicKey)
	return &Key{Private: priv, Public: pub, ID: KeyID(pub)}
}

// createKey writes a new key where none was; O_EXCL makes two processes
// starting at once keep one key between them.
func createKey(path string) (*Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	return keyOf(priv), nil
}

// RotateKey replaces the key at path with a new one and returns both. The
// old private key is removed (a retired key must not sign again); its
// public key stays in the database's checkpoint_keys, so the checkpoints
// it signed still verify.
func RotateKey(path string) (old, cur *Key, err error) {
	old, err = LoadOrCreateKey(path)
	if err != nil {
		return nil, nil, err
	}
	tmp := path + ".new"
	os.Remove(tmp)
	cur, err = createKey(tmp)
	if err != nil {
		return nil, nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, nil, fmt.Errorf("checkpoint key: %w", err)
	}
	return old, cur, nil
}
