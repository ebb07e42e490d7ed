package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func TestClock(t *testing.T) {
	c := NewClock(time.Time{})
	if !c.Now().Equal(DefaultStart) {
		t.Fatalf("new clock reads %v, want %v", c.Now(), DefaultStart)
	}
	var moves []time.Duration
	c.OnMoved(func(from, to time.Time) { moves = append(moves, to.Sub(from)) })
	if got := c.Advance(25 * time.Hour); !got.Equal(DefaultStart.Add(25 * time.Hour)) {
		t.Errorf("Advance(25h) = %v", got)
	}
	if got := c.Advance(-time.Hour); !got.Equal(DefaultStart.Add(25 * time.Hour)) {
		t.Errorf("Advance(-1h) moved the clock to %v", got)
	}
	back := DefaultStart.Add(-time.Hour)
	if got := c.Set(back); !got.Equal(back) {
		t.Errorf("Set = %v, want %v", got, back)
	}
	if len(moves) != 2 || moves[0] != 25*time.Hour || moves[1] != -26*time.Hour {
		t.Errorf("OnMoved saw %v, want [25h -26h]", moves)
	}
}

func TestJournalOrderAndCopies(t *testing.T) {
	j := New(nil)
	e1 := j.Record(SourceCustomer, KindConsentGiven, "34600000001", ConsentData{Purpose: "marketing", Channel: "web"})
	j.Clock().Advance(time.Hour)
	e2 := j.Record(SourceWhatsApp, KindOutboundAccepted, "34600000001", OutboundData{To: "34600000001", Type: "text", Text: "hola"})
	if e1.Seq != 1 || e2.Seq != 2 {
		t.Fatalf("seqs %d,%d, want 1,2", e1.Seq, e2.Seq)
	}
	if e2.At.Sub(e1.At) != time.Hour {
		t.Errorf("events not stamped with the simulated clock: %v then %v", e1.At, e2.At)
	}
	evs := j.Events()
	evs[0].Kind = "tampered"
	if j.Events()[0].Kind != KindConsentGiven {
		t.Error("Events returned the journal's own slice, not a copy")
	}
	if got := j.After(1); len(got) != 1 || got[0].Seq != 2 {
		t.Errorf("After(1) = %+v", got)
	}
	if got := j.After(5); got != nil {
		t.Errorf("After(5) = %+v, want nil", got)
	}
	var od OutboundData
	if err := e2.Decode(&od); err != nil || od.Text != "hola" {
		t.Errorf("Decode = %+v, %v", od, err)
	}
}

func TestJournalConcurrentWriters(t *testing.T) {
	j := New(nil)
	const writers, each = 16, 500
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				j.Record(SourceHarness, "test", "", map[string]int{"writer": w})
			}
		}()
	}
	wg.Wait()
	evs := j.Events()
	if len(evs) != writers*each {
		t.Fatalf("%d events, want %d", len(evs), writers*each)
	}
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
	}
}

func TestAwaitWakesOnAppend(t *testing.T) {
	j := New(nil)
	j.Record(SourceHarness, "noise", "", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan Event, 1)
	go func() {
		e, err := j.Await(ctx, func(e Event) bool { return e.Kind == KindInboundDelivered })
		if err != nil {
			t.Error(err)
		}
		got <- e
	}()
	j.Record(SourceHarness, "more noise", "", nil)
	j.Record(SourceWhatsApp, KindInboundDelivered, "34600000001", nil)
	if e := <-got; e.Seq != 3 {
		t.Errorf("Await returned seq %d, want 3", e.Seq)
	}
}

