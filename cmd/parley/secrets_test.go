package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// TestSecretsNeverLogged runs a conversation through `parley serve` with known secrets (app secret,
// access token, verify token, control token) at debug log level, including a failed handshake, a
// refused token and a token in the query string, then greps every log line, everything printed, and the
// JSON Lines export of every mock's journal for them.
func TestSecretsNeverLogged(t *testing.T) {
	secrets := map[string]string{
		"app secret":    "appsecret-7f1c9e2d",
		"access token":  "EAAGaccesstoken91ab",
		"verify token":  "verifytoken-5d2e",
		"control token": "controltoken-88aa",
	}
	env := map[string]string{
		"PARLEY_APP_SECRET": secrets["app secret"], "PARLEY_ACCESS_TOKEN": secrets["access token"],
		"PARLEY_VERIFY_TOKEN": secrets["verify token"], "PARLEY_CONTROL_TOKEN": secrets["control token"],
		"PARLEY_PAIR_RATE": "0", "PARLEY_LOG_LEVEL": "debug",
	}
	down, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downURL := "http://" + down.Addr().String() + "/webhook"
	down.Close()
	s := startServe(t, env, "--whatsapp", "127.0.0.1:0", "--dialogflow", "127.0.0.1:0", "--dlp", "127.0.0.1:0", "--webhook", downURL)
	ctl := secrets["control token"]
	wa := s.urls["whatsapp"]

	// The assistant: checks the handshake and signature, replies through the Graph API with the token.
	replies := make(chan int, 8)
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			if r.URL.Query().Get("hub.verify_token") != secrets["verify token"] {
				http.Error(w, "bad verify token", http.StatusForbidden)
				return
			}
			io.WriteString(w, r.URL.Query().Get("hub.challenge"))
			return
		}
		b, _ := io.ReadAll(r.Body)
		if !whatsapp.VerifySignature(secrets["app secret"], b, r.Header.Get("X-Hub-Signature-256")) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
		if !bytes.Contains(b, []byte(`"messages":[`)) {
			return
		}
		go func() {
			req, _ := http.NewRequest(http.MethodPost, wa+"/v23.0/"+whatsapp.DefaultPhoneNumberID+"/messages",
				strings.NewReader(`{"messaging_product":"whatsapp","to":"34600111222","type":"text","text":{"body":"¡Hola!"}}`))
			req.Header.Set("Authorization", "Bearer "+secrets["access token"])
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				replies <- 0
				return
			}
			resp.Body.Close()
			replies <- resp.StatusCode
		}()
	}))
	defer bot.Close()

	// 1. The assistant is down: the handshake fails (its URL carries the verify token).
	code, body := do(t, s.ctx, http.DefaultClient, http.MethodPost, wa+"/_parley/customers/34600111222/messages", ctl, `{"text":"hola"}`)
	if code != http.StatusOK || !strings.Contains(body, "not verified") {
		t.Fatalf("message to an assistant that is down: %d %s", code, body)
	}
	// 2. It comes up: a conversation, with a reply.
	if code, body := do(t, s.ctx, http.DefaultClient, http.MethodPost, wa+"/_parley/webhook", ctl, `{"url":"`+bot.URL+`/webhook"}`); code/100 != 2 {
		t.Fatalf("set webhook: %d %s", code, body)
	}
	code, body = do(t, s.ctx, http.DefaultClient, http.MethodPost, wa+"/_parley/customers/34600111222/messages", ctl, `{"text":"hola"}`)
	if code != http.StatusOK || !strings.Contains(body, `"webhook_status":200`) {
		t.Fatalf("customer message: %d %s", code, body)
	}
	select {
	case c := <-replies:
		if c != http.StatusOK {
			t.Fatalf("the assistant's reply was answered %d", c)
		}
	case <-s.ctx.Done():
		t.Fatal("no reply")
	}
	// 3. A wrong token, the token in the query string, and a control call without the control token.
	do(t, s.ctx, http.DefaultClient, http.MethodGet, wa+"/v23.0/"+whatsapp.DefaultPhoneNumberID, "not-"+secrets["access token"][:6], "")
	do(t, s.ctx, http.DefaultClient, http.MethodGet, wa+"/v23.0/"+whatsapp.DefaultPhoneNumberID+"/nowhere?access_token="+secrets["access token"], "", "")
	do(t, s.ctx, http.DefaultClient, http.MethodGet, wa+"/_parley/journal", "", "")
	if code, body := do(t, s.ctx, http.DefaultClient, http.MethodGet, wa+"/_parley/idle", ctl, ""); code != http.StatusOK {
		t.Fatalf("idle: %d %s", code, body)
	}

	// Everything parley wrote: logs, stdout, and each mock's journal as JSON Lines.
	var export bytes.Buffer
	for name, u := range s.urls {
		code, body := do(t, s.ctx, http.DefaultClient, http.MethodGet, u+"/_parley/journal", ctl, "")
		if code != http.StatusOK {
			t.Fatalf("%s journal: %d %s", name, code, body)
		}
		var page struct{ Events []journal.Event }
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatalf("%s journal: %v", name, err)
		}
		if err := journal.WriteJSONL(&export, page.Events); err != nil {
			t.Fatal(err)
		}
		export.WriteString(body)
	}
	if !strings.Contains(export.String(), "webhook.verify") || !strings.Contains(export.String(), "outbound.accepted") {
		t.Fatalf("the export misses the conversation:\n%s", export.String())
	}
	if !strings.Contains(s.stderr.String(), "level=DEBUG") && !strings.Contains(s.stderr.String(), "level=WARN") {
		t.Fatalf("no log lines captured:\n%s", s.stderr)
	}
	var printed strings.Builder
	for done := false; !done; {
		select {
		case l := <-s.stdout.lines:
			printed.WriteString(l + "\n")
		default:
			done = true
		}
	}
	for what, secret := range secrets {
		for where, text := range map[string]string{"the log": s.stderr.String(), "stdout": printed.String(), "the journal export": export.String()} {
			if i := strings.Index(text, secret); i >= 0 {
				lo, hi := max(0, i-200), min(len(text), i+len(secret)+40)
				t.Errorf("the %s appears in %s: …%s…", what, where, text[lo:hi])
			}
		}
	}
}

// TestSecretsNotInReports: a whole certification (the embedded run, whose mocks use the default secrets)
// writes reports in every format and a progress log; none of them carries a secret.
func TestSecretsNotInReports(t *testing.T) {
	if testing.Short() {
		t.Skip("a whole certification run")
	}
	dir := t.TempDir()
	var out, errOut syncBuffer
	err := run(t.Context(), []string{"certify", "--out", dir}, func(string) string { return "" }, &out, &errOut)
	if err != nil && exitCode(err) != 1 {
		t.Fatalf("certify: %v\n%s", err, errOut.String())
	}
	texts := map[string]string{"stdout": out.String(), "stderr": errOut.String()}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) < 4 {
		t.Fatalf("reports: %v %v", entries, err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		texts[e.Name()] = string(b)
	}
	if !strings.Contains(texts["report.json"], "WA-") {
		t.Fatalf("report.json has no rules: %.300s", texts["report.json"])
	}
	for what, secret := range map[string]string{"app secret": whatsapp.DefaultAppSecret, "access token": whatsapp.DefaultAccessToken, "verify token": whatsapp.DefaultVerifyToken} {
		for where, text := range texts {
			if strings.Contains(text, secret) {
				t.Errorf("the %s appears in %s", what, where)
			}
		}
	}
}
