package dialogflow

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"github.com/parley-dev/parley/internal/gcp"
	"github.com/parley-dev/parley/internal/golden"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

func post(t testing.TB, url string, body []byte, hdr map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

const okBody = `{"queryInput":{"text":{"text":"hola","languageCode":"es"}}}`

// TestRESTErrors: every refusal is the real service's error, in the google.rpc.Status envelope with the
// HTTP status the REST clients derive the code from, and is journalled.
func TestRESTErrors(t *testing.T) {
	long := strings.Repeat("a", 257)
	for _, tc := range []struct {
		name, method, path, body string
		auth                     bool // server requires auth
		wantHTTP                 int
		wantStatus, wantMsg      string
		wantKind                 string
	}{
		{"text over 256 characters", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent",
			`{"queryInput":{"text":{"text":"` + long + `","languageCode":"es"}}}`, false,
			400, "INVALID_ARGUMENT", "Input text exceeds 256 characters.", journal.KindDetectIntentRejected},
		{"256 accented characters are fine, not bytes", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent",
			`{"queryInput":{"text":{"text":"` + strings.Repeat("á", 256) + `","languageCode":"es"}}}`, false,
			200, "", "", journal.KindDetectIntent},
		{"empty text", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent",
			`{"queryInput":{"text":{"text":"  ","languageCode":"es"}}}`, false,
			400, "INVALID_ARGUMENT", "Input text not set.", journal.KindDetectIntentRejected},
		{"no query input", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent", `{}`, false,
			400, "INVALID_ARGUMENT", "Query input not set.", journal.KindDetectIntentRejected},
		{"no language", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent",
			`{"queryInput":{"text":{"text":"hola"}}}`, false,
			400, "INVALID_ARGUMENT", "Language code not set.", journal.KindDetectIntentRejected},
		{"malformed JSON", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent", `{"queryInput":`, false,
			400, "INVALID_ARGUMENT", "", journal.KindDetectIntentRejected},
		{"unknown field", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent",
			`{"queryInput":{"text":{"text":"hola","languageCode":"es"}},"foo":1}`, false,
			400, "INVALID_ARGUMENT", `Invalid JSON payload received. Unknown name "foo": Cannot find field.`, journal.KindDetectIntentRejected},
		{"unknown nested field (the console's undocumented queryParams.source)", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent",
			`{"queryInput":{"text":{"text":"good morning!","languageCode":"en"}},"queryParams":{"source":"DIALOGFLOW_CONSOLE","timeZone":"America/New_York","sentimentAnalysisRequestConfig":{"analyzeQueryTextSentiment":true}}}`, false,
			400, "INVALID_ARGUMENT", `Invalid JSON payload received. Unknown name "source" at 'query_params': Cannot find field.`, journal.KindDetectIntentRejected},
		{"unknown field in a list element", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent",
			`{"queryInput":{"text":{"text":"hola","languageCode":"es"}},"queryParams":{"contexts":[{"name":"projects/parley-demo/agent/sessions/s1/contexts/a","lifespan":2}]}}`, false,
			400, "INVALID_ARGUMENT", `Invalid JSON payload received. Unknown name "lifespan" at 'query_params.contexts[0]': Cannot find field.`, journal.KindDetectIntentRejected},
		{"struct parameters are free-form", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent",
			`{"queryInput":{"event":{"name":"WELCOME","languageCode":"es","parameters":{"anything":{"goes":[1,2]}}}},"queryParams":{"payload":{"x":1}}}`, false,
			200, "", "", journal.KindDetectIntent},
		{"wrong JSON type", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent",
			`{"queryInput":{"text":{"text":42,"languageCode":"es"}}}`, false,
			400, "INVALID_ARGUMENT", "", journal.KindDetectIntentRejected},
		{"malformed session path", "POST", "/v2/projects/parley-demo/agent/sesions/s1:detectIntent", okBody, false,
			400, "INVALID_ARGUMENT", "Resource name 'projects/parley-demo/agent/sesions/s1' does not match 'projects/*/locations/*/agent/environments/*/users/*/sessions/*'.", journal.KindDetectIntentRejected},
		{"session id over 36 characters", "POST", "/v2/projects/parley-demo/agent/sessions/" + strings.Repeat("x", 37) + ":detectIntent", okBody, false,
			400, "INVALID_ARGUMENT", "", journal.KindDetectIntentRejected},
		{"unknown project", "POST", "/v2/projects/nope/agent/sessions/s1:detectIntent", okBody, false,
			404, "NOT_FOUND", "com.google.apps.framework.request.NotFoundException: No DesignTimeAgent found for project 'nope'.", journal.KindDetectIntentRejected},
		{"unsupported language", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent",
			`{"queryInput":{"text":{"text":"hola","languageCode":"fr"}}}`, false,
			400, "INVALID_ARGUMENT", "", journal.KindDetectIntentRejected},
		{"missing credentials", "POST", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent", okBody, true,
			401, "UNAUTHENTICATED", status.Convert(gcp.Unauthenticated).Message(), journal.KindDetectIntentRejected},
		{"missing credentials on contexts", "GET", "/v2/projects/parley-demo/agent/sessions/s1/contexts", "", true,
			401, "UNAUTHENTICATED", status.Convert(gcp.Unauthenticated).Message(), journal.KindRequestRejected},
		{"missing credentials on the agent", "GET", "/v2/projects/parley-demo/agent", "", true,
			401, "UNAUTHENTICATED", status.Convert(gcp.Unauthenticated).Message(), journal.KindRequestRejected},
		{"agent of another project", "GET", "/v2/projects/other/locations/europe-west1/agent", "", false,
			404, "NOT_FOUND", "com.google.apps.framework.request.NotFoundException: No DesignTimeAgent found for project 'other'.", journal.KindRequestRejected},
		{"context with an unknown field", "POST", "/v2/projects/parley-demo/agent/sessions/s1/contexts",
			`{"name":"projects/parley-demo/agent/sessions/s1/contexts/x","lifespan":1}`, false,
			400, "INVALID_ARGUMENT", `Invalid JSON payload received. Unknown name "lifespan": Cannot find field.`, journal.KindRequestRejected},
		{"unmodelled method", "POST", "/v2/projects/parley-demo/agent:train", "{}", false,
			404, "NOT_FOUND", "POST /v2/projects/parley-demo/agent:train is not modelled by parley's mock Dialogflow.", journal.KindUnmodelled},
		{"unmodelled resource", "GET", "/v2/projects/parley-demo/agent/intents", "", false,
			404, "NOT_FOUND", "", journal.KindUnmodelled},
		{"unmodelled version", "GET", "/v1/query", "", false, 404, "NOT_FOUND", "", journal.KindUnmodelled},
		{"GET on detectIntent", "GET", "/v2/projects/parley-demo/agent/sessions/s1:detectIntent", "", false,
			404, "NOT_FOUND", "", journal.KindUnmodelled},
		{"unknown control route", "GET", "/_parley/nope", "", false, 404, "NOT_FOUND", "", journal.KindUnmodelled},
		{"CX malformed session", "POST", "/v3/projects/parley-demo/locations/global/agent/sessions/s:detectIntent",
			`{"queryInput":{"text":{"text":"hola"},"languageCode":"es"}}`, false,
			400, "INVALID_ARGUMENT", "Resource name 'projects/parley-demo/locations/global/agent/sessions/s' does not match 'projects/*/locations/*/agents/*/sessions/*'.", journal.KindDetectIntentRejected},
		{"CX unknown field", "POST", "/v3/projects/parley-demo/locations/global/agents/a/sessions/s:detectIntent",
			`{"queryInput":{"text":{"text":"hola"},"languageCode":"es","bogus":true}}`, false,
			400, "INVALID_ARGUMENT", `Invalid JSON payload received. Unknown name "bogus" at 'query_input': Cannot find field.`, journal.KindDetectIntentRejected},
		{"context in another session", "POST", "/v2/projects/parley-demo/agent/sessions/s1/contexts",
			`{"name":"projects/parley-demo/agent/sessions/s2/contexts/x","lifespanCount":1}`, false,
			400, "INVALID_ARGUMENT", "", journal.KindRequestRejected},
		{"missing context", "GET", "/v2/projects/parley-demo/agent/sessions/s1/contexts/nothere", "", false,
			404, "NOT_FOUND", "Context 'projects/parley-demo/agent/sessions/s1/contexts/nothere' not found.", journal.KindRequestRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := journal.New(nil)
			opts := []Option{WithJournal(j)}
			if tc.auth {
				opts = append(opts, WithRequireAuth())
			}
			s := RunT(t, opts...)
			req, err := http.NewRequest(tc.method, s.URL()+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			code, body := do(t, req)
			if code != tc.wantHTTP {
				t.Fatalf("HTTP %d, want %d: %s", code, tc.wantHTTP, body)
			}
			if tc.wantStatus != "" {
				var eb gcp.ErrorBody
				if err := json.Unmarshal(body, &eb); err != nil {
					t.Fatalf("not the Google error envelope: %s", body)
				}
				if eb.Error.Code != tc.wantHTTP || eb.Error.Status != tc.wantStatus || eb.Error.Message == "" {
					t.Errorf("error %+v", eb.Error)
				}
				if tc.wantMsg != "" && eb.Error.Message != tc.wantMsg {
					t.Errorf("message %q, want %q", eb.Error.Message, tc.wantMsg)
				}
			}
			if tc.wantKind != "" {
				if n := len(j.Filter(func(e journal.Event) bool { return e.Kind == tc.wantKind })); n != 1 {
					t.Errorf("%d %s events, want 1: %v", n, tc.wantKind, kinds(j))
				}
			}
		})
	}
}

func TestOversizeBody(t *testing.T) {
	j := journal.New(nil)
	s := RunT(t, WithJournal(j))
	body := append([]byte(`{"queryInput":{"text":{"text":"`), bytes.Repeat([]byte("a"), maxBodyBytes)...)
	body = append(body, `","languageCode":"es"}}}`...)
	code, b := post(t, s.URL()+"/v2/projects/parley-demo/agent/sessions/s:detectIntent", body, nil)
	if code != 400 || !strings.Contains(string(b), "Request payload size exceeds the limit") {
		t.Errorf("HTTP %d %s", code, b)
	}
	if n := len(j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindDetectIntentRejected })); n != 1 {
		t.Errorf("%d rejected events", n)
	}
}

