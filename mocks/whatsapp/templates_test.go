package whatsapp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parley-dev/parley/journal"
)

func tplSend(name, lang, components string) string {
	return `{"messaging_product":"whatsapp","to":"` + lucia + `","type":"template","template":{"name":"` + name + `","language":{"code":"` + lang + `"}` +
		func() string {
			if components == "" {
				return ""
			}
			return `,"components":` + components
		}() + `}}`
}

func TestTemplateSends(t *testing.T) {
	s := RunT(t, fixedWall())
	ctx := testCtx(t)
	if err := s.SetTemplateStatus(ctx, "dsr_response", "en", StatusPaused); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTemplateStatus(ctx, "order_shipped", "en", StatusDisabled); err != nil {
		t.Fatal(err)
	}
	promo := `[{"type":"body","parameters":[{"type":"text","text":"Lucía"},{"type":"text","text":"20 %"},{"type":"text","text":"VERANO20"}]}]`
	tests := []struct {
		name     string
		body     string
		wantCode int
		category string
		text     string
		buttons  []string
		header   string
		footer   string
	}{
		{name: "marketing with quick reply", body: tplSend("promo_verano", "es", promo), category: "MARKETING",
			text: "Hola Lucía, este verano tienes un 20 % de descuento en toda la tienda con el código VERANO20.", buttons: []string{"Baja"},
			header: "¡Rebajas de verano!", footer: "Tienda Ejemplo · Responde Baja para no recibir más promociones"},
		{name: "english marketing", body: tplSend("promo_verano", "en", promo), category: "MARKETING", buttons: []string{"Stop promotions"},
			text:   "Hi Lucía, this summer you get 20 % off everything in the shop with the code VERANO20.",
			header: "Summer sale!", footer: "Tienda Ejemplo · Tap Stop promotions to opt out"},
		{name: "authentication", body: tplSend("codigo_verificacion", "es", `[{"type":"body","parameters":[{"type":"text","text":"482913"}]},{"type":"button","sub_type":"url","index":0,"parameters":[{"type":"text","text":"482913"}]}]`),
			category: "AUTHENTICATION", text: "*482913* es tu código de verificación. Por tu seguridad, no lo compartas."},
		{name: "currency and date parameters", body: tplSend("dsr_response", "es", `[{"type":"body","parameters":[{"type":"text","text":"Lucía"},{"type":"date_time","date_time":{"fallback_value":"1 de marzo"}},{"type":"currency","currency":{"fallback_value":"10 €","code":"EUR","amount_1000":10000}}]}]`),
			category: "UTILITY", text: "Hola Lucía, sobre tu solicitud de protección de datos 1 de marzo: 10 €. Si tienes dudas, escribe a privacidad@tienda.example."},
		{name: "name missing", body: `{"messaging_product":"whatsapp","to":"` + lucia + `","type":"template","template":{"language":{"code":"es"}}}`, wantCode: 100},
		{name: "language missing", body: `{"messaging_product":"whatsapp","to":"` + lucia + `","type":"template","template":{"name":"promo_verano"}}`, wantCode: 100},
		{name: "unknown name", body: tplSend("no_existe", "es", ""), wantCode: 132001},
		{name: "no language fallback", body: tplSend("promo_verano", "en_US", promo), wantCode: 132001},
		{name: "paused", body: tplSend("dsr_response", "en", ""), wantCode: 132015},
		{name: "disabled", body: tplSend("order_shipped", "en", ""), wantCode: 132016},
		{name: "too few body parameters", body: tplSend("promo_verano", "es", `[{"type":"body","parameters":[{"type":"text","text":"Lucía"}]}]`), wantCode: 132000},
		{name: "no components", body: tplSend("promo_verano", "es", ""), wantCode: 132000},
		{name: "header parameter on a template without variables in it", body: tplSend("promo_verano", "es", `[{"type":"header","parameters":[{"type":"text","text":"x"}]},{"type":"body","parameters":[{"type":"text","text":"a"},{"type":"text","text":"b"},{"type":"text","text":"c"}]}]`), wantCode: 132000},
		{name: "image parameter in the body", body: tplSend("pedido_enviado", "es", `[{"type":"body","parameters":[{"type":"image","image":{"link":"https://x.example/a.jpg"}}]}]`), wantCode: 132012},
		{name: "empty parameter", body: tplSend("pedido_enviado", "es", `[{"type":"body","parameters":[{"type":"text","text":" "}]},{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"x"}]}]`), wantCode: 131008},
		{name: "newline in a parameter", body: tplSend("pedido_enviado", "es", `[{"type":"body","parameters":[{"type":"text","text":"a\nb"}]},{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"x"}]}]`), wantCode: 132007},
		{name: "url button parameter missing", body: tplSend("pedido_enviado", "es", `[{"type":"body","parameters":[{"type":"text","text":"PD-1"}]}]`), wantCode: 131008},
		{name: "hydrated text too long", body: tplSend("pedido_enviado", "es", `[{"type":"body","parameters":[{"type":"text","text":"`+strings.Repeat("x", 1000)+`"}]},{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"x"}]}]`), wantCode: 132005},
		{name: "button index out of range", body: tplSend("pedido_enviado", "es", `[{"type":"body","parameters":[{"type":"text","text":"PD-1"}]},{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"x"}]},{"type":"button","sub_type":"quick_reply","index":"5","parameters":[{"type":"payload","payload":"x"}]}]`), wantCode: 131009},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := send(t, s, tc.body)
			if tc.wantCode != 0 {
				if res.Status != 400 || res.code() != tc.wantCode {
					t.Fatalf("HTTP %d code %d, want 400/%d: %s", res.Status, res.code(), tc.wantCode, res.Raw)
				}
				return
			}
			if res.Status != 200 {
				t.Fatalf("HTTP %d: %s", res.Status, res.Raw)
			}
			var out journal.OutboundData
			_ = lastEvent(t, s.Journal(), journal.KindOutboundAccepted).Decode(&out)
			// Header and footer are journalled too: the customer sees them, and the business name and the
			// opt-out instruction often live there (WA-MKT-01).
			if tc.header != "" && out.Header != tc.header || tc.footer != "" && out.Footer != tc.footer {
				t.Errorf("journalled header %q footer %q, want %q and %q", out.Header, out.Footer, tc.header, tc.footer)
			}
			if out.Category != tc.category || out.Text != tc.text || strings.Join(out.Buttons, "|") != strings.Join(tc.buttons, "|") || out.Template == "" || out.InWindow {
				t.Errorf("journal %+v", out)
			}
		})
	}
	t.Run("param count details", func(t *testing.T) {
		res := send(t, s, tplSend("pedido_enviado", "es", `[]`))
		if d := res.details(); d != "body: number of localizable_params (0) does not match the expected number of params (1)" {
			t.Errorf("details %q", d)
		}
		res = send(t, s, tplSend("promo_verano", "fr", ""))
		if d := res.details(); d != "template name (promo_verano) does not exist in fr" {
			t.Errorf("details %q", d)
		}
	})
}

