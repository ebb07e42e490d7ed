package whatsapp

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/golden"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
)

// The golden files under testdata/ are the exact bytes the mock POSTs, checked against the shapes of
// Meta's webhook reference: envelope object/entry/changes/value/field, metadata,
// contacts+messages for inbound, statuses only for statuses, string timestamps, digits-only ids.
func TestWebhookGolden(t *testing.T) {
	promo := tplSend("promo_verano", "es", `[{"type":"body","parameters":[{"type":"text","text":"Lucía"},{"type":"text","text":"20 %"},{"type":"text","text":"VERANO20"}]},{"type":"button","sub_type":"quick_reply","index":"0","parameters":[{"type":"payload","payload":"OPTOUT_MARKETING"}]}]`)
	buttons := `{"messaging_product":"whatsapp","to":"` + lucia + `","type":"interactive","interactive":{"type":"button","body":{"text":"¿Quieres ofertas?"},"action":{"buttons":[{"type":"reply","reply":{"id":"optin_yes","title":"Sí, quiero"}},{"type":"reply","reply":{"id":"optin_no","title":"No, gracias"}}]}}}`
	list := `{"messaging_product":"whatsapp","to":"` + lucia + `","type":"interactive","interactive":{"type":"list","body":{"text":"¿En qué te ayudo?"},"action":{"button":"Ver","sections":[{"title":"Pedidos","rows":[{"id":"track","title":"Seguir mi pedido","description":"Dónde está"}]}]}}}`
	tests := []struct {
		name   string
		field  string
		status string // for status webhooks: which one
		act    func(t *testing.T, s *Server)
	}{
		{name: "inbound_text", field: "messages", act: func(t *testing.T, s *Server) {
			customerSays(t, s, CustomerMessage{Text: "¡Hola! Soy Lucía Núñez 😀 lucia@example.com, pedido 1/2 <b>&", Name: "Lucía Núñez"})
		}},
		{name: "inbound_button", field: "messages", act: func(t *testing.T, s *Server) {
			send(t, s, promo)
			customerSays(t, s, CustomerMessage{Type: "button", Text: "Baja"})
		}},
		{name: "inbound_button_reply", field: "messages", act: func(t *testing.T, s *Server) {
			openWindow(t, s, lucia)
			send(t, s, buttons)
			customerSays(t, s, CustomerMessage{Type: "interactive", Text: "Sí, quiero"})
		}},
		{name: "inbound_list_reply", field: "messages", act: func(t *testing.T, s *Server) {
			openWindow(t, s, lucia)
			send(t, s, list)
			customerSays(t, s, CustomerMessage{Type: "interactive", Text: "Seguir mi pedido"})
		}},
		{name: "inbound_image", field: "messages", act: func(t *testing.T, s *Server) {
			customerSays(t, s, CustomerMessage{Type: "image", Text: "Mi DNI", MimeType: "image/jpeg", Data: []byte("jpeg bytes")})
		}},
		{name: "inbound_location", field: "messages", act: func(t *testing.T, s *Server) {
			customerSays(t, s, CustomerMessage{Type: "location", Latitude: 40.4168, Longitude: -3.7038, PlaceName: "Puerta del Sol", Address: "Madrid"})
		}},
		{name: "inbound_reaction", field: "messages", act: func(t *testing.T, s *Server) {
			openWindow(t, s, lucia)
			send(t, s, textTo(lucia, "Gracias"))
			customerSays(t, s, CustomerMessage{Type: "reaction", Emoji: "❤️"})
		}},
		{name: "inbound_unsupported", field: "messages", act: func(t *testing.T, s *Server) {
			customerSays(t, s, CustomerMessage{Type: "unsupported", Text: "poll"})
		}},
		{name: "status_sent", field: "messages", status: "sent", act: sendPromoAndRead(promo)},
		{name: "status_delivered", field: "messages", status: "delivered", act: sendPromoAndRead(promo)},
		{name: "status_read", field: "messages", status: "read", act: sendPromoAndRead(promo)},
		{name: "status_failed", field: "messages", status: "failed", act: func(t *testing.T, s *Server) {
			send(t, s, textTo(lucia, "fuera de ventana"))
		}},
		{name: "user_preferences", field: "user_preferences", act: func(t *testing.T, s *Server) {
			if err := s.StopPromotions(testCtx(t), lucia); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "template_status", field: "message_template_status_update", act: func(t *testing.T, s *Server) {
			if err := s.SetTemplateStatus(testCtx(t), "promo_verano", "es", StatusPaused); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newReceiver(t)
			s := RunT(t, fixedWall(), WithWebhook(rcv.URL()))
			tc.act(t, s)
			if err := s.AwaitIdle(testCtx(t)); err != nil {
				t.Fatal(err)
			}
			var got []byte
			for _, b := range rcv.Bodies() {
				var env webhookEnvelope
				if err := json.Unmarshal(b, &env); err != nil {
					t.Fatal(err)
				}
				if env.Object != "whatsapp_business_account" || len(env.Entry) != 1 || env.Entry[0].ID != DefaultWABAID || len(env.Entry[0].Changes) != 1 {
					t.Fatalf("envelope: %s", b)
				}
				if env.Entry[0].Changes[0].Field != tc.field {
					continue
				}
				isStatus := bytes.Contains(b, []byte(`"statuses"`))
				if tc.status == "" && !isStatus || tc.status != "" && bytes.Contains(b, []byte(`"status":"`+tc.status+`"`)) {
					got = b
				}
			}
			if got == nil {
				t.Fatalf("no %s webhook among %d", tc.name, len(rcv.Bodies()))
			}
			for _, c := range got {
				if c >= 0x80 {
					t.Fatalf("webhook body is not ASCII: %s", got)
				}
			}
			// The mock's own address (media URLs) varies from run to run.
			got = bytes.ReplaceAll(got, escapeJSON([]byte(s.URL())), []byte(`http:\/\/127.0.0.1:4010`))
			golden.Assert(t, filepath.Join("testdata", tc.name+".json"), got)
		})
	}
}

func customerSays(t *testing.T, s *Server, m CustomerMessage) SendResult {
	t.Helper()
	res, err := s.SendFromCustomer(testCtx(t), lucia, m)
	if err != nil {
		t.Fatal(err)
	}
	if res.WebhookStatus != 200 {
		t.Fatalf("webhook answered %d: %s", res.WebhookStatus, res.Error)
	}
	return res
}

func sendPromoAndRead(promo string) func(t *testing.T, s *Server) {
	return func(t *testing.T, s *Server) {
		send(t, s, promo)
		if err := s.ReadMessages(testCtx(t), lucia); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSignatureOverRawBody(t *testing.T) {
	rcv := newReceiver(t)
	s := RunT(t, fixedWall(), WithWebhook(rcv.URL()), WithAppSecret("s3cr3t-ñ"))
	rcv.secret = "s3cr3t-ñ"
	texts := []string{"Añadir acentos: áéíóú ÁÉÍÓÚ ü", "año, niño, España", "emoji 😀👍🏽🇪🇸", "correo lucia@example.com", "todo junto: Ñandú 🐦 @tienda / 50% <ok> & más"}
	for _, text := range texts {
		res := customerSays(t, s, CustomerMessage{Text: text})
		if res.Attempts != 1 {
			t.Errorf("%q took %d attempts", text, res.Attempts)
		}
	}
	bodies := rcv.Bodies()
	if rcv.badSigs != 0 || len(bodies) != len(texts) {
		t.Fatalf("%d bad signatures, %d bodies", rcv.badSigs, len(bodies))
	}
	last := bodies[len(bodies)-1]
	for _, esc := range []string{`\u00d1`, `\ud83d\udc26`, `\u0040`, `\/`, `\u0025`, `\u003c`, `\u0026`} {
		if !bytes.Contains(last, []byte(esc)) {
			t.Errorf("body lacks %s: %s", esc, last)
		}
	}
	// The bug class the escaping exists to catch: verifying over re-serialised JSON fails.
	var v any
	_ = json.Unmarshal(last, &v)
	reser, _ := json.Marshal(v)
	if VerifySignature("s3cr3t-ñ", reser, rcv.sigs[len(rcv.sigs)-1]) {
		t.Error("a re-serialised body verified; the mock does not escape like Meta")
	}
	var parsed struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					Messages []struct{ Text struct{ Body string } }
				}
			}
		}
	}
	if err := json.Unmarshal(last, &parsed); err != nil || parsed.Entry[0].Changes[0].Value.Messages[0].Text.Body != texts[len(texts)-1] {
		t.Errorf("decoded text %+v, %v", parsed, err)
	}
	if VerifySignature("other", last, rcv.sigs[len(rcv.sigs)-1]) || VerifySignature("s3cr3t-ñ", last, "sha1=00") {
		t.Error("VerifySignature accepted a wrong secret or scheme")
	}
}

