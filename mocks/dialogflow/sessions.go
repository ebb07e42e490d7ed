package dialogflow

import (
	"context"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"github.com/parley-dev/parley/journal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
	_ "time/tzdata" // agents name IANA zones; containers may have no zoneinfo
)

// How long a session's state lives without a query. ES: "Session data is stored by Dialogflow for 20
// minutes" (https://cloud.google.com/dialogflow/es/docs/quick/api). CX: "By default, a Dialogflow CX
// session remains active and its data is stored for 30 minutes after the last request is sent for the
// session" (cx/v3 session.proto, QueryParameters.session_ttl).
const (
	sessionTTL   = 20 * time.Minute
	cxSessionTTL = 30 * time.Minute
)

// expiredAt reports whether the session has been idle too long at now.
func (ss *session) expiredAt(now time.Time) bool {
	ttl := sessionTTL
	if ss.ref.cx {
		ttl = cxSessionTTL
	}
	return !ss.last.IsZero() && now.Sub(ss.last) >= ttl
}

const (
	systemCounters  = "__system_counters__"
	esSessionShape  = "projects/*/locations/*/agent/environments/*/users/*/sessions/*"
	cxSessionShape  = "projects/*/locations/*/agents/*/sessions/*"
	esContextShape  = esSessionShape + "/contexts/*"
	defaultEnv      = "draft"
	defaultUser     = "-"
	webhookOKStatus = "Webhook execution successful"
)

// sessionRef is a parsed session resource name.
type sessionRef struct {
	path     string // as the client wrote it
	project  string
	location string
	agentID  string // CX only
	env      string
	user     string
	id       string
	cx       bool
}

// agentPath is the agent resource name the session belongs to, for intent names.
func (r sessionRef) agentPath() string {
	switch {
	case r.cx:
		return "projects/" + r.project + "/locations/" + r.location + "/agents/" + r.agentID
	case r.location != "":
		return "projects/" + r.project + "/locations/" + r.location + "/agent"
	default:
		return "projects/" + r.project + "/agent"
	}
}

// validSegment: a resource name segment is non-empty UTF-8 without spaces or colons. Invalid UTF-8 (a
// percent-escaped byte such as %86 in the URL) would otherwise reach the response's context names, which
// protobuf cannot encode, and the call would fail with INTERNAL instead of INVALID_ARGUMENT.
func validSegment(s string) bool {
	return s != "" && utf8.ValidString(s) && !strings.ContainsAny(s, " \t\r\n:")
}

// parseESSession parses the four ES session name forms (session.proto).
func parseESSession(name string) (sessionRef, error) {
	seg := strings.Split(name, "/")
	bad := errSessionPath(name, esSessionShape)
	for _, s := range seg {
		if !validSegment(s) {
			return sessionRef{}, bad
		}
	}
	r := sessionRef{path: name, env: defaultEnv, user: defaultUser}
	if len(seg) < 2 || seg[0] != "projects" {
		return r, bad
	}
	r.project = seg[1]
	rest := seg[2:]
	if len(rest) >= 2 && rest[0] == "locations" {
		r.location = rest[1]
		rest = rest[2:]
	}
	switch {
	case len(rest) == 3 && rest[0] == "agent" && rest[1] == "sessions":
		r.id = rest[2]
	case len(rest) == 7 && rest[0] == "agent" && rest[1] == "environments" && rest[3] == "users" && rest[5] == "sessions":
		r.env, r.user, r.id = rest[2], rest[4], rest[6]
	default:
		return r, bad
	}
	if utf8.RuneCountInString(r.id) > maxIDChars {
		return r, errIDTooLong("Session", r.id)
	}
	if utf8.RuneCountInString(r.user) > maxIDChars {
		return r, errIDTooLong("User", r.user)
	}
	return r, nil
}

