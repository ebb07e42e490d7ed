package dlp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/dlp/apiv2/dlppb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/parley-dev/parley/internal/golden"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dlp"
)

// pretty re-indents JSON so that golden files diff line by line; protojson varies its spacing on purpose.
func pretty(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, b)
	}
	return append(out.Bytes(), '\n')
}

func TestREST(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		body   string // file under testdata/rest
		status int
		kind   string
	}{
		{"deidentify docs example", "/v2/projects/demo/content:deidentify", "deidentify_docs_example.json", 200, journal.KindDeidentify},
		{"deidentify mask spanish", "/v2/projects/demo/locations/global/content:deidentify", "deidentify_mask_spanish.json", 200, journal.KindDeidentify},
		{"inspect spanish", "/v2/projects/demo/locations/europe-west3/content:inspect", "inspect_spanish.json", 200, journal.KindInspect},
		{"inspect empty value", "/v2/projects/demo/content:inspect", "inspect_empty_item_value.json", 200, journal.KindInspect},
		{"unknown fields", "/v2/projects/demo/content:inspect", "unknown_fields.json", 400, journal.KindDLPRejected},
		{"malformed json", "/v2/projects/demo/content:inspect", "malformed.json", 400, journal.KindDLPRejected},
		{"wrong type", "/v2/projects/demo/content:inspect", "wrong_type.json", 400, journal.KindDLPRejected},
		{"bad enum", "/v2/projects/demo/content:inspect", "bad_enum.json", 400, journal.KindDLPRejected},
		{"missing deidentify config", "/v2/projects/demo/content:deidentify", "inspect_spanish.json", 400, journal.KindDLPRejected},
		{"table item unmodelled", "/v2/projects/demo/content:inspect", "table_item.json", 501, journal.KindUnmodelled},
		{"unknown path", "/v2/organizations/1/content:inspect", "inspect_spanish.json", 404, journal.KindUnmodelled},
		{"unknown method", "/v2/projects/demo/content:reidentify", "inspect_spanish.json", 404, journal.KindUnmodelled},
	}
	j := journal.New(nil)
	s := dlp.RunT(t, dlp.WithJournal(j))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "rest", tt.body))
			if err != nil {
				t.Fatal(err)
			}
			seq := j.Last()
			resp, err := http.Post(s.URL()+tt.path, "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d\n%s", resp.StatusCode, tt.status, got)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q", ct)
			}
			golden.Assert(t, filepath.Join("testdata", "rest", strings.ReplaceAll(tt.name, " ", "_")+".golden"), pretty(t, got))
			evs := j.After(seq)
			if len(evs) != 1 || evs[0].Kind != tt.kind {
				t.Errorf("journal = %+v, want one %s", evs, tt.kind)
			}
		})
	}
}

