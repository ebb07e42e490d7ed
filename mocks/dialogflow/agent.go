package dialogflow

import (
	"context"
	"net/http"

	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/parley-dev/parley/journal"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Agent is a Dialogflow ES agent as loaded from an export: what the matcher and the session logic need,
// nothing of the console's presentation settings.
type Agent struct {
	DisplayName        string
	Language           string   // default language, e.g. "es"
	SupportedLanguages []string // every language, default first
	TimeZone           string
	MLMinConfidence    float64 // classification threshold; 0.3 when the export says 0 or nothing
	WebhookURL         string  // agent.json webhook.url, when set
	Intents            []*Intent
	Entities           map[string]*EntityType // by name, without the "@"

	ignored map[string]int // what the export sets and the mock does not model, with how often (Summary)
}

// Intent is one intent of the export.
type Intent struct {
	ID             string
	DisplayName    string
	Priority       int      // 500000 when unset; negative means never matched
	InputContexts  []string // lower-cased context ids
	Events         []string
	Action         string
	ResetContexts  bool
	OutputContexts []ContextSpec
	Parameters     []Parameter
	Messages       map[string][][]string // language → text blocks → variants
	WebhookUsed    bool
	Fallback       bool
	EndInteraction bool
	Phrases        map[string][]Phrase // language → training phrases
	MLDisabled     bool
}

// ContextSpec is an output context of an intent.
type ContextSpec struct {
	Name     string
	Lifespan int
}

// Parameter is an intent parameter.
type Parameter struct {
	Name         string
	EntityType   string // "@sys.number", "@order_number", …
	Value        string // "$name"
	DefaultValue string
	Required     bool
	IsList       bool
	Prompts      map[string][]string // language → prompts asked when a required parameter is missing
}

// Phrase is a training phrase: plain text chunks and annotated entity slots.
type Phrase struct {
	ID    string
	Parts []PhrasePart
}

// PhrasePart is one chunk of a training phrase; Alias and Entity are set for annotated chunks.
type PhrasePart struct {
	Text   string
	Alias  string
	Entity string // "@sys.number" or "@custom"
}

// Text is the phrase as a user would type it.
func (p Phrase) Text() string {
	var b strings.Builder
	for _, part := range p.Parts {
		b.WriteString(part.Text)
	}
	return b.String()
}

// EntityType is a custom entity type with its entries per language.
type EntityType struct {
	Name   string
	Regexp bool
	// Fuzzy is the export's allowFuzzyExtraction: a word a typo away from a synonym still matches it.
	Fuzzy bool
	// Composite is set when the entries' synonyms reference other entities ("@sys.number-integer:number
	// @food:item"): the entity's value is then a Struct of the referenced entities' values by alias.
	Composite bool
	Entries   map[string][]EntityEntry // language → entries
	regexps   map[string][]*regexp.Regexp
}

// EntityEntry is a reference value with its synonyms (regular expressions for a regexp entity).
type EntityEntry struct {
	Value    string
	Synonyms []string
}

// Limits on what an export may hold, so a hostile or broken zip cannot exhaust memory.
const (
	maxExportFiles    = 5000
	maxExportFileSize = 8 << 20
)

// LoadAgentDir loads an ES export from a directory or from a .zip file.
func LoadAgentDir(p string) (*Agent, error) {
	fsys, closer, err := openExport(p)
	if err != nil {
		return nil, err
	}
	if closer != nil {
		defer closer()
	}
	return LoadAgent(fsys)
}

// ExportSummary loads the export at p (a directory or a .zip file), ES or CX, and returns its Summary: what
// a command prints before it starts, so that a user sees what was read and what was ignored.
func ExportSummary(p string) (string, error) {
	fsys, closer, err := openExport(p)
	if err != nil {
		return "", err
	}
	if closer != nil {
		defer closer()
	}
	if IsCXExport(fsys) {
		a, err := LoadCXAgent(fsys)
		if err != nil {
			return "", err
		}
		return a.Summary(), nil
	}
	a, err := LoadAgent(fsys)
	if err != nil {
		return "", err
	}
	return a.Summary(), nil
}

// ErrCXExport is returned by LoadAgent for a Dialogflow CX export, which LoadCXAgent reads.
var ErrCXExport = errors.New("agent export: this is a Dialogflow CX export (flows/, pages, CX agent.json); load it with LoadCXAgent")

// LoadAgent loads an ES export from fsys. agent.json may be at the root or in a single top-level
// directory (zips made by hand often nest one level). A CX export is refused with ErrCXExport: read as
// ES it would be an agent with no intents.
func LoadAgent(fsys fs.FS) (*Agent, error) {
	if IsCXExport(fsys) {
		return nil, ErrCXExport
	}
	root := "."
	if _, err := fs.Stat(fsys, "agent.json"); err != nil {
		entries, derr := fs.ReadDir(fsys, ".")
		if derr != nil {
			return nil, fmt.Errorf("agent export: %w", derr)
		}
		for _, e := range entries {
			if e.IsDir() {
				if _, err := fs.Stat(fsys, path.Join(e.Name(), "agent.json")); err == nil {
					root = e.Name()
					break
				}
			}
		}
		if root == "." {
			return nil, errors.New("agent export: no agent.json at its root; is this a Dialogflow ES export?")
		}
	}
	l := loader{fsys: fsys, root: root}
	return l.load()
}

type loader struct {
	fsys  fs.FS
	root  string
	files int
}

func (l *loader) read(name string, v any) error {
	l.files++
	if l.files > maxExportFiles {
		return fmt.Errorf("agent export: more than %d files", maxExportFiles)
	}
	f, err := l.fsys.Open(path.Join(l.root, name))
	if err != nil {
		return fmt.Errorf("agent export: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("agent export %s: %w", name, err)
	}
	if st.Size() > maxExportFileSize {
		return fmt.Errorf("agent export %s: larger than %d bytes", name, maxExportFileSize)
	}
	dec := json.NewDecoder(&limitedReader{r: f, n: maxExportFileSize})
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("agent export %s: %w", name, err)
	}
	return nil
}

type limitedReader struct {
	r interface{ Read([]byte) (int, error) }
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("file too large")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// The export's JSON, as written by the Dialogflow ES console (Google publishes no schema for the ZIP: the
// fields are those of real exports and of the parsers that read them).
type exportAgent struct {
	DisplayName        string   `json:"displayName"`
	Language           string   `json:"language"`
	SupportedLanguages []string `json:"supportedLanguages"`
	DefaultTimezone    string   `json:"defaultTimezone"`
	MLMinConfidence    float64  `json:"mlMinConfidence"`
	Webhook            struct {
		URL       string            `json:"url"`
		Available bool              `json:"available"`
		Headers   map[string]string `json:"headers"`
		Username  string            `json:"username"`
	} `json:"webhook"`
	KnowledgeBases []string `json:"enabledKnowledgeBaseNames"`
}

type exportIntent struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Contexts  []string `json:"contexts"`
	Responses []struct {
		ResetContexts    bool   `json:"resetContexts"`
		Action           string `json:"action"`
		AffectedContexts []struct {
			Name     string `json:"name"`
			Lifespan int    `json:"lifespan"`
		} `json:"affectedContexts"`
		Parameters []struct {
			Name         string `json:"name"`
			Required     bool   `json:"required"`
			DataType     string `json:"dataType"`
			Value        string `json:"value"`
			DefaultValue string `json:"defaultValue"`
			IsList       bool   `json:"isList"`
			Prompts      []struct {
				Lang  string `json:"lang"`
				Value string `json:"value"`
			} `json:"prompts"`
		} `json:"parameters"`
		Messages []struct {
			Type   json.RawMessage `json:"type"` // "0" in new exports, 0 in old ones
			Lang   string          `json:"lang"`
			Speech json.RawMessage `json:"speech"` // a list of variants, or one string in old exports
		} `json:"messages"`
	} `json:"responses"`
	Priority              *int `json:"priority"`
	WebhookUsed           bool `json:"webhookUsed"`
	WebhookForSlotFilling bool `json:"webhookForSlotFilling"`
	FallbackIntent        bool `json:"fallbackIntent"`
	Events                []struct {
		Name string `json:"name"`
	} `json:"events"`
	EndInteraction bool `json:"endInteraction"`
	MLDisabled     bool `json:"mlDisabled"`
}

type exportPhrase struct {
	ID   string `json:"id"`
	Data []struct {
		Text  string `json:"text"`
		Alias string `json:"alias"`
		Meta  string `json:"meta"`
	} `json:"data"`
	Lang string `json:"lang"`
}

type exportEntity struct {
	Name                 string `json:"name"`
	IsRegexp             bool   `json:"isRegexp"`
	AllowFuzzyExtraction bool   `json:"allowFuzzyExtraction"`
}

func (l *loader) load() (*Agent, error) {
	var ea exportAgent
	if err := l.read("agent.json", &ea); err != nil {
		return nil, err
	}
	a := &Agent{
		DisplayName:     ea.DisplayName,
		Language:        strings.ToLower(ea.Language),
		TimeZone:        ea.DefaultTimezone,
		MLMinConfidence: ea.MLMinConfidence,
		Entities:        map[string]*EntityType{},
		ignored:         map[string]int{},
	}
	if a.Language == "" {
		a.Language = "en"
	}
	if a.MLMinConfidence <= 0 || a.MLMinConfidence > 1 {
		a.MLMinConfidence = defaultMLMinConfidence // "If set to 0.0, the default of 0.3 is used" (agent.proto)
	}
	if ea.Webhook.Available {
		a.WebhookURL = ea.Webhook.URL
		if len(ea.Webhook.Headers) > 0 || ea.Webhook.Username != "" {
			a.ignored["agent.json webhook headers and basic auth (not sent to the fulfilment URL)"]++
		}
	}
	if len(ea.KnowledgeBases) > 0 {
		a.ignored["agent.json enabledKnowledgeBaseNames (knowledge connectors)"] += len(ea.KnowledgeBases)
	}
	a.SupportedLanguages = []string{a.Language}
	for _, lang := range ea.SupportedLanguages {
		lang = strings.ToLower(lang)
		if lang != "" && lang != a.Language {
			a.SupportedLanguages = append(a.SupportedLanguages, lang)
		}
	}

	if err := l.loadEntities(a); err != nil {
		return nil, err
	}
	if err := l.loadIntents(a); err != nil {
		return nil, err
	}
	return a, nil
}

func (l *loader) list(dir string) ([]string, error) {
	entries, err := fs.ReadDir(l.fsys, path.Join(l.root, dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("agent export %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// langSuffix splits "name_usersays_es.json" into ("name", "es") for marker "_usersays_".
func langSuffix(file, marker string) (base, lang string, ok bool) {
	stem := strings.TrimSuffix(file, ".json")
	i := strings.LastIndex(stem, marker)
	if i < 0 {
		return "", "", false
	}
	return stem[:i], strings.ToLower(stem[i+len(marker):]), true
}

func (l *loader) loadEntities(a *Agent) error {
	files, err := l.list("entities")
	if err != nil {
		return err
	}
	for _, f := range files {
		if _, _, ok := langSuffix(f, "_entries_"); ok {
			continue
		}
		var ee exportEntity
		if err := l.read(path.Join("entities", f), &ee); err != nil {
			return err
		}
		name := ee.Name
		if name == "" {
			name = strings.TrimSuffix(f, ".json")
		}
		a.Entities[name] = &EntityType{Name: name, Regexp: ee.IsRegexp, Fuzzy: ee.AllowFuzzyExtraction,
			Entries: map[string][]EntityEntry{}, regexps: map[string][]*regexp.Regexp{}}
	}
	for _, f := range files {
		base, lang, ok := langSuffix(f, "_entries_")
		if !ok {
			continue
		}
		et := a.Entities[base]
		if et == nil {
			return fmt.Errorf("agent export entities/%s: entries for an entity type with no entities/%s.json", f, base)
		}
		var entries []EntityEntry
		if err := l.read(path.Join("entities", f), &entries); err != nil {
			return err
		}
		for i := range entries {
			if len(entries[i].Synonyms) == 0 {
				entries[i].Synonyms = []string{entries[i].Value}
			}
			if !et.Regexp {
				for _, s := range entries[i].Synonyms {
					for _, ref := range entityRefs.FindAllStringSubmatch(s, -1) {
						if err := checkEntity(a, ref[1]); err != nil {
							return fmt.Errorf("agent export entities/%s: entry %q: %w", f, s, err)
						}
						et.Composite = true
					}
				}
			}
			if et.Regexp {
				for _, s := range entries[i].Synonyms {
					re, err := regexp.Compile(s)
					if err != nil {
						return fmt.Errorf("agent export entities/%s: entry %q: %w", f, s, err)
					}
					et.regexps[lang] = append(et.regexps[lang], re)
				}
			}
		}
		et.Entries[lang] = entries
	}
	return nil
}

func (l *loader) loadIntents(a *Agent) error {
	files, err := l.list("intents")
	if err != nil {
		return err
	}
	byBase := map[string]*Intent{}
	for _, f := range files {
		if _, _, ok := langSuffix(f, "_usersays_"); ok {
			continue
		}
		var ei exportIntent
		if err := l.read(path.Join("intents", f), &ei); err != nil {
			return err
		}
		in, err := convertIntent(ei, strings.TrimSuffix(f, ".json"), a.ignored)
		if err != nil {
			return fmt.Errorf("agent export intents/%s: %w", f, err)
		}
		byBase[strings.TrimSuffix(f, ".json")] = in
		a.Intents = append(a.Intents, in)
	}
	for _, f := range files {
		base, lang, ok := langSuffix(f, "_usersays_")
		if !ok {
			continue
		}
		in := byBase[base]
		if in == nil {
			return fmt.Errorf("agent export intents/%s: training phrases for an intent with no intents/%s.json", f, base)
		}
		var eps []exportPhrase
		if err := l.read(path.Join("intents", f), &eps); err != nil {
			return err
		}
		for _, ep := range eps {
			p := Phrase{ID: ep.ID}
			for _, d := range ep.Data {
				part := PhrasePart{Text: d.Text}
				if d.Meta != "" && d.Meta != "@sys.ignore" {
					part.Entity = d.Meta
					part.Alias = d.Alias
					if part.Alias == "" {
						part.Alias = strings.TrimPrefix(strings.TrimPrefix(d.Meta, "@sys."), "@")
					}
				}
				p.Parts = append(p.Parts, part)
			}
			if strings.TrimSpace(p.Text()) != "" {
				in.Phrases[lang] = append(in.Phrases[lang], p)
			}
		}
	}
	for _, in := range a.Intents {
		for _, p := range in.Parameters {
			if err := checkEntity(a, p.EntityType); err != nil {
				return fmt.Errorf("agent export: intent %q parameter %q: %w", in.DisplayName, p.Name, err)
			}
		}
		for lang, ps := range in.Phrases {
			for _, p := range ps {
				for _, part := range p.Parts {
					if part.Entity == "" {
						continue
					}
					if err := checkEntity(a, part.Entity); err != nil {
						return fmt.Errorf("agent export: intent %q training phrase %q (%s): %w", in.DisplayName, p.Text(), lang, err)
					}
				}
			}
		}
	}
	return nil
}

// entityRefs finds the references to other entities in a composite entity's synonym: "@type:alias".
var entityRefs = regexp.MustCompile(`(@[A-Za-z0-9_.-]+):([A-Za-z0-9_-]+)`)

func checkEntity(a *Agent, name string) error {
	if name == "" || strings.HasPrefix(name, "@sys.") {
		return nil
	}
	if a.Entities[strings.TrimPrefix(name, "@")] == nil {
		return fmt.Errorf("unknown entity type %s", name)
	}
	return nil
}

func convertIntent(ei exportIntent, file string, ignored map[string]int) (*Intent, error) {
	in := &Intent{
		ID:             ei.ID,
		DisplayName:    ei.Name,
		Priority:       500000,
		WebhookUsed:    ei.WebhookUsed,
		Fallback:       ei.FallbackIntent,
		EndInteraction: ei.EndInteraction,
		MLDisabled:     ei.MLDisabled,
		Messages:       map[string][][]string{},
		Phrases:        map[string][]Phrase{},
	}
	if in.DisplayName == "" {
		in.DisplayName = file
	}
	if in.ID == "" {
		in.ID = file
	}
	if ei.Priority != nil && *ei.Priority != 0 {
		in.Priority = *ei.Priority
	}
	for _, c := range ei.Contexts {
		in.InputContexts = append(in.InputContexts, strings.ToLower(c))
	}
	for _, e := range ei.Events {
		if e.Name != "" {
			in.Events = append(in.Events, e.Name)
		}
	}
	if ei.WebhookForSlotFilling {
		ignored["intent webhookForSlotFilling"]++
	}
	if len(ei.Responses) > 1 {
		ignored["intent responses after the first"] += len(ei.Responses) - 1
	}
	if len(ei.Responses) > 0 {
		r := ei.Responses[0]
		in.Action = r.Action
		in.ResetContexts = r.ResetContexts
		for _, c := range r.AffectedContexts {
			in.OutputContexts = append(in.OutputContexts, ContextSpec{Name: strings.ToLower(c.Name), Lifespan: c.Lifespan})
		}
		for _, p := range r.Parameters {
			prompts := map[string][]string{}
			for _, pr := range p.Prompts {
				if pr.Value != "" {
					prompts[strings.ToLower(pr.Lang)] = append(prompts[strings.ToLower(pr.Lang)], pr.Value)
				}
			}
			in.Parameters = append(in.Parameters, Parameter{Name: p.Name, EntityType: p.DataType, Value: p.Value,
				DefaultValue: p.DefaultValue, Required: p.Required, IsList: p.IsList, Prompts: prompts})
		}
		for _, m := range r.Messages {
			if t := strings.Trim(string(m.Type), `"`); t != "0" && t != "" {
				ignored[fmt.Sprintf("intent messages of type %s (only text responses are modelled)", t)]++
				continue
			}
			var variants []string
			if err := json.Unmarshal(m.Speech, &variants); err != nil {
				var one string
				if err2 := json.Unmarshal(m.Speech, &one); err2 != nil {
					if len(m.Speech) == 0 {
						continue
					}
					return nil, fmt.Errorf("message speech is neither a string nor a list of strings")
				}
				variants = []string{one}
			}
			if len(variants) == 0 {
				continue
			}
			lang := strings.ToLower(m.Lang)
			in.Messages[lang] = append(in.Messages[lang], variants)
		}
	}
	return in, nil
}

// The Agent resource (agent.proto), read only.

func (s *Server) getAgent(parent string) (*dialogflowpb.Agent, error) {
	seg := strings.Split(parent, "/")
	if !(len(seg) == 2 || len(seg) == 4 && seg[2] == "locations") || seg[0] != "projects" || seg[1] == "" {
		return nil, s.refuse("GetAgent", parent, errSessionPath(parent, "projects/*/locations/*"))
	}
	if seg[1] != s.cfg.project || s.cx != nil {
		return nil, s.refuse("GetAgent", parent, errNoAgent(seg[1]))
	}
	a := &dialogflowpb.Agent{
		Parent:                 parent,
		DisplayName:            s.agent.DisplayName,
		DefaultLanguageCode:    s.agent.Language,
		SupportedLanguageCodes: s.agent.SupportedLanguages[1:],
		TimeZone:               s.agent.TimeZone,
		EnableLogging:          true,
		//lint:ignore SA1019 deprecated in the proto, still returned by the real service
		MatchMode:               dialogflowpb.Agent_MATCH_MODE_HYBRID,
		ClassificationThreshold: float32(s.minConf),
		ApiVersion:              dialogflowpb.Agent_API_VERSION_V2,
		Tier:                    dialogflowpb.Agent_TIER_STANDARD,
	}
	s.journal.Record(journal.SourceDialogflow, journal.KindRequestAccepted, "", journal.RequestData{
		Method: "GetAgent", Path: parent + "/agent", HTTP: http.StatusOK,
	})
	return a, nil
}

type esAgents struct {
	dialogflowpb.UnimplementedAgentsServer
	s *Server
}

func (g esAgents) GetAgent(_ context.Context, req *dialogflowpb.GetAgentRequest) (*dialogflowpb.Agent, error) {
	return g.s.getAgent(req.GetParent())
}

// restGetAgent serves GET projects/{p}[/locations/{l}]/agent.
func (s *Server) restGetAgent(w http.ResponseWriter, r *http.Request) {
	rc, resource, ok := s.restCall(w, r)
	if !ok || !s.restAuthorized(rc) {
		return
	}
	a, err := s.getAgent(strings.TrimSuffix(resource, "/agent"))
	if err != nil {
		rc.fail(err)
		return
	}
	rc.write(a)
}

// Summary is what the load found, for a CLI to print: languages, intents (and how many call the
// fulfilment webhook), training phrases, entity types and entries, the export's webhook URL (never
// called), and every ignored setting with how often it appeared.
func (a *Agent) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ES agent %q (%s", a.DisplayName, strings.Join(a.SupportedLanguages, ", "))
	if a.TimeZone != "" {
		fmt.Fprintf(&b, ", %s", a.TimeZone)
	}
	b.WriteString(")\n")
	var phrases, webhook, entries int
	for _, in := range a.Intents {
		for _, ps := range in.Phrases {
			phrases += len(ps)
		}
		if in.WebhookUsed {
			webhook++
		}
	}
	for _, et := range a.Entities {
		for _, es := range et.Entries {
			entries += len(es)
		}
	}
	fmt.Fprintf(&b, "  %d intents (%d with webhook fulfilment), %d training phrases, %d entity types (%d entries)\n",
		len(a.Intents), webhook, phrases, len(a.Entities), entries)
	if a.WebhookURL != "" {
		fmt.Fprintf(&b, "  fulfilment webhook in the export: %s (never called)\n", a.WebhookURL)
	}
	writeIgnored(&b, a.ignored)
	return b.String()
}

// writeIgnored ends a load report with what the export holds that parley ignores, and how often.
func writeIgnored(b *strings.Builder, ignored map[string]int) {
	if len(ignored) == 0 {
		b.WriteString("  nothing ignored\n")
		return
	}
	b.WriteString("  ignored (no effect on the conversation in parley):\n")
	for _, k := range sortedKeys(ignored) {
		fmt.Fprintf(b, "    %s ×%d\n", k, ignored[k])
	}
}