// parseCXSession parses projects/*/locations/*/agents/*[/environments/*]/sessions/*.
func parseCXSession(name string) (sessionRef, error) {
	seg := strings.Split(name, "/")
	bad := errSessionPath(name, cxSessionShape)
	for _, s := range seg {
		if !validSegment(s) {
			return sessionRef{}, bad
		}
	}
	r := sessionRef{path: name, cx: true, env: defaultEnv}
	switch {
	case len(seg) == 8 && seg[0] == "projects" && seg[2] == "locations" && seg[4] == "agents" && seg[6] == "sessions":
		r.project, r.location, r.agentID, r.id = seg[1], seg[3], seg[5], seg[7]
	case len(seg) == 10 && seg[0] == "projects" && seg[2] == "locations" && seg[4] == "agents" && seg[6] == "environments" && seg[8] == "sessions":
		r.project, r.location, r.agentID, r.env, r.id = seg[1], seg[3], seg[5], seg[7], seg[9]
	default:
		return r, bad
	}
	if utf8.RuneCountInString(r.id) > maxIDChars {
		return r, errIDTooLong("Session", r.id)
	}
	return r, nil
}

// contextID takes the context id out of a context resource name, lower-cased as the service stores it
// (context.proto: "The Context ID is always converted to lowercase").
func contextID(name string) (string, bool) {
	i := strings.LastIndex(name, "/contexts/")
	if i < 0 {
		return "", false
	}
	id := name[i+len("/contexts/"):]
	if id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return strings.ToLower(id), true
}

type liveContext struct {
	lifespan int
	params   map[string]any
}

// session is the server-side state of one conversation. It is guarded by Server.mu.
type session struct {
	ref      sessionRef
	contexts map[string]*liveContext
	last     time.Time // simulated time of the last query; state expires sessionTTL after it
	noMatch  int
	turns    int
	params   map[string]any // CX session parameters
	pending  *slotFill      // an ES intent waiting for its required parameters
	cx       *cxState       // the CX page and flow state, when the agent is a CX export
	// rng picks this session's response variants. It is seeded from the run's seed and the session's
	// name, so what one customer is answered does not depend on what other customers say at the same time:
	// the same seed gives the same conversation however scenarios interleave.
	rng *rand.Rand
}

// slotFill is an intent matched with required parameters missing: the next queries answer its prompts
// (https://cloud.google.com/dialogflow/es/docs/intents-actions-parameters#required). Never modified once
// stored; a turn builds a new one.
type slotFill struct {
	intent    *Intent
	params    map[string]any
	originals map[string]string
}

// cancelWords end slot filling, as "cancel" does on the real service (QueryResult.cancels_slot_filling).
var cancelWords = map[string]bool{"cancelar": true, "cancela": true, "olvidalo": true, "dejalo": true,
	"cancel": true, "never mind": true, "nevermind": true, "forget it": true}

