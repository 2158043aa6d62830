package auth

import "testing"

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("abc12345")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword("abc12345")
	if h == h2 {
		t.Fatal("two hashes of one password must differ (salt)")
	}
	if !CheckPassword("abc12345", h) || CheckPassword("abc12346", h) || CheckPassword("abc12345", "garbage") || CheckPassword("", h) {
		t.Fatal("check")
	}
	for pw, want := range map[string]string{"abc1234": "auth.password.too_short", "abcdefgh": "auth.password.weak",
		"12345678": "auth.password.weak", "密码安全第一12": "", "abc12345": ""} {
		if got := PasswordProblem(pw); got != want {
			t.Errorf("%q: %q, want %q", pw, got, want)
		}
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := HashPassword("abc12345"); err != nil {
			b.Fatal(err)
		}
	}
}
