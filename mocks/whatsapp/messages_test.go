package whatsapp

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
)

// openWindow makes the lucia write, so free-form messages are allowed, and returns the inbound wamid.
func openWindow(t *testing.T, s *Server, waID string) string {
	t.Helper()
	res, err := s.SendFromCustomer(testCtx(t), waID, CustomerMessage{Text: "Hola", Name: "Lucía"})
	if err != nil {
		t.Fatal(err)
	}
	return res.ID
}

func uploadedMedia(s *Server, mime string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storeMediaLocked(mime, []byte("fake "+mime))
}

func TestSendTypesAccepted(t *testing.T) {
	s := RunT(t, fixedWall(), WithWebhook(newReceiver(t).URL()))
	inbound := openWindow(t, s, lucia)
	img := uploadedMedia(s, "image/jpeg")
	to := `"messaging_product":"whatsapp","to":"+34 600-111-222"`
	tests := []struct {
		name     string
		body     string
		wantType string
		wantText string
		buttons  []string
		template bool
	}{
		{name: "text", body: `{` + to + `,"type":"text","text":{"body":"Hola Lucía 👋"}}`, wantType: "text", wantText: "Hola Lucía 👋"},
		{name: "text type defaults", body: `{` + to + `,"text":{"body":"sin tipo"}}`, wantType: "text", wantText: "sin tipo"},
		{name: "text of 4096 characters", body: `{` + to + `,"type":"text","text":{"body":"` + strings.Repeat("ñ", 4096) + `"}}`, wantType: "text", wantText: strings.Repeat("ñ", 4096)},
		{name: "text with preview and context", body: `{` + to + `,"type":"text","context":{"message_id":"` + inbound + `"},"text":{"preview_url":true,"body":"https://tienda.example"}}`, wantType: "text", wantText: "https://tienda.example"},
		{name: "image by link", body: `{` + to + `,"type":"image","image":{"link":"https://tienda.example/a.jpg","caption":"Tu ticket"}}`, wantType: "image", wantText: "Tu ticket"},
		{name: "image by id", body: `{` + to + `,"type":"image","image":{"id":"` + img + `"}}`, wantType: "image"},
		{name: "document", body: `{` + to + `,"type":"document","document":{"link":"https://tienda.example/f.pdf","filename":"factura.pdf","caption":"Factura"}}`, wantType: "document", wantText: "Factura"},
		{name: "audio", body: `{` + to + `,"type":"audio","audio":{"link":"https://tienda.example/a.ogg"}}`, wantType: "audio"},
		{name: "video", body: `{` + to + `,"type":"video","video":{"link":"https://tienda.example/v.mp4","caption":"Cómo llegar"}}`, wantType: "video", wantText: "Cómo llegar"},
		{name: "sticker", body: `{` + to + `,"type":"sticker","sticker":{"link":"https://tienda.example/s.webp"}}`, wantType: "sticker"},
		{name: "location with string coordinates", body: `{` + to + `,"type":"location","location":{"latitude":"40.4168","longitude":"-3.7038","name":"Tienda Sol","address":"Puerta del Sol 1"}}`, wantType: "location", wantText: "Tienda Sol Puerta del Sol 1"},
		{name: "location with numbers", body: `{` + to + `,"type":"location","location":{"latitude":40.4,"longitude":-3.7}}`, wantType: "location"},
		{name: "contacts", body: `{` + to + `,"type":"contacts","contacts":[{"name":{"formatted_name":"Atención al cliente"},"phones":[{"phone":"+34 900 000 000","type":"WORK"}]}]}`, wantType: "contacts"},
		{name: "reaction", body: `{` + to + `,"type":"reaction","reaction":{"message_id":"` + inbound + `","emoji":"👍"}}`, wantType: "reaction", wantText: "👍"},
		{name: "reply buttons", body: `{` + to + `,"type":"interactive","interactive":{"type":"button","body":{"text":"¿Quieres recibir ofertas?"},"footer":{"text":"Puedes darte de baja"},"action":{"buttons":[{"type":"reply","reply":{"id":"optin_yes","title":"Sí, quiero"}},{"type":"reply","reply":{"id":"optin_no","title":"No, gracias"}}]}}}`, wantType: "interactive", wantText: "¿Quieres recibir ofertas?", buttons: []string{"Sí, quiero", "No, gracias"}},
		{name: "list", body: `{` + to + `,"type":"interactive","interactive":{"type":"list","header":{"type":"text","text":"Menú"},"body":{"text":"¿En qué te ayudo?"},"action":{"button":"Ver opciones","sections":[{"title":"Pedidos","rows":[{"id":"track","title":"Seguir mi pedido","description":"Dónde está"},{"id":"return","title":"Devolver"}]},{"title":"Privacidad","rows":[{"id":"dsr","title":"Mis datos"}]}]}}}`, wantType: "interactive", wantText: "¿En qué te ayudo?", buttons: []string{"Seguir mi pedido", "Devolver", "Mis datos"}},
		{name: "cta url", body: `{` + to + `,"type":"interactive","interactive":{"type":"cta_url","body":{"text":"Consulta la política"},"action":{"name":"cta_url","parameters":{"display_text":"Privacidad","url":"https://tienda.example/privacidad"}}}}`, wantType: "interactive", wantText: "Consulta la política"},
		{name: "template", body: `{` + to + `,"type":"template","template":{"name":"pedido_enviado","language":{"code":"es"},"components":[{"type":"body","parameters":[{"type":"text","text":"PD-1"}]},{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"PD-1"}]}]}}`, wantType: "template", wantText: "Tu pedido PD-1 ya está en camino. Llegará en 2 o 3 días laborables.", template: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := send(t, s, tc.body)
			if res.Status != 200 {
				t.Fatalf("HTTP %d: %s", res.Status, res.Raw)
			}
			var body struct {
				MessagingProduct string `json:"messaging_product"`
				Contacts         []struct {
					Input string
					WaID  string `json:"wa_id"`
				}
				Messages []struct {
					ID            string
					MessageStatus string `json:"message_status"`
				}
			}
			if err := json.Unmarshal(res.Raw, &body); err != nil {
				t.Fatal(err)
			}
			if body.MessagingProduct != "whatsapp" || len(body.Contacts) != 1 || body.Contacts[0].Input != "+34 600-111-222" ||
				body.Contacts[0].WaID != lucia || len(body.Messages) != 1 || !strings.HasPrefix(body.Messages[0].ID, "wamid.") {
				t.Errorf("success body: %s", res.Raw)
			}
			if tc.template != (body.Messages[0].MessageStatus == "accepted") {
				t.Errorf("message_status %q for template=%v", body.Messages[0].MessageStatus, tc.template)
			}
			var out journal.OutboundData
			e := lastEvent(t, s.Journal(), journal.KindOutboundAccepted)
			if err := e.Decode(&out); err != nil {
				t.Fatal(err)
			}
			if e.Customer != lucia || out.ID != body.Messages[0].ID || out.Type != tc.wantType || out.Text != tc.wantText ||
				!out.InWindow || out.HTTP != 200 || fmt.Sprint(out.Buttons) != fmt.Sprint(tc.buttons) || len(out.Body) == 0 {
				t.Errorf("journal: lucia %q %+v", e.Customer, out)
			}
		})
	}
}

