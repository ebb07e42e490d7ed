package dialogflow

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
)

// A Dialogflow CX export (Agents.ExportAgent, JSON package): agent.json at the root, then one folder per
// resource, named by display name:
//
//	flows/<Flow>/<Flow>.json, flows/<Flow>/pages/<Page>.json, flows/<Flow>/transitionRouteGroups/<Group>.json
//	transitionRouteGroups/<Group>.json (agent-level route groups)
//	intents/<Intent>/<Intent>.json, intents/<Intent>/trainingPhrases/<lang>.json
//	entityTypes/<Type>/<Type>.json, entityTypes/<Type>/entities/<lang>.json
//	webhooks/<Webhook>.json, testCases/<Test case>.json
//
// Each file is the protojson of the cx/v3 resource (cxpb.Flow, cxpb.Page, …) with references by display
// name instead of resource name ("intent": "order.status", "targetPage": "End Session"), plus fields of
// the export's own (numTrainingPhrases, the parts' "auto"), which are dropped. Google publishes no schema
// of the package: the layout is that of real exports. Every field the proto has is either modelled,
// ignored on purpose and counted in the Summary (presentation and speech settings), or refused at load
// with the file and the field: a construct the mock cannot follow never becomes a silent route.

// CXAgent is a Dialogflow CX agent as loaded from an export. It is immutable once loaded.
type CXAgent struct {
	DisplayName string
	Language    string   // default language code, lower case
	Languages   []string // every supported language, default first
	TimeZone    string
	StartFlow   *CXFlow
	Flows       []*CXFlow
	TestCases   []*CXTestCase

	flows    map[string]*CXFlow // by display name
	intents  map[string]*Intent // by display name, in the shape the matcher takes
	es       *Agent             // the intents and entity types as the ES matcher reads them
	webhooks map[string]*cxWebhook
	groups   map[string]*cxRouteGroup // agent-level route groups
	// composites are the entity types made of other entity types, by display name (cxcomposite.go).
	composites map[string]*cxComposite
	scopes     *scopeMatchers
	counts     cxCounts
}

// CXFlow is a flow: its start page holds the flow's own routes, route groups and event handlers.
type CXFlow struct {
	ID          string
	DisplayName string
	Start       *CXPage
	Pages       []*CXPage
	threshold   float64 // nluSettings.classificationThreshold
	pages       map[string]*CXPage
	groups      map[string]*cxRouteGroup
}

// CXPage is a page of a flow, or a flow's start page (ID START_PAGE).
type CXPage struct {
	ID          string
	DisplayName string
	Flow        *CXFlow
	entry       *cxFulfillment
	form        []*cxFormParam
	routes      []*cxRoute
	groups      []*cxRouteGroup
	events      []*cxHandler
	file        string
}

type cxRouteGroup struct {
	name   string
	routes []*cxRoute
}

// cxRoute is a transition route: an intent, a condition, or both.
type cxRoute struct {
	id      string
	intent  *Intent // nil for a condition route
	cond    cxExpr  // nil: always
	fulfill *cxFulfillment
	target  cxTarget
}

// cxHandler is an event handler (page, flow or form parameter reprompt).
type cxHandler struct {
	event   string
	fulfill *cxFulfillment
	target  cxTarget
}

// cxTarget is where a route or handler goes: a page of the same flow, a flow, or a symbolic page.
type cxTarget struct {
	page    *CXPage
	flow    *CXFlow
	special string // END_SESSION, END_FLOW, PREVIOUS_PAGE, CURRENT_PAGE, START_PAGE
	name    string // as written in the export, for resolving after every file is read
	isFlow  bool
}

func (t cxTarget) none() bool { return t.page == nil && t.flow == nil && t.special == "" }

type cxFulfillment struct {
	messages []*cxpb.ResponseMessage // texts keep every variant; one is chosen per turn
	cases    []*cxCases              // conditional responses, after the messages
	webhook  *cxWebhook
	tag      string
	set      []cxSetParam
}

// cxCases is a fulfillment's conditional response: cascading if-else cases, of which the first whose
// condition holds (no condition: always) gives its messages and nested cases, in order.
type cxCases struct {
	cases []cxCase
}

type cxCase struct {
	cond    cxExpr // nil: always
	content []cxCaseContent
}

// cxCaseContent is a message or nested cases.
type cxCaseContent struct {
	msg  *cxpb.ResponseMessage
	more *cxCases
}

// maxCasesDepth bounds the nesting of conditional responses.
const maxCasesDepth = 16

type cxSetParam struct {
	name  string
	value any // a JSON value; strings may hold $session.params… references
}

type cxFormParam struct {
	name      string
	entity    string // "@sys.number", "@size"
	required  bool
	isList    bool
	prompt    *cxFulfillment
	reprompts []*cxHandler
	dflt      any // defaultValue, or nil
}

type cxWebhook struct {
	name    string
	uri     string // genericWebService.uri, the vendor's production backend: reported, never called
	timeout time.Duration
}

// The export's CX-only files with no proto of their own.
type cxPhrases struct {
	TrainingPhrases []json.RawMessage `json:"trainingPhrases"`
}

type cxEntities struct {
	Entities []json.RawMessage `json:"entities"`
}

