package audit

import (
	"reflect"
	"runtime"
	"sync"
	"testing"

	"github.com/parley-dev/parley/internal/cputime"
	"github.com/parley-dev/parley/journal"
)

// recorded gives synthetic events the in-process values journal.Record would have kept for them (the
// payload as recorded: here, decoded back from the JSON), as a load run or embedded certification hands
// its journal to the auditor.
func recorded(evs []journal.Event) []journal.Event {
	out := make([]journal.Event, len(evs))
	for i, e := range evs {
		out[i] = e
		k := payloadKinds[e.Kind]
		if k == nil || len(e.Data) == 0 || out[i].Value != nil {
			continue
		}
		p := k.mk()
		if err := e.DecodeLean(p); err != nil {
			continue
		}
		out[i].Value = reflect.ValueOf(p).Elem().Interface()
	}
	return out
}

var (
	inprocOnce sync.Once
	inprocEvs  []journal.Event
)

// BenchmarkRunInProcess is BenchmarkRun over the same 1,000,000 events as recorded in this process (with
// their typed payloads), the path `parley load` and embedded certification take.
//
//	go test ./audit -run '^$' -bench BenchmarkRunInProcess -benchmem -benchtime 1x
func BenchmarkRunInProcess(b *testing.B) {
	inprocOnce.Do(func() { inprocEvs = recorded(synthetic(benchN, 1000)) })
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Used()
	for b.Loop() {
		rep := Run(inprocEvs, Options{})
		if len(rep.Results) == 0 {
			b.Fatal("no results")
		}
	}
	b.ReportMetric((cputime.Used()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// TestInProcessPayloadsAuditAlike: the same journal audited with and without in-process payloads gives
// the same report, so the fast path changes nothing but the time.
func TestInProcessPayloadsAuditAlike(t *testing.T) {
	evs := synthetic(20000, 50)
	// A query whose parameters carry a canary: in process they hold Go types JSON would not give.
	evs = append(evs, journal.Event{Seq: uint64(len(evs)) + 1, At: evs[len(evs)-1].At, Source: journal.SourceDialogflow, Kind: journal.KindDetectIntent,
		Data:  []byte(`{"api":"es","transport":"grpc","session":"projects/p/agent/sessions/s1","session_id":"s1","text":"mi pedido","parameters":{"order":["PED-1"],"n":3},"confidence":0.9}`),
		Value: journal.DetectIntentData{API: "es", Transport: "grpc", Session: "projects/p/agent/sessions/s1", SessionID: "s1", Text: "mi pedido", Parameters: map[string]any{"order": []string{"PED-1"}, "n": 3}, Confidence: 0.9}})
	plain := make([]journal.Event, len(evs))
	for i, e := range evs {
		e.Value = nil
		plain[i] = e
	}
	fromJSON := Run(plain, Options{})
	inProcess := Run(recorded(evs), Options{})
	if !reflect.DeepEqual(fromJSON, inProcess) {
		t.Errorf("reports differ:\nfrom JSON:  %+v\nin process: %+v", fromJSON.Broken(), inProcess.Broken())
	}
	typed := 0
	for _, e := range recorded(evs) {
		if e.Value != nil {
			typed++
		}
	}
	if typed < len(evs)/2 {
		t.Errorf("only %d of %d events carry a typed payload; the benchmark would not measure the fast path", typed, len(evs))
	}
}

func TestDecodePayloadNormalisesParameters(t *testing.T) {
	e := journal.Event{Kind: journal.KindDetectIntent, Data: []byte(`{"parameters":{"order":["PED-1"],"n":3}}`),
		Value: journal.DetectIntentData{Parameters: map[string]any{"order": []string{"PED-1"}, "n": 3}}}
	p, err := decodePayload(e, payloadKinds[journal.KindDetectIntent])
	if err != nil {
		t.Fatal(err)
	}
	got := p.(*journal.DetectIntentData).Parameters
	want := map[string]any{"order": []any{"PED-1"}, "n": float64(3)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parameters %#v, want the shapes JSON gives %#v", got, want)
	}
}