func TestSendRefused(t *testing.T) {
	j := journal.New(nil)
	s := RunT(t, fixedWall(), WithJournal(j))
	inbound := openWindow(t, s, lucia)
	to := `"messaging_product":"whatsapp","to":"` + lucia + `"`
	btn := func(id, title string) string {
		return `{"type":"reply","reply":{"id":"` + id + `","title":"` + title + `"}}`
	}
	rows := func(n int) string {
		var r []string
		for i := range n {
			r = append(r, fmt.Sprintf(`{"id":"r%d","title":"Fila %d"}`, i, i))
		}
		return strings.Join(r, ",")
	}
	tests := []struct {
		name       string
		body       string
		wantHTTP   int
		wantCode   int
		unmodelled bool
	}{
		{name: "messaging_product missing", body: `{"to":"` + lucia + `","type":"text","text":{"body":"x"}}`, wantHTTP: 400, wantCode: 100},
		{name: "messaging_product wrong", body: `{"messaging_product":"sms","to":"` + lucia + `","type":"text","text":{"body":"x"}}`, wantHTTP: 400, wantCode: 100},
		{name: "to missing", body: `{"messaging_product":"whatsapp","type":"text","text":{"body":"x"}}`, wantHTTP: 400, wantCode: 100},
		{name: "to not a number", body: `{"messaging_product":"whatsapp","to":"lucia@example.com","type":"text","text":{"body":"x"}}`, wantHTTP: 400, wantCode: 100},
		{name: "to of the wrong JSON type", body: `{"messaging_product":"whatsapp","to":34600111222,"type":"text","text":{"body":"x"}}`, wantHTTP: 400, wantCode: 100},
		{name: "unknown type", body: `{` + to + `,"type":"fax","fax":{}}`, wantHTTP: 400, wantCode: 131051},
		{name: "text without body", body: `{` + to + `,"type":"text","text":{}}`, wantHTTP: 400, wantCode: 100},
		{name: "text of 4097 characters", body: `{` + to + `,"type":"text","text":{"body":"` + strings.Repeat("a", 4097) + `"}}`, wantHTTP: 400, wantCode: 100},
		{name: "image with id and link", body: `{` + to + `,"type":"image","image":{"id":"1","link":"https://x.example/a.jpg"}}`, wantHTTP: 400, wantCode: 100},
		{name: "image with unknown id", body: `{` + to + `,"type":"image","image":{"id":"999"}}`, wantHTTP: 400, wantCode: 100},
		{name: "image link not http", body: `{` + to + `,"type":"image","image":{"link":"file:///etc/passwd"}}`, wantHTTP: 400, wantCode: 100},
		{name: "caption of 1025 characters", body: `{` + to + `,"type":"image","image":{"link":"https://x.example/a.jpg","caption":"` + strings.Repeat("c", 1025) + `"}}`, wantHTTP: 400, wantCode: 100},
		{name: "audio with caption", body: `{` + to + `,"type":"audio","audio":{"link":"https://x.example/a.ogg","caption":"no"}}`, wantHTTP: 400, wantCode: 100},
		{name: "location without latitude", body: `{` + to + `,"type":"location","location":{"longitude":"-3.7"}}`, wantHTTP: 400, wantCode: 100},
		{name: "location latitude out of range", body: `{` + to + `,"type":"location","location":{"latitude":"91","longitude":"-3.7"}}`, wantHTTP: 400, wantCode: 131009},
		{name: "contacts empty", body: `{` + to + `,"type":"contacts","contacts":[]}`, wantHTTP: 400, wantCode: 100},
		{name: "contact without formatted_name", body: `{` + to + `,"type":"contacts","contacts":[{"name":{}}]}`, wantHTTP: 400, wantCode: 100},
		{name: "reaction without message_id", body: `{` + to + `,"type":"reaction","reaction":{"emoji":"👍"}}`, wantHTTP: 400, wantCode: 100},
		{name: "four reply buttons", body: `{` + to + `,"type":"interactive","interactive":{"type":"button","body":{"text":"b"},"action":{"buttons":[` + btn("a", "A") + `,` + btn("b", "B") + `,` + btn("c", "C") + `,` + btn("d", "D") + `]}}}`, wantHTTP: 400, wantCode: 131009},
		{name: "button title of 21 characters", body: `{` + to + `,"type":"interactive","interactive":{"type":"button","body":{"text":"b"},"action":{"buttons":[` + btn("a", strings.Repeat("t", 21)) + `]}}}`, wantHTTP: 400, wantCode: 131009},
		{name: "duplicate button titles", body: `{` + to + `,"type":"interactive","interactive":{"type":"button","body":{"text":"b"},"action":{"buttons":[` + btn("a", "Sí") + `,` + btn("b", "Sí") + `]}}}`, wantHTTP: 400, wantCode: 131009},
		{name: "interactive without body", body: `{` + to + `,"type":"interactive","interactive":{"type":"button","action":{"buttons":[` + btn("a", "A") + `]}}}`, wantHTTP: 400, wantCode: 100},
		{name: "list of 11 rows", body: `{` + to + `,"type":"interactive","interactive":{"type":"list","body":{"text":"b"},"action":{"button":"Ver","sections":[{"title":"S","rows":[` + rows(11) + `]}]}}}`, wantHTTP: 400, wantCode: 131009},
		{name: "list row title of 25 characters", body: `{` + to + `,"type":"interactive","interactive":{"type":"list","body":{"text":"b"},"action":{"button":"Ver","sections":[{"title":"S","rows":[{"id":"a","title":"` + strings.Repeat("r", 25) + `"}]}]}}}`, wantHTTP: 400, wantCode: 131009},
		{name: "interactive product is unmodelled", body: `{` + to + `,"type":"interactive","interactive":{"type":"product","body":{"text":"b"},"action":{"catalog_id":"1"}}}`, wantHTTP: 400, wantCode: 131009, unmodelled: true},
		{name: "group messaging is unmodelled", body: `{"messaging_product":"whatsapp","recipient_type":"group","to":"120363","type":"text","text":{"body":"x"}}`, wantHTTP: 400, wantCode: 131009, unmodelled: true},
		{name: "recipient is the sender", body: `{"messaging_product":"whatsapp","to":"` + DefaultDisplayPhoneNumber + `","type":"text","text":{"body":"x"}}`, wantHTTP: 400, wantCode: 131021},
		{name: "reaction with context", body: `{` + to + `,"type":"reaction","context":{"message_id":"` + inbound + `"},"reaction":{"message_id":"` + inbound + `","emoji":"👍"}}`, wantHTTP: 400, wantCode: 100},
		{name: "malformed JSON", body: `{"messaging_product":"whatsapp",`, wantHTTP: 400, wantCode: 100},
		{name: "JSON array", body: `[1,2]`, wantHTTP: 400, wantCode: 100},
		{name: "empty body", body: ``, wantHTTP: 400, wantCode: 100},
		{name: "not JSON at all", body: "\x00\xff<html>", wantHTTP: 400, wantCode: 100},
		{name: "mark read of an unknown message", body: `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.nope"}`, wantHTTP: 400, wantCode: 131009},
		{name: "mark read with a wrong status", body: `{"messaging_product":"whatsapp","status":"delivered","message_id":"` + inbound + `"}`, wantHTTP: 400, wantCode: 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := j.Last()
			res := send(t, s, tc.body)
			if res.Status != tc.wantHTTP || res.code() != tc.wantCode {
				t.Fatalf("HTTP %d code %d, want %d/%d: %s", res.Status, res.code(), tc.wantHTTP, tc.wantCode, res.Raw)
			}
			evs := j.After(before)
			var rejected, unmodelled int
			for _, e := range evs {
				switch e.Kind {
				case journal.KindOutboundRejected, journal.KindMarkRead:
					rejected++
					var out journal.OutboundData
					if err := e.Decode(&out); err != nil || out.Code != tc.wantCode || out.HTTP != tc.wantHTTP || out.Error == "" {
						t.Errorf("journal record %+v (%v)", out, err)
					}
				case journal.KindUnmodelled:
					unmodelled++
				case journal.KindOutboundAccepted:
					t.Errorf("refused send journalled as accepted")
				}
			}
			if rejected != 1 || (unmodelled == 1) != tc.unmodelled {
				t.Errorf("journal: %d rejections, %d unmodelled events", rejected, unmodelled)
			}
		})
	}
}

