package dialogflow

import (
	"archive/zip"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parley-dev/parley/fixtures"
)

// zipFixture writes the fixture agent as a zip, under prefix inside the archive.
func zipFixture(t testing.TB, prefix string) string {
	t.Helper()
	sub, err := fs.Sub(fixtures.Agent, "agent")
	if err != nil {
		t.Fatal(err)
	}
	return zipFS(t, sub, prefix)
}

// zipFS writes the files of sub as a zip, under prefix inside the archive.
func zipFS(t testing.TB, sub fs.FS, prefix string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "agent.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = fs.WalkDir(sub, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, path)
		if err != nil {
			return err
		}
		w, err := zw.Create(prefix + path)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFixtureAgent(t *testing.T) {
	a := fixtureAgent(t)
	if a.DisplayName != "Tienda Ejemplo" || a.Language != "es" || strings.Join(a.SupportedLanguages, ",") != "es,en" ||
		a.MLMinConfidence != 0.3 || a.TimeZone != "Europe/Madrid" {
		t.Errorf("agent %+v", a)
	}
	// The display names are a contract with the reference assistant (fixtures/agent.go).
	want := []string{"welcome", "order.status", "receipt", "optin.yes", "optin.no", "optout", "dsr.access", "dsr.erasure",
		"dsr.rectification", "dsr.portability", "dsr.objection", "dsr.restriction", "human.handoff", "privacy.question",
		"thanks", "goodbye", "Default Fallback Intent"}
	have := map[string]*Intent{}
	for _, in := range a.Intents {
		have[in.DisplayName] = in
	}
	for _, name := range want {
		in := have[name]
		if in == nil {
			t.Errorf("intent %q missing", name)
			continue
		}
		for _, lang := range []string{"es", "en"} {
			if len(in.Messages[lang]) == 0 {
				t.Errorf("%s has no %s response", name, lang)
			}
			if !in.Fallback && len(in.Phrases[lang]) < 5 {
				t.Errorf("%s has %d %s training phrases; be generous", name, len(in.Phrases[lang]), lang)
			}
		}
	}
	if len(a.Intents) != len(want) {
		t.Errorf("%d intents, want %d", len(a.Intents), len(want))
	}
	if !have["optin.yes"].hasInputContext("awaiting_optin") || !have["optin.no"].hasInputContext("awaiting_optin") {
		t.Error("optin intents not gated by awaiting_optin")
	}
	if !have["order.status"].WebhookUsed || !have["Default Fallback Intent"].Fallback || have["welcome"].Events[0] != "WELCOME" {
		t.Error("fixture flags changed")
	}
}

func (in *Intent) hasInputContext(c string) bool {
	for _, x := range in.InputContexts {
		if x == c {
			return true
		}
	}
	return false
}

func TestLoadZip(t *testing.T) {
	for _, prefix := range []string{"", "Tienda-Ejemplo/"} {
		t.Run("prefix "+prefix, func(t *testing.T) {
			s := RunT(t, WithAgentDir(zipFixture(t, prefix)))
			if qr := detectDirect(t, s, "projects/parley-demo/agent/sessions/z", "quiero darme de baja", "es"); qr.GetIntent().GetDisplayName() != "optout" {
				t.Errorf("→ %q", qr.GetIntent().GetDisplayName())
			}
		})
	}
}

func TestLoadAgentErrors(t *testing.T) {
	agentJSON := &fstest.MapFile{Data: []byte(`{"displayName":"x","language":"es"}`)}
	intent := &fstest.MapFile{Data: []byte(`{"name":"a","responses":[{"messages":[{"type":0,"lang":"es","speech":"hola"}]}]}`)}
	for _, tc := range []struct {
		name string
		fs   fstest.MapFS
		want string // substring of the error; "" means it loads
	}{
		{"minimal old-style export loads", fstest.MapFS{"agent.json": agentJSON, "intents/a.json": intent}, ""},
		{"no agent.json", fstest.MapFS{"intents/a.json": intent}, "no agent.json"},
		{"bad JSON", fstest.MapFS{"agent.json": agentJSON, "intents/a.json": {Data: []byte(`{"name":`)}}, "intents/a.json"},
		{"phrases without an intent", fstest.MapFS{"agent.json": agentJSON, "intents/b_usersays_es.json": {Data: []byte(`[]`)}}, "no intents/b.json"},
		{"unknown entity", fstest.MapFS{"agent.json": agentJSON, "intents/a.json": intent,
			"intents/a_usersays_es.json": {Data: []byte(`[{"data":[{"text":"x","alias":"y","meta":"@nope"}]}]`)}}, "unknown entity type @nope"},
		{"bad regexp entity", fstest.MapFS{"agent.json": agentJSON, "entities/r.json": {Data: []byte(`{"name":"r","isRegexp":true}`)},
			"entities/r_entries_es.json": {Data: []byte(`[{"value":"(","synonyms":["("]}]`)}}, "entities/r_entries_es.json"},
		{"speech of the wrong type", fstest.MapFS{"agent.json": agentJSON,
			"intents/a.json": {Data: []byte(`{"name":"a","responses":[{"messages":[{"type":"0","lang":"es","speech":{"x":1}}]}]}`)}}, "speech"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := LoadAgent(tc.fs)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if a.Intents[0].Messages["es"][0][0] != "hola" || a.MLMinConfidence != defaultMLMinConfidence {
					t.Errorf("agent %+v", a.Intents[0])
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if _, err := NewServer(WithAgentDir(filepath.Join(t.TempDir(), "missing"))); err == nil {
		t.Error("missing agent dir accepted")
	}
}

func TestOptionsValidated(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Option
	}{
		{"bad addr", WithAddr("nope")},
		{"bad project", WithProject("a/b")},
		{"nil journal", WithJournal(nil)},
		{"bad confidence", WithMinConfidence(1.5)},
		{"bad fulfillment url", WithFulfillmentURL("ftp://x")},
		{"bad webhook timeout", WithWebhookTimeout(0)},
		{"nil fs", WithAgentFS(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := NewServer(tc.opt); err == nil {
				s.Close()
				t.Error("accepted")
			}
		})
	}
}

func TestMinConfidenceOption(t *testing.T) {
	strict := RunT(t, WithMinConfidence(0.95))
	lax := RunT(t)
	text := "por favor dejad de mandarme mensajes"
	if qr := detectDirect(t, lax, "projects/parley-demo/agent/sessions/m", text, "es"); qr.GetIntent().GetDisplayName() != "optout" {
		t.Fatalf("default threshold → %q", qr.GetIntent().GetDisplayName())
	}
	if qr := detectDirect(t, strict, "projects/parley-demo/agent/sessions/m", text, "es"); !qr.GetIntent().GetIsFallback() {
		t.Errorf("threshold 0.95 → %q (%v)", qr.GetIntent().GetDisplayName(), qr.GetIntentDetectionConfidence())
	}
}

func TestAgentFSNested(t *testing.T) {
	// fixtures.Agent holds the export one directory down (agent/…), as many hand-made zips do.
	s := RunT(t, WithAgentFS(fixtures.Agent))
	if s.Agent().DisplayName != "Tienda Ejemplo" {
		t.Errorf("agent %q", s.Agent().DisplayName)
	}
}

func TestESSummary(t *testing.T) {
	dir := exportCopy(t, "../../fixtures/agent", "agent.json", `"url": ""`, `"url": "https://backend.example/fulfilment"`)
	dir = exportCopyIn(t, dir, "agent.json", `"enabledKnowledgeBaseNames": []`, `"enabledKnowledgeBaseNames": ["kb1"]`)
	got, err := ExportSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := must(LoadAgentDir(dir))
	var phrases, webhook int
	for _, in := range a.Intents {
		for _, ps := range in.Phrases {
			phrases += len(ps)
		}
		if in.WebhookUsed {
			webhook++
		}
	}
	for _, want := range []string{
		`ES agent "Tienda Ejemplo" (es, en, Europe/Madrid)`,
		fmt.Sprintf("%d intents (%d with webhook fulfilment), %d training phrases, %d entity types",
			len(a.Intents), webhook, phrases, len(a.Entities)),
		"fulfilment webhook in the export: https://backend.example/fulfilment (never called)",
		"agent.json enabledKnowledgeBaseNames (knowledge connectors) ×1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if webhook == 0 || phrases == 0 {
		t.Errorf("the fixture has webhook intents and phrases: %d %d", webhook, phrases)
	}
	cx, err := ExportSummary(cxTienda)
	if err != nil || !strings.HasPrefix(cx, "CX agent ") {
		t.Errorf("CX export summary %q, %v", cx, err)
	}
}
