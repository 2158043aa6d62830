// Package auth holds the security mechanisms: password hashing, login
// throttling, database-backed sessions and API tokens. It knows nothing of the
// organisation; the web layer ties the two together.
package auth

import (
	"runtime"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// params are tuned for a 2-core office server: 64 MiB and one pass take
// about 60 ms per login here (docs/DECISIONS.md), which is slow for an
// attacker and quick for a clerk.
var params = &argon2id.Params{
	Memory:      64 * 1024,
	Iterations:  1,
	Parallelism: uint8(min(runtime.NumCPU(), 4)),
	SaltLength:  16,
	KeyLength:   32,
}

// HashPassword returns an argon2id hash in the standard encoded form.
func HashPassword(pw string) (string, error) {
	return argon2id.CreateHash(pw, params)
}

// CheckPassword reports whether pw matches hash; a malformed hash is a
// mismatch, never a crash.
func CheckPassword(pw, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}

// dummyHash lets a login for an unknown account take as long as one for a
// known account, so timing does not reveal which usernames exist. It is
// made on first use: computing it at start cost every command ~0.6 s.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("onestop-dummy-password")
	return h
})

// BurnTime does the work of one password check.
func BurnTime(pw string) { CheckPassword(pw, dummyHash()) }

// PasswordProblem returns the translation key of what is wrong with a new
// password, or "" when it is acceptable: at least 8 characters, with letters
// and digits, at most 128 characters (argon2 input stays bounded).
func PasswordProblem(pw string) string {
	n := utf8.RuneCountInString(pw)
	if n < 8 {
		return "auth.password.too_short"
	}
	if n > 128 {
		return "auth.password.too_long"
	}
	var letter, digit bool
	for _, r := range pw {
		letter = letter || unicode.IsLetter(r)
		digit = digit || unicode.IsDigit(r)
	}
	if !letter || !digit {
		return "auth.password.weak"
	}
	return ""
}
