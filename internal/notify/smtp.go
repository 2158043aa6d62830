package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// SMTPSender sends e-mail through a mail server (stdlib net/smtp: it
// upgrades to TLS when the server offers STARTTLS, and refuses to send a
// password in the clear to anything but localhost).
type SMTPSender struct {
	Host     string
	Port     int
	User     string
	Password string
	From     string
}

// Send delivers one message. Its Message-ID is made from the outbox row,
// so a resend after a crash between sending and marking sent carries the
// same id and mail clients show it once.
func (s SMTPSender) Send(_ context.Context, m Outgoing) error {
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("smtp from: %w", err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("%w: address %q: %v", errPermanent, m.To, err)
	}
	var auth smtp.Auth
	if s.User != "" {
		auth = smtp.PlainAuth("", s.User, s.Password, s.Host)
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	if err := smtp.SendMail(addr, auth, from.Address, []string{to.Address}, s.message(from, to, m)); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	return nil
}

// MessageID is the Message-ID header of an outbox row.
func (s SMTPSender) MessageID(m Outgoing) string {
	domain := "onestop.invalid"
	if a, err := mail.ParseAddress(s.From); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok {
			domain = d
		}
	}
	return "<" + m.RequestID() + "@" + domain + ">"
}

func (s SMTPSender) message(from, to *mail.Address, m Outgoing) []byte {
	var b bytes.Buffer
	subject := m.Subject
	if subject == "" {
		subject = "OneStop"
	}
	header := [][2]string{
		{"From", from.String()},
		{"To", to.String()},
		{"Subject", mime.BEncoding.Encode("UTF-8", subject)},
		{"Date", time.Now().Format(time.RFC1123Z)},
		{"Message-ID", s.MessageID(m)},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=UTF-8"},
		{"Content-Transfer-Encoding", "base64"},
	}
	for _, h := range header {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(m.Text))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}
