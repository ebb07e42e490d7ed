package whatsapp

import (
	"net"
	"strings"
	"testing"
	"time"
)

func TestOptionsValidated(t *testing.T) {
	// A free port: a bad option must fail before the server listens on it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	tests := []struct {
		name string
		opt  Option
		want string
	}{
		{"nil journal", WithJournal(nil), "WithJournal"},
		{"bad addr", WithAddr("no-port"), "WithAddr"},
		{"webhook not http", WithWebhook("ftp://bot/webhook"), "WithWebhook"},
		{"webhook relative", WithWebhook("/webhook"), "WithWebhook"},
		{"empty secret", WithAppSecret(""), "WithAppSecret"},
		{"empty verify token", WithVerifyToken(""), "WithVerifyToken"},
		{"empty access token", WithAccessToken(""), "WithAccessToken"},
		{"phone number id not digits", WithPhoneNumberID("+15550783881"), "WithPhoneNumberID"},
		{"display number with plus", WithDisplayPhoneNumber("+15550783881"), "WithDisplayPhoneNumber"},
		{"waba not digits", WithWABAID("waba"), "WithWABAID"},
		{"negative mps", WithMPS(-1), "WithMPS"},
		{"negative pair rate", WithPairRate(-time.Second), "WithPairRate"},
		{"zero burst", WithPairBurst(0), "WithPairBurst"},
		{"window mode", WithWindowErrorMode("maybe"), "WithWindowErrorMode"},
		{"no attempts", WithWebhookRetry(0, time.Second), "WithWebhookRetry"},
		{"nil logger", WithLogger(nil), "WithLogger"},
		{"nil client", WithHTTPClient(nil), "WithHTTPClient"},
		{"templates dir missing", WithTemplatesDir("/nonexistent/templates"), "templates"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewServer(WithAddr(addr), tc.opt)
			if err == nil {
				s.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %s", err, tc.want)
			}
			probe, err := net.Listen("tcp", addr)
			if err != nil {
				t.Fatalf("the refused server holds the port: %v", err)
			}
			probe.Close()
		})
	}
}

func TestServerBasics(t *testing.T) {
	s, err := NewServer()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || strings.HasSuffix(s.URL(), "/") {
		t.Errorf("URL %q", s.URL())
	}
	if s.Journal() == nil || s.Handler() == nil || len(s.Templates()) != 9 {
		t.Error("a server without options lacks its journal, handler or fixture templates")
	}
	if err := s.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://")); err == nil {
		t.Error("still listening after Close")
	}
	if _, err := s.AwaitInbox(testCtx(t), lucia, 1); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("AwaitInbox on a closed server: %v", err)
	}
}

// TestCloseStopsListening: once Close returns the port refuses connections, even when Close comes before
// the server's accept loop has started, as it may right after NewServer on a busy machine.
func TestCloseStopsListening(t *testing.T) {
	for i := range 200 {
		s, err := NewServer()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		if c, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://")); err == nil {
			c.Close()
			t.Fatalf("server %d still listening after Close", i)
		}
	}
}
