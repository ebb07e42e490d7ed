package dialogflow_test

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
	"unicode"

	dfapi "cloud.google.com/go/dialogflow/apiv2"
	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"golang.org/x/text/unicode/norm"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"
)

// exportsEnv names the directory of real agent exports that TestMeasureExports measures the mock against:
// each subdirectory or .zip file in it is one export, and <name>.paraphrases.json beside it, when present,
// holds hand-written rewordings of what its customers say ([{"text","intent","contexts","lang"}]).
const exportsEnv = "PARLEY_AGENT_EXPORTS"

// maxMisses is how many misses of each export the report lists.
const maxMisses = 20

// TestMeasureExports measures how closely the mock's matcher answers like Dialogflow on real vendors'
// agents: every training phrase of every intent is sent, in its language, with that intent's input contexts
// active and in a fresh session, through Google's official gRPC client, and should come back as that very
// intent, as it does on Dialogflow (a phrase the agent was trained on); then the export's paraphrases; and
// each annotated part of a phrase whose parameter the intent declares should come back as that parameter.
// It reports numbers and fails only when an export cannot be served at all: the numbers are the measure.
func TestMeasureExports(t *testing.T) {
	root := os.Getenv(exportsEnv)
	if root == "" {
		t.Skip(exportsEnv + " is not set: point it at a directory of Dialogflow exports to measure the matcher on them")
	}
	exports, err := findExports(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(exports) == 0 {
		t.Fatalf("%s=%s holds no export (a directory or a .zip file)", exportsEnv, root)
	}
	var ms []measurement
	for _, e := range exports {
		t.Run(e.name, func(t *testing.T) { ms = append(ms, measureExport(t, e)) })
	}
	t.Log("\n" + report(ms))
}

// export is one agent export found under the exports directory.
type export struct {
	name        string // the directory's name, or the zip's without ".zip"
	path        string
	paraphrases string // path of <name>.paraphrases.json; it may not exist
}

// paraphrase is a hand-written rewording of what a customer says, and the intent Dialogflow should pick.
type paraphrase struct {
	Text     string   `json:"text"`
	Intent   string   `json:"intent"`
	Contexts []string `json:"contexts"`
	Lang     string   `json:"lang"` // the agent's default language when empty
}

// measurement is what one export scored.
type measurement struct {
	name, kind, note               string
	intents                        int
	phrases, phrasesHit            int
	paraphrases, paraphrasesHit    int
	slots, slotsHit, slotsPresence int // slotsPresence: of slots, those only checked to be non-empty
	misses                         []miss
	missCount                      int
	slotMisses                     []slotMiss
	slotMissCount                  int
}

// miss is a query that did not answer the intent it should have. also names the other intents trained on
// the very same phrase, which no matcher can tell apart.
type miss struct {
	lang, text, want, got string
	contexts              []string
	also                  []string
}

// slotMiss is an annotated part of a training phrase whose parameter did not come back.
type slotMiss struct {
	lang, text, param, entity, want, got string
}

func findExports(root string) ([]export, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", exportsEnv, err)
	}
	var out []export
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		switch {
		case e.IsDir():
		case strings.HasSuffix(strings.ToLower(name), ".zip"):
			name = name[:len(name)-len(".zip")]
		default:
			continue
		}
		out = append(out, export{name: name, path: filepath.Join(root, e.Name()),
			paraphrases: filepath.Join(root, name+".paraphrases.json")})
	}
	return out, nil
}

// isCX tells a CX export (agent.json with defaultLanguageCode, flows/) from an ES one, at the root of fsys
// or in a single top-level directory as in hand-made zips.
func isCX(fsys fs.FS) bool {
	roots := []string{"."}
	if entries, err := fs.ReadDir(fsys, "."); err == nil {
		for _, e := range entries {
			if e.IsDir() {
				roots = append(roots, e.Name())
			}
		}
	}
	for _, r := range roots {
		if st, err := fs.Stat(fsys, filepath.ToSlash(filepath.Join(r, "flows"))); err == nil && st.IsDir() {
			return true
		}
		b, err := fs.ReadFile(fsys, filepath.ToSlash(filepath.Join(r, "agent.json")))
		if err != nil {
			continue
		}
		var a map[string]json.RawMessage
		if json.Unmarshal(b, &a) == nil {
			if _, ok := a["defaultLanguageCode"]; ok {
				return true
			}
		}
	}
	return false
}

