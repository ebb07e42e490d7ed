package journal

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sameAsJSON checks decodeFast against encoding/json on one input for payload type T, from a zero value
// and from a filled one (encoding/json fills what it is given): whenever the hand decoder takes the
// input, encoding/json takes it too and gives exactly the same value. It reports whether the hand decoder
// took it.
func sameAsJSON[T any](t *testing.T, in []byte, filled T) bool {
	t.Helper()
	took := false
	for _, start := range []T{*new(T), filled} {
		for _, lean := range []bool{false, true} {
			fast, std := start, start
			ok := decodeFast(in, &fast, lean)
			var err error
			switch p := any(&std).(type) {
			case *InboundData:
				if lean {
					l := inboundLean{InboundData: *p}
					if err = json.Unmarshal(in, &l); err == nil {
						*p = l.InboundData
					}
					break
				}
				err = json.Unmarshal(in, p)
			case *OutboundData:
				if lean {
					l := outboundLean{OutboundData: *p}
					if err = json.Unmarshal(in, &l); err == nil {
						*p = l.OutboundData
					}
					break
				}
				err = json.Unmarshal(in, p)
			case *Page:
				err = json.Unmarshal(in, (*plainPage)(p))
			default:
				err = json.Unmarshal(in, p)
			}
			if !ok {
				if !reflect.DeepEqual(fast, start) {
					t.Fatalf("%T: the hand decoder declined %q but changed the target to %+v", fast, in, fast)
				}
				continue
			}
			took = true
			if err != nil {
				t.Fatalf("%T: the hand decoder took %q, encoding/json refuses it: %v", fast, in, err)
			}
			if !reflect.DeepEqual(fast, std) {
				t.Fatalf("%T (lean %v) from %q:\nhand:          %#v\nencoding/json: %#v", fast, lean, in, fast, std)
			}
		}
	}
	return took
}

// plainPage is Page without its UnmarshalJSON: encoding/json's own decoding, to compare with.
type plainPage Page

// sameForEveryType runs sameAsJSON for every type the hand decoder reads.
func sameForEveryType(t *testing.T, in []byte) (took int) {
	t.Helper()
	for _, ok := range []bool{
		sameAsJSON(t, in, InboundData{ID: "old", Message: json.RawMessage(`{}`), Status: 7}),
		sameAsJSON(t, in, OutboundData{Text: "old", Buttons: []string{"x"}, Body: json.RawMessage(`[]`)}),
		sameAsJSON(t, in, StatusData{ID: "old", Code: 1}),
		sameAsJSON(t, in, WebhookAttemptData{URL: "old", Signed: true}),
		sameAsJSON(t, in, MediaData{ID: "old", Content: []byte("x")}),
		sameAsJSON(t, in, TLSProbeData{URL: "old"}),
		sameAsJSON(t, in, DetectIntentData{Text: "old", Parameters: map[string]any{"keep": "me"}}),
		sameAsJSON(t, in, ContextsData{Session: "old", Contexts: []string{"c"}}),
		sameAsJSON(t, in, DLPData{Text: "old", Found: []string{"X"}}),
		sameAsJSON(t, in, ConsentData{Purpose: "old"}),
		sameAsJSON(t, in, OptoutData{Via: "old"}),
		sameAsJSON(t, in, DataRequestData{Right: "old"}),
		sameAsJSON(t, in, CanaryData{Type: "old"}),
		sameAsJSON(t, in, HookData{Hook: "old", Status: 3}),
		sameAsJSON(t, in, HandoffData{Phrase: "old"}),
		sameAsJSON(t, in, Event{Seq: 9, Kind: "old", Data: json.RawMessage(`1`)}),
		sameAsJSON(t, in, Page{Last: 4}),
	} {
		if ok {
			took++
		}
	}
	return took
}

