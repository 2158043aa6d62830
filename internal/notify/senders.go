package notify

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"onestop/internal/ident"
)

// Outgoing is one message as a sender hands it to a gateway.
type Outgoing struct {
	// ID is the outbox row: the same on every attempt, so a gateway can
	// recognise a resend after a crash between sending and marking sent
	// (RequestID, the SMS request id and the e-mail's Message-ID).
	ID      int64
	Channel string
	To      string
	Subject string
	Text    string
	// Key and Params are the template, for an SMS gateway that sends its
	// own registered templates (a row written as text has no key).
	Key    string
	Params map[string]string
	Lang   string
}

// RequestID is the idempotency key of the message.
func (o Outgoing) RequestID() string { return fmt.Sprintf("onestop-outbox-%d", o.ID) }

// Sender hands one message to a gateway. An error means "not sent, try
// again later"; a sender must not report success for a message it did not
// hand over.
type Sender interface {
	Send(ctx context.Context, m Outgoing) error
}

// LogSender stands in for a gateway: it logs that a message went out,
// with the recipient masked and without the text, because the text carries
// one-time codes and the log is read by more people than the citizen.
// The text stays in sms_outbox for a developer to read. (《个人信息保护法》
// 第五十一条: de-identification as a security measure.)
type LogSender struct {
	Log *slog.Logger
}

// Send logs the message.
func (l LogSender) Send(_ context.Context, m Outgoing) error {
	to := "***"
	if m.Channel == SMS {
		to = ident.MaskPhone(m.To)
	}
	l.Log.Info("message sent", "channel", m.Channel, "to", to, "id", m.RequestID(), "chars", len([]rune(m.Text)))
	return nil
}

// ConsoleSender prints every message whole, recipient and text, on the
// console that started the server. It is the demo's gateway: the person
// trying the demo is both the operator and the citizen waiting for the
// code, and the demo's people are invented. A real installation never
// uses it (its console output is a log).
type ConsoleSender struct {
	W io.Writer
}

// Send prints the message.
func (c ConsoleSender) Send(_ context.Context, m Outgoing) error {
	label := "SMS"
	if m.Channel == Email {
		label = "E-mail"
	}
	_, err := fmt.Fprintf(c.W, "%s → %s: %s\n", label, m.To, m.Text)
	return err
}
