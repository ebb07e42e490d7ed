package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
)

// politeBot answers every customer text with a disclosure and an opt-in question, inside its webhook
// handler, as many assistants do.
func politeBot(t *testing.T, rcv *receiver, s *Server) {
	rcv.onPost = func(body []byte) {
		var env struct {
			Entry []struct {
				Changes []struct {
					Value struct {
						Messages []struct {
							From, Type string
							Text       struct{ Body string }
						}
					}
				}
			}
		}
		if json.Unmarshal(body, &env) != nil {
			return
		}
		for _, m := range env.Entry[0].Changes[0].Value.Messages {
			if m.Type != "text" {
				continue
			}
			post(s, textTo(m.From, "Hola, soy el asistente virtual de Tienda Ejemplo."))
			post(s, `{"messaging_product":"whatsapp","to":"`+m.From+`","type":"interactive","interactive":{"type":"button","body":{"text":"¿Quieres recibir ofertas por WhatsApp?"},"action":{"buttons":[{"type":"reply","reply":{"id":"optin_yes","title":"Sí, quiero"}},{"type":"reply","reply":{"id":"optin_no","title":"No, gracias"}}]}}}`)
		}
	}
}

func post(s *Server, body string) {
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v23.0/"+s.PhoneNumberID()+"/messages", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.AccessToken())
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

// TestControl runs one body over both faces of Control.
func TestControl(t *testing.T) {
	faces := []struct {
		name    string
		control func(s *Server) Control
	}{
		{"in-process", func(s *Server) Control { return s }},
		{"http", func(s *Server) Control { return NewControlClient(s.URL() + "/") }},
	}
	for _, face := range faces {
		t.Run(face.name, func(t *testing.T) {
			rcv := newReceiver(t)
			s := RunT(t, fixedWall(), WithWebhook(rcv.URL()))
			politeBot(t, rcv, s)
			c := face.control(s)
			ctx := testCtx(t)

			res, err := c.SendFromCustomer(ctx, lucia, CustomerMessage{Type: "text", Text: "Hola", Name: "Lucía"})
			if err != nil || res.WebhookStatus != 200 || !strings.HasPrefix(res.ID, "wamid.") {
				t.Fatalf("send: %+v %v", res, err)
			}
			inbox, err := c.AwaitInbox(ctx, lucia, 2)
			if err != nil || len(inbox) != 2 {
				t.Fatalf("inbox %+v %v", inbox, err)
			}
			if inbox[0].Text != "Hola, soy el asistente virtual de Tienda Ejemplo." || inbox[0].Status != "delivered" || inbox[1].Type != "interactive" ||
				strings.Join(inbox[1].Buttons, "|") != "Sí, quiero|No, gracias" || !inbox[0].Timestamp.Equal(journal.DefaultStart) {
				t.Errorf("inbox %+v", inbox)
			}

			tap, err := c.SendFromCustomer(ctx, lucia, CustomerMessage{Type: "interactive", Text: "Sí, quiero"})
			if err != nil || tap.WebhookStatus != 200 {
				t.Fatalf("tap %+v %v", tap, err)
			}
			if err := c.AwaitIdle(ctx); err != nil {
				t.Fatal(err)
			}
			inbox, _ = c.Inbox(ctx, lucia)
			if inbox[0].Status != "read" || inbox[1].Status != "read" {
				t.Errorf("replying did not read: %+v", inbox)
			}
			if st := rcv.statuses(); strings.Join(st, ",") != "sent,delivered,sent,delivered,read,read" {
				t.Errorf("statuses %v", st)
			}

			events, last, err := c.JournalAfter(ctx, 0)
			if err != nil || len(events) == 0 || last != events[len(events)-1].Seq {
				t.Fatalf("journal %d events, last %d, %v", len(events), last, err)
			}
			var tapData journal.InboundData
			for _, e := range events {
				if e.Kind == journal.KindInboundDelivered && e.Customer == lucia && e.Decode(&tapData) == nil && tapData.Type == "interactive" {
					break
				}
			}
			if tapData.Payload != "optin_yes" || tapData.Text != "Sí, quiero" {
				t.Errorf("tap journalled as %+v", tapData)
			}
			if more, l2, _ := c.JournalAfter(ctx, last); len(more) != 0 || l2 != last {
				t.Errorf("after last: %d events, last %d", len(more), l2)
			}

			now, err := c.AdvanceClock(ctx, 25*time.Hour)
			if err != nil || !now.Equal(journal.DefaultStart.Add(25*time.Hour)) {
				t.Fatalf("advance: %v %v", now, err)
			}
			r := send(t, s, textTo(lucia, "¿sigues ahí?"))
			_ = c.AwaitIdle(ctx)
			checkFinalStatus(t, s, r.messageID(), CodeReengagement)
			back, err := c.SetClock(ctx, journal.DefaultStart.Add(time.Hour))
			if err != nil || !back.Equal(journal.DefaultStart.Add(time.Hour)) {
				t.Fatalf("set: %v %v", back, err)
			}

			if err := c.SetTemplateStatus(ctx, "pedido_enviado", "es", "paused"); err != nil {
				t.Fatal(err)
			}
			if r := send(t, s, tplSend("pedido_enviado", "es", "")); r.code() != CodeTemplatePaused {
				t.Errorf("paused template: %s", r.Raw)
			}
			if err := c.SetTemplateStatus(ctx, "no_existe", "es", "paused"); err == nil {
				t.Error("unknown template accepted")
			}
			if err := c.InjectFault(ctx, control.Fault{Kind: strconv.Itoa(CodeRateLimit), Count: 1}); err != nil {
				t.Fatal(err)
			}
			if err := c.InjectFault(ctx, control.Fault{Delay: time.Millisecond}); err != nil {
				t.Fatal(err)
			}
			if r := send(t, s, textTo(lucia, "x")); r.code() != CodeRateLimit {
				t.Errorf("fault not applied: %s", r.Raw)
			}
			if fs, err := c.Faults(ctx); err != nil || len(fs) != 1 || fs[0].Delay != time.Millisecond {
				t.Errorf("faults left %+v %v, want the delay only", fs, err)
			}
			if err := c.ClearFaults(ctx); err != nil {
				t.Fatal(err)
			}
			if fs, err := c.Faults(ctx); err != nil || len(fs) != 0 {
				t.Errorf("faults after clearing %+v %v", fs, err)
			}
			if err := c.SetStatusDelivery(ctx, StatusDelivery{Duplicate: 0.5}); err != nil {
				t.Fatal(err)
			}
			if err := c.SetStatusDelivery(ctx, StatusDelivery{OutOfOrder: -1}); err == nil {
				t.Error("a negative chance accepted")
			}
			if err := c.StopPromotions(ctx, lucia); err != nil {
				t.Fatal(err)
			}
			if err := c.ResumePromotions(ctx, lucia); err != nil {
				t.Fatal(err)
			}
			if err := c.Block(ctx, lucia, true); err != nil {
				t.Fatal(err)
			}
			if v, err := c.VerifyWebhook(ctx); err != nil || !v.OK {
				t.Errorf("verify %+v %v", v, err)
			}
			if err := c.ReadMessages(ctx, lucia); err != nil {
				t.Fatal(err)
			}
			if err := c.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			if in, err := c.Inbox(ctx, lucia); err != nil || len(in) != 0 {
				t.Errorf("after reset: %+v %v", in, err)
			}
			if r := send(t, s, tplSend("pedido_enviado", "es", "")); r.code() != CodeParamCountMismatch {
				t.Errorf("reset did not restore the template: %s", r.Raw)
			}
			lastEvent(t, s.Journal(), journal.KindReset)

			if _, err := c.SendFromCustomer(ctx, "+34 600", CustomerMessage{Text: "x"}); err == nil {
				t.Error("a bad wa_id was accepted")
			}
			if _, err := c.SendFromCustomer(ctx, lucia, CustomerMessage{Type: "button", Text: "No existe"}); err == nil {
				t.Error("tapped a button the customer never got")
			}
			if err := c.SetWebhook(ctx, "ftp://x"); err == nil {
				t.Error("a bad webhook URL was accepted")
			}
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			if _, err := c.AwaitInbox(short, "34600999999", 1); err == nil {
				t.Error("AwaitInbox returned without the messages")
			}
		})
	}
}

func TestControlHTTPContract(t *testing.T) {
	rcv := newReceiver(t)
	s := RunT(t, fixedWall(), WithWebhook(rcv.URL()))
	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := do(http.MethodGet, "/_parley/healthz", ""); code != 200 || body != `{"status":"ok"}` {
		t.Errorf("healthz %d %s", code, body)
	}
	code, body := do(http.MethodPost, "/_parley/customers/"+lucia+"/messages", `{"type":"text","text":"Hola","name":"Lucía"}`)
	var sr map[string]any
	_ = json.Unmarshal([]byte(body), &sr)
	if code != 200 || !strings.HasPrefix(sr["id"].(string), "wamid.") || sr["webhook_status"] != float64(200) {
		t.Errorf("customer message %d %s", code, body)
	}
	code, body = do(http.MethodGet, "/_parley/journal?after=0", "")
	var page struct {
		Events []map[string]any
		Last   uint64
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil || code != 200 || len(page.Events) == 0 {
		t.Fatalf("journal %d %s", code, body)
	}
	for _, k := range []string{"seq", "at", "source", "kind", "customer", "data"} {
		found := false
		for _, e := range page.Events {
			if _, ok := e[k]; ok {
				found = true
			}
		}
		if !found {
			t.Errorf("no event has %q", k)
		}
	}
	if _, err := time.Parse(time.RFC3339, page.Events[0]["at"].(string)); err != nil {
		t.Errorf("at is not RFC 3339: %v", err)
	}
	if code, body := do(http.MethodPost, "/_parley/clock", `{"advance":"25h"}`); code != 200 || body != `{"now":"2026-03-03T10:00:00Z"}` {
		t.Errorf("clock advance %d %s", code, body)
	}
	if code, body := do(http.MethodPost, "/_parley/clock", `{"set":"2026-03-02T09:00:00Z"}`); code != 200 || body != `{"now":"2026-03-02T09:00:00Z"}` {
		t.Errorf("clock set %d %s", code, body)
	}
	// Going back is refused in words an HTTP caller can act on: the route and body, not a Go method.
	code, body = do(http.MethodPost, "/_parley/clock", `{"advance":"-1h"}`)
	if code != 400 || !strings.Contains(body, `POST /_parley/clock {\"set\"`) || strings.Contains(body, "SetClock") {
		t.Errorf("clock back %d %s", code, body)
	}
	if _, err := s.AdvanceClock(testCtx(t), -time.Hour); err == nil || !strings.Contains(err.Error(), "SetClock") {
		t.Errorf("AdvanceClock back in Go: %v, want the Go method to use", err)
	}
	code, body = do(http.MethodGet, "/_parley/customers/"+lucia+"/inbox", "")
	if code != 200 || body != `{"messages":[]}` {
		t.Errorf("inbox %d %s", code, body)
	}
	for _, tc := range []struct {
		name, method, path, body string
		want                     int
	}{
		{"bad clock", http.MethodPost, "/_parley/clock", `{"advance":"soon"}`, 400},
		{"both clock fields", http.MethodPost, "/_parley/clock", `{"advance":"1h","set":"2026-03-02T09:00:00Z"}`, 400},
		{"bad journal cursor", http.MethodGet, "/_parley/journal?after=-1", "", 400},
		{"bad faults", http.MethodPost, "/_parley/faults", `{"delay":"forever"}`, 400},
		{"bad marketing value", http.MethodPost, "/_parley/customers/" + lucia + "/marketing", `{"value":"maybe"}`, 400},
		{"block without value", http.MethodPost, "/_parley/customers/" + lucia + "/block", `{}`, 400},
		{"unknown template", http.MethodPost, "/_parley/templates/nope/es/status", `{"status":"PAUSED"}`, 404},
		{"unknown route", http.MethodGet, "/_parley/nothing", "", 404},
		{"malformed body", http.MethodPost, "/_parley/customers/" + lucia + "/messages", `{"type":`, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(tc.method, tc.path, tc.body)
			var env errorEnvelope
			if code != tc.want || json.Unmarshal([]byte(body), &env) != nil || env.Error.Message == "" {
				t.Errorf("%d %s", code, body)
			}
		})
	}
	var ce *ControlError
	if err := NewControlClient(s.URL()).SetTemplateStatus(testCtx(t), "nope", "es", "PAUSED"); !errors.As(err, &ce) || ce.HTTP != 404 {
		t.Errorf("client error %v", err)
	}
}

// TestConcurrentCustomers runs many customers at once (for the race detector and for lost messages).
func TestConcurrentCustomers(t *testing.T) {
	rcv := newReceiver(t)
	s := RunT(t, fixedWall(), WithWebhook(rcv.URL()), WithMPS(0))
	politeBot(t, rcv, s)
	ctx := testCtx(t)
	const n = 20
	errs := make(chan error, n)
	for i := range n {
		go func() {
			waID := "3460000" + strings.Repeat("0", 4-len(itoa(i))) + itoa(i)
			if _, err := s.SendFromCustomer(ctx, waID, CustomerMessage{Text: "Hola"}); err != nil {
				errs <- err
				return
			}
			in, err := s.AwaitInbox(ctx, waID, 2)
			if err == nil && len(in) != 2 {
				err = errors.New("wrong inbox")
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if err := s.AwaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(s.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindStatusDelivered })); got != 2*n {
		t.Errorf("%d delivered statuses, want %d", got, 2*n)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestReadMarksOnlyNewMessages: a customer's message reads what was delivered since their last one, every
// message once, without going over the messages already read.
func TestReadMarksOnlyNewMessages(t *testing.T) {
	s := RunT(t, fixedWall())
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.state.customer(lucia)
	add := func(id string) {
		c.inbox = append(c.inbox, &inboxEntry{msg: InboxMessage{ID: id, Type: "text", Status: "delivered"}})
	}
	add("wamid.a")
	add("wamid.b")
	for i, want := range []int{2, 0} {
		if n := s.readLocked(c); n != want {
			t.Errorf("read %d: %d messages, want %d", i, n, want)
		}
	}
	add("wamid.c")
	if n := s.readLocked(c); n != 1 {
		t.Errorf("after a new message: %d read, want 1", n)
	}
	for _, m := range s.inboxLocked(lucia) {
		if m.Status != "read" {
			t.Errorf("%s is %s, want read", m.ID, m.Status)
		}
	}
	if len(s.queue) != 3 {
		t.Errorf("%d read statuses queued, want 3", len(s.queue))
	}
}

// orderedReference is orderedJSON.MarshalJSON as it was first written, a json.Marshal per key and value.
func orderedReference(o orderedJSON) ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	write := func(k string) error {
		v, ok := o.m[k]
		if !ok {
			return nil
		}
		vb, err := json.Marshal(v)
		if err != nil {
			return err
		}
		kb, _ := json.Marshal(k)
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
		return nil
	}
	done := map[string]bool{}
	for _, k := range o.first {
		done[k] = true
		if err := write(k); err != nil {
			return nil, err
		}
	}
	keys := make([]string, 0, len(o.m))
	for k := range o.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !done[k] {
			if err := write(k); err != nil {
				return nil, err
			}
		}
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// TestOrderedJSONBytes: the one-encoder MarshalJSON writes what a json.Marshal per key and value wrote,
// and json.Marshal of either gives the same webhook bytes.
func TestOrderedJSONBytes(t *testing.T) {
	tests := []struct {
		name string
		o    orderedJSON
	}{
		{name: "text", o: om(map[string]any{"from": "34600000001", "id": "wamid.X", "timestamp": "1700000000", "type": "text",
			"text": map[string]string{"body": "¿Dónde está <mi> pedido & \"TE-1001\"? 😀 \u2028"}})},
		{name: "context and button", o: om(map[string]any{"context": map[string]string{"from": "15550000000", "id": "wamid.C"},
			"from": "34600000001", "id": "wamid.X", "timestamp": "1", "type": "button", "button": map[string]string{"payload": "p", "text": "Sí"}})},
		{name: "nested ordered", o: om(map[string]any{"from": "34600000001", "type": "interactive",
			"interactive": orderedJSON{m: map[string]any{"type": "list_reply", "list_reply": map[string]string{"id": "r1", "title": "Uno", "description": "d"}}, first: []string{"type"}}})},
		{name: "several others sorted", o: om(map[string]any{"zeta": 1.5, "alpha": []int{1, 2}, "mid": nil, "type": "location", "b<>": true})},
		{name: "empty", o: om(map[string]any{})},
		{name: "only others", o: orderedJSON{m: map[string]any{"b": "x", "a": "y"}}},
		{name: "invalid UTF-8", o: om(map[string]any{"from": "a\xffb", "text": map[string]string{"body": "\xc3"}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := orderedReference(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.o.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("MarshalJSON\n%s\nwant\n%s", got, want)
			}
			a, errA := json.Marshal(tt.o)
			b, errB := json.Marshal(orderedJSON{m: map[string]any{"x": json.RawMessage(want)}})
			if errA != nil || errB != nil {
				t.Fatal(errA, errB)
			}
			if string(b) != `{"x":`+string(a)+`}` {
				t.Errorf("json.Marshal = %s, of the reference %s", a, b)
			}
		})
	}
	if _, err := om(map[string]any{"type": make(chan int)}).MarshalJSON(); err == nil {
		t.Error("a value json cannot encode: no error")
	}
}

func om(m map[string]any) orderedJSON { return orderedMessage(m).(orderedJSON) }

// await's channel is made only by a waiter; a change must still wake one that waits, whether it began to
// wait before or after the change, and a change with no waiter must not lose the next.
func TestAwaitWakesOnChange(t *testing.T) {
	s := RunT(t, fixedWall())
	ctx := testCtx(t)
	s.mu.Lock()
	s.notifyLocked() // nobody waits
	s.mu.Unlock()
	for round := 1; round <= 50; round++ {
		var ready bool // under s.mu
		done := make(chan error, 1)
		go func() { done <- s.await(ctx, func() bool { return ready }) }()
		if round%2 == 0 {
			runtime.Gosched() // let the waiter get in first, sometimes
		}
		s.mu.Lock()
		ready = true
		s.notifyLocked()
		s.mu.Unlock()
		if err := <-done; err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}
