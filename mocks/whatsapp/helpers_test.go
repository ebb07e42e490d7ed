package whatsapp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
)

// fixedWall pins the wall clock of the throughput limit, so tests depend on the simulated clock only.
func fixedWall() Option {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func(c *config) error { c.wall = func() time.Time { return t0 }; return nil }
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// receiver is a webhook endpoint of an assistant: it answers the handshake, verifies the signature over
// the raw body, and keeps every body it accepted.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	secret string
	token  string

	mu       sync.Mutex
	bodies   [][]byte
	sigs     []string
	badSigs  int
	failNext int // answer 500 to this many POSTs
	verifies int
	onPost   func(body []byte) // called before answering 200 (an assistant replying in its handler)
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, secret: DefaultAppSecret, token: DefaultVerifyToken}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) URL() string { return r.srv.URL + "/webhook" }

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodGet {
		q := req.URL.Query()
		r.mu.Lock()
		r.verifies++
		r.mu.Unlock()
		if q.Get("hub.mode") != "subscribe" || q.Get("hub.verify_token") != r.token {
			http.Error(w, "bad verify token", http.StatusForbidden)
			return
		}
		io.WriteString(w, q.Get("hub.challenge"))
		return
	}
	body, _ := io.ReadAll(req.Body)
	sig := req.Header.Get("X-Hub-Signature-256")
	r.mu.Lock()
	if !VerifySignature(r.secret, body, sig) {
		r.badSigs++
		r.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if r.failNext > 0 {
		r.failNext--
		r.mu.Unlock()
		http.Error(w, "failing on purpose", http.StatusInternalServerError)
		return
	}
	r.bodies = append(r.bodies, body)
	r.sigs = append(r.sigs, sig)
	hook := r.onPost
	r.mu.Unlock()
	if hook != nil {
		hook(body)
	}
	w.WriteHeader(http.StatusOK)
}

func (r *receiver) Bodies() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

// statuses returns the (id, status) pairs of the status webhooks received, in order.
func (r *receiver) statuses() []string {
	var out []string
	for _, b := range r.Bodies() {
		var env struct {
			Entry []struct {
				Changes []struct {
					Value struct {
						Statuses []struct{ ID, Status string }
					}
				}
			}
		}
		_ = json.Unmarshal(b, &env)
		for _, e := range env.Entry {
			for _, c := range e.Changes {
				for _, s := range c.Value.Statuses {
					out = append(out, s.Status)
				}
			}
		}
	}
	return out
}

// graph calls the Graph API of s with the right token unless the caller sets headers.
type graphResult struct {
	Status int
	Body   map[string]any
	Raw    []byte
}

func (g graphResult) code() int {
	e, _ := g.Body["error"].(map[string]any)
	if e == nil {
		return 0
	}
	c, _ := e["code"].(float64)
	return int(c)
}

func (g graphResult) details() string {
	e, _ := g.Body["error"].(map[string]any)
	if e == nil {
		return ""
	}
	d, _ := e["error_data"].(map[string]any)
	s, _ := d["details"].(string)
	return s
}

func (g graphResult) messageID() string {
	ms, _ := g.Body["messages"].([]any)
	if len(ms) == 0 {
		return ""
	}
	m, _ := ms[0].(map[string]any)
	id, _ := m["id"].(string)
	return id
}

func call(t *testing.T, s *Server, method, path string, body string, hdr map[string]string) graphResult {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.AccessToken())
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	res := graphResult{Status: resp.StatusCode, Raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &res.Body); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %v: %s", method, path, err, raw)
		}
	}
	if res.Status != 200 {
		checkEnvelope(t, res)
	}
	return res
}

// checkEnvelope asserts the Graph error envelope.
func checkEnvelope(t *testing.T, res graphResult) {
	t.Helper()
	e, ok := res.Body["error"].(map[string]any)
	if !ok {
		t.Fatalf("HTTP %d without the Graph error envelope: %s", res.Status, res.Raw)
	}
	for _, k := range []string{"message", "type", "code", "fbtrace_id"} {
		if _, ok := e[k]; !ok {
			t.Errorf("error envelope without %q: %s", k, res.Raw)
		}
	}
	if res.Status >= 500 && e["code"] != float64(CodeGenericUser) {
		t.Errorf("HTTP %d: %s", res.Status, res.Raw)
	}
}

func send(t *testing.T, s *Server, body string) graphResult {
	t.Helper()
	return call(t, s, http.MethodPost, "/v23.0/"+s.PhoneNumberID()+"/messages", body, nil)
}

func textTo(waID, text string) string {
	b, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "to": waID, "type": "text", "text": map[string]string{"body": text}})
	return string(b)
}

// lastEvent returns the newest event of kind.
func lastEvent(t *testing.T, j *journal.Journal, kind string) journal.Event {
	t.Helper()
	evs := j.Filter(func(e journal.Event) bool { return e.Kind == kind })
	if len(evs) == 0 {
		t.Fatalf("no %s event in the journal", kind)
	}
	return evs[len(evs)-1]
}

const lucia = "34600111222"
