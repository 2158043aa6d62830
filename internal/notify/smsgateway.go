package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// HTTPGateway sends text messages through an SMS provider's HTTP API:
// one JSON POST per message to URL. Providers send only templates they
// have registered, so Templates maps our template keys to the provider's
// template ids (a row without one, like a one-time code written as text,
// goes with its text only).
//
// The body carries request_id (also the Idempotency-Key header): the same
// on every attempt at one outbox row, so a provider that keeps request ids
// drops the resend that follows a crash between sending and marking sent.
// A 409 answer (the provider already has that request id) counts as sent.
type HTTPGateway struct {
	URL       string
	Templates map[string]string
	Client    *http.Client
}

type gatewayRequest struct {
	RequestID  string            `json:"request_id"`
	Phone      string            `json:"phone"`
	TemplateID string            `json:"template_id,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
	Text       string            `json:"text"`
}

// Send posts one message.
func (g HTTPGateway) Send(ctx context.Context, m Outgoing) error {
	body, err := json.Marshal(gatewayRequest{RequestID: m.RequestID(), Phone: m.To, TemplateID: g.Templates[m.Key], Params: m.Params, Text: m.Text})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.RequestID())
	c := g.Client
	if c == nil {
		c = &http.Client{Timeout: 20 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("sms gateway: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	if resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusConflict {
		return nil
	}
	return fmt.Errorf("sms gateway: %s: %s", resp.Status, strings.TrimSpace(string(snippet)))
}

// ParseTemplates reads the --sms-templates setting: key=id pairs separated
// by commas, e.g. notify.case.msg.accepted=SMS_1001,notify.case.msg.approved=SMS_1002.
func ParseTemplates(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("sms templates: %q is not key=id", pair)
		}
		out[k] = v
	}
	return out, nil
}