func TestAuthAndObjects(t *testing.T) {
	s := RunT(t, fixedWall())
	body := textTo(lucia, "x")
	tests := []struct {
		name        string
		path        string
		hdr         map[string]string
		wantHTTP    int
		wantCode    int
		wantSubcode float64
		wantType    string
	}{
		{name: "no token", path: "/v23.0/" + s.PhoneNumberID() + "/messages", hdr: map[string]string{"Authorization": ""}, wantHTTP: 401, wantCode: 190, wantType: "OAuthException"},
		{name: "wrong token", path: "/v23.0/" + s.PhoneNumberID() + "/messages", hdr: map[string]string{"Authorization": "Bearer nope"}, wantHTTP: 401, wantCode: 190, wantType: "OAuthException"},
		{name: "not a bearer", path: "/v23.0/" + s.PhoneNumberID() + "/messages", hdr: map[string]string{"Authorization": "Basic " + s.AccessToken()}, wantHTTP: 401, wantCode: 190, wantType: "OAuthException"},
		{name: "unknown phone number id", path: "/v23.0/999999/messages", wantHTTP: 400, wantCode: 100, wantSubcode: 33, wantType: "GraphMethodException"},
		{name: "unknown waba", path: "/v23.0/999999/message_templates", wantHTTP: 400, wantCode: 100, wantSubcode: 33, wantType: "GraphMethodException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := call(t, s, http.MethodPost, tc.path, body, tc.hdr)
			e := res.Body["error"].(map[string]any)
			if res.Status != tc.wantHTTP || res.code() != tc.wantCode || e["type"] != tc.wantType || (tc.wantSubcode != 0 && e["error_subcode"] != tc.wantSubcode) {
				t.Errorf("got HTTP %d %s", res.Status, res.Raw)
			}
			if tc.wantCode == 190 && e["error_data"] != nil {
				t.Errorf("OAuth errors carry no error_data: %s", res.Raw)
			}
		})
	}
	t.Run("token in the query and no version", func(t *testing.T) {
		openWindow(t, s, lucia)
		res := call(t, s, http.MethodPost, "/"+s.PhoneNumberID()+"/messages?access_token="+s.AccessToken(), body, map[string]string{"Authorization": ""})
		if res.Status != 200 {
			t.Errorf("HTTP %d %s", res.Status, res.Raw)
		}
	})
}

