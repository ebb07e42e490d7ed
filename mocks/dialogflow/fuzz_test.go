package dialogflow

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
	"time"

	"github.com/parley-dev/parley/journal"
)

// FuzzRESTDetectIntent: whatever the body, the REST face answers 200 or a Google error envelope with a
// 4xx status, never a 5xx or a panic, and journals the call.
func FuzzRESTDetectIntent(f *testing.F) {
	for _, seed := range []string{
		okBody, `{}`, ``, `{"queryInput":`, `[]`, `null`, `{"queryInput":{"event":{"name":"WELCOME","languageCode":"es"}}}`,
		`{"queryInput":{"text":{"text":"dónde está mi pedido 12345","languageCode":"es"}},"queryParams":{"contexts":[{"name":"x","lifespanCount":2}]}}`,
		`{"queryInput":{"text":{"text":"hola","languageCode":"es"}},"queryParams":{"timeZone":"Mars/Olympus"}}`,
		`{"queryInput":{"text":{"text":"hola","languageCode":"es"}},"outputAudioConfig":{"audioEncoding":1}}`,
		`{"queryInput":{"audioConfig":{"audioEncoding":"AUDIO_ENCODING_LINEAR_16"}}}`,
		`{"query_input":{"text":{"text":"\u0000\uffff","language_code":"en"}}}`,
	} {
		f.Add("projects/parley-demo/agent/sessions/fz", []byte(seed))
	}
	f.Add("projects/parley-demo/locations/x/agent/environments/e/users/u/sessions/fz", []byte(okBody))
	f.Add("projects//agent/sessions/", []byte(okBody))
	j := journal.New(nil)
	s, err := NewServer(WithJournal(j))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	h := s.Handler()
	f.Fuzz(func(t *testing.T, session string, body []byte) {
		req, err := http.NewRequest(http.MethodPost, "http://x/v2/"+session+":detectIntent", bytes.NewReader(body))
		if err != nil {
			return // not a URL at all: no request would reach the mock
		}
		before := j.Len()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		// 501 is the mock's own "not modelled" (audio input), journalled as unmodelled.
		if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
			t.Fatalf("HTTP %d for %q: %s", rec.Code, body, rec.Body.Bytes())
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("answer is not JSON: %q", rec.Body.Bytes())
		}
		if j.Len() == before {
			t.Fatalf("call not journalled: HTTP %d %s", rec.Code, rec.Body.Bytes())
		}
	})
}

// FuzzLoadAgent: a broken or hostile export is an error, never a panic; one that loads can be matched.
func FuzzLoadAgent(f *testing.F) {
	f.Add([]byte(`{"displayName":"x","language":"es","mlMinConfidence":0.5}`),
		[]byte(`{"name":"a","contexts":["c"],"responses":[{"affectedContexts":[{"name":"d","lifespan":2}],"parameters":[{"name":"n","dataType":"@sys.number"}],"messages":[{"type":"0","lang":"es","speech":["hola $n"]}]}],"events":[{"name":"E"}]}`),
		[]byte(`[{"data":[{"text":"tengo "},{"text":"3","alias":"n","meta":"@sys.number"},{"text":" cosas"}]}]`),
		[]byte(`[{"value":"rojo","synonyms":["rojo","granate"]}]`))
	f.Add([]byte(`{}`), []byte(`{"responses":[{"messages":[{"type":0,"speech":"x"}]}]}`), []byte(`[{"data":[]}]`), []byte(`[]`))
	f.Add([]byte(`null`), []byte(`[]`), []byte(`{}`), []byte(`{"value":1}`))
	f.Fuzz(func(t *testing.T, agentJSON, intentJSON, usersays, entries []byte) {
		fsys := fstest.MapFS{
			"agent.json":                     {Data: agentJSON},
			"intents/a.json":                 {Data: intentJSON},
			"intents/a_usersays_es.json":     {Data: usersays},
			"entities/color.json":            {Data: []byte(`{"name":"color"}`)},
			"entities/color_entries_es.json": {Data: entries},
		}
		a, err := LoadAgent(fsys)
		if err != nil {
			return
		}
		m := newMatcher(a)
		for _, text := range []string{"tengo 3 cosas", "hola", "granate 2026-03-03 ana@example.com"} {
			m.best(m.newQuery("es", text, time.Unix(0, 0).UTC()), map[string]bool{"c": true}, a.MLMinConfidence)
		}
	})
}