// dialogContextBase is the prefix of the contexts slot filling emits for an intent: its display name
// lower-cased, without the characters a context id may not hold (inferred; observed shapes are
// "<intent>_dialog_context" and "<intent>_dialog_params_<param>" in real responses).
func dialogContextBase(in *Intent) string {
	var b strings.Builder
	for _, r := range strings.ToLower(in.DisplayName) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isDialogContext(id string) bool {
	return strings.HasSuffix(id, "_dialog_context") || strings.Contains(id, "_dialog_params_")
}

func (s *Server) sessionLocked(ref sessionRef) *session {
	ss := s.sessions[ref.path]
	if ss == nil {
		h := fnv.New64a()
		h.Write([]byte(ref.path))
		ss = &session{ref: ref, contexts: map[string]*liveContext{}, params: map[string]any{},
			rng: rand.New(rand.NewPCG(uint64(s.cfg.seed), h.Sum64()))}
		s.sessions[ref.path] = ss
	}
	return ss
}

// expireLocked drops the session's state when it has been idle for sessionTTL on the simulated clock.
func (ss *session) expireLocked(now time.Time) {
	if ss.expiredAt(now) {
		ss.contexts = map[string]*liveContext{}
		ss.params = map[string]any{}
		ss.noMatch = 0
		ss.cx = nil
	}
}

func (ss *session) activeLocked() map[string]bool {
	m := map[string]bool{}
	for id, c := range ss.contexts {
		if c.lifespan > 0 {
			m[id] = true
		}
	}
	return m
}

func (ss *session) contextPB(id string, c *liveContext) *dialogflowpb.Context {
	pc := &dialogflowpb.Context{Name: ss.ref.path + "/contexts/" + id, LifespanCount: int32(c.lifespan)}
	if len(c.params) > 0 {
		pc.Parameters = mustStruct(c.params)
	}
	return pc
}

// outputContextsLocked lists the active contexts the way the service returns them: this turn's output
// contexts first, then the others by name, __system_counters__ last.
func (ss *session) outputContextsLocked(first []string) []*dialogflowpb.Context {
	var out []*dialogflowpb.Context
	seen := map[string]bool{}
	for _, id := range first {
		if c := ss.contexts[id]; c != nil && c.lifespan > 0 && !seen[id] {
			seen[id] = true
			out = append(out, ss.contextPB(id, c))
		}
	}
	var rest []string
	for id, c := range ss.contexts {
		if !seen[id] && id != systemCounters && c.lifespan > 0 {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	for _, id := range rest {
		out = append(out, ss.contextPB(id, ss.contexts[id]))
	}
	if c := ss.contexts[systemCounters]; c != nil && !seen[systemCounters] {
		out = append(out, ss.contextPB(systemCounters, c))
	}
	return out
}

// mustStruct converts a map of JSON values (float64, string, bool, nil, maps, slices) to a Struct.
func mustStruct(m map[string]any) *structpb.Struct {
	st, err := structpb.NewStruct(m)
	if err != nil {
		// Only the mock builds these maps, from JSON-typed values; anything else is a bug worth seeing.
		panic(fmt.Sprintf("dialogflow: parameters not JSON: %v", err))
	}
	return st
}

// detectInput is one detectIntent call, whatever its API (ES, CX) and transport.
type detectInput struct {
	api, transport string
	ref            sessionRef
	lang           string
	text           string
	hasText        bool
	event          string
	eventParams    map[string]any
	contexts       []*dialogflowpb.Context
	resetContexts  bool
	timeZone       string
	payload        *structpb.Struct
	webhookHeaders map[string]string
	cxParams       map[string]any
	disableWebhook bool
	directIntent   *Intent // CX queryInput.intent: the intent is given, not matched
}

// turn is the outcome of one detectIntent call.
type turn struct {
	resp          *dialogflowpb.DetectIntentResponse
	intent        *Intent
	confidence    float64
	fallback      bool
	params        map[string]any
	sessionParams map[string]any // CX
	reply         string
}

// resolveLanguage maps a request's language code onto the agent's: exact, or its base language
// ("es-ES" → "es").
func (s *Server) resolveLanguage(code string) (string, bool) {
	code = strings.ToLower(strings.ReplaceAll(code, "_", "-"))
	for _, l := range s.agent.SupportedLanguages {
		if l == code {
			return l, true
		}
	}
	base, _, _ := strings.Cut(code, "-")
	for _, l := range s.agent.SupportedLanguages {
		if l == base {
			return l, true
		}
	}
	return "", false
}

// validate checks a detectIntent call the way the service does before it matches anything.
func (s *Server) validate(in *detectInput) error {
	if in.ref.project != s.cfg.project || in.api == "es" && s.cx != nil {
		// A project whose agent is a CX agent has no ES agent to answer ES queries.
		return errNoAgent(in.ref.project)
	}
	if !in.hasText && in.event == "" && in.directIntent == nil {
		return errQueryInputNotSet()
	}
	if in.hasText {
		if strings.TrimSpace(in.text) == "" {
			return errTextNotSet()
		}
		if utf8.RuneCountInString(in.text) > maxTextChars {
			return errTextTooLong()
		}
	}
	if in.lang == "" {
		return errLanguageNotSet()
	}
	lang, ok := s.resolveLanguage(in.lang)
	if !ok {
		return status.Error(codes.InvalidArgument, fmt.Sprintf("Language code '%s' is not supported by the agent.", in.lang))
	}
	in.lang = lang
	for _, c := range in.contexts {
		if _, ok := contextID(c.GetName()); !ok {
			return errSessionPath(c.GetName(), esContextShape)
		}
	}
	return nil
}

// detect runs one detectIntent call: faults, validation, matching, contexts, responses, the fulfillment
// webhook, and the journal.
func (s *Server) detect(ctx context.Context, in detectInput) (*turn, error) {
	t, err := s.detectTurn(ctx, &in, 0)
	data := journal.DetectIntentData{
		API: in.api, Transport: in.transport, Session: in.ref.path, SessionID: in.ref.id,
		Project: in.ref.project, Language: in.lang, Text: in.text, Event: in.event,
	}
	if err != nil {
		st, _ := status.FromError(err)
		data.Code, data.Error = codeName(st.Code()), st.Message()
		s.journal.Record(journal.SourceDialogflow, journal.KindDetectIntentRejected, in.ref.id, data)
		s.log.Debug("detectIntent refused", "session", in.ref.path, "code", data.Code, "error", data.Error)
		return nil, err
	}
	data.Parameters = t.params
	if t.intent != nil {
		data.Intent = t.intent.DisplayName
	}
	data.Confidence, data.Fallback, data.Reply = t.confidence, t.fallback, t.reply
	s.journal.Record(journal.SourceDialogflow, journal.KindDetectIntent, in.ref.id, data)
	return t, nil
}

func (s *Server) detectTurn(ctx context.Context, in *detectInput, depth int) (*turn, error) {
	if depth == 0 {
		if err := s.applyFault(ctx); err != nil {
			return nil, err
		}
		if err := s.validate(in); err != nil {
			return nil, err
		}
	}
	loc := time.UTC
	tz := in.timeZone
	if tz == "" {
		tz = s.agent.TimeZone
	}
	if tz != "" {
		l, err := s.location(tz)
		if err != nil {
			if in.timeZone != "" {
				return nil, status.Error(codes.InvalidArgument, "Invalid time zone '"+in.timeZone+"'.")
			}
		} else {
			loc = l
		}
	}
	now := s.clock.Now()
	var q *query
	if in.hasText {
		q = s.matcher.newQuery(in.lang, in.text, now.In(loc))
		defer q.release() // after the matching below; nothing it returns refers to q
	}

	// Phase 1, locked: the session's contexts as they stand before this query.
	s.mu.Lock()
	ss := s.sessionLocked(in.ref)
	ss.expireLocked(now)
	if in.resetContexts {
		ss.contexts = map[string]*liveContext{}
	}
	for _, c := range in.contexts {
		id, _ := contextID(c.GetName())
		if c.GetLifespanCount() <= 0 {
			delete(ss.contexts, id)
			continue
		}
		ss.contexts[id] = &liveContext{lifespan: int(c.GetLifespanCount()), params: c.GetParameters().AsMap()}
	}
	active := ss.activeLocked()
	pending := ss.pending
	var (
		forced   Force
		isForced bool
	)
	if in.hasText { // an override is for a text query; events and direct intents leave it queued
		forced, isForced = s.popForceLocked(in.ref)
	}
	s.mu.Unlock()

	// Matching reads only the immutable agent, so it runs unlocked.
	var (
		intent     *Intent
		confidence float64
		fallback   bool
		params     = map[string]any{}
		originals  = map[string]string{}
		cancelled  bool
	)
	switch {
	case in.directIntent != nil:
		intent, confidence = in.directIntent, 1
	case in.event != "":
		intent = s.matcher.byEvent(in.event, active)
		confidence = 1
	case isForced && forced.Intent != "":
		intent = s.intentByName(forced.Intent)
		if intent == nil {
			return nil, status.Error(codes.FailedPrecondition, fmt.Sprintf("parley: forced intent %q is not in the agent", forced.Intent))
		}
		confidence = 1
		if forced.Confidence > 0 {
			confidence = forced.Confidence
		}
		params, originals = s.matcher.extract(s.matcher.model(in.lang), q, intent)
	case pending != nil && in.hasText && in.api == "es":
		// Slot filling: the text answers the prompt, unless it is another intent's training phrase.
		if m := s.matcher.best(q, active, 0); m != nil && m.exact && m.intent != pending.intent {
			intent, confidence, params, originals = m.intent, m.score, m.params, m.originals
			break
		}
		intent, confidence = pending.intent, 1
		for k, v := range pending.params {
			params[k] = v
		}
		for k, v := range pending.originals {
			originals[k] = v
		}
		if cancelWords[normalize(in.text)] {
			cancelled = true
			break
		}
		got, gotOrig := s.matcher.extract(s.matcher.model(in.lang), q, intent)
		for k, v := range got {
			if params[k] == nil || params[k] == "" {
				params[k], originals[k] = v, gotOrig[k]
			}
		}
	default:
		minConf := s.minConf
		if m := s.matcher.best(q, active, 0); m != nil {
			intent, confidence, params, originals = m.intent, m.score, m.params, m.originals
			if isForced && forced.Confidence > 0 {
				confidence = forced.Confidence
			}
			if confidence < minConf {
				intent = nil
			}
		}
		if intent == nil {
			params, originals = map[string]any{}, map[string]string{}
			intent = s.matcher.fallback(active)
			// A real fallback reports confidence 1 (observed in real responses).
			confidence, fallback = 1, intent != nil
		}
	}
	if intent != nil && intent.Fallback {
		fallback = true
	}
	var missing *Parameter // the first required parameter still empty: ask for it
	if intent != nil {
		for i, p := range intent.Parameters {
			if _, ok := params[p.Name]; !ok {
				params[p.Name] = "" // unfilled optional parameters are "" on the wire
				originals[p.Name] = ""
			}
			if missing == nil && p.Required && params[p.Name] == "" && in.api == "es" && !cancelled {
				missing = &intent.Parameters[i]
			}
		}
	}

	// Phase 2, locked: contexts, counters, the response.
	s.mu.Lock()
	ss = s.sessionLocked(in.ref)
	ss.last = now
	ss.turns++
	var firstCtx []string
	if pending != nil || missing != nil {
		ss.pending = nil
		for id := range ss.contexts {
			if isDialogContext(id) {
				delete(ss.contexts, id)
			}
		}
	}
	if intent != nil {
		if intent.ResetContexts && missing == nil {
			ss.contexts = map[string]*liveContext{}
		} else {
			for id, c := range ss.contexts {
				if id == systemCounters {
					continue
				}
				if c.lifespan--; c.lifespan <= 0 {
					delete(ss.contexts, id)
				}
			}
		}
		ctxParams := map[string]any{}
		for k, v := range params {
			ctxParams[k] = v
			ctxParams[k+".original"] = originals[k]
		}
		outputs := intent.OutputContexts
		if missing != nil {
			// Until its parameters are in, the intent's own output contexts wait; the dialog contexts
			// say what is being asked.
			base := dialogContextBase(intent)
			outputs = []ContextSpec{{Name: base + "_dialog_context", Lifespan: 2},
				{Name: base + "_dialog_params_" + strings.ToLower(missing.Name), Lifespan: 1}}
			sp, so := map[string]any{}, map[string]string{}
			for k, v := range params {
				sp[k] = v
			}
			for k, v := range originals {
				so[k] = v
			}
			ss.pending = &slotFill{intent: intent, params: sp, originals: so}
		}
		if cancelled {
			outputs = nil
		}
		for _, oc := range outputs {
			if oc.Lifespan <= 0 {
				delete(ss.contexts, oc.Name)
				continue
			}
			cp := map[string]any{}
			for k, v := range ctxParams {
				cp[k] = v
			}
			ss.contexts[oc.Name] = &liveContext{lifespan: oc.Lifespan, params: cp}
			firstCtx = append(firstCtx, oc.Name)
		}
		if fallback {
			ss.noMatch++
		} else {
			ss.noMatch = 0
		}
		counters := map[string]any{"no-input": float64(0), "no-match": float64(ss.noMatch)}
		for k, v := range ctxParams {
			counters[k] = v
		}
		ss.contexts[systemCounters] = &liveContext{lifespan: 1, params: counters}
	}
	if in.api == "cx" {
		for k, v := range in.cxParams {
			ss.params[k] = v
		}
		for k, v := range params {
			if v != "" {
				ss.params[k] = v
			}
		}
	}
	qr := &dialogflowpb.QueryResult{
		LanguageCode:             in.lang,
		Parameters:               mustStruct(params),
		AllRequiredParamsPresent: true,
	}
	if in.hasText {
		qr.QueryText = in.text
	}
	var reply string
	if intent != nil {
		qr.Action = intent.Action
		qr.Intent = &dialogflowpb.Intent{
			Name:           in.ref.agentPath() + "/intents/" + intent.ID,
			DisplayName:    intent.DisplayName,
			IsFallback:     intent.Fallback,
			EndInteraction: intent.EndInteraction,
		}
		qr.IntentDetectionConfidence = float32(confidence)
		blocks := intent.Messages[in.lang]
		switch {
		case cancelled:
			blocks = nil
			qr.CancelsSlotFilling = true
			qr.AllRequiredParamsPresent = false
		case missing != nil:
			blocks = nil
			if prompts := missing.Prompts[in.lang]; len(prompts) > 0 {
				blocks = [][]string{prompts}
			}
			qr.AllRequiredParamsPresent = false
		}
		var texts []string
		for _, block := range blocks {
			v := block[ss.rng.IntN(len(block))]
			texts = append(texts, substitute(v, params, originals, ss, in.event, in.eventParams))
		}
		for _, t := range texts {
			qr.FulfillmentMessages = append(qr.FulfillmentMessages, &dialogflowpb.Intent_Message{
				Message: &dialogflowpb.Intent_Message_Text_{Text: &dialogflowpb.Intent_Message_Text{Text: []string{t}}},
			})
		}
		if len(texts) > 0 {
			reply = texts[0]
		}
		qr.FulfillmentText = reply
		if intent.EndInteraction {
			qr.DiagnosticInfo = mustStruct(map[string]any{"end_conversation": true})
		}
	}
	qr.OutputContexts = ss.outputContextsLocked(firstCtx)
	resp := &dialogflowpb.DetectIntentResponse{ResponseId: s.responseIDLocked(), QueryResult: qr}
	var sessionParams map[string]any
	if in.api == "cx" {
		sessionParams = make(map[string]any, len(ss.params))
		for k, v := range ss.params {
			sessionParams[k] = v
		}
	}
	s.mu.Unlock()

	t := &turn{resp: resp, intent: intent, confidence: confidence, fallback: fallback, params: params,
		sessionParams: sessionParams, reply: reply}
	// Fulfillment runs once the parameters are in (webhookForSlotFilling is not modelled).
	if intent != nil && intent.WebhookUsed && missing == nil && !cancelled && s.webhookConfigured() && !in.disableWebhook && in.api == "es" && depth == 0 {
		return s.fulfill(ctx, in, t)
	}
	return t, nil
}

// location loads a time zone once per server: time.LoadLocation reads the zone database every time.
func (s *Server) location(name string) (*time.Location, error) {
	if l, ok := s.zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	s.zones.Store(name, l)
	return l, nil
}

func (s *Server) intentByName(name string) *Intent {
	for _, in := range s.agent.Intents {
		if in.DisplayName == name {
			return in
		}
	}
	return nil
}

// responseIDLocked makes a response id shaped like the real ones, a UUID and 8 hex digits, from the
// seeded random source.
func (s *Server) responseIDLocked() string {
	var b [20]byte
	for i := range b {
		b[i] = byte(s.rng.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var id [45]byte         // 8-4-4-4-12-8 hex digits
	o := 0
	for i := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 || i == 16 {
			id[o] = '-'
			o++
		}
		hex.Encode(id[o:o+2], b[i:i+1])
		o += 2
	}
	return string(id[:])
}

var reRef = regexp.MustCompile(`[$#][A-Za-z0-9_][A-Za-z0-9_.-]*`)

// substitute fills $param, $param.original, #context.param and #event.param references in a response
// text (event parameters are referenced as #event_name.param, session.proto EventInput).
func substitute(text string, params map[string]any, originals map[string]string, ss *session, event string, eventParams map[string]any) string {
	if !strings.ContainsAny(text, "$#") {
		return text // no reference: most texts, and the regexp costs more than the look
	}
	return reRef.ReplaceAllStringFunc(text, func(ref string) string {
		name := strings.TrimRight(ref[1:], ".")
		tail := ref[1+len(name):] // a full stop after the reference ends the sentence, it is not part of it
		if ref[0] == '$' {
			if base, ok := strings.CutSuffix(name, ".original"); ok {
				return originals[base] + tail
			}
			return valueString(params[name]) + tail
		}
		ctxName, param, ok := strings.Cut(name, ".")
		if !ok {
			return ref
		}
		if event != "" && strings.EqualFold(ctxName, event) {
			return valueString(eventParams[param]) + tail
		}
		if c := ss.contexts[strings.ToLower(ctxName)]; c != nil {
			return valueString(c.params[param]) + tail
		}
		return tail
	})
}

func valueString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case map[string]any:
		if n, ok := v["name"].(string); ok {
			return n
		}
		return fmt.Sprint(v)
	case []any:
		// a list parameter: its values one after the other, as the list's originals are joined
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = valueString(e)
		}
		return strings.Join(parts, listSeparator)
	default:
		return fmt.Sprint(v)
	}
}

// esSessions implements the generated gRPC SessionsServer of dialogflow v2.
type esSessions struct {
	dialogflowpb.UnimplementedSessionsServer
	s *Server
}

func (g esSessions) DetectIntent(ctx context.Context, req *dialogflowpb.DetectIntentRequest) (*dialogflowpb.DetectIntentResponse, error) {
	t, err := g.s.detectES(ctx, "grpc", req.GetSession(), req)
	if err != nil {
		return nil, err
	}
	return t.resp, nil
}

// detectES turns an ES request into a detectInput and runs it.
func (s *Server) detectES(ctx context.Context, transport, session string, req *dialogflowpb.DetectIntentRequest) (*turn, error) {
	in := detectInput{api: "es", transport: transport}
	ref, perr := parseESSession(session)
	in.ref = ref
	if perr != nil {
		in.ref.path, in.ref.id = session, lastSegment(session)
		return s.reject(ctx, in, perr)
	}
	qi := req.GetQueryInput()
	switch {
	case qi.GetText() != nil:
		in.hasText, in.text, in.lang = true, qi.GetText().GetText(), qi.GetText().GetLanguageCode()
	case qi.GetEvent() != nil:
		in.event, in.lang = qi.GetEvent().GetName(), qi.GetEvent().GetLanguageCode()
		in.eventParams = qi.GetEvent().GetParameters().AsMap()
		if in.event == "" {
			return s.reject(ctx, in, status.Error(codes.InvalidArgument, "Event name not set."))
		}
	case qi.GetAudioConfig() != nil:
		s.journalUnmodelledGRPC("DetectIntent with audio input")
		return s.reject(ctx, in, status.Error(codes.Unimplemented, "parley: audio input is not modelled by the mock Dialogflow."))
	}
	qp := req.GetQueryParams()
	in.contexts, in.resetContexts, in.timeZone = qp.GetContexts(), qp.GetResetContexts(), qp.GetTimeZone()
	in.payload, in.webhookHeaders = qp.GetPayload(), qp.GetWebhookHeaders()
	return s.detect(ctx, in)
}

// reject journals and returns an error found before the call could be run.
func (s *Server) reject(ctx context.Context, in detectInput, err error) (*turn, error) {
	st, _ := status.FromError(err)
	s.journal.Record(journal.SourceDialogflow, journal.KindDetectIntentRejected, in.ref.id, journal.DetectIntentData{
		API: in.api, Transport: in.transport, Session: in.ref.path, SessionID: in.ref.id, Project: in.ref.project,
		Language: in.lang, Text: in.text, Event: in.event, Code: codeName(st.Code()), Error: st.Message(),
	})
	return nil, err
}

func lastSegment(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}