// cxCounts is what the load summary reports.
type cxCounts struct {
	pages, groups, intents, phrases, entityTypes, entries, webhooks, routes, handlers, params int
	ignored                                                                                   map[string]int
}

// Limits of a CX export beyond the file count and size every export has (maxExportFiles,
// maxExportFileSize): the condition language is bounded too (cxcond.go).
const maxCXNameLen = 512

// errNotCX says an export has no CX layout; LoadAgent then reads it as ES.
var errNotCX = errors.New("not a Dialogflow CX export")

// LoadCXAgentDir loads a CX export from a directory or a .zip file.
func LoadCXAgentDir(p string) (*CXAgent, error) {
	fsys, closer, err := openExport(p)
	if err != nil {
		return nil, err
	}
	if closer != nil {
		defer closer()
	}
	return LoadCXAgent(fsys)
}

// openExport opens a directory or a .zip file as an fs.FS.
func openExport(p string) (fs.FS, func(), error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, fmt.Errorf("agent export: %w", err)
	}
	if strings.HasSuffix(strings.ToLower(p), ".zip") {
		// Only a regular file: opening a FIFO would wait for a writer for ever.
		if !st.Mode().IsRegular() {
			return nil, nil, fmt.Errorf("agent export %s: not a regular file", p)
		}
		zr, err := zip.OpenReader(p)
		if err != nil {
			return nil, nil, fmt.Errorf("opening agent export %s: %w", p, err)
		}
		return zr, func() { zr.Close() }, nil
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("agent export %s: not a directory or a .zip file", p)
	}
	return os.DirFS(p), nil, nil
}

// IsCXExport reports whether the export in fsys (agent.json at the root or in a single top-level folder)
// is a Dialogflow CX export: a flows/ folder, or an agent.json with CX's fields (defaultLanguageCode,
// startFlow, startPlaybook) instead of ES's (language).
func IsCXExport(fsys fs.FS) bool {
	root, err := exportRoot(fsys)
	if err != nil {
		return false
	}
	if st, err := fs.Stat(fsys, path.Join(root, "flows")); err == nil && st.IsDir() {
		return true
	}
	l := loader{fsys: fsys, root: root}
	var head map[string]json.RawMessage
	if l.read("agent.json", &head) != nil {
		return false
	}
	_, dl := head["defaultLanguageCode"]
	_, sf := head["startFlow"]
	_, sp := head["startPlaybook"]
	_, es := head["language"]
	return !es && (dl || sf || sp)
}

// exportRoot finds the folder holding agent.json: the root, or a single top-level folder.
func exportRoot(fsys fs.FS) (string, error) {
	if _, err := fs.Stat(fsys, "agent.json"); err == nil {
		return ".", nil
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return "", fmt.Errorf("agent export: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			if _, err := fs.Stat(fsys, path.Join(e.Name(), "agent.json")); err == nil {
				return e.Name(), nil
			}
		}
	}
	return "", errors.New("agent export: no agent.json at its root; is this a Dialogflow export?")
}

// LoadCXAgent loads a CX export from fsys. Anything the mock does not model is refused with the file and
// the construct; presentation and speech settings are ignored and counted (Summary).
func LoadCXAgent(fsys fs.FS) (*CXAgent, error) {
	root, err := exportRoot(fsys)
	if err != nil {
		return nil, err
	}
	if !IsCXExport(fsys) {
		return nil, fmt.Errorf("agent export: %w (no flows/ folder, and agent.json has ES's \"language\")", errNotCX)
	}
	l := &cxLoader{loader: loader{fsys: fsys, root: root}}
	a, err := l.load()
	if err != nil {
		return nil, fmt.Errorf("CX agent export: %w", err)
	}
	return a, nil
}

type cxLoader struct {
	loader
	a *CXAgent
}

// readProto reads a file into a cx/v3 message. Fields of the export's own, which the proto lacks, are
// dropped; the caller checks the fields that are set (allow).
func (l *cxLoader) readProto(name string, m proto.Message) error {
	var raw json.RawMessage
	if err := l.read(name, &raw); err != nil {
		return err
	}
	return unmarshalExport(name, raw, m)
}

// unmarshalExport decodes one resource of the export. The export writes a google.protobuf.Duration as
// {"seconds": 5} where protojson wants "5s" (webhook timeouts, speech timeouts), and a map as a list of
// {"key", "value"} objects (a webhook's requestHeaders) where protojson wants an object: both are turned
// into protojson's form first.
func unmarshalExport(name string, raw []byte, m proto.Message) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fixed, err := json.Marshal(durations(v, 0))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(fixed, m); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// durations rewrites {"seconds": s[, "nanos": n]} objects as "s.nnnnnnnnns" and lists of {"key",
// "value"} objects as objects. depth bounds the walk
// (the JSON decoder has its own nesting limit; this keeps the walk's stack small regardless).
func durations(v any, depth int) any {
	if depth > 256 {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		if sec, ok := x["seconds"].(json.Number); ok && (len(x) == 1 || len(x) == 2 && x["nanos"] != nil) {
			s, err := strconv.ParseInt(string(sec), 10, 64)
			if err == nil {
				ns := int64(0)
				if n, ok := x["nanos"].(json.Number); ok {
					ns, _ = strconv.ParseInt(string(n), 10, 64)
				}
				return fmt.Sprintf("%d.%09ds", s, ns)
			}
		}
		for k, e := range x {
			x[k] = durations(e, depth+1)
		}
	case []any:
		entries := map[string]any{}
		for i, e := range x {
			x[i] = durations(e, depth+1)
			if kv, ok := x[i].(map[string]any); ok && len(kv) == 2 && entries != nil {
				if k, ok := kv["key"].(string); ok && kv["value"] != nil {
					entries[k] = kv["value"]
					continue
				}
			}
			entries = nil
		}
		if len(entries) > 0 {
			return entries
		}
	}
	return v
}