// TestGRPCErrors: the same refusals reach the official gRPC client as status codes.
func TestGRPCErrors(t *testing.T) {
	long := strings.Repeat("b", 257)
	for _, tc := range []struct {
		name     string
		req      *dialogflowpb.DetectIntentRequest
		auth     bool
		fault    *control.Fault
		wantCode codes.Code
		wantMsg  string
	}{
		{"text too long", textReq("projects/parley-demo/agent/sessions/s", long, "es"), false, nil, codes.InvalidArgument, "Input text exceeds 256 characters."},
		{"empty text", textReq("projects/parley-demo/agent/sessions/s", "", "es"), false, nil, codes.InvalidArgument, "Input text not set."},
		{"bad session", textReq("projects/parley-demo/sessions/s", "hola", "es"), false, nil, codes.InvalidArgument,
			"Resource name 'projects/parley-demo/sessions/s' does not match 'projects/*/locations/*/agent/environments/*/users/*/sessions/*'."},
		{"empty session", textReq("", "hola", "es"), false, nil, codes.InvalidArgument,
			"Resource name '' does not match 'projects/*/locations/*/agent/environments/*/users/*/sessions/*'."},
		{"unknown project", textReq("projects/x/agent/sessions/s", "hola", "es"), false, nil, codes.NotFound,
			"com.google.apps.framework.request.NotFoundException: No DesignTimeAgent found for project 'x'."},
		{"missing credentials", textReq("projects/parley-demo/agent/sessions/s", "hola", "es"), true, nil, codes.Unauthenticated, ""},
		{"quota", textReq("projects/parley-demo/agent/sessions/s", "hola", "es"), false, &control.Fault{Kind: "RESOURCE_EXHAUSTED"}, codes.ResourceExhausted, quotaMessage},
		{"deadline", textReq("projects/parley-demo/agent/sessions/s", "hola", "es"), false, &control.Fault{Kind: "DEADLINE", Message: "slow"}, codes.DeadlineExceeded, "slow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := journal.New(nil)
			opts := []Option{WithJournal(j)}
			if tc.auth {
				opts = append(opts, WithRequireAuth())
			}
			s := RunT(t, opts...)
			if tc.fault != nil {
				if err := s.InjectFault(testCtx(t), *tc.fault); err != nil {
					t.Fatal(err)
				}
			}
			c := newClients(t, s)["grpc"]
			_, err := c.detect(testCtx(t), tc.req)
			st := status.Convert(err)
			if st.Code() != tc.wantCode || (tc.wantMsg != "" && st.Message() != tc.wantMsg) {
				t.Errorf("got %v %q, want %v %q", st.Code(), st.Message(), tc.wantCode, tc.wantMsg)
			}
			evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindDetectIntentRejected })
			var d journal.DetectIntentData
			if len(evs) != 1 || evs[0].Decode(&d) != nil || d.Code != gcp.CodeName(tc.wantCode) || d.Transport != "grpc" {
				t.Errorf("journal: %v", kinds(j))
			}
		})
	}
}