func exportFS(path string) (fs.FS, func(), error) {
	if strings.HasSuffix(strings.ToLower(path), ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			return nil, nil, err
		}
		return zr, func() { zr.Close() }, nil
	}
	return os.DirFS(path), func() {}, nil
}

func measureExport(t *testing.T, e export) measurement {
	m := measurement{name: e.name, kind: "ES"}
	fsys, done, err := exportFS(e.path)
	if err != nil {
		t.Errorf("opening %s: %v", e.path, err)
		m.kind, m.note = "?", err.Error()
		return m
	}
	cx := isCX(fsys)
	done()
	if cx {
		m.kind, m.note = "CX", "not measured here: CX exports are measured by `parley agent test`"
		t.Log(e.name + ": CX export, skipped; CX is measured by `parley agent test`")
		return m
	}
	if _, err := dialogflow.LoadAgentDir(e.path); err != nil {
		t.Errorf("the mock cannot load %s, which Dialogflow imports: %v", e.name, err)
		m.note = "load error: " + err.Error()
		return m
	}
	var ps []paraphrase
	switch b, err := os.ReadFile(e.paraphrases); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		t.Fatal(err)
	default:
		if err := json.Unmarshal(b, &ps); err != nil {
			t.Fatalf("%s: %v", e.paraphrases, err)
		}
	}
	// The exports' webhooks are real vendors' URLs: answer them here with an empty WebhookResponse, which
	// leaves each intent's static reply, so that nothing leaves the machine and no call waits for a timeout.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	}))
	t.Cleanup(hook.Close)
	s := dialogflow.RunT(t, dialogflow.WithAgentDir(e.path), dialogflow.WithFulfillmentURL(hook.URL))
	got := measureServer(t, s, ps)
	got.name, got.kind = m.name, m.kind
	return got
}

