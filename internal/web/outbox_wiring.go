package web

import (
	"log/slog"
	"time"

	"onestop/internal/notify"
	"onestop/internal/store"
)

// newOutbox builds the outbox's dispatcher from the configured gateways:
// the demo's console, else the log, stands in for a missing one.
func newOutbox(db *store.DB, log *slog.Logger, cfg Config, text func(lang, key string, args map[string]any) string, now func() time.Time) *notify.Dispatcher {
	var fallback notify.Sender = notify.LogSender{Log: log}
	if cfg.SMSConsole != nil {
		fallback = notify.ConsoleSender{W: cfg.SMSConsole}
	}
	d := &notify.Dispatcher{DB: db, SMS: cfg.SMS, Mail: cfg.Mail, Text: text, Now: now, Log: log}
	if d.SMS == nil {
		d.SMS = fallback
	}
	if d.Mail == nil {
		d.Mail = fallback
	}
	return d
}
