package whatsapp

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSend measures a text send over real HTTP on loopback: "mock" is the full send path (auth,
// decoding, validation, window, journal, status queue; pair rate and throughput limits off), "bare" a
// net/http handler that only decodes the body and writes a fixed reply. The ratio bare ns/op ÷ mock ns/op
// is the mock's share of the bare throughput; `make bench` prints it. Target: 0.6 or more.
func BenchmarkSend(b *testing.B) {
	body := textTo(lucia, "Hola Lucía, ¿en qué puedo ayudarte hoy?")
	b.Run("bare", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(bareHandler))
		defer srv.Close()
		benchPost(b, srv.URL+"/v23.0/"+DefaultPhoneNumberID+"/messages", body)
	})
	b.Run("mock", func(b *testing.B) {
		s, err := NewServer(WithMPS(0), WithPairRate(0))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		openWindowFuzz(s)
		benchPost(b, s.URL()+"/v23.0/"+s.PhoneNumberID()+"/messages", body)
	})
}

var bareReply = []byte(`{"messaging_product":"whatsapp","contacts":[{"input":"34600111222","wa_id":"34600111222"}],"messages":[{"id":"wamid.HBgLMzQ2MDAxMTEyMjIVAgARGBI"}]}`)

func bareHandler(w http.ResponseWriter, r *http.Request) {
	var req struct {
		MessagingProduct string `json:"messaging_product"`
		To               string `json:"to"`
		Type             string `json:"type"`
		Text             struct {
			Body string `json:"body"`
		} `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(bareReply)
}

// BenchmarkSendRatio alternates the two, request by request on the same clients, and reports the ratio
// of their throughputs (bare time ÷ mock time) as "mock/bare": on a shared, noisy machine both halves see
// the same load, which two separate benchmarks do not. It flatters the mock somewhat: the status webhooks
// the mock queues are processed in the background while bare requests run too. BenchmarkSend is the
// conservative figure, BenchmarkSendRatio the stable one.
func BenchmarkSendRatio(b *testing.B) {
	body := textTo(lucia, "Hola Lucía, ¿en qué puedo ayudarte hoy?")
	bare := httptest.NewServer(http.HandlerFunc(bareHandler))
	defer bare.Close()
	s, err := NewServer(WithMPS(0), WithPairRate(0))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	openWindowFuzz(s)
	urls := []string{bare.URL + "/v23.0/" + DefaultPhoneNumberID + "/messages", s.URL() + "/v23.0/" + s.PhoneNumberID() + "/messages"}
	var spent [2]atomic.Int64
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			start := time.Now()
			if !postOnce(b, client, urls[i%2], body) {
				return
			}
			spent[i%2].Add(int64(time.Since(start)))
		}
	})
	if m := spent[1].Load(); m > 0 {
		b.ReportMetric(float64(spent[0].Load())/float64(m), "mock/bare")
	}
}

func postOnce(b *testing.B, client *http.Client, url, body string) bool {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+DefaultAccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Errorf("HTTP %d", resp.StatusCode)
		return false
	}
	return true
}

func benchPost(b *testing.B, url, body string) {
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !postOnce(b, client, url, body) {
				return
			}
		}
	})
}
