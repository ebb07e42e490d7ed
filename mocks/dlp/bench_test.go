package dlp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parley-dev/parley/mocks/dlp"
)

// manyFindings is a body just under the request size limit made of nothing but identifiers: a phone
// number, an e-mail and a name in a few bytes, some with accents so code-point and byte offsets differ.
func manyFindings(size int) string {
	const unit = "Ana 612345678 a@b.es José "
	return strings.Repeat(unit, size/len(unit))
}

// BenchmarkInspectManyFindings measures content:inspect over REST on a body of about 490 KB that holds
// tens of thousands of identifiers: the cost must grow with the text, not with the text times the
// findings, and the answer must stay within the service's findings limit.
func BenchmarkInspectManyFindings(b *testing.B) {
	s := dlp.RunT(b)
	body, err := json.Marshal(map[string]any{"item": map[string]string{"value": manyFindings(490 << 10)}})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var out int
	for b.Loop() {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/v2/projects/p/content:inspect", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("HTTP %d: %.300s", rec.Code, rec.Body.String())
		}
		out = rec.Body.Len()
	}
	b.ReportMetric(float64(out), "resp-bytes")
}