func TestUnmodelledRoutes(t *testing.T) {
	s := RunT(t, fixedWall())
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/v23.0/" + DefaultPhoneNumberID + "/messages"},
		{http.MethodPost, "/v23.0/" + DefaultPhoneNumberID + "/register"},
		{http.MethodPut, "/v23.0/x/y/z"},
		{http.MethodGet, "/"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			before := s.Journal().Last()
			res := call(t, s, tc.method, tc.path, "", nil)
			if res.Status != 400 || res.code() == 0 {
				t.Errorf("HTTP %d %s", res.Status, res.Raw)
			}
			evs := s.Journal().After(before)
			if len(evs) != 1 || evs[0].Kind != journal.KindUnmodelled {
				t.Errorf("journal: %+v", evs)
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	s := RunT(t, fixedWall())
	big := `{"messaging_product":"whatsapp","to":"` + lucia + `","type":"text","text":{"body":"` + strings.Repeat("a", MaxRequestBytes) + `"}}`
	t.Run("announced", func(t *testing.T) {
		res := send(t, s, big)
		if res.Status != http.StatusRequestEntityTooLarge || res.code() != 100 {
			t.Errorf("HTTP %d %s", res.Status, res.Raw)
		}
	})
	t.Run("chunked", func(t *testing.T) {
		// No Content-Length: the limit must stop the read itself.
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v23.0/"+s.PhoneNumberID()+"/messages", io.MultiReader(strings.NewReader(big), strings.NewReader(big)))
		req.Header.Set("Authorization", "Bearer "+s.AccessToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("HTTP %d", resp.StatusCode)
		}
	})
	e := lastEvent(t, s.Journal(), journal.KindOutboundRejected)
	var out journal.OutboundData
	_ = e.Decode(&out)
	if out.HTTP != http.StatusRequestEntityTooLarge || len(out.Body) != 0 {
		t.Errorf("journal record of a refused large body: %+v", out.HTTP)
	}
}

func TestWindow(t *testing.T) {
	tests := []struct {
		name      string
		mode      WindowErrorMode
		after     time.Duration
		template  bool
		wantHTTP  int
		wantFinal string // last status webhook
		inWindow  bool
	}{
		{name: "23h59m free-form passes", mode: WindowErrorStatus, after: 23*time.Hour + 59*time.Minute, wantHTTP: 200, wantFinal: "delivered", inWindow: true},
		{name: "24h01m free-form fails by status", mode: WindowErrorStatus, after: 24*time.Hour + time.Minute, wantHTTP: 200, wantFinal: "failed"},
		{name: "24h01m free-form fails synchronously", mode: WindowErrorSync, after: 24*time.Hour + time.Minute, wantHTTP: 400},
		{name: "23h59m sync mode passes", mode: WindowErrorSync, after: 23*time.Hour + 59*time.Minute, wantHTTP: 200, wantFinal: "delivered", inWindow: true},
		{name: "24h01m template passes", mode: WindowErrorStatus, after: 24*time.Hour + time.Minute, template: true, wantHTTP: 200, wantFinal: "delivered"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newReceiver(t)
			s := RunT(t, fixedWall(), WithWebhook(rcv.URL()), WithWindowErrorMode(tc.mode))
			ctx := testCtx(t)
			openWindow(t, s, lucia)
			if _, err := s.AdvanceClock(ctx, tc.after); err != nil {
				t.Fatal(err)
			}
			body := textTo(lucia, "¿Sigues ahí?")
			if tc.template {
				body = `{"messaging_product":"whatsapp","to":"` + lucia + `","type":"template","template":{"name":"dsr_response","language":{"code":"es"},"components":[{"type":"body","parameters":[{"type":"text","text":"Lucía"},{"type":"text","text":"DSR-1"},{"type":"text","text":"hemos suprimido tus datos"}]}]}}`
			}
			res := send(t, s, body)
			if res.Status != tc.wantHTTP {
				t.Fatalf("HTTP %d: %s", res.Status, res.Raw)
			}
			if tc.wantHTTP != 200 {
				if res.code() != CodeReengagement {
					t.Errorf("code %d, want 131047", res.code())
				}
				return
			}
			if err := s.AwaitIdle(ctx); err != nil {
				t.Fatal(err)
			}
			st := rcv.statuses()
			if len(st) == 0 || st[len(st)-1] != tc.wantFinal {
				t.Errorf("statuses %v, want last %s", st, tc.wantFinal)
			}
			var out journal.OutboundData
			_ = lastEvent(t, s.Journal(), journal.KindOutboundAccepted).Decode(&out)
			if out.InWindow != tc.inWindow {
				t.Errorf("in_window %v, want %v", out.InWindow, tc.inWindow)
			}
			if tc.wantFinal == "failed" {
				var sd journal.StatusData
				_ = lastEvent(t, s.Journal(), journal.KindStatusFailed).Decode(&sd)
				if sd.Code != CodeReengagement {
					t.Errorf("failed status %+v", sd)
				}
				if in, _ := s.Inbox(ctx, lucia); len(in) != 0 {
					t.Errorf("a failed message reached the phone: %+v", in)
				}
			}
		})
	}
}

func TestMarkRead(t *testing.T) {
	s := RunT(t, fixedWall())
	inbound := openWindow(t, s, lucia)
	for _, tc := range []struct{ name, body, wantType string }{
		{"read", `{"messaging_product":"whatsapp","status":"read","message_id":"` + inbound + `"}`, "read"},
		{"typing", `{"messaging_product":"whatsapp","status":"read","message_id":"` + inbound + `","typing_indicator":{"type":"text"}}`, "typing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := send(t, s, tc.body)
			if res.Status != 200 || string(res.Raw) != `{"success":true}` {
				t.Fatalf("HTTP %d %s", res.Status, res.Raw)
			}
			var out journal.OutboundData
			e := lastEvent(t, s.Journal(), journal.KindMarkRead)
			_ = e.Decode(&out)
			if out.Type != tc.wantType || out.Context != inbound || e.Customer != lucia {
				t.Errorf("journal %+v", out)
			}
		})
	}
}

func TestSendResponseEncoding(t *testing.T) {
	for _, r := range []sendResponse{
		{MessagingProduct: "whatsapp", Contacts: []responseContact{{Input: "+34 (600) 111-222", WaID: "34600111222"}}, Messages: []responseMessage{{ID: "wamid.HBgL+/="}}},
		{MessagingProduct: "whatsapp", Contacts: []responseContact{{Input: "34600111222", WaID: "34600111222"}}, Messages: []responseMessage{{ID: "wamid.x", MessageStatus: "accepted"}}},
	} {
		want, _ := json.Marshal(r)
		if got := appendSendResponse(nil, r); string(got) != string(want) {
			t.Errorf("hand-written %s, encoding/json %s", got, want)
		}
	}
}