func TestWebhookRetries(t *testing.T) {
	tests := []struct {
		name         string
		fail         int
		attempts     int
		wantKind     string
		wantAttempts int
		wantStatus   int
	}{
		{name: "two failures then 200", fail: 2, attempts: 5, wantKind: journal.KindInboundDelivered, wantAttempts: 3, wantStatus: 200},
		{name: "every attempt fails", fail: 100, attempts: 3, wantKind: journal.KindInboundFailed, wantAttempts: 3, wantStatus: 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newReceiver(t)
			s := RunT(t, fixedWall(), WithWebhook(rcv.URL()), WithWebhookRetry(tc.attempts, time.Millisecond))
			if _, err := s.VerifyWebhook(testCtx(t)); err != nil {
				t.Fatal(err)
			}
			rcv.mu.Lock()
			rcv.failNext = tc.fail
			rcv.mu.Unlock()
			res, err := s.SendFromCustomer(testCtx(t), lucia, CustomerMessage{Text: "¿Hay alguien?"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Attempts != tc.wantAttempts || res.WebhookStatus != tc.wantStatus || (res.Error == "") == (tc.wantKind == journal.KindInboundFailed) {
				t.Errorf("result %+v", res)
			}
			var in journal.InboundData
			e := lastEvent(t, s.Journal(), tc.wantKind)
			if err := e.Decode(&in); err != nil || in.Attempts != tc.wantAttempts || in.ID != res.ID || in.Text != "¿Hay alguien?" || e.Customer != lucia {
				t.Errorf("journal %+v %v", in, err)
			}
			attempts := s.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindWebhookAttempt })
			if len(attempts) != tc.wantAttempts {
				t.Fatalf("%d webhook.attempt events", len(attempts))
			}
			var first journal.WebhookAttemptData
			_ = attempts[0].Decode(&first)
			if first.Status != 500 || first.Attempt != 1 || first.RefID != res.ID || !first.Signed {
				t.Errorf("first attempt %+v", first)
			}
		})
	}
}

