package naive

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

type graph struct {
	mu   sync.Mutex
	sent []map[string]any
}

func (g *graph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m map[string]any
	_ = json.NewDecoder(r.Body).Decode(&m)
	g.mu.Lock()
	g.sent = append(g.sent, m)
	g.mu.Unlock()
	fmt.Fprint(w, `{"messages":[{"id":"wamid.1"}]}`)
}

func (g *graph) templatesTo(waID string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, m := range g.sent {
		if m["to"] == waID && m["type"] == "template" {
			n++
		}
	}
	return n
}

func setup(t *testing.T) (*Bot, *graph, *httptest.Server) {
	t.Helper()
	g := &graph{}
	gs := httptest.NewServer(g)
	t.Cleanup(gs.Close)
	b := New(Config{GraphURL: gs.URL, GraphVersion: "v23.0", PhoneID: "1", Token: "t", AppSecret: "s", VerifyToken: "v"}, nil)
	srv := httptest.NewServer(b.Handler())
	t.Cleanup(func() { srv.Close(); b.Close() })
	return b, g, srv
}

func signed(body string) string {
	m := hmac.New(sha256.New, []byte("s"))
	m.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func post(t *testing.T, url, body, sig string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func message(from, text string) string {
	return fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":%q,"id":"wamid.x","timestamp":"1772442000","type":"text","text":{"body":%q}}]}}]}]}`, from, text)
}

func TestSignatures(t *testing.T) {
	_, _, srv := setup(t)
	body := message("34600000001", "hola")
	for _, tc := range []struct {
		name, sig string
		want      int
	}{
		{"unsigned", "", http.StatusUnauthorized},
		{"wrong", "sha256=" + strings.Repeat("0", 64), http.StatusForbidden},
		{"signed", signed(body), http.StatusOK},
	} {
		if got := post(t, srv.URL+"/webhook", body, tc.sig); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestIgnoresOptOut is the behaviour parley must catch: an opt-in through the hook, an opt-out in the
// chat answered like anything else, and the next campaign reaches the customer all the same.
func TestIgnoresOptOut(t *testing.T) {
	b, g, srv := setup(t)
	if code := post(t, srv.URL+"/parley/consent", `{"version":"1","wa_id":"34600000001","purpose":"marketing"}`, ""); code != http.StatusCreated {
		t.Fatalf("an opt-in without channel or wording answered %d; the naive assistant records it", code)
	}
	stop := message("34600000001", "BAJA")
	post(t, srv.URL+"/webhook", stop, signed(stop))
	b.Close()
	g.mu.Lock()
	reply := g.sent[len(g.sent)-1]["text"].(map[string]any)["body"]
	g.mu.Unlock()
	if reply != Reply {
		t.Errorf("the opt-out got %q, want the one reply", reply)
	}
	post(t, srv.URL+"/parley/campaign", `{"version":"1","campaign":"c"}`, "")
	if g.templatesTo("34600000001") != 1 {
		t.Error("the campaign did not reach the customer who opted out")
	}
}

func TestInChatYesIsAnOptIn(t *testing.T) {
	b, g, srv := setup(t)
	yes := message("34600000002", "Sí")
	post(t, srv.URL+"/webhook", yes, signed(yes))
	b.Close()
	post(t, srv.URL+"/parley/campaign", `{"version":"1","campaign":"c"}`, "")
	if g.templatesTo("34600000002") != 1 {
		t.Error("a customer who answered SÍ got no campaign")
	}
}

func TestConfigFromEnv(t *testing.T) {
	_, err := ConfigFromEnv(func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "WHATSAPP_APP_SECRET") {
		t.Errorf("missing variables: %v", err)
	}
}