func TestAwaitHonoursContext(t *testing.T) {
	j := New(nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := j.Await(ctx, func(Event) bool { return true })
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("Await on a cancelled context = %v", err)
	}
	j.Record(SourceHarness, "x", "", nil)
	if _, err := j.AwaitAfter(context.Background(), 0, func(Event) bool { return true }); err != nil {
		t.Errorf("AwaitAfter found nothing: %v", err)
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	j := New(nil)
	j.Record(SourceCustomer, KindCanaryPlanted, "34600000001", CanaryData{Type: "name", Value: "Lucía Ñandú 😀 <b>"})
	j.Record(SourceHarness, KindReset, "", nil)
	var buf bytes.Buffer
	if err := j.WriteJSONL(&buf); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 2 {
		t.Fatalf("%d lines, want 2:\n%s", n, buf.String())
	}
	if !strings.Contains(buf.String(), "<b>") {
		t.Error("HTML characters escaped in the export")
	}
	got, err := ReadJSONL(strings.NewReader("\n" + buf.String() + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := j.Events()
	if len(got) != len(want) {
		t.Fatalf("read %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Seq != want[i].Seq || !got[i].At.Equal(want[i].At) || got[i].Kind != want[i].Kind ||
			got[i].Customer != want[i].Customer || !bytes.Equal(got[i].Data, want[i].Data) {
			t.Errorf("event %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReadJSONLBadInput(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not json", "{\"seq\":1,\"kind\":\"a\"}\nnot json\n", "line 2"},
		{"no kind", `{"seq":1}`, "no kind"},
		{"too long", `{"kind":"` + strings.Repeat("a", MaxLineBytes+10) + `"}`, "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadJSONL(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func BenchmarkRecord(b *testing.B) {
	j := New(nil)
	d := OutboundData{To: "34600000001", Type: "text", Text: "Tu pedido 12345 está en camino", HTTP: 200}
	b.ReportAllocs()
	for b.Loop() {
		j.Record(SourceWhatsApp, KindOutboundAccepted, "34600000001", d)
	}
}

// Record reuses its encoders: every payload must still come out as a fresh encoder with HTML escaping off
// writes it, without the newline, and no event may share its bytes with another.
func TestRecordPayloadBytes(t *testing.T) {
	big := strings.Repeat("x", maxPooledPayload+1)
	tests := []struct {
		name string
		data any
	}{
		{name: "struct", data: StatusData{ID: "wamid.1", Status: "sent", Recipient: "34600000001"}},
		{name: "html and unicode", data: map[string]string{"text": "<b>¿Dónde</b> & \u2028 😀"}},
		{name: "number", data: 42},
		{name: "raw", data: json.RawMessage(`{"a": [1, 2]}`)},
		{name: "big", data: map[string]string{"body": big}},
		{name: "after big", data: InboundData{Type: "text", Text: "hola"}},
		{name: "marshal error", data: map[string]any{"f": func() {}}},
		{name: "after error", data: []string{"a", "b"}},
	}
	j := New(nil)
	var seen []Event
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(tt.data); err != nil {
				want.Reset()
				_ = enc.Encode(map[string]string{"marshal_error": err.Error()})
			}
			e := j.Record(SourceCustomer, "k", "", tt.data)
			if got, w := string(e.Data), strings.TrimSuffix(want.String(), "\n"); got != w {
				t.Fatalf("Data = %s, want %s", got, w)
			}
			if cap(e.Data) != len(e.Data) {
				t.Errorf("Data keeps %d spare bytes", cap(e.Data)-len(e.Data))
			}
			seen = append(seen, e)
		})
	}
	for i, e := range j.Events() {
		if string(e.Data) != string(seen[i].Data) {
			t.Errorf("event %d changed after later records: %s, was %s", e.Seq, e.Data, seen[i].Data)
		}
	}
}

// Changed's channel is made only when asked for; it must still close at the next append (or Reset), and
// be the same channel until then.
func TestChangedClosesAtNextAppend(t *testing.T) {
	j := New(nil)
	j.Record(SourceHarness, "nobody waits", "", nil)
	for _, change := range []struct {
		name string
		do   func()
	}{
		{"append", func() { j.Record(SourceHarness, "x", "", nil) }},
		{"reset", j.Reset},
	} {
		c := j.Changed()
		if j.Changed() != c {
			t.Fatalf("%s: Changed returned two channels with no append between", change.name)
		}
		select {
		case <-c:
			t.Fatalf("%s: closed before any change", change.name)
		default:
		}
		change.do()
		select {
		case <-c:
		default:
			t.Fatalf("%s: not closed", change.name)
		}
		if j.Changed() == c {
			t.Fatalf("%s: the closed channel is handed out again", change.name)
		}
	}
}

// A journal longer than a chunk reads back in order across chunk boundaries, from any sequence number.
func TestJournalAcrossChunks(t *testing.T) {
	j := New(nil)
	const n = 2*eventChunk + 10
	for i := range n {
		j.Append(Event{Source: SourceHarness, Kind: "k", Customer: strconv.Itoa(i)})
	}
	if j.Len() != n || j.Last() != n {
		t.Fatalf("Len = %d, Last = %d, want %d", j.Len(), j.Last(), n)
	}
	for _, seq := range []uint64{0, 1, eventChunk - 1, eventChunk, eventChunk + 1, 2 * eventChunk, n - 1, n, n + 5} {
		got := j.After(seq)
		if want := max(0, n-int(seq)); len(got) != want {
			t.Fatalf("After(%d): %d events, want %d", seq, len(got), want)
		}
		for k, e := range got {
			if e.Seq != seq+uint64(k)+1 || e.Customer != strconv.Itoa(int(e.Seq)-1) {
				t.Fatalf("After(%d)[%d] = #%d %q", seq, k, e.Seq, e.Customer)
			}
		}
	}
	if f := j.Filter(func(e Event) bool { return e.Seq%eventChunk == 0 }); len(f) != 2 || f[1].Seq != 2*eventChunk {
		t.Errorf("Filter across chunks = %d events", len(f))
	}
	ctx := context.Background()
	for _, want := range []uint64{eventChunk, eventChunk + 1, n} {
		e, err := j.AwaitAfter(ctx, want-1, func(Event) bool { return true })
		if err != nil || e.Seq != want {
			t.Errorf("AwaitAfter(%d) = #%d, %v", want-1, e.Seq, err)
		}
		e, err = j.AwaitAfter(ctx, 0, func(e Event) bool { return e.Seq == want })
		if err != nil || e.Seq != want {
			t.Errorf("AwaitAfter(0, #%d) = #%d, %v", want, e.Seq, err)
		}
	}
	j.Reset()
	if e := j.Append(Event{Kind: "again"}); e.Seq != 1 || j.Len() != 1 || len(j.After(0)) != 1 {
		t.Errorf("after Reset: #%d, Len %d", e.Seq, j.Len())
	}
}

// TestInvalidUTF8NeverLeavesTheJournal: a payload carrying invalid UTF-8 (a raw request body recorded as
// json.RawMessage, which encoding/json copies unchecked, or an appended event's Data) is stored with
// U+FFFD in its place, so pages and JSON Lines are always valid JSON and valid UTF-8.
func TestInvalidUTF8NeverLeavesTheJournal(t *testing.T) {
	j := New(nil)
	j.Record(SourceWhatsApp, "http.request", "", map[string]any{"body": json.RawMessage("{\"text\":\"caf\xe9 \xff\xfe\"}")})
	j.Append(Event{Source: SourceWhatsApp, Kind: "x", Data: json.RawMessage("\"\xc3\"")})
	page, err := json.Marshal(j.PageAfter(0))
	if err != nil {
		t.Fatal(err)
	}
	var lines bytes.Buffer
	if err := j.WriteJSONL(&lines); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"page": page, "JSON Lines": lines.Bytes()} {
		if !utf8.Valid(b) {
			t.Errorf("%s is not valid UTF-8: %q", name, b)
		}
		if !strings.Contains(string(b), "caf\uFFFD") {
			t.Errorf("%s lost the text around the invalid bytes: %s", name, b)
		}
	}
	if !json.Valid(page) {
		t.Errorf("page is not JSON: %s", page)
	}
	var e struct {
		Body struct{ Text string } `json:"body"`
	}
	if err := j.Events()[0].Decode(&e); err != nil || e.Body.Text != "caf\uFFFD \uFFFD\uFFFD" {
		t.Errorf("decoded %q, %v", e.Body.Text, err)
	}
}

// TestRequestDataCapped: Record cuts a RequestData's text fields to MaxRequestField bytes, at a
// character boundary, saying how long they were; short ones are kept as they are.
func TestRequestDataCapped(t *testing.T) {
	j := New(nil)
	long := "/" + strings.Repeat("ñ", 40<<10)
	j.Record(SourceWhatsApp, KindRequestRejected, "", RequestData{Method: "GET", Path: long, HTTP: 401, Error: long, Detail: long})
	j.Record(SourceWhatsApp, KindRequestRejected, "", &RequestData{Method: "GET", Path: long, HTTP: 401})
	j.Record(SourceWhatsApp, KindRequestAccepted, "", RequestData{Method: "GET", Path: "/v23.0/123", HTTP: 200})
	for i, e := range j.Events() {
		var d RequestData
		if err := e.Decode(&d); err != nil {
			t.Fatal(err)
		}
		if len(e.Data) > 4*MaxRequestField {
			t.Errorf("event %d: %d bytes", i, len(e.Data))
		}
		if !utf8.ValidString(d.Path) {
			t.Errorf("event %d: path cut inside a character", i)
		}
		if i < 2 && !strings.HasSuffix(d.Path, "… ("+strconv.Itoa(len(long))+" bytes)") {
			t.Errorf("event %d: path %q does not say how long it was", i, d.Path[len(d.Path)-40:])
		}
	}
	if d := j.Events()[2]; !strings.Contains(string(d.Data), `"path":"/v23.0/123"`) {
		t.Errorf("a short path was changed: %s", d.Data)
	}
}

// TestAwaitAfterWakesForItsEvent: a waiter is handed the first event appended after it started waiting
// that its match accepts, and is not woken by the others (match is asked about each new event once, and
// the waiter is forgotten when served or given up); after a Reset, the events numbered up to where it
// had looked are not its own.
func TestAwaitAfterWakesForItsEvent(t *testing.T) {
	j := New(nil)
	waiting := func() int {
		j.mu.Lock()
		defer j.mu.Unlock()
		return len(j.awaiting)
	}
	awaitWaiters := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); waiting() != n; {
			if time.Now().After(deadline) {
				t.Fatalf("%d waiters, want %d", waiting(), n)
			}
			runtime.Gosched()
		}
	}
	j.Append(Event{Kind: "before"})

	type result struct {
		e   Event
		err error
	}
	var asked sync.Map
	done := make(chan result, 1)
	go func() {
		e, err := j.AwaitAfter(context.Background(), 1, func(e Event) bool {
			if _, again := asked.LoadOrStore(e.Seq, true); again {
				t.Errorf("match asked about #%d twice", e.Seq)
			}
			return e.Kind == "reply"
		})
		done <- result{e, err}
	}()
	awaitWaiters(1)
	for range 50 {
		j.Append(Event{Kind: "other"})
	}
	select {
	case r := <-done:
		t.Fatalf("woken by a non-matching event: %+v", r)
	default:
	}
	j.Append(Event{Kind: "reply", Customer: "first"})
	j.Append(Event{Kind: "reply", Customer: "second"})
	if r := <-done; r.err != nil || r.e.Customer != "first" || r.e.Seq != 52 {
		t.Errorf("AwaitAfter = #%d %q, %v; want #52 first", r.e.Seq, r.e.Customer, r.err)
	}
	if n := waiting(); n != 0 {
		t.Errorf("%d waiters left after the match", n)
	}

	// Given up: forgotten, with ctx's error.
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, err := j.AwaitAfter(ctx, uint64(j.Len()), func(e Event) bool { return false })
		done <- result{err: err}
	}()
	awaitWaiters(1)
	cancel()
	if r := <-done; r.err == nil || !strings.Contains(r.err.Error(), "context canceled") {
		t.Errorf("cancelled AwaitAfter = %v", r.err)
	}
	if n := waiting(); n != 0 {
		t.Errorf("%d waiters left after giving up", n)
	}

	// Across a Reset: numbers up to where it looked (#53) come again and are not its own.
	go func() {
		e, err := j.AwaitAfter(context.Background(), uint64(j.Len()), func(Event) bool { return true })
		done <- result{e, err}
	}()
	awaitWaiters(1)
	j.Reset()
	for range 53 {
		j.Append(Event{Kind: "again"})
	}
	select {
	case r := <-done:
		t.Fatalf("handed #%d, an event numbered up to where it had looked", r.e.Seq)
	default:
	}
	j.Append(Event{Kind: "new"})
	if r := <-done; r.err != nil || r.e.Seq != 54 || r.e.Kind != "new" {
		t.Errorf("after Reset: #%d %s, %v; want #54 new", r.e.Seq, r.e.Kind, r.err)
	}
}