func TestStatusFaults(t *testing.T) {
	run := func(t *testing.T, d StatusDelivery, seed int64) (*receiver, *Server) {
		rcv := newReceiver(t)
		s := RunT(t, fixedWall(), WithWebhook(rcv.URL()), WithSeed(seed))
		ctx := testCtx(t)
		openWindow(t, s, lucia)
		if err := s.SetStatusDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
		for range 10 {
			send(t, s, textTo(lucia, "hola"))
		}
		if err := s.AwaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		return rcv, s
	}
	t.Run("duplicates", func(t *testing.T) {
		rcv, s := run(t, StatusDelivery{Duplicate: 1}, 1)
		if n := len(rcv.statuses()); n != 40 {
			t.Errorf("%d status webhooks, want 40 (10 messages × 2 statuses × 2)", n)
		}
		dups := s.Journal().Filter(func(e journal.Event) bool {
			var d journal.WebhookAttemptData
			return e.Kind == journal.KindWebhookAttempt && e.Decode(&d) == nil && d.Duplicate
		})
		if len(dups) != 20 {
			t.Errorf("%d attempts marked duplicate", len(dups))
		}
	})
	t.Run("out of order", func(t *testing.T) {
		rcv, _ := run(t, StatusDelivery{OutOfOrder: 1}, 1)
		st := rcv.statuses()
		if len(st) != 20 || st[0] != "delivered" || st[1] != "sent" {
			t.Errorf("statuses %v", st)
		}
	})
	t.Run("seeded", func(t *testing.T) {
		f := StatusDelivery{Duplicate: 0.3, OutOfOrder: 0.5}
		a, _ := run(t, f, 42)
		b, _ := run(t, f, 42)
		c, _ := run(t, f, 7)
		if strings.Join(a.statuses(), ",") != strings.Join(b.statuses(), ",") {
			t.Errorf("same seed, different runs:\n%v\n%v", a.statuses(), b.statuses())
		}
		if strings.Join(a.statuses(), ",") == strings.Join(c.statuses(), ",") {
			t.Errorf("different seeds gave the same faults: %v", a.statuses())
		}
	})
	t.Run("forced errors", func(t *testing.T) {
		s := RunT(t, fixedWall())
		ctx := testCtx(t)
		openWindow(t, s, lucia)
		if err := s.InjectFault(ctx, control.Fault{Kind: strconv.Itoa(CodeGenericUser), Count: 2}); err != nil {
			t.Fatal(err)
		}
		for i, want := range []int{500, 500, 200} {
			if res := send(t, s, textTo(lucia, "x")); res.Status != want {
				t.Errorf("send %d: HTTP %d %s", i, res.Status, res.Raw)
			}
		}
		if err := s.InjectFault(ctx, control.Fault{Kind: strconv.Itoa(CodeMarketingLimit), Count: 1}); err != nil {
			t.Fatal(err)
		}
		res := send(t, s, textTo(lucia, "async"))
		_ = s.AwaitIdle(ctx)
		if res.Status != 200 {
			t.Fatalf("an asynchronous code refused the send: %s", res.Raw)
		}
		checkFinalStatus(t, s, res.messageID(), CodeMarketingLimit)
		for _, bad := range []control.Fault{{Kind: "1", Count: 1}, {Delay: -time.Second}, {Delay: time.Minute}, {Kind: "131047", Method: "messages"}} {
			if err := s.InjectFault(ctx, bad); err == nil {
				t.Errorf("fault %+v accepted", bad)
			}
		}
		if err := s.SetStatusDelivery(ctx, StatusDelivery{Duplicate: 2}); err == nil {
			t.Error("a chance of 2 accepted")
		}
	})
}

