package harness

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

const (
	testVerifyToken = "verify-TOKEN-never-shown"
	testAppSecret   = "app-SECRET-never-shown"
	testPhoneID     = "1234567890"
)

// assistant is a fake WhatsApp webhook that checks what Preflight sends as strictly as the real checks
// allow: a delivery that is not the documented harmless status is answered 400.
type assistant struct {
	verifyToken string
	appSecret   string
	echo        func(challenge string) string // the handshake's body; nil: the challenge
	// lax lets forged deliveries through: "unsigned" those without a signature, "any" every one.
	lax  string
	post http.HandlerFunc // non-nil: answers every POST instead
}

func (a assistant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/webhook" {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		if q.Get("hub.mode") != "subscribe" || q.Get("hub.verify_token") != a.verifyToken {
			http.Error(w, "verification failed", http.StatusForbidden)
			return
		}
		body := q.Get("hub.challenge")
		if a.echo != nil {
			body = a.echo(body)
		}
		_, _ = io.WriteString(w, body+"\n")
	case http.MethodPost:
		if a.post != nil {
			a.post(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sig := r.Header.Get("X-Hub-Signature-256")
		switch {
		case a.lax == "any":
		case sig == "" && a.lax == "unsigned":
		case sig != sign(a.appSecret, body):
			http.Error(w, "invalid X-Hub-Signature-256", http.StatusForbidden)
			return
		}
		if problem := harmlessStatus(body); problem != "" {
			http.Error(w, problem, http.StatusBadRequest)
			return
		}
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// harmlessStatus says what makes body other than one "delivered" status for a test number, now.
// testNow is the run's clock in these tests: the delivery must carry its time, not the wall clock's.
var testNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func testClock() time.Time { return testNow }

func harmlessStatus(body []byte) string {
	var env struct {
		Object string `json:"object"`
		Entry  []struct {
			ID      string `json:"id"`
			Changes []struct {
				Field string `json:"field"`
				Value struct {
					MessagingProduct string `json:"messaging_product"`
					Metadata         struct {
						DisplayPhoneNumber string `json:"display_phone_number"`
						PhoneNumberID      string `json:"phone_number_id"`
					} `json:"metadata"`
					Messages []json.RawMessage `json:"messages"`
					Statuses []struct {
						ID          string `json:"id"`
						Status      string `json:"status"`
						Timestamp   string `json:"timestamp"`
						RecipientID string `json:"recipient_id"`
					} `json:"statuses"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return err.Error()
	}
	if env.Object != "whatsapp_business_account" || len(env.Entry) != 1 || env.Entry[0].ID == "" || len(env.Entry[0].Changes) != 1 {
		return "not one entry with one change"
	}
	ch := env.Entry[0].Changes[0]
	v := ch.Value
	if ch.Field != "messages" || v.MessagingProduct != "whatsapp" || v.Metadata.PhoneNumberID != testPhoneID || v.Metadata.DisplayPhoneNumber == "" {
		return "not a messages change for the business number"
	}
	if len(v.Messages) != 0 || len(v.Statuses) != 1 {
		return "not one status and no message"
	}
	s := v.Statuses[0]
	ts, err := strconv.ParseInt(s.Timestamp, 10, 64)
	if !strings.HasPrefix(s.ID, "wamid.") || s.Status != "delivered" || s.RecipientID != preflightRecipient || err != nil || ts != testNow.Unix() {
		return "not a delivered status for the test number, at the run's time"
	}
	return ""
}

func good() assistant { return assistant{verifyToken: testVerifyToken, appSecret: testAppSecret} }

// server is where a case's webhook is and the client that reaches it.
type server func(t *testing.T) (webhook string, client *http.Client)

func plain(h http.Handler) server {
	return func(t *testing.T) (string, *http.Client) {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL + "/webhook", nil
	}
}

// overTLS serves h over HTTPS; trusted: the client trusts the server's CA, as --webhook-ca makes it.
func overTLS(h http.Handler, trusted bool) server {
	return func(t *testing.T) (string, *http.Client) {
		srv := httptest.NewUnstartedServer(h)
		srv.Config.ErrorLog = discardLog() // the refused handshakes are expected
		srv.StartTLS()
		t.Cleanup(srv.Close)
		if trusted {
			return srv.URL + "/webhook", srv.Client()
		}
		return srv.URL + "/webhook", &http.Client{}
	}
}

// refused is a webhook on a port nothing listens on any more.
func refused(t *testing.T) (string, *http.Client) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/webhook", nil
}

// hanging never answers until the request is given up (or the test ends), so srv.Close does not wait.
func hanging(t *testing.T) (string, *http.Client) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first
	return srv.URL + "/webhook", nil
}

func TestPreflight(t *testing.T) {
	laxAny, laxUnsigned := good(), good()
	laxAny.lax, laxUnsigned.lax = "any", "unsigned"
	wrongEcho := good()
	wrongEcho.echo = func(string) string { return "12345" }
	htmlEcho := good()
	htmlEcho.echo = func(string) string { return "<html>" + strings.Repeat("x", 200) + "</html>" }
	post500 := good()
	post500.post = func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) }
	otherToken, otherSecret := good(), good()
	otherToken.verifyToken, otherSecret.appSecret = "another token", "another secret"
	hangsUnsigned := good()
	hangsUnsigned.post = func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Hub-Signature-256") == "" {
			// The server notices the client hanging up only once the body is read.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			return
		}
		good().ServeHTTP(w, r)
	}
	redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/webhook/?token=x", http.StatusFound)
	})

	tests := []struct {
		name    string
		serve   server
		timeout time.Duration // zero: 5s
		// wantErr is the whole error, {url} standing for the webhook; "" with wantIn empty: no error.
		wantErr string
		wantIn  []string // parts of the error, when wantErr is not exact
		wantAs  any      // a pointer errors.As must fill
		warnIn  []string // parts of the warnings; empty: none
	}{
		{name: "file server answering 404", serve: plain(http.FileServer(http.Dir(t.TempDir()))),
			wantErr: "the webhook handshake at {url} answered HTTP 404"},
		{name: "handshake answered, delivery 500", serve: plain(post500),
			wantErr: "the signed delivery at {url} answered HTTP 500"},
		{name: "wrong challenge echoed", serve: plain(wrongEcho),
			wantErr: `the webhook handshake at {url} answered 200 but did not echo hub.challenge (got "12345")`},
		{name: "a page instead of the challenge, quoted up to 60 bytes", serve: plain(htmlEcho),
			wantErr: `the webhook handshake at {url} answered 200 but did not echo hub.challenge (got "<html>` + strings.Repeat("x", 54) + `")`},
		{name: "redirect", serve: plain(redirect),
			wantErr: `the webhook handshake at {url} answered HTTP 302 (redirects are not followed, as Meta does not follow them; it pointed to "/webhook/")`},
		{name: "another verify token", serve: plain(otherToken),
			wantErr: "the webhook handshake at {url} answered HTTP 403 (was the assistant given the same WHATSAPP_VERIFY_TOKEN?)"},
		{name: "another app secret", serve: plain(otherSecret),
			wantErr: "the signed delivery at {url} answered HTTP 403 (was the assistant given the same WHATSAPP_APP_SECRET? The delivery was signed with it)"},
		{name: "connection refused", serve: refused,
			wantIn: []string{"the webhook handshake at http://127.0.0.1:", "refused the connection (is the assistant running and listening on 127.0.0.1:"}},
		{name: "TLS, CA not trusted", serve: overTLS(good(), false),
			wantIn: []string{"the webhook handshake at https://", "presented a TLS certificate signed by an unknown authority", "--webhook-ca"},
			wantAs: &x509.UnknownAuthorityError{}},
		{name: "plain HTTP at an https:// URL", serve: func(t *testing.T) (string, *http.Client) {
			u, c := plain(good())(t)
			return strings.Replace(u, "http://", "https://", 1), c
		}, wantIn: []string{"does not speak TLS though the URL is https://"}},
		{name: "hangs", serve: hanging, timeout: 300 * time.Millisecond,
			wantErr: "the webhook handshake at {url} did not answer within 300ms", wantAs: &errPreflightTimeout},
		{name: "hangs on the unsigned delivery only", serve: plain(hangsUnsigned), timeout: 300 * time.Millisecond,
			warnIn: []string{"could not check that the webhook at", "one without X-Hub-Signature-256 (did not answer within 300ms)"}},
		{name: "good assistant", serve: plain(good())},
		{name: "good assistant over TLS, CA trusted", serve: overTLS(good(), true)},
		{name: "accepts any signature", serve: plain(laxAny),
			warnIn: []string{"accepted a forged delivery: one with a wrong X-Hub-Signature-256 (HTTP 200) and one without X-Hub-Signature-256 (HTTP 200)", "401 or 403"}},
		{name: "accepts unsigned deliveries", serve: plain(laxUnsigned),
			warnIn: []string{"accepted a forged delivery: one without X-Hub-Signature-256 (HTTP 200);"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			webhook, client := tt.serve(t)
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			start := time.Now()
			warnings, err := Preflight(context.Background(), PreflightConfig{
				WebhookURL: webhook, VerifyToken: testVerifyToken, AppSecret: testAppSecret, PhoneNumberID: testPhoneID,
				Client: client, Timeout: timeout, Now: testClock,
			})
			t.Logf("took %s (timeout %s)", time.Since(start).Round(time.Millisecond), timeout)

			wantErr := strings.ReplaceAll(tt.wantErr, "{url}", webhook)
			switch {
			case wantErr == "" && len(tt.wantIn) == 0:
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
			case err == nil:
				t.Fatalf("no error, want %q %q", wantErr, tt.wantIn)
			default:
				var pe *PreflightError
				if !errors.As(err, &pe) {
					t.Fatalf("error %T %v, want a *PreflightError", err, err)
				}
				msg := err.Error()
				if wantErr != "" && msg != wantErr {
					t.Errorf("error\n %s\nwant\n %s", msg, wantErr)
				}
				for _, part := range tt.wantIn {
					if !strings.Contains(msg, part) {
						t.Errorf("error %q lacks %q", msg, part)
					}
				}
				if strings.ContainsAny(msg, "\r\n") || strings.Contains(msg, testVerifyToken) || strings.Contains(msg, testAppSecret) {
					t.Errorf("error %q is not one line free of secrets", msg)
				}
				if pe.URL != webhook {
					t.Errorf("URL %q, want %q", pe.URL, webhook)
				}
			}
			if tt.wantAs != nil {
				if p, ok := tt.wantAs.(*error); ok {
					if !errors.Is(err, *p) {
						t.Errorf("error %v is not %v", err, *p)
					}
				} else if !errors.As(err, tt.wantAs) {
					t.Errorf("error %v is not a %T", err, tt.wantAs)
				}
			}

			all := strings.Join(warnings, "\n")
			if len(tt.warnIn) == 0 && len(warnings) > 0 {
				t.Errorf("warnings %q, want none", warnings)
			}
			for _, part := range tt.warnIn {
				if !strings.Contains(all, part) {
					t.Errorf("warnings %q lack %q", warnings, part)
				}
			}
			for _, w := range warnings {
				if strings.ContainsAny(w, "\r\n") || strings.Contains(w, testAppSecret) {
					t.Errorf("warning %q is not one line free of secrets", w)
				}
			}
		})
	}
}

// TestPreflightStopped: the caller's context ending stops the check with that cause, not the timeout's.
func TestPreflightStopped(t *testing.T) {
	arrived := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	_, err := Preflight(ctx, PreflightConfig{WebhookURL: srv.URL + "/webhook", VerifyToken: testVerifyToken, AppSecret: testAppSecret, Timeout: time.Minute})
	var pe *PreflightError
	if !errors.As(err, &pe) || !errors.Is(err, context.Canceled) || pe.Step != StepHandshake {
		t.Fatalf("error %v, want the handshake stopped by context.Canceled", err)
	}
	if want := "the webhook handshake at " + srv.URL + "/webhook was stopped before an answer (context canceled)"; err.Error() != want {
		t.Errorf("error\n %s\nwant\n %s", err, want)
	}
}

// TestPreflightConfig: a configuration Preflight cannot use is refused before any request, and not as a
// *PreflightError, which names the assistant's fault.
func TestPreflightConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  PreflightConfig
	}{
		{"no URL", PreflightConfig{VerifyToken: "t", AppSecret: "s"}},
		{"relative URL", PreflightConfig{WebhookURL: "/webhook", VerifyToken: "t", AppSecret: "s"}},
		{"not HTTP", PreflightConfig{WebhookURL: "ftp://host/webhook", VerifyToken: "t", AppSecret: "s"}},
		{"no verify token", PreflightConfig{WebhookURL: "http://127.0.0.1:1/webhook", AppSecret: "s"}},
		{"no app secret", PreflightConfig{WebhookURL: "http://127.0.0.1:1/webhook", VerifyToken: "t"}},
		{"negative timeout", PreflightConfig{WebhookURL: "http://127.0.0.1:1/webhook", VerifyToken: "t", AppSecret: "s", Timeout: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Preflight(context.Background(), tt.cfg)
			var pe *PreflightError
			if err == nil || errors.As(err, &pe) {
				t.Fatalf("error %v, want a configuration error", err)
			}
		})
	}
}

// TestPreflightClientUnchanged: the caller's client keeps following redirects after Preflight.
func TestPreflightClientUnchanged(t *testing.T) {
	webhook, _ := plain(good())(t)
	client := &http.Client{Timeout: 5 * time.Second}
	if _, err := Preflight(context.Background(), PreflightConfig{WebhookURL: webhook, VerifyToken: testVerifyToken, AppSecret: testAppSecret, PhoneNumberID: testPhoneID, Client: client, Now: testClock}); err != nil {
		t.Fatal(err)
	}
	if client.CheckRedirect != nil {
		t.Error("Preflight changed the caller's client")
	}
}

// TestPreflightReferenceAssistant: the reference assistant, configured only through the bot contract,
// passes; switched to accept unsigned webhooks (WA-SEC-01), it passes with a warning.
func TestPreflightReferenceAssistant(t *testing.T) {
	tests := []struct {
		name       string
		violations []string
		warnIn     string
	}{
		{name: "as built"},
		{name: "WA-SEC-01", violations: []string{"WA-SEC-01"}, warnIn: "accepted a forged delivery"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bot, err := reference.New(reference.Config{
				WhatsAppAPIURL: "http://127.0.0.1:1", WhatsAppAPIVersion: "v23.0", PhoneNumberID: whatsapp.DefaultPhoneNumberID,
				Token: whatsapp.DefaultAccessToken, AppSecret: testAppSecret, VerifyToken: testVerifyToken,
				DialogflowEndpoint: "127.0.0.1:1", DialogflowProject: "p", DialogflowLanguage: "es", DLPEndpoint: "127.0.0.1:1",
			}, reference.WithViolations(tt.violations...), reference.WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { bot.Close() })
			srv := httptest.NewServer(bot.Handler())
			t.Cleanup(srv.Close)

			warnings, err := Preflight(context.Background(), PreflightConfig{WebhookURL: srv.URL + "/webhook", VerifyToken: testVerifyToken, AppSecret: testAppSecret})
			if err != nil {
				t.Fatal(err)
			}
			if tt.warnIn == "" && len(warnings) > 0 || tt.warnIn != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], tt.warnIn)) {
				t.Errorf("warnings %q, want %q", warnings, tt.warnIn)
			}
		})
	}
}

// ExamplePreflight shows what a certification run stops with when --bot-url is a file server.
func ExamplePreflight() {
	files := httptest.NewServer(http.FileServer(http.Dir("no-such-folder")))
	defer files.Close()
	_, err := Preflight(context.Background(), PreflightConfig{
		WebhookURL: files.URL + "/webhook", VerifyToken: "token", AppSecret: "secret",
	})
	var pe *PreflightError
	if errors.As(err, &pe) {
		fmt.Println(pe.Step, "failed:", pe.Cause)
	}
	// Output: webhook handshake failed: answered HTTP 404
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