// measureServer queries s's agent with its own training phrases and then with ps.
func measureServer(t *testing.T, s *dialogflow.Server, ps []paraphrase) measurement {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := dfapi.NewSessionsClient(ctx, option.WithEndpoint(s.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a := s.Agent()
	q := querier{c: c, project: s.Project()}
	m := measurement{kind: "ES", intents: len(a.Intents)}
	trained := map[string][]string{} // language and compacted phrase → the intents trained on it
	for _, in := range a.Intents {
		for lang, ps := range in.Phrases {
			for _, p := range ps {
				k := lang + "\x00" + compact(p.Text())
				trained[k] = append(trained[k], in.DisplayName)
			}
		}
	}
	var skipped []string
	for _, in := range a.Intents {
		for _, lang := range slices.Sorted(maps.Keys(in.Phrases)) {
			for _, p := range in.Phrases[lang] {
				text := p.Text()
				if in.Priority < 0 {
					skipped = append(skipped, "phrase of an intent Dialogflow never matches (priority below 0)")
					continue
				}
				if len([]rune(text)) > 256 {
					skipped = append(skipped, "phrase over detectIntent's 256 characters")
					continue
				}
				qr, err := q.detect(ctx, lang, text, in.InputContexts)
				m.phrases++
				if gotIntent(qr, err) == in.DisplayName {
					m.phrasesHit++
				} else {
					m.addMiss(miss{lang: lang, text: text, want: in.DisplayName, got: gotIntent(qr, err),
						contexts: in.InputContexts, also: others(trained[lang+"\x00"+compact(text)], in.DisplayName)})
				}
				for _, part := range p.Parts {
					if part.Entity == "" || !declares(in, part.Alias) {
						continue
					}
					m.slots++
					v := qr.GetParameters().GetFields()[part.Alias]
					exact, ok := slotReturned(a, lang, part, v)
					if !exact {
						m.slotsPresence++
					}
					if ok {
						m.slotsHit++
						continue
					}
					m.slotMissCount++
					if len(m.slotMisses) < maxMisses {
						m.slotMisses = append(m.slotMisses, slotMiss{lang: lang, text: text, param: part.Alias,
							entity: part.Entity, want: part.Text, got: strings.Join(flatten(v, nil), ", ")})
					}
				}
			}
		}
	}
	byName := map[string]bool{}
	for _, in := range a.Intents {
		byName[in.DisplayName] = true
	}
	for _, p := range ps {
		if !byName[p.Intent] {
			t.Errorf("paraphrase %q names intent %q, which the agent does not have", p.Text, p.Intent)
			continue
		}
		lang := p.Lang
		if lang == "" {
			lang = a.Language
		}
		qr, err := q.detect(ctx, lang, p.Text, p.Contexts)
		m.paraphrases++
		if g := gotIntent(qr, err); g == p.Intent {
			m.paraphrasesHit++
		} else {
			m.addMiss(miss{lang: lang, text: "(paraphrase) " + p.Text, want: p.Intent, got: g, contexts: p.Contexts})
		}
	}
	m.note = summarize(skipped)
	return m
}

func (m *measurement) addMiss(x miss) {
	m.missCount++
	if len(m.misses) < maxMisses {
		m.misses = append(m.misses, x)
	}
}

// querier sends each query in a session of its own, as a new customer would.
type querier struct {
	c       *dfapi.SessionsClient
	project string
	n       int
}

func (q *querier) detect(ctx context.Context, lang, text string, contexts []string) (*dialogflowpb.QueryResult, error) {
	q.n++
	session := fmt.Sprintf("projects/%s/agent/sessions/measure-%d", q.project, q.n)
	req := &dialogflowpb.DetectIntentRequest{
		Session: session,
		QueryInput: &dialogflowpb.QueryInput{Input: &dialogflowpb.QueryInput_Text{
			Text: &dialogflowpb.TextInput{Text: text, LanguageCode: lang}}},
	}
	if len(contexts) > 0 {
		req.QueryParams = &dialogflowpb.QueryParameters{}
		for _, name := range contexts {
			req.QueryParams.Contexts = append(req.QueryParams.Contexts,
				&dialogflowpb.Context{Name: session + "/contexts/" + name, LifespanCount: 5})
		}
	}
	resp, err := q.c.DetectIntent(ctx, req)
	return resp.GetQueryResult(), err
}

// others is names without name.
func others(names []string, name string) []string {
	var out []string
	for _, n := range names {
		if n != name {
			out = append(out, n)
		}
	}
	return out
}

func gotIntent(qr *dialogflowpb.QueryResult, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	if qr.GetIntent() == nil {
		return "(no intent)"
	}
	return qr.GetIntent().GetDisplayName()
}

func declares(in *dialogflow.Intent, param string) bool {
	for _, p := range in.Parameters {
		if p.Name == param {
			return true
		}
	}
	return false
}

// slotReturned says whether v holds the annotated text of part or the value it resolves to. Text, @sys.any,
// custom entities and numbers are checked exactly (exact is true), a custom entity's synonym also in its
// other number (a final -s or -es added or dropped, the rule the package documents); other system entities
// (dates, times, durations, places…) and composite entities resolve to values this test cannot compute
// independently, so for them a non-empty value counts.
func slotReturned(a *dialogflow.Agent, lang string, part dialogflow.PhrasePart, v *structpb.Value) (exact, ok bool) {
	got := flatten(v, nil)
	want := map[string]bool{compact(part.Text): true}
	entity := strings.TrimPrefix(part.Entity, "@")
	switch {
	case strings.HasPrefix(entity, "sys.number"), entity == "sys.cardinal", entity == "sys.ordinal":
		if n, ok := parseNumber(part.Text); ok {
			want[compact(strconv.FormatFloat(n, 'f', -1, 64))] = true
		}
	case entity == "sys.any":
	case strings.HasPrefix(entity, "sys."):
		return false, len(got) > 0 && got[0] != ""
	default:
		if et := a.Entities[entity]; et != nil && et.Composite {
			return false, len(got) > 0 && got[0] != ""
		}
		if et := a.Entities[entity]; et != nil {
			entries := et.Entries[lang]
			if len(entries) == 0 {
				entries = et.Entries[a.Language]
			}
			// The entry the annotated text resolves to: one of whose synonyms it is or, failing that, the one
			// with the longest synonym it holds word for word ("López Obrador" holds "Obrador", a synonym of
			// "Andrés Manuel López Obrador").
			annotated := " " + wordsOf(part.Text) + " "
			best, values := 0, map[string]bool{}
			for _, e := range entries {
				for _, syn := range append([]string{e.Value}, e.Synonyms...) {
					w := wordsOf(syn)
					n := len(w)
					if compact(syn) == compact(part.Text) || sameButNumber(compact(syn), compact(part.Text)) {
						n = len(annotated) // a synonym the text is outranks any it holds
					} else if w == "" || !strings.Contains(annotated, " "+w+" ") {
						continue
					}
					if n > best {
						best, values = n, map[string]bool{}
					}
					if n == best {
						values[compact(e.Value)] = true
					}
				}
			}
			for v := range values {
				want[v] = true
			}
		}
	}
	for _, g := range got {
		if want[compact(g)] {
			return true, true
		}
	}
	return true, false
}

// sameButNumber reports whether a and b differ only by a final "s" or "es" on one of them.
func sameButNumber(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= 3 && (b == a+"s" || b == a+"es")
}

// flatten lists the scalar values in v: a string, a number, each element of a list, each field of a struct
// (@sys.person comes back as {"name": …}).
func flatten(v *structpb.Value, out []string) []string {
	switch k := v.GetKind().(type) {
	case *structpb.Value_StringValue:
		out = append(out, k.StringValue)
	case *structpb.Value_NumberValue:
		out = append(out, strconv.FormatFloat(k.NumberValue, 'f', -1, 64))
	case *structpb.Value_BoolValue:
		out = append(out, strconv.FormatBool(k.BoolValue))
	case *structpb.Value_ListValue:
		for _, e := range k.ListValue.GetValues() {
			out = flatten(e, out)
		}
	case *structpb.Value_StructValue:
		for _, name := range slices.Sorted(maps.Keys(k.StructValue.GetFields())) {
			out = flatten(k.StructValue.GetFields()[name], out)
		}
	}
	return out
}

// compact folds s for comparison: lower case, accents stripped, only letters and digits kept, so that
// "+34 612 34 56 78" and "+34612345678", or "Envío" and "envio", compare equal.
func compact(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// wordsOf is s's words, each compacted, joined by single spaces.
func wordsOf(s string) string {
	ws := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) })
	for i, w := range ws {
		ws[i] = compact(w)
	}
	return strings.Join(ws, " ")
}