var decodeSeeds = []string{
	`{"id":"wamid.x","type":"text","text":"hola, ¿qué tal? 😀","message":{"from":"34600111222","text":{"body":"hola"}},"webhook_status":200,"attempts":1}`,
	`{"id":"wamid.y","to":"+34 600","wa_id":"34600","type":"interactive","text":"elige","buttons":["Sí","No"],"in_window":true,"body":{"a":[1,2.5e3,-0,true,false,null,"\u00e9\n"]},"http_status":200}`,
	`{"to":"34600","type":"text","in_window":false,"http_status":400,"code":131047,"subcode":2494010,"error":"Re-engagement message"}`,
	`{"id":"wamid.z","status":"failed","recipient_id":"34600","code":131026,"error":"Message undeliverable"}`,
	`{"url":"https://127.0.0.1:1/webhook","field":"messages","ref_id":"wamid.x","attempt":2,"status":0,"error":"EOF","signed":true,"duplicate":true}`,
	`{"id":"m1","mime_type":"application/pdf","filename":"datos.pdf","size":3,"content":"AQID","truncated":true}`,
	`{"url":"https://x","version":"1.1","accepted":false,"error":"tls: protocol version not supported"}`,
	`{"api":"es","transport":"grpc","session":"projects/p/agent/sessions/s","session_id":"s","project":"p","language":"es","text":"mi pedido","parameters":{"order":["PED-1",{"n":3}],"n":3,"x":null,"b":true,"e":{}},"intent":"pedido","confidence":0.87,"fallback":true,"reply":"ok"}`,
	`{"api":"cx","transport":"rest","session":"s","session_id":"s","project":"p","parameters":{"a":1},"parameters":{"b":2},"confidence":1}`,
	`{"session":"s","session_id":"s","contexts":["a","b"],"all":true}`,
	`{"transport":"rest","text":"DNI 12345678Z","result":"DNI [DNI]","info_types":["SPAIN_NIF_NUMBER"],"findings":1,"found":["SPAIN_NIF_NUMBER"],"parent":"projects/p"}`,
	`{"purpose":"marketing","channel":"web","wording":"Acepto \"ofertas\" \\ \/ \b\f\r\t"}`,
	`{"via":"chat","phrase":"BAJA"}`, `{"right":"rectification","wording":"cambia","old":"a","new":"b"}`,
	`{"type":"email","value":"ana@example.com"}`, `{"hook":"notify","order":"PED-1","status":200}`, `{"phrase":"un humano"}`, `{}`,
	`{"seq":12,"at":"2026-03-02T09:00:00.123456789Z","source":"whatsapp","kind":"inbound.sent","customer":"34600","data":{"id":"x","type":"text"}}`,
	`{"seq":1,"at":"2026-03-02T09:00:00+01:00","source":"harness","kind":"reset"}`,
	`{"events":[{"seq":1,"at":"2026-03-02T09:00:00Z","source":"whatsapp","kind":"status.sent","customer":"34600","data":{"id":"w","status":"sent","recipient_id":"34600"}},{"seq":2,"at":"2026-03-02T09:00:01Z","source":"harness","kind":"reset"}],"last":2}`,
	`{"events":[],"last":0}`, `{"events":null,"last":3}`, `{"events":[{"seq":1}],"last":1}`, `{"events":[{"kind":"x"},],"last":1}`,
	// What the hand decoder leaves to encoding/json, and what neither takes.
	`{"ID":"case"}`, `{"id":null}`, `{"unknown":1}`, `{"id":"\ud83d\ude00"}`, `{"id":"\ud800"}`, "{\"id\":\"\xff\"}",
	`{"webhook_status":1.5}`, `{"webhook_status":1e2}`, `{"webhook_status":99999999999999999999}`, `{"confidence":1e400}`,
	`{"buttons":[]}`, `{"buttons":null}`, `{"message":null}`, `{"data":null}`, `{"content":"!!"}`, `{"content":"AQ\nID"}`,
	`{"seq":-1}`, `{"at":"yesterday"}`, `{"at":null}`, `{"id":"x"} trailing`, `{"id":"x",}`, `{"id" "x"}`, `[]`, `null`, ``,
	`{"message":{"a":"\x"}}`, `{"message":[1,]}`, `{"message":01}`, `{"message":-}`, `{"message":tru}`, "{\"id\":\"a\tb\"}",
	`  {"id" : "x" , "type":"text"}  `, `{"parameters":[]}`, `{"parameters":{"a":"\u0000"}}`,
}

// TestDecodeFastIsEncodingJSON: on payloads as the mocks write them and on inputs at the edges, the hand
// decoder gives what encoding/json gives, or declines and leaves it to encoding/json.
func TestDecodeFastIsEncodingJSON(t *testing.T) {
	for _, s := range decodeSeeds {
		sameForEveryType(t, []byte(s))
	}
	for _, s := range decodeSeeds[:22] {
		if sameForEveryType(t, []byte(s)) == 0 {
			t.Errorf("the hand decoder takes %s for no type; it would not be used", s)
		}
	}
}

// FuzzDecodeFast: on any input, whatever the hand decoder takes, encoding/json takes and decodes the same.
func FuzzDecodeFast(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { sameForEveryType(t, in) })
}