func TestRESTEnumEncoding(t *testing.T) {
	s := dlp.RunT(t)
	body := `{"item":{"value":"a@b.es"}}`
	for _, tc := range []struct{ query, want string }{
		{"", `"VERY_LIKELY"`},
		{"?%24alt=json%3Benum-encoding%3Dint", `5`},
		{"?$alt=json;enum-encoding=int", `5`},
	} {
		resp, err := http.Post(s.URL()+"/v2/projects/p/content:inspect"+tc.query, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out struct {
			Result struct {
				Findings []struct {
					Likelihood json.RawMessage `json:"likelihood"`
				} `json:"findings"`
			} `json:"result"`
		}
		if err := json.Unmarshal(b, &out); err != nil || len(out.Result.Findings) != 1 {
			t.Fatalf("query %q: %s", tc.query, b)
		}
		if got := string(out.Result.Findings[0].Likelihood); got != tc.want {
			t.Errorf("query %q: likelihood = %s, want %s", tc.query, got, tc.want)
		}
	}
}

// countingBody fails the test's expectations if the server reads it.
type countingBody struct{ n int }

func (c *countingBody) Read(p []byte) (int, error) {
	c.n += len(p)
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}
func (c *countingBody) Close() error { return nil }

func TestRESTOversizeNotRead(t *testing.T) {
	j := journal.New(nil)
	s := dlp.RunT(t, dlp.WithJournal(j))
	tests := []struct {
		name          string
		contentLength int64
		maxRead       int
	}{
		{"declared too large", 10 << 20, 0},
		{"undeclared too large", -1, dlp.MaxRequestBytes + 1 + 64<<10}, // read stops one byte past the limit (plus a buffer)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &countingBody{}
			r := httptest.NewRequest(http.MethodPost, "/v2/projects/p/content:deidentify", nil)
			r.Body, r.ContentLength = body, tt.contentLength
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, r)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Request payload size exceeds the limit: 524288 bytes.") ||
				!strings.Contains(w.Body.String(), `"INVALID_ARGUMENT"`) {
				t.Fatalf("answer %d %s", w.Code, w.Body)
			}
			if body.n > tt.maxRead {
				t.Errorf("read %d bytes of the body, want at most %d", body.n, tt.maxRead)
			}
		})
	}
	evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindDLPRejected })
	if len(evs) != 2 {
		t.Errorf("rejections journalled: %d, want 2", len(evs))
	}
}

// rawCodec sends bytes as they are, to put malformed protobuf on the wire.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error)      { return v.([]byte), nil }
func (rawCodec) Unmarshal(data []byte, v any) error { return nil }
func (rawCodec) Name() string                       { return "proto" }

func TestGRPCMalformedProtobuf(t *testing.T) {
	j := journal.New(nil)
	s := dlp.RunT(t, dlp.WithJournal(j))
	conn, err := grpc.NewClient(s.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var out []byte
	err = conn.Invoke(ctxT(t), "/google.privacy.dlp.v2.DlpService/DeidentifyContent", []byte{0x0a, 0xff, 0xff, 0xff}, &out,
		grpc.ForceCodec(rawCodec{}))
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("err = %v, want INVALID_ARGUMENT", err)
	}
	evs := j.Events()
	if len(evs) != 1 || evs[0].Kind != journal.KindDLPRejected {
		t.Fatalf("journal = %+v", evs)
	}
	// The server still serves well-formed calls after that.
	c := dlppb.NewDlpServiceClient(conn)
	if _, err := c.InspectContent(ctxT(t), &dlppb.InspectContentRequest{Parent: "projects/p",
		Item: &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: "x"}}}); err != nil {
		t.Fatal(err)
	}
	// And an unknown service is journalled as unmodelled.
	err = conn.Invoke(context.Background(), "/google.privacy.dlp.v2.Nope/Do", []byte{}, &out, grpc.ForceCodec(rawCodec{}))
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("unknown service: %v", err)
	}
	if last := j.Events()[len(j.Events())-1]; last.Kind != journal.KindUnmodelled {
		t.Errorf("last event = %+v", last)
	}
}

func TestControl(t *testing.T) {
	j := journal.New(nil)
	s := dlp.RunT(t, dlp.WithJournal(j))
	post := func(path, body string) *http.Response {
		resp, err := http.Post(s.URL()+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post("/_parley/faults", `{"method":"inspect","kind":"RESOURCE_EXHAUSTED","count":1}`); r.StatusCode != http.StatusNoContent {
		t.Fatalf("POST fault: %d", r.StatusCode)
	}
	if r := post("/_parley/faults", `{"method":"inspect","kin":8}`); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("POST bad fault: %d", r.StatusCode)
	}
	if r := post("/_parley/faults", `{"method":"deidentify","kind":14,"delay":"1ms"}`); r.StatusCode != http.StatusNoContent {
		t.Fatalf("POST numeric fault: %d", r.StatusCode)
	}
	if f, _ := s.Faults(context.Background()); len(f) != 2 || f[0].Kind != "RESOURCE_EXHAUSTED" || f[1].Kind != "14" || f[1].Delay != time.Millisecond {
		t.Fatalf("faults = %+v", f)
	}
	if r := post("/_parley/nope", `{}`); r.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown control route: %d", r.StatusCode)
	}
	if last := j.Events()[j.Len()-1]; last.Kind != journal.KindUnmodelled {
		t.Errorf("unknown control route journalled as %s", last.Kind)
	}
}

