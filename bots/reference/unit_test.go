package reference

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func testConfig() Config {
	return Config{
		WhatsAppAPIURL: "http://127.0.0.1:1", PhoneNumberID: "106540352242922", Token: "token",
		AppSecret: "app-secret", VerifyToken: "verify-me", DialogflowEndpoint: "127.0.0.1:1",
		DialogflowProject: "tienda-ejemplo", DLPEndpoint: "127.0.0.1:1",
	}
}

// newUnitBot builds a bot whose Google clients point nowhere; unit tests never reach them.
func newUnitBot(t *testing.T, violations ...string) *Bot {
	t.Helper()
	b, err := New(testConfig(), WithViolations(violations...), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func TestConfigFromEnv(t *testing.T) {
	full := map[string]string{
		"WHATSAPP_API_URL": "http://127.0.0.1:9000/", "WHATSAPP_PHONE_NUMBER_ID": "1", "WHATSAPP_TOKEN": "t",
		"WHATSAPP_APP_SECRET": "s", "WHATSAPP_VERIFY_TOKEN": "v", "DIALOGFLOW_ENDPOINT": "127.0.0.1:9001",
		"DIALOGFLOW_PROJECT": "p", "DLP_ENDPOINT": "127.0.0.1:9002",
	}
	tests := []struct {
		name    string
		drop    string
		set     map[string]string
		wantErr string
	}{
		{name: "complete"},
		{name: "missing token", drop: "WHATSAPP_TOKEN", wantErr: "WHATSAPP_TOKEN is not set"},
		{name: "missing app secret", drop: "WHATSAPP_APP_SECRET", wantErr: "WHATSAPP_APP_SECRET is not set"},
		{name: "missing DLP", drop: "DLP_ENDPOINT", wantErr: "DLP_ENDPOINT is not set"},
		{name: "bad version", set: map[string]string{"WHATSAPP_API_VERSION": "23"}, wantErr: "vNN.N"},
		{name: "bad url", set: map[string]string{"WHATSAPP_API_URL": "graph.facebook.com"}, wantErr: "http://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range full {
				env[k] = v
			}
			delete(env, tt.drop)
			for k, v := range tt.set {
				env[k] = v
			}
			c, err := ConfigFromEnv(func(k string) string { return env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.WhatsAppAPIVersion != "v23.0" || c.DialogflowLanguage != "es" || c.WhatsAppAPIURL != "http://127.0.0.1:9000" {
				t.Errorf("defaults not applied: %+v", c)
			}
		})
	}
}

func TestValidSignature(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	good := sign("app-secret", body)
	tests := []struct {
		name, header string
		body         []byte
		want         bool
	}{
		{"good", good, body, true},
		{"missing", "", body, false},
		{"no prefix", strings.TrimPrefix(good, "sha256="), body, false},
		{"sha1 prefix", "sha1=" + strings.TrimPrefix(good, "sha256="), body, false},
		{"not hex", "sha256=zz", body, false},
		{"wrong secret", sign("other", body), body, false},
		{"body changed", good, append([]byte(" "), body...), false},
		{"truncated", good[:len(good)-2], body, false},
		// Meta signs its escaped bytes; a receiver must not re-serialise before checking.
		{"escaped unicode differs", sign("app-secret", []byte(`{"t":"\u00e1"}`)), []byte(`{"t":"á"}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validSignature("app-secret", tt.body, tt.header); got != tt.want {
				t.Errorf("validSignature = %v, want %v", got, tt.want)
			}
		})
	}
	// The webhook handler's pooled MACs answer the same, however often they are reused, and whatever
	// the previous check left in them.
	b := newUnitBot(t)
	for range 3 {
		for _, tt := range tests {
			if got := b.validWebhookSignature(tt.body, tt.header); got != tt.want {
				t.Errorf("%s: validWebhookSignature = %v, want %v", tt.name, got, tt.want)
			}
		}
	}
}

func TestWebhookRefusals(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	tests := []struct {
		name       string
		violations []string
		header     string
		body       []byte
		want       int
	}{
		{"unsigned", nil, "", body, http.StatusUnauthorized},
		{"bad signature", nil, sign("wrong", body), body, http.StatusForbidden},
		{"good signature", nil, sign("app-secret", body), body, http.StatusOK},
		{"malformed JSON signed", nil, sign("app-secret", []byte("{")), []byte("{"), http.StatusBadRequest},
		{"other object acknowledged", nil, sign("app-secret", []byte(`{"object":"page"}`)), []byte(`{"object":"page"}`), http.StatusOK},
		{"WA-SEC-01 accepts unsigned", []string{"WA-SEC-01"}, "", body, http.StatusOK},
		{"WA-SEC-01 accepts bad signature", []string{"WA-SEC-01"}, sign("wrong", body), body, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newUnitBot(t, tt.violations...)
			req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(string(tt.body)))
			if tt.header != "" {
				req.Header.Set("X-Hub-Signature-256", tt.header)
			}
			rec := httptest.NewRecorder()
			b.Handler().ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status = %d, want %d (%s)", rec.Code, tt.want, rec.Body)
			}
		})
	}
}

func TestHandshake(t *testing.T) {
	tests := []struct {
		name, query string
		want        int
		body        string
	}{
		{"ok", "hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444", 200, "1158201444"},
		{"wrong token", "hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1", 403, ""},
		{"wrong mode", "hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1", 403, ""},
		{"no token", "hub.mode=subscribe&hub.challenge=1", 403, ""},
	}
	b := newUnitBot(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			b.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/webhook?"+tt.query, nil))
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d", rec.Code, tt.want)
			}
			if tt.want == 200 && rec.Body.String() != tt.body {
				t.Errorf("body = %q, want the challenge %q", rec.Body, tt.body)
			}
		})
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		name, in   string
		masked     bool
		mustNot    string
		mustKeep   string
		identifier bool
	}{
		{"card", "mi tarjeta es 4111 1111 1111 1111", true, "4111 1111 1111 1111", "1111]", true},
		{"iban", "IBAN ES9121000418450200051332 gracias", true, "ES9121000418450200051332", "1332]", true},
		{"dni", "mi DNI es 12345678Z", true, "12345678Z", "", true},
		{"nie", "NIE X1234567L", true, "X1234567L", "", true},
		{"email is masked for the NLU", "escribidme a ana.canary+01@example.com", true, "ana.canary+01@example.com", "", false},
		{"dni near miss is kept", "mi DNI es 12345678A", false, "", "12345678A", false},
		{"card near miss is kept", "4111 1111 1111 1112", false, "", "4111 1111 1111 1112", false},
		{"order number is kept", "pedido TE-1001", false, "", "TE-1001", false},
		{"last four is not a card", "acaba en 1111", false, "", "1111", false},
		{"emoji", "👍 gracias", false, "", "👍 gracias", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, masked := mask(tt.in)
			if masked != tt.masked {
				t.Errorf("mask(%q) masked = %v, want %v (%q)", tt.in, masked, tt.masked, got)
			}
			if tt.mustNot != "" && strings.Contains(got, tt.mustNot) {
				t.Errorf("mask(%q) = %q still holds %q", tt.in, got, tt.mustNot)
			}
			if tt.mustKeep != "" && !strings.Contains(got, tt.mustKeep) {
				t.Errorf("mask(%q) = %q lost %q", tt.in, got, tt.mustKeep)
			}
			if got := len(findIdentifiers(tt.in)) > 0; got != tt.identifier {
				t.Errorf("findIdentifiers(%q) found = %v, want %v", tt.in, got, tt.identifier)
			}
		})
	}
}

func TestSessionID(t *testing.T) {
	b := newUnitBot(t)
	a1, a2, other := b.sessionID("34600000001"), b.sessionID("34600000001"), b.sessionID("34600000002")
	if a1 != a2 {
		t.Error("session id is not stable for one customer")
	}
	if a1 == other {
		t.Error("two customers share a session id")
	}
	if len(a1) > 36 {
		t.Errorf("session id %q is longer than Dialogflow's 36 bytes", a1)
	}
	if strings.Contains(a1, "34600000001") || strings.Contains(a1, "600000001") {
		t.Errorf("session id %q contains the number", a1)
	}
	if !strings.HasSuffix(b.sessionPath("34600000001"), "/sessions/"+a1) {
		t.Errorf("session path %q does not end in the session id", b.sessionPath("34600000001"))
	}
	b.store.rotate("34600000001")
	if b.sessionID("34600000001") == a1 {
		t.Error("erasure must start a new session id")
	}
	v := newUnitBot(t, "PII-NLU-02")
	if v.sessionID("34600000001") != "34600000001" {
		t.Error("PII-NLU-02 switch must use the phone number as the session id")
	}
}

func TestParseViolations(t *testing.T) {
	if _, err := parseViolations([]string{"WA-NOPE-01"}); err == nil || !strings.Contains(err.Error(), "--list-violations") {
		t.Errorf("unknown id: err = %v", err)
	}
	got, err := parseViolations([]string{"wa-sec-01, PII-NLU-01", ""})
	if err != nil || !got["WA-SEC-01"] || !got["PII-NLU-01"] || len(got) != 2 {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := New(testConfig(), WithViolations("BOGUS")); err == nil {
		t.Error("New accepted an unknown violation")
	}
}

// TestEveryViolationIsWired reads the package source: each id in the table must be read by a
// violates("ID") call, and every violates call must name an id in the table, so the list printed by
// --list-violations is exactly what the code does.
func TestEveryViolationIsWired(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	used := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "violates" {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok {
				id, _ := strconv.Unquote(lit.Value)
				used[id] = true
			}
			return true
		})
	}
	known := map[string]bool{}
	for _, v := range Violations() {
		known[v.Rule] = true
		if !used[v.Rule] {
			t.Errorf("violation %s is listed but no code reads it", v.Rule)
		}
		if v.Description == "" || strings.Contains(v.Description, "\n") {
			t.Errorf("violation %s needs a one-line description", v.Rule)
		}
	}
	for id := range used {
		if !known[id] {
			t.Errorf("code reads violation %s, which is not in the table", id)
		}
	}
	if len(known) != 38 {
		t.Errorf("%d switches, want 38 (the first 34 rules plus PRIV-JIT-01, PRIV-3P-01, WA-OPTIN-03, WA-SEC-02)", len(known))
	}
}

func TestPacerKeepsUnderRate(t *testing.T) {
	p := newPacer(100, 5)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var waits []time.Duration
	for range 8 {
		waits = append(waits, p.reserve(now))
	}
	// The first five go at once (the burst), then one every 10ms.
	want := []time.Duration{-40, -30, -20, -10, 0, 10, 20, 30}
	for i, w := range want {
		if w <= 0 && waits[i] > 0 || w > 0 && waits[i] != w*time.Millisecond {
			t.Errorf("send %d waits %v, want %v", i, waits[i], w*time.Millisecond)
		}
	}
	// After a quiet second the burst is available again, and no more.
	later := now.Add(time.Second)
	for i := range 6 {
		d := p.reserve(later)
		if (i < 5) != (d <= 0) {
			t.Errorf("after a pause, send %d waits %v", i, d)
		}
	}
	var nilPacer *pacer
	if err := nilPacer.wait(t.Context()); err != nil {
		t.Error(err)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestOrderDescribe(t *testing.T) {
	o := order{Number: "TE-1001", Status: "shipped", Items: "2 camisetas", Carrier: "Correos <Express>", Tracking: "PQ%s123"}
	for lang, want := range map[string]string{
		"es": "Pedido TE-1001 (2 camisetas): enviado. Transportista Correos <Express>, seguimiento PQ%s123.",
		"en": "Order TE-1001 (2 camisetas): shipped. Carrier Correos <Express>, tracking PQ%s123.",
	} {
		if got := o.describe(lang); got != want {
			t.Errorf("describe(%s) = %q, want %q", lang, got, want)
		}
	}
	o.Carrier, o.Status = "", "processing"
	if got, want := o.describe("es"), "Pedido TE-1001 (2 camisetas): en preparación."; got != want {
		t.Errorf("describe without carrier = %q, want %q", got, want)
	}
}

// Statuses the assistant does not act on are not queued, yet a closing assistant refuses them with 503
// (so Meta redelivers) exactly as it refuses those it would queue.
func TestStatusWebhookOpenAndClosed(t *testing.T) {
	status := func(st string) []byte {
		return []byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"wamid.1","status":"` +
			st + `","timestamp":"1700000000","recipient_id":"34600000001","errors":[{"code":131000,"title":"x"}]}]}}]}]}`)
	}
	post := func(b *Bot, body []byte) int {
		req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(string(body)))
		req.Header.Set("X-Hub-Signature-256", sign("app-secret", body))
		rec := httptest.NewRecorder()
		b.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	for _, st := range []string{"sent", "delivered", "read", "failed"} {
		t.Run(st, func(t *testing.T) {
			b := newUnitBot(t)
			if got := post(b, status(st)); got != http.StatusOK {
				t.Errorf("open: HTTP %d, want 200", got)
			}
			if err := b.AwaitIdle(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if got := post(b, status(st)); got != http.StatusServiceUnavailable {
				t.Errorf("closed: HTTP %d, want 503", got)
			}
		})
	}
}

// readAll reads what io.ReadAll reads, with the error it gives, whatever size it is told.
func TestReadAllAsIOReadAll(t *testing.T) {
	data := strings.Repeat("webhook ", 300)
	boom := errors.New("boom")
	readers := map[string]func() io.Reader{
		"plain":        func() io.Reader { return strings.NewReader(data) },
		"one byte":     func() io.Reader { return iotest.OneByteReader(strings.NewReader(data)) },
		"data and EOF": func() io.Reader { return iotest.DataErrReader(strings.NewReader(data)) },
		"half":         func() io.Reader { return iotest.HalfReader(strings.NewReader(data)) },
		"error after":  func() io.Reader { return io.MultiReader(strings.NewReader(data), iotest.ErrReader(boom)) },
		"too large": func() io.Reader {
			return http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(strings.NewReader(data)), int64(len(data)-10))
		},
		"empty": func() io.Reader { return strings.NewReader("") },
	}
	for name, r := range readers {
		want, wantErr := io.ReadAll(r())
		for _, size := range []int64{-1, 0, 1, int64(len(data)) - 1, int64(len(data)), int64(len(data)) + 1, 1 << 30} {
			got, err := readAll(r(), size, 1<<20)
			if string(got) != string(want) || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Errorf("%s, size %d: %d bytes, %v; io.ReadAll: %d bytes, %v", name, size, len(got), err, len(want), wantErr)
			}
		}
	}
}