func TestTemplateManagement(t *testing.T) {
	s := RunT(t, fixedWall())
	base := "/v23.0/" + s.WABAID() + "/message_templates"
	list := func(q string) []Template {
		t.Helper()
		res := call(t, s, http.MethodGet, base+q, "", nil)
		if res.Status != 200 {
			t.Fatalf("HTTP %d %s", res.Status, res.Raw)
		}
		var page templatePage
		if err := json.Unmarshal(res.Raw, &page); err != nil {
			t.Fatal(err)
		}
		return page.Data
	}
	all := list("")
	if len(all) != 9 {
		t.Fatalf("%d fixture templates, want 9", len(all))
	}
	if got := list("?name=promo_verano"); len(got) != 2 {
		t.Errorf("filter by name: %d", len(got))
	}
	if got := list("?category=authentication"); len(got) != 2 || got[0].Category != CategoryAuthentication {
		t.Errorf("filter by category: %+v", got)
	}
	t.Run("paging", func(t *testing.T) {
		res := call(t, s, http.MethodGet, base+"?limit=3", "", nil)
		var page templatePage
		_ = json.Unmarshal(res.Raw, &page)
		if len(page.Data) != 3 || page.Paging == nil || page.Paging.Next == "" {
			t.Fatalf("first page: %s", res.Raw)
		}
		rest := list("?limit=100&after=" + page.Paging.Cursors.After)
		if len(rest) != 6 || rest[0].ID == page.Data[2].ID {
			t.Errorf("second page has %d", len(rest))
		}
	})
	t.Run("create is pending until approved", func(t *testing.T) {
		res := call(t, s, http.MethodPost, base, `{"name":"cita_recordatorio","language":"es","category":"utility","components":[{"type":"BODY","text":"Tu cita es el {{1}}","example":{"body_text":[["lunes"]]}}]}`, nil)
		if res.Status != 200 || res.Body["status"] != "PENDING" || res.Body["category"] != "UTILITY" || res.Body["id"] == "" {
			t.Fatalf("create: HTTP %d %s", res.Status, res.Raw)
		}
		body := tplSend("cita_recordatorio", "es", `[{"type":"body","parameters":[{"type":"text","text":"lunes"}]}]`)
		if r := send(t, s, body); r.code() != 132001 {
			t.Errorf("pending template sent: %s", r.Raw)
		}
		if err := s.SetTemplateStatus(testCtx(t), "cita_recordatorio", "es", "approved"); err != nil {
			t.Fatal(err)
		}
		if r := send(t, s, body); r.Status != 200 {
			t.Errorf("approved template refused: %s", r.Raw)
		}
		dup := call(t, s, http.MethodPost, base, `{"name":"cita_recordatorio","language":"es","category":"UTILITY","components":[{"type":"BODY","text":"x"}]}`, nil)
		if dup.Status != 400 || dup.code() != 100 {
			t.Errorf("duplicate: %s", dup.Raw)
		}
	})
	for _, tc := range []struct{ name, body string }{
		{"bad name", `{"name":"Cita Recordatorio","language":"es","category":"UTILITY","components":[{"type":"BODY","text":"x"}]}`},
		{"bad category", `{"name":"x","language":"es","category":"PROMO","components":[{"type":"BODY","text":"x"}]}`},
		{"no body", `{"name":"x","language":"es","category":"UTILITY","components":[{"type":"FOOTER","text":"x"}]}`},
		{"no language", `{"name":"x","category":"UTILITY","components":[{"type":"BODY","text":"x"}]}`},
	} {
		t.Run("create refused: "+tc.name, func(t *testing.T) {
			if res := call(t, s, http.MethodPost, base, tc.body, nil); res.Status != 400 || res.code() != 100 {
				t.Errorf("HTTP %d %s", res.Status, res.Raw)
			}
		})
	}
	t.Run("delete by name removes every language", func(t *testing.T) {
		res := call(t, s, http.MethodDelete, base+"?name=promo_verano", "", nil)
		if res.Status != 200 || res.Body["success"] != true {
			t.Fatalf("HTTP %d %s", res.Status, res.Raw)
		}
		if got := list("?name=promo_verano"); len(got) != 0 {
			t.Errorf("still there: %+v", got)
		}
		if res := call(t, s, http.MethodDelete, base+"?name=promo_verano", "", nil); res.Status != 400 {
			t.Errorf("deleting again: %s", res.Raw)
		}
	})
	if n := len(s.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindRequestAccepted })); n < 5 {
		t.Errorf("%d request.accepted events", n)
	}
	if n := len(s.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindRequestRejected })); n < 5 {
		t.Errorf("%d request.rejected events", n)
	}
}