func TestVerification(t *testing.T) {
	rcv := newReceiver(t)
	rcv.token = "the-assistant-expects-another-token"
	s := RunT(t, fixedWall(), WithWebhook(rcv.URL()))
	res, err := s.SendFromCustomer(testCtx(t), lucia, CustomerMessage{Text: "hola"})
	if err != nil {
		t.Fatal(err)
	}
	if res.WebhookStatus != 0 || !strings.Contains(res.Error, "not verified") || len(rcv.Bodies()) != 0 {
		t.Errorf("delivered to an unverified endpoint: %+v", res)
	}
	var v VerifyResult
	if err := lastEvent(t, s.Journal(), journal.KindWebhookVerify).Decode(&v); err != nil || v.OK || v.Status != 403 {
		t.Errorf("verify event %+v %v", v, err)
	}
	lastEvent(t, s.Journal(), journal.KindInboundFailed)

	rcv.mu.Lock()
	rcv.token = DefaultVerifyToken
	rcv.mu.Unlock()
	if v, err := s.VerifyWebhook(testCtx(t)); err != nil || !v.OK || !v.Echoed {
		t.Fatalf("verify %+v %v", v, err)
	}
	if res := customerSays(t, s, CustomerMessage{Text: "hola otra vez"}); res.Attempts != 1 {
		t.Errorf("%+v", res)
	}
	// At start (refused), again before the first delivery (refused), on VerifyWebhook (passed), and not
	// again after.
	if rcv.verifies != 3 {
		t.Errorf("%d handshakes, want 3 (refused twice, verified once, then not again)", rcv.verifies)
	}
}

