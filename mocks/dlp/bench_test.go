package dlp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parley-dev/parley/mocks/dlp"
)

// manyFindings is a body of about size bytes made of nothing but identifiers: a phone number, an e-mail
// and names every few bytes, with accents so that code-point and byte offsets differ.
func manyFindings(size int) string {
	const unit = "Ana 612345678 a@b.es José "
	return strings.Repeat(unit, size/len(unit))
}

// BenchmarkManyFindings measures content:inspect and content:deidentify over REST on bodies of up to
// 490 KB (the request limit is 512 KB) that hold tens of thousands of identifiers. Time per byte must
// stay flat as the body grows (linear, not the text times the findings), and inspect's answer must stay
// within the service's findings limit.
func BenchmarkManyFindings(b *testing.B) {
	for _, method := range []string{"inspect", "deidentify"} {
		for _, kb := range []int{60, 120, 240, 490} {
			b.Run(fmt.Sprintf("%s/%dKB", method, kb), func(b *testing.B) {
				benchContent(b, method, manyFindings(kb<<10))
			})
		}
	}
}

func benchContent(b *testing.B, method, text string) {
	s := dlp.RunT(b)
	req := map[string]any{"item": map[string]string{"value": text}}
	if method == "deidentify" {
		req["inspectConfig"] = map[string]any{"infoTypes": []any{map[string]string{"name": "PHONE_NUMBER"},
			map[string]string{"name": "EMAIL_ADDRESS"}, map[string]string{"name": "PERSON_NAME"}}}
		req["deidentifyConfig"] = map[string]any{"infoTypeTransformations": map[string]any{"transformations": []any{
			map[string]any{"primitiveTransformation": map[string]any{"replaceWithInfoTypeConfig": map[string]any{}}}}}}
	}
	body, err := json.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var out string
	for b.Loop() {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/v2/projects/p/content:"+method, strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			b.Fatalf("HTTP %d: %.300s", rec.Code, rec.Body.String())
		}
		out = rec.Body.String()
	}
	b.ReportMetric(float64(len(out)), "resp-bytes")
	if n := strings.Count(out, `"byteRange"`); method == "inspect" && n > dlp.MaxFindingsPerRequest {
		b.Fatalf("%d findings returned, more than the service's %d", n, dlp.MaxFindingsPerRequest)
	}
}