func TestTemplateSources(t *testing.T) {
	good := `{"id":"1","name":"hola","language":"es","status":"APPROVED","category":"UTILITY","components":[{"type":"BODY","text":"Hola"}]}`
	tests := []struct {
		name    string
		files   fstest.MapFS
		wantErr string
		want    int
	}{
		{name: "one object", files: fstest.MapFS{"a.json": {Data: []byte(good)}}, want: 1},
		{name: "an array", files: fstest.MapFS{"a.json": {Data: []byte("[" + good + "," + strings.Replace(good, `"es"`, `"en"`, 1) + "]")}}, want: 2},
		{name: "duplicate", files: fstest.MapFS{"a.json": {Data: []byte(good)}, "b.json": {Data: []byte(good)}}, wantErr: "defined twice"},
		{name: "bad category", files: fstest.MapFS{"a.json": {Data: []byte(strings.Replace(good, "UTILITY", "PROMO", 1))}}, wantErr: "category"},
		{name: "not JSON", files: fstest.MapFS{"a.json": {Data: []byte("{")}}, wantErr: "a.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := LoadTemplates(tc.files)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(ts) != tc.want {
				t.Errorf("%d templates, %v", len(ts), err)
			}
		})
	}
	t.Run("options", func(t *testing.T) {
		if _, err := NewServer(WithTemplatesDir(t.TempDir())); err == nil {
			t.Error("an empty templates directory was accepted")
		}
		s := RunT(t, WithTemplates([]Template{{Name: "solo", Language: "es", Status: StatusApproved, Category: CategoryUtility, Components: []TemplateComponent{{Type: "BODY", Text: "Hola"}}}}))
		if got := s.Templates(); len(got) != 1 || got[0].Name != "solo" {
			t.Errorf("templates %+v", got)
		}
		if _, err := NewServer(WithTemplates([]Template{{Name: "Bad Name"}})); err == nil {
			t.Error("a bad template was accepted")
		}
	})
}