// numberWords are the number words a customer types most, in English and Spanish.
var numberWords = map[string]float64{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "cero": 0, "uno": 1, "una": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4,
	"cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
}

func parseNumber(s string) (float64, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, ok := numberWords[s]; ok {
		return n, true
	}
	n, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	return n, err == nil
}

// summarize counts repeated notes: "skipped 12 × phrase over …; 3 × phrase of …".
func summarize(notes []string) string {
	counts := map[string]int{}
	for _, n := range notes {
		counts[n]++
	}
	var parts []string
	for _, n := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%d × %s", counts[n], n))
	}
	if len(parts) == 0 {
		return ""
	}
	return "skipped " + strings.Join(parts, "; ")
}

func ratio(hit, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d (%.1f%%)", hit, n, 100*float64(hit)/float64(n))
}

// report is the table of measurements and, under it, each export's first misses.
func report(ms []measurement) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "export\tkind\tintents\town training phrases matched\tparaphrases\tannotated slots returned\tnote")
	for _, m := range ms {
		slots := ratio(m.slotsHit, m.slots)
		if m.slotsPresence > 0 {
			slots += fmt.Sprintf(" [%d presence-only]", m.slotsPresence)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", m.name, m.kind, m.intents,
			ratio(m.phrasesHit, m.phrases), ratio(m.paraphrasesHit, m.paraphrases), slots, m.note)
	}
	tw.Flush()
	for _, m := range ms {
		if m.missCount == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s: %d misses, the first %d:\n", m.name, m.missCount, len(m.misses))
		for _, x := range m.misses {
			ctx := ""
			if len(x.contexts) > 0 {
				ctx = " [contexts " + strings.Join(x.contexts, ",") + "]"
			}
			also := ""
			if len(x.also) > 0 {
				also = "; the same phrase also trains " + strings.Join(x.also, ", ")
			}
			fmt.Fprintf(&b, "  %s %q%s → %s (want %s%s)\n", x.lang, x.text, ctx, x.got, x.want, also)
		}
	}
	for _, m := range ms {
		if m.slotMissCount == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s: %d annotated slots not returned, the first %d:\n", m.name, m.slotMissCount, len(m.slotMisses))
		for _, x := range m.slotMisses {
			fmt.Fprintf(&b, "  %s %q: %s (%s) = %q, got %q\n", x.lang, x.text, x.param, x.entity, x.want, x.got)
		}
	}
	return b.String()
}