// fieldRule says what the loader does with a set field of a resource: model it, ignore it (counted), or,
// for a field not listed, refuse the export.
type fieldRule map[protoreflect.Name]string

const (
	modelled = "modelled"
	ignored  = "ignored"
)

// allow refuses a field that is set in m and not in rules; ignored ones are counted by name.
func (l *cxLoader) allow(file, what string, m proto.Message, rules fieldRule) error {
	var bad error
	m.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch rules[fd.Name()] {
		case modelled:
		case ignored:
			l.a.counts.ignored[what+"."+fd.JSONName()]++
		default:
			bad = fmt.Errorf("%s: %s has %s, which parley's mock does not model", file, what, fd.JSONName())
			return false
		}
		return true
	})
	return bad
}

func (l *cxLoader) load() (*CXAgent, error) {
	a := &CXAgent{
		flows: map[string]*CXFlow{}, intents: map[string]*Intent{}, webhooks: map[string]*cxWebhook{},
		groups: map[string]*cxRouteGroup{}, counts: cxCounts{ignored: map[string]int{}},
		composites: map[string]*cxComposite{},
	}
	l.a = a
	ag := &cxpb.Agent{}
	if err := l.readProto("agent.json", ag); err != nil {
		return nil, err
	}
	if err := l.allow("agent.json", "agent", ag, fieldRule{
		"display_name": modelled, "default_language_code": modelled, "supported_language_codes": modelled,
		"time_zone": modelled, "start_flow": modelled, "description": ignored, "avatar_uri": ignored,
		"speech_to_text_settings": ignored, "enable_stackdriver_logging": ignored, "enable_spell_correction": ignored,
		"enable_multi_language_training": ignored, "locked": ignored, "advanced_settings": ignored,
		"git_integration_settings": ignored, "text_to_speech_settings": ignored, "answer_feedback_settings": ignored,
		"security_settings": ignored, "personalization_settings": ignored, "client_certificate_settings": ignored,
		"gen_app_builder_settings": ignored, "satisfies_pzs": ignored, "satisfies_pzi": ignored,
	}); err != nil {
		return nil, err
	}
	a.DisplayName = ag.GetDisplayName()
	a.Language = strings.ToLower(ag.GetDefaultLanguageCode())
	if a.Language == "" {
		return nil, errors.New("agent.json: no defaultLanguageCode")
	}
	a.Languages = []string{a.Language}
	for _, lc := range ag.GetSupportedLanguageCodes() {
		if lc = strings.ToLower(lc); lc != a.Language {
			a.Languages = append(a.Languages, lc)
		}
	}
	a.TimeZone = ag.GetTimeZone()
	if err := l.checkFolders(); err != nil {
		return nil, err
	}
	a.es = &Agent{DisplayName: a.DisplayName, Language: a.Language, SupportedLanguages: a.Languages,
		TimeZone: a.TimeZone, MLMinConfidence: defaultMLMinConfidence, Entities: map[string]*EntityType{}}
	if err := l.loadEntityTypes(); err != nil {
		return nil, err
	}
	a.checkComposites()
	for _, name := range sortedKeys(a.composites) {
		if c := a.composites[name]; c.bad != "" {
			a.counts.ignored["composite entity type "+name+" (its intent parameters are never extracted: "+c.bad+")"]++
		}
	}
	if err := l.loadIntents(); err != nil {
		return nil, err
	}
	if err := l.loadWebhooks(); err != nil {
		return nil, err
	}
	if err := l.loadGroups("transitionRouteGroups", a.groups); err != nil {
		return nil, err
	}
	if err := l.loadFlows(); err != nil {
		return nil, err
	}
	start := ag.GetStartFlow()
	if start == "" {
		start = "Default Start Flow"
	}
	if a.StartFlow = a.flows[start]; a.StartFlow == nil {
		return nil, fmt.Errorf("agent.json: start flow %q has no flows/%s/ folder", start, start)
	}
	if err := l.loadTestCases(); err != nil {
		return nil, err
	}
	a.scopes = newScopeMatchers(a.es)
	return a, nil
}

// cxFolders are the top-level folders of an export and what the loader does with them.
var cxFolders = map[string]string{
	"flows": modelled, "intents": modelled, "entityTypes": modelled, "webhooks": modelled,
	"testCases": modelled, "transitionRouteGroups": modelled,
	"generativeSettings": ignored, // the settings of generative features, which no modelled construct uses
	"environments":       ignored, "versions": ignored, "experiments": ignored,
}