func TestTemplateParameterKinds(t *testing.T) {
	named := Template{ID: "9001", Name: "cita", Language: "es", Status: StatusApproved, Category: CategoryUtility, ParameterFormat: "NAMED",
		Components: []TemplateComponent{
			{Type: "HEADER", Format: "TEXT", Text: "Cita para {{nombre}}"},
			{Type: "BODY", Text: "Te esperamos el {{dia}} a las {{hora}}, {{nombre}}."},
		}}
	media := Template{ID: "9002", Name: "factura", Language: "es", Status: StatusApproved, Category: CategoryUtility,
		Components: []TemplateComponent{
			{Type: "HEADER", Format: "DOCUMENT"},
			{Type: "BODY", Text: "Aquí tienes tu factura."},
			{Type: "BUTTONS", Buttons: []TemplateButton{{Type: "QUICK_REPLY", Text: "Gracias"}, {Type: "QUICK_REPLY", Text: "Tengo dudas"}}},
		}}
	s := RunT(t, fixedWall(), WithTemplates([]Template{named, media}))
	np := func(name, text string) string {
		return `{"type":"text","parameter_name":"` + name + `","text":"` + text + `"}`
	}
	tests := []struct {
		name     string
		body     string
		wantCode int
		text     string
		buttons  string
	}{
		{name: "named parameters in any order", body: tplSend("cita", "es", `[{"type":"header","parameters":[`+np("nombre", "Lucía")+`]},{"type":"body","parameters":[`+np("hora", "10:00")+`,`+np("nombre", "Lucía")+`,`+np("dia", "lunes")+`]}]`),
			text: "Te esperamos el lunes a las 10:00, Lucía."},
		{name: "named parameter unknown", body: tplSend("cita", "es", `[{"type":"header","parameters":[`+np("nombre", "Lucía")+`]},{"type":"body","parameters":[`+np("hora", "10:00")+`,`+np("nombre", "Lucía")+`,`+np("mes", "enero")+`]}]`), wantCode: 132012,
			text: "Te esperamos el {{dia}} a las 10:00, Lucía."},
		{name: "named header parameter missing", body: tplSend("cita", "es", `[{"type":"body","parameters":[`+np("hora", "10:00")+`,`+np("nombre", "Lucía")+`,`+np("dia", "lunes")+`]}]`), wantCode: 132000},
		{name: "document header", body: tplSend("factura", "es", `[{"type":"header","parameters":[{"type":"document","document":{"link":"https://tienda.example/f.pdf"}}]},{"type":"button","sub_type":"quick_reply","index":1,"parameters":[{"type":"payload","payload":"DUDAS"}]}]`),
			text: "Aquí tienes tu factura.", buttons: "Gracias|Tengo dudas"},
		{name: "document header given an image", body: tplSend("factura", "es", `[{"type":"header","parameters":[{"type":"image","image":{"link":"https://tienda.example/f.jpg"}}]}]`), wantCode: 132012},
		{name: "document header missing", body: tplSend("factura", "es", ``), wantCode: 132000},
		{name: "template unknown", body: tplSend("promo_verano", "es", ``), wantCode: 132001},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := send(t, s, tc.body)
			if tc.wantCode != 0 {
				if res.code() != tc.wantCode {
					t.Fatalf("HTTP %d %s, want %d", res.Status, res.Raw, tc.wantCode)
				}
				// A refused send is journalled with the text it would have had, as far as its parameters go.
				var out journal.OutboundData
				_ = lastEvent(t, s.Journal(), journal.KindOutboundRejected).Decode(&out)
				if tc.text != "" && out.Text != tc.text {
					t.Errorf("refused send journalled with text %q, want %q", out.Text, tc.text)
				}
				var sent struct{ Template struct{ Name string } }
				_ = json.Unmarshal([]byte(tc.body), &sent)
				if out.Template != sent.Template.Name {
					t.Errorf("refused send journalled as template %q, want %q", out.Template, sent.Template.Name)
				}
				return
			}
			if res.Status != 200 {
				t.Fatalf("HTTP %d %s", res.Status, res.Raw)
			}
			var out journal.OutboundData
			_ = lastEvent(t, s.Journal(), journal.KindOutboundAccepted).Decode(&out)
			if out.Text != tc.text || strings.Join(out.Buttons, "|") != tc.buttons {
				t.Errorf("journal %+v", out)
			}
		})
	}
	t.Run("quick reply payload reaches the webhook", func(t *testing.T) {
		rcv := newReceiver(t)
		if err := s.SetWebhook(testCtx(t), rcv.URL()); err != nil {
			t.Fatal(err)
		}
		res := customerSays(t, s, CustomerMessage{Type: "button", Text: "Tengo dudas"})
		var in journal.InboundData
		_ = lastEvent(t, s.Journal(), journal.KindInboundDelivered).Decode(&in)
		if in.Payload != "DUDAS" || in.ID != res.ID {
			t.Errorf("inbound %+v", in)
		}
		res = customerSays(t, s, CustomerMessage{Type: "button", Text: "Gracias"})
		_ = lastEvent(t, s.Journal(), journal.KindInboundDelivered).Decode(&in)
		if in.Payload != "Gracias" {
			t.Errorf("a quick reply without a payload should carry its label: %+v", in)
		}
	})
}