func TestEscapeJSON(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ascii", `{"a":"b"}`, `{"a":"b"}`},
		{"latin", `"ñÁ"`, `"\u00f1\u00c1"`},
		{"astral", `"😀"`, `"\ud83d\ude00"`},
		{"at slash percent", `"a@b/c%"`, `"a\u0040b\/c\u0025"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := string(escapeJSON([]byte(tc.in)))
			if got != tc.want {
				t.Errorf("got %s want %s", got, tc.want)
			}
			var a, b any
			if json.Unmarshal([]byte(tc.in), &a) != nil || json.Unmarshal([]byte(got), &b) != nil {
				t.Fatal("not JSON")
			}
			if ja, jb := mustJSON(a), mustJSON(b); ja != jb {
				t.Errorf("escaping changed the value: %s vs %s", ja, jb)
			}
		})
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestWebhookShapes compares each golden payload with Meta's documented example of the same webhook:
// same key paths, same JSON types (a numeric timestamp where Meta sends a string is a real bug).
func TestWebhookShapes(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("testdata", "meta", "*.json"))
	if err != nil || len(names) < 14 {
		t.Fatalf("meta examples: %v %v", names, err)
	}
	for _, path := range names {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			meta, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			mine, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			want, got := shape(t, meta), shape(t, mine)
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: Meta has %s, the mock %q", k, v, got[k])
				}
			}
			for k, v := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("%s (%s): not in Meta's example", k, v)
				}
			}
		})
	}
}

// shape maps every key path of a JSON document (arrays as []) to its JSON type.
func shape(t *testing.T, b []byte) map[string]string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			out[path] = "object"
			for k, e := range x {
				walk(path+"."+k, e)
			}
		case []any:
			out[path] = "array"
			for _, e := range x {
				walk(path+"[]", e)
			}
		case string:
			out[path] = "string"
		case float64:
			out[path] = "number"
		case bool:
			out[path] = "bool"
		default:
			out[path] = "null"
		}
	}
	walk("", v)
	return out
}

func TestBizOpaqueEchoed(t *testing.T) {
	rcv := newReceiver(t)
	s := RunT(t, fixedWall(), WithWebhook(rcv.URL()))
	openWindow(t, s, lucia)
	body := `{"messaging_product":"whatsapp","to":"` + lucia + `","biz_opaque_callback_data":"ticket-42","type":"text","text":{"body":"x"}}`
	if res := send(t, s, body); res.Status != 200 {
		t.Fatal(string(res.Raw))
	}
	if res := send(t, s, strings.Replace(body, "ticket-42", strings.Repeat("o", 513), 1)); res.code() != 100 {
		t.Errorf("513 characters of biz_opaque_callback_data: %s", res.Raw)
	}
	_ = s.AwaitIdle(testCtx(t))
	n := 0
	for _, b := range rcv.Bodies() {
		if bytes.Contains(b, []byte(`"statuses"`)) {
			n++
			if !bytes.Contains(b, []byte(`"biz_opaque_callback_data":"ticket-42"`)) {
				t.Errorf("status without the callback data: %s", b)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d status webhooks", n)
	}
}

// TestSignPooled: the pooled signer of the webhook queue signs as Sign does, on every reuse.
func TestSignPooled(t *testing.T) {
	s := RunT(t, WithAppSecret("s3cret"))
	for i, body := range [][]byte{[]byte(`{"a":1}`), nil, []byte(`{"a":1}`), []byte(`{"b":"\u00e1"}`)} {
		if got, want := s.sign(body), Sign("s3cret", body); got != want {
			t.Errorf("body %d: sign = %s, want %s", i, got, want)
		}
	}
}