// TestSessionPathForms: every ES session name form, in v2 and v2beta1, is served, and contexts are
// named under the path the client used.
func TestSessionPathForms(t *testing.T) {
	s := RunT(t)
	for _, version := range []string{"v2", "v2beta1"} {
		for _, path := range []string{
			"projects/parley-demo/agent/sessions/a1",
			"projects/parley-demo/agent/environments/draft/users/-/sessions/a2",
			"projects/parley-demo/locations/europe-west1/agent/sessions/a3",
			"projects/parley-demo/locations/global/agent/environments/prod/users/u-1/sessions/a4",
		} {
			t.Run(version+"/"+path, func(t *testing.T) {
				code, b := post(t, s.URL()+"/"+version+"/"+path+":detectIntent?%24alt=json%3Benum-encoding%3Dint",
					[]byte(`{"session":"`+path+`","queryInput":{"text":{"text":"dónde está mi pedido 55555","languageCode":"es"}}}`), nil)
				if code != 200 {
					t.Fatalf("HTTP %d %s", code, b)
				}
				var resp struct {
					QueryResult struct {
						Intent struct {
							Name, DisplayName string
						}
						OutputContexts []struct{ Name string }
					}
				}
				if err := json.Unmarshal(b, &resp); err != nil {
					t.Fatal(err)
				}
				if resp.QueryResult.Intent.DisplayName != "order.status" {
					t.Errorf("intent %+v", resp.QueryResult.Intent)
				}
				agent := path[:strings.Index(path, "/agent")+len("/agent")]
				if !strings.HasPrefix(resp.QueryResult.Intent.Name, agent+"/intents/") {
					t.Errorf("intent name %q not under %s", resp.QueryResult.Intent.Name, agent)
				}
				for _, c := range resp.QueryResult.OutputContexts {
					if !strings.HasPrefix(c.Name, path+"/contexts/") {
						t.Errorf("context %q not under %s", c.Name, path)
					}
				}
			})
		}
	}
}