// TestRefusedTemplateSendsSayWhatWasTried: a refused template send is journalled with what the assistant
// tried to send (name, language, the registry's category, the text as far as its parameters fill it),
// so the auditor judges the attempt: a marketing template to a customer who opted out is a violation
// whether WhatsApp refused it for its parameters or not.
func TestRefusedTemplateSendsSayWhatWasTried(t *testing.T) {
	s := RunT(t, fixedWall())
	ctx := testCtx(t)
	if err := s.SetTemplateStatus(ctx, "dsr_response", "es", StatusPaused); err != nil {
		t.Fatal(err)
	}
	body := func(params ...string) string {
		var ps []string
		for _, p := range params {
			ps = append(ps, `{"type":"text","text":"`+p+`"}`)
		}
		return `[{"type":"body","parameters":[` + strings.Join(ps, ",") + `]}]`
	}
	tests := []struct {
		name     string
		body     string
		wantCode int
		want     journal.OutboundData // the fields compared: Template, Language, Category, Text, Footer, Buttons
	}{
		{name: "marketing with too few parameters", body: tplSend("promo_verano", "es", body("Lucía")), wantCode: 132000,
			want: journal.OutboundData{Template: "promo_verano", Language: "es", Category: "MARKETING",
				Text:   "Hola Lucía, este verano tienes un {{2}} de descuento en toda la tienda con el código {{3}}.",
				Footer: "Tienda Ejemplo · Responde Baja para no recibir más promociones", Buttons: []string{"Baja"}}},
		{name: "marketing with too many parameters", body: tplSend("promo_verano", "es", body("Lucía", "20 %", "VERANO20", "extra")), wantCode: 132000,
			want: journal.OutboundData{Template: "promo_verano", Language: "es", Category: "MARKETING",
				Text:   "Hola Lucía, este verano tienes un 20 % de descuento en toda la tienda con el código VERANO20.",
				Footer: "Tienda Ejemplo · Responde Baja para no recibir más promociones", Buttons: []string{"Baja"}}},
		{name: "marketing in a language it lacks", body: tplSend("promo_verano", "fr", body("Lucía", "20 %", "VERANO20")), wantCode: 132001,
			want: journal.OutboundData{Template: "promo_verano", Language: "fr", Category: "MARKETING"}},
		{name: "paused utility", body: tplSend("dsr_response", "es", body("Lucía", "DSR-1", "hecho")), wantCode: 132015,
			want: journal.OutboundData{Template: "dsr_response", Language: "es", Category: "UTILITY",
				Text:   "Hola Lucía, sobre tu solicitud de protección de datos DSR-1: hecho. Si tienes dudas, escribe a privacidad@tienda.example.",
				Footer: "Tienda Ejemplo · Delegado de protección de datos"}},
		{name: "unknown template", body: tplSend("no_existe", "es", ""), wantCode: 132001,
			want: journal.OutboundData{Template: "no_existe", Language: "es"}},
		{name: "recipient is the sender", body: strings.Replace(tplSend("promo_verano", "es", body("Lucía", "20 %", "VERANO20")), lucia, DefaultDisplayPhoneNumber, 1), wantCode: 131021,
			want: journal.OutboundData{Template: "promo_verano", Language: "es", Category: "MARKETING",
				Text:   "Hola Lucía, este verano tienes un 20 % de descuento en toda la tienda con el código VERANO20.",
				Footer: "Tienda Ejemplo · Responde Baja para no recibir más promociones", Buttons: []string{"Baja"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.Journal().Last()
			res := send(t, s, tc.body)
			if res.code() != tc.wantCode {
				t.Fatalf("HTTP %d code %d, want %d: %s", res.Status, res.code(), tc.wantCode, res.Raw)
			}
			evs := s.Journal().After(before)
			if len(evs) != 1 || evs[0].Kind != journal.KindOutboundRejected {
				t.Fatalf("journal %+v, want one %s", evs, journal.KindOutboundRejected)
			}
			var out journal.OutboundData
			if err := evs[0].Decode(&out); err != nil {
				t.Fatal(err)
			}
			if out.Code != tc.wantCode || out.Type != "template" || out.To == "" {
				t.Errorf("code %d type %q to %q", out.Code, out.Type, out.To)
			}
			tried := func(o journal.OutboundData) string {
				return fmt.Sprintf("template %q language %q category %q text %q footer %q buttons %q", o.Template, o.Language, o.Category, o.Text, o.Footer, o.Buttons)
			}
			if got, want := tried(out), tried(tc.want); got != want {
				t.Errorf("journalled %s\nwant       %s", got, want)
			}
			if tc.wantCode != 131021 && evs[0].Customer != lucia {
				t.Errorf("refused send journalled for customer %q, want %s", evs[0].Customer, lucia)
			}
		})
	}
}
