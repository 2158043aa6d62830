package notify_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"onestop/internal/notify"
)

// smtpServer is a tiny SMTP server on loopback that keeps what it was
// given: enough of RFC 5321 for net/smtp's client.
func smtpServer(t *testing.T) (host string, port int, got chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan string, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				say := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
				say("220 test ESMTP")
				var env strings.Builder
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.TrimSpace(line))
					switch {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250 test")
					case strings.HasPrefix(cmd, "MAIL FROM"), strings.HasPrefix(cmd, "RCPT TO"):
						env.WriteString(strings.TrimSpace(line) + "\n")
						say("250 ok")
					case cmd == "DATA":
						say("354 go on")
						var data strings.Builder
						for {
							l, err := r.ReadString('\n')
							if err != nil {
								return
							}
							if l == ".\r\n" {
								break
							}
							data.WriteString(l)
						}
						got <- env.String() + "\n" + data.String()
						say("250 queued")
					case cmd == "QUIT":
						say("221 bye")
						return
					default:
						say("250 ok")
					}
				}
			}(c)
		}
	}()
	a := ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port, got
}

// An e-mail reaches a real SMTP server with the outbox row's Message-ID,
// the UTF-8 text and an encoded subject; a malformed address is refused
// before anything is sent.
func TestSMTPSender(t *testing.T) {
	host, port, got := smtpServer(t)
	s := notify.SMTPSender{Host: host, Port: port, From: "政务服务中心 <noreply@zwfw.example.cn>"}
	m := notify.Outgoing{ID: 42, Channel: notify.Email, To: "zhang@example.cn", Subject: "【政务服务】办件通知", Text: "您的申请已受理。"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	mail := <-got
	for _, want := range []string{"MAIL FROM:<noreply@zwfw.example.cn>", "RCPT TO:<zhang@example.cn>", "Message-ID: <onestop-outbox-42@zwfw.example.cn>",
		"Subject: =?UTF-8?b?", base64.StdEncoding.EncodeToString([]byte("您的申请已受理。"))} {
		if !strings.Contains(mail, want) {
			t.Errorf("mail lacks %q:\n%s", want, mail)
		}
	}
	bad := m
	bad.To = "zhang@example.cn\r\nBcc: all@example.cn"
	if err := s.Send(context.Background(), bad); err == nil {
		t.Fatal("an address with a line break was sent")
	}
	select {
	case extra := <-got:
		t.Fatalf("the bad address reached the server:\n%s", extra)
	default:
	}
}

// The HTTP gateway posts the provider's template id for the key, with the
// request id as idempotency key; a 5xx answer is an error (retried), a
// 409 (the provider has that request id) counts as sent.
func TestHTTPGateway(t *testing.T) {
	var body map[string]any
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body = nil
		_ = json.NewDecoder(r.Body).Decode(&body)
		if r.Header.Get("Idempotency-Key") != body["request_id"] {
			t.Errorf("idempotency key %q, request id %v", r.Header.Get("Idempotency-Key"), body["request_id"])
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	tpl, err := notify.ParseTemplates("notify.case.msg.accepted=SMS_1001, notify.case.msg.approved=SMS_1002")
	if err != nil {
		t.Fatal(err)
	}
	g := notify.HTTPGateway{URL: srv.URL, Templates: tpl}
	m := notify.Outgoing{ID: 7, Channel: notify.SMS, To: "13800138000", Key: "notify.case.msg.accepted", Params: map[string]string{"No": "C1"}, Text: "已受理"}
	if err := g.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if body["request_id"] != "onestop-outbox-7" || body["template_id"] != "SMS_1001" || body["phone"] != "13800138000" ||
		body["params"].(map[string]any)["No"] != "C1" {
		t.Fatalf("body %v", body)
	}
	for code, ok := range map[int]bool{http.StatusServiceUnavailable: false, http.StatusConflict: true, http.StatusBadRequest: false} {
		status = code
		if err := g.Send(context.Background(), m); (err == nil) != ok {
			t.Errorf("answer %d: err %v", code, err)
		}
	}
	if _, err := notify.ParseTemplates("a=1,b"); err == nil {
		t.Error("a pair without an id was accepted")
	}
}
