package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/golden"
)

// The first-contact texts are what certification judges first; a change must be deliberate.
func TestGoldenTexts(t *testing.T) {
	b := newUnitBot(t)
	for _, lang := range []string{"es", "en"} {
		tx := text(lang)
		golden.Assert(t, filepath.Join("testdata", "welcome."+lang+".txt"), []byte(b.welcome(lang)+"\n"))
		golden.Assert(t, filepath.Join("testdata", "optin."+lang+".txt"), []byte(tx.optInPrompt+"\n["+tx.optInYesButton+"] ["+tx.optInNoButton+"]\n"))
	}
}

// fakeGraph records the bodies the assistant posts to the Graph API and answers like the real one.
type fakeGraph struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (f *fakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if strings.HasSuffix(r.URL.Path, "/media") {
		_, _ = io.WriteString(w, `{"id":"1500000000000001"}`)
		return
	}
	var m map[string]any
	_ = json.NewDecoder(r.Body).Decode(&m)
	f.mu.Lock()
	f.bodies = append(f.bodies, m)
	f.mu.Unlock()
	_, _ = io.WriteString(w, `{"messaging_product":"whatsapp","contacts":[{"input":"34600000001","wa_id":"34600000001"}],"messages":[{"id":"wamid.TEST"}]}`)
}

// TestGoldenSendPayloads pins the Graph API request bodies of every kind of send.
func TestGoldenSendPayloads(t *testing.T) {
	f := &fakeGraph{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := &waClient{base: srv.URL, version: "v23.0", phoneID: "106540352242922", token: "t", hc: srv.Client(), attempts: 1, log: newUnitBot(t).log}
	ctx := context.Background()
	steps := []func() error{
		func() error { _, err := c.sendText(ctx, "34600000001", "Hola"); return err },
		func() error {
			_, err := c.sendButtons(ctx, "34600000001", "¿Quieres ofertas?", []button{{buttonOptInYes, "Sí, acepto"}, {buttonOptInNo, "No, gracias"}})
			return err
		},
		func() error {
			_, err := c.sendTemplate(ctx, "34600000001", templateMarketing, "es", []string{"Lucía", "20 %", "VERANO20"}, []templateButton{{"quick_reply", "BAJA"}})
			return err
		},
		func() error {
			_, err := c.sendTemplate(ctx, "34600000001", templateShipped, "es", []string{"TE-1001"}, []templateButton{{"url", "TE-1001"}})
			return err
		},
		func() error {
			_, err := c.sendDocument(ctx, "34600000001", "1500000000000001", "tienda-ejemplo-access-DSR-AAAAAAAA.json", "DSR-AAAAAAAA")
			return err
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := json.MarshalIndent(f.bodies, "", "  ")
	golden.Assert(t, filepath.Join("testdata", "send_payloads.json"), append(got, '\n'))
}

// TestGoldenAccessExport pins the shape of the access export (version 1).
func TestGoldenAccessExport(t *testing.T) {
	b := newUnitBot(t)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b.store.update("34600000001", func(c *customer) {
		c.ProfileName, c.Email, c.Language, c.FirstSeen, c.LastInbound = "Lucía", "lucia@example.com", "es", at, at
		c.Messages = []message{{Time: at, Direction: "in", Text: "hola"}, {Time: at, Direction: "out", Text: "Hola, soy el asistente virtual"}}
		c.Requests = []dsr{{Reference: "DSR-AAAAAAAA", Right: "access", Time: at, Status: "done"}}
	})
	b.store.addConsent(Consent{ID: "CON-AAAAAAAA", WaID: "34600000001", Purpose: "marketing", Given: true, Channel: "whatsapp", Wording: "¿Quieres recibir ofertas?", Time: at, Source: "chat"})
	doc := b.buildExport("34600000001", intentAccess, "DSR-AAAAAAAA", at)
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "export.access.json"), append(got, '\n'))
}

// TestTextMessageBytes: the struct a text reply is sent as encodes to the bytes of the map it replaced.
func TestTextMessageBytes(t *testing.T) {
	tests := []struct{ name, to, body string }{
		{name: "plain", to: "34600000001", body: "Hola"},
		{name: "escapes", to: "34600000001", body: "<b>\"pedido\"</b> & \\ \n\t\u2028\u2029 \x01"},
		{name: "unicode", to: "34600000001", body: "¿Dónde está mi pedido TE-1001? 😀"},
		{name: "invalid UTF-8", to: "34600000001", body: "a\xffb\xc3"},
		{name: "empty", to: "", body: ""},
		{name: "cut", to: "34600000001", body: strings.Repeat("ñ", maxTextBody+10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(envelope(tt.to, "text", map[string]any{"preview_url": false, "body": truncate(tt.body, maxTextBody)}))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(newTextMessage(tt.to, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("struct body\n%s\nmap body\n%s", got, want)
			}
		})
	}
}