func (l *cxLoader) checkFolders() error {
	entries, err := fs.ReadDir(l.fsys, l.root)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		switch cxFolders[e.Name()] {
		case modelled:
		case ignored:
			l.a.counts.ignored["folder "+e.Name()+"/"]++
		default:
			return fmt.Errorf("%s/: %s are not modelled by parley's mock (flows, pages, intents, entity types, route groups, webhooks and test cases are)", e.Name(), e.Name())
		}
	}
	return nil
}

// dirs lists the sub-folders of dir, sorted; a missing folder is empty.
func (l *cxLoader) dirs(dir string) ([]string, error) {
	entries, err := fs.ReadDir(l.fsys, path.Join(l.root, dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

func (l *cxLoader) loadEntityTypes() error {
	names, err := l.dirs("entityTypes")
	if err != nil {
		return err
	}
	for _, dir := range names {
		file := path.Join("entityTypes", dir, dir+".json")
		et := &cxpb.EntityType{}
		if err := l.readProto(file, et); err != nil {
			return err
		}
		if err := l.allow(file, "entityType", et, fieldRule{"name": modelled, "display_name": modelled,
			"kind": modelled, "entities": modelled, "auto_expansion_mode": ignored, "enable_fuzzy_extraction": ignored,
			"redact": ignored}); err != nil {
			return err
		}
		name := et.GetDisplayName()
		out := &EntityType{Name: name, Entries: map[string][]EntityEntry{}, regexps: map[string][]*regexp.Regexp{}}
		switch et.GetKind() {
		case cxpb.EntityType_KIND_MAP, cxpb.EntityType_KIND_LIST:
		case cxpb.EntityType_KIND_REGEXP:
			out.Regexp = true
		default:
			return fmt.Errorf("%s: entity type kind %v is not modelled", file, et.GetKind())
		}
		langs, err := l.list(path.Join("entityTypes", dir, "entities"))
		if err != nil {
			return err
		}
		for _, f := range langs {
			efile := path.Join("entityTypes", dir, "entities", f)
			var ce cxEntities
			if err := l.read(efile, &ce); err != nil {
				return err
			}
			lang := strings.ToLower(strings.TrimSuffix(f, ".json"))
			for _, raw := range ce.Entities {
				e := &cxpb.EntityType_Entity{}
				if err := unmarshalExport(efile, raw, e); err != nil {
					return err
				}
				entry := EntityEntry{Value: e.GetValue(), Synonyms: e.GetSynonyms()}
				list := et.GetKind() == cxpb.EntityType_KIND_LIST
				if list {
					entry.Synonyms = []string{entry.Value}
				}
				if !out.Regexp && slices.ContainsFunc(entry.Synonyms, func(s string) bool { return isCompositeSynonym(s, list) }) {
					// A composite entity: its synonyms are patterns over other entity types.
					c := l.a.composites[name]
					if c == nil {
						c = &cxComposite{name: name, patterns: map[string][]cxPattern{}}
						l.a.composites[name] = c
					}
					for _, s := range entry.Synonyms {
						p, err := parsePattern(s)
						if err != nil {
							return fmt.Errorf("%s: %w", efile, err)
						}
						c.patterns[lang] = append(c.patterns[lang], p)
					}
					l.a.counts.entries++
					continue
				}
				if len(entry.Synonyms) == 0 {
					entry.Synonyms = []string{entry.Value}
				}
				if out.Regexp {
					for _, s := range entry.Synonyms {
						re, err := regexp.Compile(s)
						if err != nil {
							return fmt.Errorf("%s: regexp %q: %w", efile, s, err)
						}
						out.regexps[lang] = append(out.regexps[lang], re)
					}
				}
				out.Entries[lang] = append(out.Entries[lang], entry)
				l.a.counts.entries++
			}
		}
		l.a.es.Entities[name] = out
		l.a.counts.entityTypes++
	}
	return nil
}

// cxSysEntities are the system entities the mock recognises in text (entities.go and the grammar of
// match.go, and sysentity.go for CX). A form parameter of another system entity could never be filled,
// so it is refused.
var cxSysEntities = func() map[string]bool {
	m := map[string]bool{"@sys.any": true}
	for e := range cxESEntities {
		m[e] = true
	}
	for e := range cxSysRecognisers {
		m[e] = true
	}
	return m
}()

// checkEntityRef refuses a reference to an entity type the export does not define.
func (l *cxLoader) checkEntityRef(file, what, ref string) error {
	if strings.HasPrefix(ref, "@sys.") {
		return nil
	}
	if l.a.es.Entities[strings.TrimPrefix(ref, "@")] == nil {
		return fmt.Errorf("%s: %s has entity type %s, which the export does not define", file, what, ref)
	}
	return nil
}

func (l *cxLoader) loadIntents() error {
	names, err := l.dirs("intents")
	if err != nil {
		return err
	}
	for _, dir := range names {
		file := path.Join("intents", dir, dir+".json")
		ci := &cxpb.Intent{}
		if err := l.readProto(file, ci); err != nil {
			return err
		}
		if err := l.allow(file, "intent", ci, fieldRule{"name": modelled, "display_name": modelled,
			"training_phrases": modelled, "parameters": modelled, "priority": modelled, "is_fallback": modelled,
			"labels": ignored, "description": ignored}); err != nil {
			return err
		}
		in := &Intent{ID: ci.GetName(), DisplayName: ci.GetDisplayName(), Priority: int(ci.GetPriority()),
			Fallback: ci.GetIsFallback(), Messages: map[string][][]string{}, Phrases: map[string][]Phrase{}}
		if in.ID == "" {
			in.ID = dir
		}
		if in.Priority == 0 {
			in.Priority = 500000
		}
		entity := map[string]string{}
		for _, p := range ci.GetParameters() {
			if err := l.checkEntityRef(file, fmt.Sprintf("parameter %q", p.GetId()), p.GetEntityType()); err != nil {
				return err
			}
			if strings.HasPrefix(p.GetEntityType(), "@sys.") && !cxSysEntities[p.GetEntityType()] {
				l.a.counts.ignored["intent parameter of an unrecognised system entity (never extracted): "+p.GetEntityType()]++
			}
			entity[p.GetId()] = p.GetEntityType()
			in.Parameters = append(in.Parameters, Parameter{Name: p.GetId(), EntityType: p.GetEntityType(), IsList: p.GetIsList()})
		}
		langs, err := l.list(path.Join("intents", dir, "trainingPhrases"))
		if err != nil {
			return err
		}
		for _, f := range langs {
			pfile := path.Join("intents", dir, "trainingPhrases", f)
			var cp cxPhrases
			if err := l.read(pfile, &cp); err != nil {
				return err
			}
			lang := strings.ToLower(strings.TrimSuffix(f, ".json"))
			for _, raw := range cp.TrainingPhrases {
				tp := &cxpb.Intent_TrainingPhrase{}
				if err := unmarshalExport(pfile, raw, tp); err != nil {
					return err
				}
				p := Phrase{ID: tp.GetId()}
				for _, part := range tp.GetParts() {
					pp := PhrasePart{Text: part.GetText()}
					if id := part.GetParameterId(); id != "" {
						if _, ok := entity[id]; !ok {
							return fmt.Errorf("%s: training phrase %q annotates parameter %q, which the intent does not declare", pfile, part.GetText(), id)
						}
						pp.Alias, pp.Entity = id, entity[id]
					}
					p.Parts = append(p.Parts, pp)
				}
				if strings.TrimSpace(p.Text()) != "" {
					in.Phrases[lang] = append(in.Phrases[lang], p)
					l.a.counts.phrases++
				}
			}
		}
		l.a.intents[in.DisplayName] = in
		l.a.es.Intents = append(l.a.es.Intents, in)
		l.a.counts.intents++
	}
	return nil
}

func (l *cxLoader) loadWebhooks() error {
	files, err := l.list("webhooks")
	if err != nil {
		return err
	}
	for _, f := range files {
		file := path.Join("webhooks", f)
		w := &cxpb.Webhook{}
		if err := l.readProto(file, w); err != nil {
			return err
		}
		// The webhook's address is read and never used: parley calls only the fulfilment URL its own
		// configuration gives (WithFulfillmentURL), so a test never reaches a vendor's real backend.
		if err := l.allow(file, "webhook", w, fieldRule{"name": modelled, "display_name": modelled,
			"generic_web_service": ignored, "service_directory": ignored, "timeout": modelled, "disabled": modelled}); err != nil {
			return err
		}
		wh := &cxWebhook{name: w.GetDisplayName(), uri: w.GetGenericWebService().GetUri(), timeout: 5 * time.Second}
		if t := w.GetTimeout(); t != nil && t.AsDuration() > 0 {
			wh.timeout = min(t.AsDuration(), 30*time.Second) // the console allows 1 to 30 s
		}
		l.a.webhooks[wh.name] = wh
		l.a.counts.webhooks++
	}
	return nil
}

// loadGroups reads the route groups of dir into into. Their targets are resolved against the pages of
// the flow that uses them, once every flow is read (loadFlows).
func (l *cxLoader) loadGroups(dir string, into map[string]*cxRouteGroup) error {
	files, err := l.list(dir)
	if err != nil {
		return err
	}
	for _, f := range files {
		file := path.Join(dir, f)
		g := &cxpb.TransitionRouteGroup{}
		if err := l.readProto(file, g); err != nil {
			return err
		}
		if err := l.allow(file, "transitionRouteGroup", g, fieldRule{"name": modelled, "display_name": modelled,
			"transition_routes": modelled}); err != nil {
			return err
		}
		rg := &cxRouteGroup{name: g.GetDisplayName()}
		for _, r := range g.GetTransitionRoutes() {
			cr, err := l.route(file, r)
			if err != nil {
				return err
			}
			rg.routes = append(rg.routes, cr)
		}
		into[rg.name] = rg
		l.a.counts.groups++
	}
	return nil
}

var routeRules = fieldRule{"name": modelled, "description": ignored, "intent": modelled, "condition": modelled,
	"trigger_fulfillment": modelled, "target_page": modelled, "target_flow": modelled}

func (l *cxLoader) route(file string, r *cxpb.TransitionRoute) (*cxRoute, error) {
	if err := l.allow(file, "transition route", r, routeRules); err != nil {
		return nil, err
	}
	cr := &cxRoute{id: r.GetName()}
	if r.GetIntent() != "" {
		if cr.intent = l.a.intents[r.GetIntent()]; cr.intent == nil {
			return nil, fmt.Errorf("%s: a route names intent %q, which has no intents/ folder", file, r.GetIntent())
		}
	}
	if c := strings.TrimSpace(r.GetCondition()); c != "" {
		e, err := parseCond(c)
		if err != nil {
			return nil, fmt.Errorf("%s: condition %q: %w", file, c, err)
		}
		cr.cond = e
	}
	if cr.intent == nil && r.GetCondition() == "" {
		return nil, fmt.Errorf("%s: a route has neither an intent nor a condition", file)
	}
	f, err := l.fulfillment(file, r.GetTriggerFulfillment())
	if err != nil {
		return nil, err
	}
	cr.fulfill = f
	cr.target = target(r.GetTargetPage(), r.GetTargetFlow())
	l.a.counts.routes++
	return cr, nil
}

func target(page, flow string) cxTarget {
	switch {
	case flow != "":
		return cxTarget{name: flow, isFlow: true}
	case page != "":
		return cxTarget{name: page}
	}
	return cxTarget{}
}

func (l *cxLoader) handler(file string, h *cxpb.EventHandler) (*cxHandler, error) {
	if err := l.allow(file, "event handler", h, fieldRule{"name": modelled, "event": modelled,
		"trigger_fulfillment": modelled, "target_page": modelled, "target_flow": modelled}); err != nil {
		return nil, err
	}
	f, err := l.fulfillment(file, h.GetTriggerFulfillment())
	if err != nil {
		return nil, err
	}
	l.a.counts.handlers++
	return &cxHandler{event: h.GetEvent(), fulfill: f, target: target(h.GetTargetPage(), h.GetTargetFlow())}, nil
}

func (l *cxLoader) fulfillment(file string, f *cxpb.Fulfillment) (*cxFulfillment, error) {
	if f == nil {
		return nil, nil
	}
	if err := l.allow(file, "fulfillment", f, fieldRule{"messages": modelled, "webhook": modelled, "tag": modelled,
		"set_parameter_actions": modelled, "conditional_cases": modelled, "return_partial_responses": ignored,
		"advanced_settings": ignored}); err != nil {
		return nil, err
	}
	out := &cxFulfillment{tag: f.GetTag()}
	if w := f.GetWebhook(); w != "" {
		if out.webhook = l.a.webhooks[w]; out.webhook == nil {
			return nil, fmt.Errorf("%s: a fulfillment names webhook %q, which has no webhooks/ file", file, w)
		}
	}
	for _, m := range f.GetMessages() {
		keep, err := l.message(file, m)
		if err != nil {
			return nil, err
		}
		if keep {
			out.messages = append(out.messages, m)
		}
	}
	for _, cc := range f.GetConditionalCases() {
		c, err := l.cases(file, cc, 1)
		if err != nil {
			return nil, err
		}
		out.cases = append(out.cases, c)
	}
	for _, sp := range f.GetSetParameterActions() {
		if s, ok := sp.GetValue().GetKind().(*structpb.Value_StringValue); ok {
			if err := checkTemplate(s.StringValue); err != nil {
				return nil, fmt.Errorf("%s: parameter preset %q: %w", file, sp.GetParameter(), err)
			}
		}
		out.set = append(out.set, cxSetParam{name: sp.GetParameter(), value: sp.GetValue().AsInterface()})
	}
	return out, nil
}

// message checks a response message; it reports whether the message is kept.
func (l *cxLoader) message(file string, m *cxpb.ResponseMessage) (bool, error) {
	if m.GetChannel() != "" {
		// Channel-specific messages are returned only to queries of that channel, which the mock does
		// not take (QueryParameters.channel).
		l.a.counts.ignored["messages for a channel ("+m.GetChannel()+")"]++
		return false, nil
	}
	if m.GetConversationSuccess() == nil && m.GetLiveAgentHandoff() == nil {
		for _, t := range append(m.GetText().GetText(), m.GetOutputAudioText().GetText()) {
			if err := checkTemplate(t); err != nil {
				return false, fmt.Errorf("%s: message %q: %w", file, t, err)
			}
		}
	}
	return true, nil
}

// cases reads a conditional response, its conditions parsed and its messages checked.
func (l *cxLoader) cases(file string, cc *cxpb.Fulfillment_ConditionalCases, depth int) (*cxCases, error) {
	if depth > maxCasesDepth {
		return nil, fmt.Errorf("%s: conditional responses nested deeper than %d", file, maxCasesDepth)
	}
	out := &cxCases{}
	for _, c := range cc.GetCases() {
		var oc cxCase
		if cond := strings.TrimSpace(c.GetCondition()); cond != "" {
			e, err := parseCond(cond)
			if err != nil {
				return nil, fmt.Errorf("%s: conditional response %q: %w", file, cond, err)
			}
			oc.cond = e
		}
		for _, cnt := range c.GetCaseContent() {
			switch {
			case cnt.GetMessage() != nil:
				keep, err := l.message(file, cnt.GetMessage())
				if err != nil {
					return nil, err
				}
				if keep {
					oc.content = append(oc.content, cxCaseContent{msg: cnt.GetMessage()})
				}
			case cnt.GetAdditionalCases() != nil:
				more, err := l.cases(file, cnt.GetAdditionalCases(), depth+1)
				if err != nil {
					return nil, err
				}
				oc.content = append(oc.content, cxCaseContent{more: more})
			}
		}
		out.cases = append(out.cases, oc)
	}
	return out, nil
}

func (l *cxLoader) loadFlows() error {
	names, err := l.dirs("flows")
	if err != nil {
		return err
	}
	for _, dir := range names {
		if err := l.loadFlow(dir); err != nil {
			return err
		}
	}
	for _, fl := range l.a.Flows {
		for _, p := range append([]*CXPage{fl.Start}, fl.Pages...) {
			if err := l.resolve(fl, p); err != nil {
				return err
			}
		}
		for _, name := range sortedKeys(fl.groups) {
			for _, r := range fl.groups[name].routes {
				if err := l.fix(fl, fl.Start.file, &r.target); err != nil {
					return fmt.Errorf("route group %q: %w", name, err)
				}
			}
		}
	}
	return nil
}

var pageRules = fieldRule{"name": modelled, "display_name": modelled, "description": ignored,
	"entry_fulfillment": modelled, "form": modelled, "transition_route_groups": modelled,
	"transition_routes": modelled, "event_handlers": modelled, "advanced_settings": ignored}

func (l *cxLoader) loadFlow(dir string) error {
	file := path.Join("flows", dir, dir+".json")
	f := &cxpb.Flow{}
	if err := l.readProto(file, f); err != nil {
		return err
	}
	if err := l.allow(file, "flow", f, fieldRule{"name": modelled, "display_name": modelled, "description": ignored,
		"transition_routes": modelled, "event_handlers": modelled, "transition_route_groups": modelled,
		"nlu_settings": modelled, "advanced_settings": ignored, "multi_language_settings": ignored, "locked": ignored}); err != nil {
		return err
	}
	fl := &CXFlow{ID: f.GetName(), DisplayName: f.GetDisplayName(), pages: map[string]*CXPage{},
		groups: map[string]*cxRouteGroup{}, threshold: float64(f.GetNluSettings().GetClassificationThreshold())}
	if fl.ID == "" {
		fl.ID = dir
	}
	if fl.threshold <= 0 || fl.threshold > 1 {
		fl.threshold = defaultMLMinConfidence
	}
	if len(fl.DisplayName) > maxCXNameLen {
		return fmt.Errorf("%s: display name longer than %d bytes", file, maxCXNameLen)
	}
	if err := l.loadGroups(path.Join("flows", dir, "transitionRouteGroups"), fl.groups); err != nil {
		return err
	}
	// The flow's routes, route groups and event handlers are its start page's.
	start := &cxpb.Page{Name: "START_PAGE", DisplayName: "Start Page", TransitionRoutes: f.GetTransitionRoutes(),
		EventHandlers: f.GetEventHandlers(), TransitionRouteGroups: f.GetTransitionRouteGroups()}
	sp, err := l.page(file, fl, start)
	if err != nil {
		return err
	}
	fl.Start = sp
	pfiles, err := l.list(path.Join("flows", dir, "pages"))
	if err != nil {
		return err
	}
	for _, pf := range pfiles {
		pfile := path.Join("flows", dir, "pages", pf)
		cp := &cxpb.Page{}
		if err := l.readProto(pfile, cp); err != nil {
			return err
		}
		if err := l.allow(pfile, "page", cp, pageRules); err != nil {
			return err
		}
		p, err := l.page(pfile, fl, cp)
		if err != nil {
			return err
		}
		if fl.pages[p.DisplayName] != nil {
			return fmt.Errorf("%s: a second page named %q in flow %q", pfile, p.DisplayName, fl.DisplayName)
		}
		fl.pages[p.DisplayName] = p
		fl.Pages = append(fl.Pages, p)
		l.a.counts.pages++
	}
	l.a.flows[fl.DisplayName] = fl
	l.a.Flows = append(l.a.Flows, fl)
	return nil
}

func (l *cxLoader) page(file string, fl *CXFlow, cp *cxpb.Page) (*CXPage, error) {
	p := &CXPage{ID: cp.GetName(), DisplayName: cp.GetDisplayName(), Flow: fl, file: file}
	if p.ID == "" {
		p.ID = p.DisplayName
	}
	var err error
	if p.entry, err = l.fulfillment(file, cp.GetEntryFulfillment()); err != nil {
		return nil, err
	}
	for _, fp := range cp.GetForm().GetParameters() {
		if err := l.allow(file, "form parameter", fp, fieldRule{"display_name": modelled, "required": modelled,
			"entity_type": modelled, "is_list": modelled, "fill_behavior": modelled, "default_value": modelled,
			"redact": ignored, "advanced_settings": ignored}); err != nil {
			return nil, err
		}
		what := fmt.Sprintf("form parameter %q", fp.GetDisplayName())
		et := fp.GetEntityType()
		if err := l.checkEntityRef(file, what, et); err != nil {
			return nil, err
		}
		if strings.HasPrefix(et, "@sys.") && !cxSysEntities[et] {
			return nil, fmt.Errorf("%s: %s has entity type %s, which parley's mock does not recognise in text (it recognises %s and the agent's own entity types)",
				file, what, et, strings.Join(sortedKeys(cxSysEntities), ", "))
		}
		if c := l.a.composites[strings.TrimPrefix(et, "@")]; c != nil && c.bad != "" {
			return nil, fmt.Errorf("%s: %s has the composite entity type %s, which parley's mock cannot resolve: %s", file, what, et, c.bad)
		}
		if fp.GetIsList() {
			return nil, fmt.Errorf("%s: %s is a list parameter, which is not modelled", file, what)
		}
		par := &cxFormParam{name: fp.GetDisplayName(), entity: et, required: fp.GetRequired(), isList: fp.GetIsList()}
		if fp.GetDefaultValue() != nil {
			par.dflt = fp.GetDefaultValue().AsInterface()
		}
		if par.prompt, err = l.fulfillment(file, fp.GetFillBehavior().GetInitialPromptFulfillment()); err != nil {
			return nil, err
		}
		for _, h := range fp.GetFillBehavior().GetRepromptEventHandlers() {
			ch, err := l.handler(file, h)
			if err != nil {
				return nil, err
			}
			par.reprompts = append(par.reprompts, ch)
		}
		p.form = append(p.form, par)
		l.a.counts.params++
	}
	for _, r := range cp.GetTransitionRoutes() {
		cr, err := l.route(file, r)
		if err != nil {
			return nil, err
		}
		p.routes = append(p.routes, cr)
	}
	for _, h := range cp.GetEventHandlers() {
		ch, err := l.handler(file, h)
		if err != nil {
			return nil, err
		}
		p.events = append(p.events, ch)
	}
	for _, g := range cp.GetTransitionRouteGroups() {
		rg := fl.groups[g]
		if ag := l.a.groups[g]; rg == nil && ag != nil {
			// An agent-level group's targets name pages of the flow that uses it: each flow gets its
			// own copy, resolved against its pages.
			rg = &cxRouteGroup{name: ag.name}
			for _, r := range ag.routes {
				c := *r
				rg.routes = append(rg.routes, &c)
			}
			fl.groups[g] = rg
		}
		if rg == nil {
			return nil, fmt.Errorf("%s: route group %q is neither in flows/%s/transitionRouteGroups/ nor in transitionRouteGroups/", file, g, fl.DisplayName)
		}
		p.groups = append(p.groups, rg)
	}
	return p, nil
}

// symbolicPages are the targets every flow has, by the names exports give them.
var symbolicPages = map[string]string{"End Session": "END_SESSION", "End Flow": "END_FLOW",
	"Previous Page": "PREVIOUS_PAGE", "Current Page": "CURRENT_PAGE", "Start Page": "START_PAGE",
	"END_SESSION": "END_SESSION", "END_FLOW": "END_FLOW", "PREVIOUS_PAGE": "PREVIOUS_PAGE",
	"CURRENT_PAGE": "CURRENT_PAGE", "START_PAGE": "START_PAGE"}

// resolve turns the target names of a page's routes and handlers into pages and flows, now that every
// flow is read.
func (l *cxLoader) resolve(fl *CXFlow, p *CXPage) error {
	var hs []*cxHandler
	hs = append(hs, p.events...)
	for _, fp := range p.form {
		hs = append(hs, fp.reprompts...)
	}
	for _, h := range hs {
		if err := l.fix(fl, p.file, &h.target); err != nil {
			return err
		}
	}
	for _, r := range p.routes {
		if err := l.fix(fl, p.file, &r.target); err != nil {
			return err
		}
	}
	return nil
}

// fix resolves one target named in file, a page of fl or a flow.
func (l *cxLoader) fix(fl *CXFlow, file string, t *cxTarget) error {
	if t.name == "" || t.page != nil || t.flow != nil || t.special != "" {
		return nil
	}
	if t.isFlow {
		if t.flow = l.a.flows[t.name]; t.flow == nil {
			return fmt.Errorf("%s: target flow %q has no flows/ folder", file, t.name)
		}
		return nil
	}
	if s, ok := symbolicPages[t.name]; ok {
		t.special = s
		return nil
	}
	if t.page = fl.pages[t.name]; t.page == nil {
		return fmt.Errorf("%s: target page %q is not a page of flow %q", file, t.name, fl.DisplayName)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Summary is what the load found, for a CLI to print: counts of flows, pages, intents, entity types,
// training phrases, routes, test cases, and every ignored setting with how often it appeared.
func (a *CXAgent) Summary() string {
	var b strings.Builder
	c := a.counts
	fmt.Fprintf(&b, "CX agent %q (%s", a.DisplayName, strings.Join(a.Languages, ", "))
	if a.TimeZone != "" {
		fmt.Fprintf(&b, ", %s", a.TimeZone)
	}
	fmt.Fprintf(&b, "), start flow %q\n", a.StartFlow.DisplayName)
	fmt.Fprintf(&b, "  %d flows, %d pages, %d form parameters, %d routes, %d route groups, %d event handlers\n",
		len(a.Flows), c.pages, c.params, c.routes, c.groups, c.handlers)
	fmt.Fprintf(&b, "  %d intents, %d training phrases, %d entity types (%d entries), %d webhooks, %d test cases\n",
		c.intents, c.phrases, c.entityTypes, c.entries, c.webhooks, len(a.TestCases))
	writeIgnored(&b, c.ignored)
	return b.String()
}