// TestRecordedJournalsDecodeAlike: every event of the journals recorded from the suite's conversations
// (testdata/journals, written by the embedded harness's TestRecordJournals), and each payload, decodes by
// hand exactly as encoding/json decodes it, and the hand decoder takes every one of them.
func TestRecordedJournalsDecodeAlike(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "journals", "*.jsonl"))
	if len(files) == 0 {
		t.Fatal("no recorded journals in testdata/journals")
	}
	events := 0
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for line := range bytes.Lines(b) {
			line = bytes.TrimSuffix(line, []byte("\n"))
			var std Event
			if err := json.Unmarshal(line, &std); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var fast Event
			if !decodeFast(line, &fast, false) {
				t.Fatalf("%s: the hand decoder declines %s", name, line)
			}
			if !reflect.DeepEqual(fast, std) {
				t.Fatalf("%s: event differs:\nhand:          %#v\nencoding/json: %#v", name, fast, std)
			}
			if p := payloadFor(std.Kind); p != nil && len(std.Data) > 0 {
				if sameForEveryType(t, std.Data) == 0 {
					t.Fatalf("%s: the hand decoder declines the payload of %s: %s", name, std.Kind, std.Data)
				}
			}
			events++
		}
		// The same events as a mock serves them over HTTP, a page at a time.
		evs, err := ReadJSONL(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		page, err := json.Marshal(Page{Events: evs, Last: evs[len(evs)-1].Seq})
		if err != nil {
			t.Fatal(err)
		}
		var fast Page
		if !decodeFast(page, &fast, false) {
			t.Fatalf("%s: the hand decoder declines the page", name)
		}
		var std plainPage
		if err := json.Unmarshal(page, &std); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, Page(std)) {
			t.Fatalf("%s: the page decodes differently by hand", name)
		}
		var viaMethod Page
		if err := json.Unmarshal(page, &viaMethod); err != nil || !reflect.DeepEqual(viaMethod, fast) {
			t.Fatalf("%s: json.Unmarshal into a Page (its UnmarshalJSON) differs: %v", name, err)
		}
	}
	t.Logf("%d events in %d journals", events, len(files))
}

// payloadFor is the payload type of a kind the hand decoder reads, nil for the others.
func payloadFor(kind string) any {
	switch kind {
	case KindInboundSent, KindInboundDelivered, KindInboundFailed:
		return &InboundData{}
	case KindOutboundAccepted, KindOutboundRejected:
		return &OutboundData{}
	case KindStatusFailed:
		return &StatusData{}
	case KindWebhookAttempt:
		return &WebhookAttemptData{}
	case KindMediaUploaded:
		return &MediaData{}
	case KindTLSProbe:
		return &TLSProbeData{}
	case KindDetectIntent:
		return &DetectIntentData{}
	case KindContextsDeleted:
		return &ContextsData{}
	case KindDeidentify:
		return &DLPData{}
	case KindConsentGiven, KindConsentWithdrawn, KindConsentRefused:
		return &ConsentData{}
	case KindOptoutRequested:
		return &OptoutData{}
	case KindDataRequest:
		return &DataRequestData{}
	case KindCanaryPlanted:
		return &CanaryData{}
	case KindHookCalled:
		return &HookData{}
	case KindHandoffRequested:
		return &HandoffData{}
	}
	return nil
}

// TestReaderStreams: the Reader returns the events one at a time as ReadJSONL returns them all, and an
// over-long line is an error naming it, not an allocation of the whole input.
func TestReaderStreams(t *testing.T) {
	j := New(nil)
	j.Record(SourceCustomer, KindInboundSent, "34600111222", InboundData{ID: "a", Type: "text", Text: "hola"})
	j.Record(SourceHarness, KindClockAdvanced, "", ClockData{From: DefaultStart, To: DefaultStart.Add(time.Hour)})
	var buf bytes.Buffer
	if err := j.WriteJSONL(&buf); err != nil {
		t.Fatal(err)
	}
	all, err := ReadJSONL(bytes.NewReader(buf.Bytes()))
	if err != nil || len(all) != 2 {
		t.Fatalf("ReadJSONL: %d events, %v", len(all), err)
	}
	r := NewReader(bytes.NewReader(buf.Bytes()))
	for i := range all {
		e, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		all[i].Value = nil
		if !reflect.DeepEqual(e, all[i]) {
			t.Errorf("event %d: %+v, ReadJSONL gives %+v", i, e, all[i])
		}
	}
	long := `{"kind":"x","data":"` + strings.Repeat("a", MaxLineBytes) + `"}`
	_, err = NewReader(strings.NewReader("\n" + long)).Next()
	if err == nil || !strings.Contains(err.Error(), "journal line 2: longer than") {
		t.Errorf("an over-long line: %v", err)
	}
}
