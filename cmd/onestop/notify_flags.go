package main

import (
	"fmt"
	"net/url"

	"onestop/internal/notify"
	"onestop/internal/web"
)

// gatewayFlags are the outbox's gateways (docs/OPERATIONS.md §11): an SMTP
// server for e-mail and an SMS provider's HTTP API. Without them the log
// stands in (the demo: the console).
type gatewayFlags struct {
	smtpHost, smtpUser, smtpPassword, smtpFrom *string
	smtpPort                                   *int
	smsURL, smsTemplates                       *string
}

func registerGateways(fs *flags) *gatewayFlags {
	return &gatewayFlags{
		smtpHost:     fs.String("smtp-host", "", "mail server for e-mail notifications (empty: e-mails go to the log)"),
		smtpPort:     fs.Int("smtp-port", 587, "mail server port"),
		smtpUser:     fs.String("smtp-user", "", "mail server user (empty: no authentication)"),
		smtpPassword: fs.String("smtp-password", "", "mail server password"),
		smtpFrom:     fs.String("smtp-from", "", "sender address of e-mail notifications, e.g. 政务服务中心 <noreply@zwfw.example.gov.cn>"),
		smsURL:       fs.String("sms-url", "", "SMS gateway: URL of the provider's HTTP API that takes one JSON POST per message (empty: texts go to the log)"),
		smsTemplates: fs.String("sms-templates", "", "SMS gateway: the provider's template ids, key=id,… e.g. notify.case.msg.accepted=SMS_1001"),
	}
}

// apply puts the configured gateways into cfg.
func (g *gatewayFlags) apply(cfg *web.Config) error {
	if *g.smtpHost != "" {
		if *g.smtpFrom == "" {
			return fmt.Errorf("--smtp-host needs --smtp-from")
		}
		if *g.smtpPort < 1 || *g.smtpPort > 65535 {
			return fmt.Errorf("--smtp-port %d is not a port", *g.smtpPort)
		}
		cfg.Mail = notify.SMTPSender{Host: *g.smtpHost, Port: *g.smtpPort, User: *g.smtpUser, Password: *g.smtpPassword, From: *g.smtpFrom}
	}
	if *g.smsURL != "" {
		u, err := url.Parse(*g.smsURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("--sms-url %q is not an http(s) URL", *g.smsURL)
		}
		tpl, err := notify.ParseTemplates(*g.smsTemplates)
		if err != nil {
			return fmt.Errorf("--sms-templates: %w", err)
		}
		cfg.SMS = notify.HTTPGateway{URL: *g.smsURL, Templates: tpl}
	}
	return nil
}