// The same steps through both implementations of Control.
func TestControlInterface(t *testing.T) {
	for _, mode := range []string{"in-process", "http"} {
		t.Run(mode, func(t *testing.T) {
			j := journal.New(nil)
			s := dlp.RunT(t, dlp.WithJournal(j))
			var c dlp.Control = s
			if mode == "http" {
				c = dlp.NewControlClient(s.URL())
			}
			ctx := ctxT(t)
			if err := c.InjectFault(ctx, control.Fault{Method: "inspect", Kind: "RESOURCE_EXHAUSTED", Count: 1}); err != nil {
				t.Fatal(err)
			}
			if err := c.InjectFault(ctx, control.Fault{Method: "nope", Kind: "UNAVAILABLE"}); err == nil {
				t.Error("bad fault accepted")
			}
			fs, err := c.Faults(ctx)
			if err != nil || len(fs) != 1 || fs[0].Count != 1 {
				t.Fatalf("faults = %+v, %v", fs, err)
			}
			seq := j.Last()
			resp, err := http.Post(s.URL()+"/v2/projects/p/content:inspect", "application/json", strings.NewReader(`{"item":{"value":"x"}}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("under quota fault: HTTP %d", resp.StatusCode)
			}
			evs, last, err := c.JournalAfter(ctx, seq)
			if err != nil || len(evs) != 1 || evs[0].Kind != journal.KindDLPRejected || last != evs[0].Seq {
				t.Fatalf("journal after %d = %+v, %d, %v", seq, evs, last, err)
			}
			var d journal.DLPData
			if err := evs[0].Decode(&d); err != nil || d.Code != "RESOURCE_EXHAUSTED" || d.Text != "x" {
				t.Errorf("rejection data = %+v, %v", d, err)
			}
			if err := c.InjectFault(ctx, control.Fault{Kind: "UNAVAILABLE"}); err != nil {
				t.Fatal(err)
			}
			if err := c.ClearFaults(ctx); err != nil {
				t.Fatal(err)
			}
			if fs, _ := c.Faults(ctx); len(fs) != 0 {
				t.Errorf("faults after clear = %+v", fs)
			}
		})
	}
}

func FuzzRESTDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "rest", "*.json"))
	for _, name := range files {
		b, _ := os.ReadFile(name)
		f.Add("deidentify", b)
		f.Add("inspect", b)
	}
	f.Add("deidentify", []byte(`{"item":{"value":"\u00f1 12345678Z"},"deidentifyConfig":{"infoTypeTransformations":{"transformations":[{"primitiveTransformation":{"characterMaskConfig":{"numberToMask":-2147483648}}}]}},"inspectConfig":{"infoTypes":[{"name":"SPAIN_DNI_NUMBER"}]}}`))
	s := dlp.RunT(f, dlp.WithJournal(journal.New(nil)))
	h := s.Handler()
	f.Fuzz(func(t *testing.T, method string, body []byte) {
		if method != "inspect" {
			method = "deidentify"
		}
		r := httptest.NewRequest(http.MethodPost, "/v2/projects/p/content:"+method, bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code == http.StatusOK {
			return
		}
		var e struct {
			Error struct {
				Code    int    `json:"code"`
				Status  string `json:"status"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code != w.Code || e.Error.Status == "" || e.Error.Message == "" {
			t.Fatalf("status %d with body %s", w.Code, w.Body)
		}
		if w.Code == http.StatusInternalServerError {
			t.Fatalf("internal error for %q: %s", body, w.Body)
		}
	})
}
