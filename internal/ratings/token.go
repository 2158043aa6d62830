package ratings

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/clock"
)

// A rating link carries a token that lets its holder rate one case by
// one channel without signing in, until a day: "<channel>.<YYYY-MM-DD>.<mac>",
// the mac an HMAC-SHA256 of the three with the county's secret. The
// receipt's QR link is valid for QRValidDays after receipt (a reprint
// gives the same link); the link given after a number + phone check for
// a day.
const (
	QRValidDays    = 400
	PhoneValidDays = 1
)

func mac(secret []byte, channel, no, until string) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(channel + "\x00" + strings.ToUpper(no) + "\x00" + until))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

func sign(secret []byte, channel, no string, until calendar.Date) string {
	u := until.String()
	return channel + "." + u + "." + mac(secret, channel, no, u)
}

// verify returns the channel a token grants for case no on the day of
// now; ok is false for a forged token, another case's, or an expired one.
func verify(secret []byte, token, no string, now time.Time) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || (parts[0] != QR && parts[0] != Portal) {
		return "", false
	}
	want := mac(secret, parts[0], no, parts[1])
	if !hmac.Equal([]byte(want), []byte(parts[2])) {
		return "", false
	}
	until, err := calendar.ParseDate(parts[1])
	if err != nil || clock.Today(now).After(until) {
		return "", false
	}
	return parts[0], true
}