// TestGoldenDetectIntentREST pins the exact REST payload of a matched turn (seeded, so stable).
func TestGoldenDetectIntentREST(t *testing.T) {
	s := RunT(t, WithSeed(7))
	code, b := post(t, s.URL()+"/v2/projects/parley-demo/agent/sessions/golden:detectIntent",
		[]byte(`{"queryInput":{"text":{"text":"Necesito la factura del pedido 48213","languageCode":"es"}},"queryParams":{"timeZone":"Europe/Madrid"}}`), nil)
	if code != 200 {
		t.Fatalf("HTTP %d %s", code, b)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "detect_receipt_es.json"), pretty.Bytes())
}

func TestEnumEncoding(t *testing.T) {
	s := RunT(t)
	for _, tc := range []struct{ name, query, want string }{
		{"names by default", "", `"matchMode":"MATCH_MODE_HYBRID"`},
		{"numbers when the Go REST client asks", "?%24alt=json%3Benum-encoding%3Dint", `"matchMode":1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.URL()+"/v2/projects/parley-demo/agent"+tc.query, nil)
			code, b := do(t, req)
			if code != 200 || !strings.Contains(string(b), tc.want) {
				t.Errorf("HTTP %d %s, want %s", code, b, tc.want)
			}
		})
	}
}

func kinds(j *journal.Journal) []string {
	var out []string
	for _, e := range j.Events() {
		out = append(out, e.Kind+" "+string(e.Data))
	}
	return out
}

// TestOutageRetriedByClient: UNAVAILABLE is the one code the official client retries, so two failed
// calls then a success is what a bot sees as one slow answer; the journal shows all three.
func TestOutageRetriedByClient(t *testing.T) {
	j := journal.New(nil)
	s := RunT(t, WithJournal(j))
	if err := s.InjectFault(testCtx(t), control.Fault{Kind: "UNAVAILABLE", Count: 2}); err != nil {
		t.Fatal(err)
	}
	c := newClients(t, s)["grpc"]
	r, err := c.detect(testCtx(t), textReq("projects/parley-demo/agent/sessions/s", "hola", "es"))
	if err != nil || r.GetQueryResult().GetIntent().GetDisplayName() != "welcome" {
		t.Fatalf("%v %v", r, err)
	}
	rej := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindDetectIntentRejected })
	ok := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindDetectIntent })
	if len(rej) != 2 || len(ok) != 1 {
		t.Errorf("journal %v", kinds(j))
	}
}

// rawCodec sends bytes as they are, to put a malformed protobuf on the wire.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error)   { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(b []byte, v any) error { *(v.(*[]byte)) = b; return nil }
func (rawCodec) Name() string                    { return "proto" }

func TestMalformedProtobuf(t *testing.T) {
	j := journal.New(nil)
	s := RunT(t, WithJournal(j))
	conn, err := grpc.NewClient(s.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	in := []byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01} // field 1, a length far beyond the message
	var out []byte
	err = conn.Invoke(testCtx(t), "/google.cloud.dialogflow.v2.Sessions/DetectIntent", &in, &out, grpc.ForceCodec(rawCodec{}))
	if status.Code(err) == codes.OK {
		t.Fatal("malformed protobuf accepted")
	}
	if n := len(j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindRequestRejected })); n != 1 {
		t.Errorf("%d request.rejected events, want 1: %v", n, kinds(j))
	}
}
