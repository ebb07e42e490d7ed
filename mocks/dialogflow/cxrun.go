package dialogflow

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/parley-dev/parley/journal"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// The CX session: a page of a flow is current; each query runs the page lifecycle
// (https://cloud.google.com/dialogflow/cx/docs/concept/page#lifecycle) and the handler scopes of
// https://cloud.google.com/dialogflow/cx/docs/concept/handler:
//
//   - Text: the intent routes in scope (the page's, its route groups', then the flow's and the flow's
//     groups') are matched; the best intent above the flow's classification threshold whose route
//     condition holds fires. Otherwise the text fills the form parameter being asked (and any other
//     unfilled one it holds). While a parameter is asked, a text that fills it interrupts the form
//     only by matching a training phrase exactly, as ES slot filling does in this mock (the mock's
//     design: how CX weighs a loose intent match against a parameter value is not published).
//     Otherwise sys.no-match-N (N the consecutive no-matches, 1 to 6) or
//     sys.no-match-default is handled, by the parameter's reprompt handlers first, then the page's, then
//     the flow's.
//   - Entering a page runs its entry fulfillment, pre-fills its form from the session parameters, then
//     settles it: the condition routes in scope (the page's and its groups'; the flow's only on the start
//     page) are evaluated in order and the first that holds fires; if none moves the session, the first
//     empty required parameter is prompted. The same settling follows a handler that does not move the
//     session, so a page's `true` route speaks on every turn, as real agents rely on.
//   - Fulfillment: parameter presets first, then the messages (one variant of each text, chosen by the
//     seeded random source), then the conditional responses (the first case whose condition holds, its
//     nested cases in place), then the webhook (cxwebhook.go).
//   - Targets: a page of the flow; a flow (its start page, the caller kept on a stack); END_FLOW returns
//     to the caller page and settles it, or, in the start flow, ends the session as END_SESSION does (a
//     real test case of the start flow expects the page "End Session" there); PREVIOUS_PAGE,
//     CURRENT_PAGE and START_PAGE re-enter with entry fulfillment. END_SESSION appends an endInteraction
//     message and the next query starts over with empty parameters.
//
// Inferred where the documentation is silent: presets before messages; a no-match handled above the
// parameter re-prompts the parameter; a page with no required parameter is FINAL; system-entity values
// are those of the ES matcher, except @sys.date, which CX gives as {"year","month","day"}.

// maxCXTransitions bounds the page transitions of one query: a loop of condition routes in an export
// ends with an error instead of a hang.
const maxCXTransitions = 64

// cxState is a CX session's place in the agent. It is guarded by Server.mu and copied for each query.
type cxState struct {
	page    *CXPage
	prev    *CXPage
	stack   []*CXPage // the pages that transitioned to a flow, to return to at END_FLOW
	form    map[string]any
	filling string // the form parameter being asked
	noMatch int
	ended   bool
}

func (st *cxState) clone() *cxState {
	c := *st
	c.stack = append([]*CXPage(nil), st.stack...)
	c.form = cloneMap(st.form)
	return &c
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// scopeMatchers builds, once per set of intents in scope, a matcher over those intents: the ES matcher
// ranks every intent it holds, and a CX query may only match the intents of the routes in scope.
type scopeMatchers struct {
	agent *Agent
	mu    sync.Mutex
	byKey map[string]*matcher
}

func newScopeMatchers(a *Agent) *scopeMatchers {
	return &scopeMatchers{agent: a, byKey: map[string]*matcher{}}
}

func (sm *scopeMatchers) get(intents []*Intent) *matcher {
	ids := make([]string, len(intents))
	for i, in := range intents {
		ids[i] = in.ID
	}
	sort.Strings(ids)
	key := strings.Join(ids, "\x00")
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if m := sm.byKey[key]; m != nil {
		return m
	}
	sub := *sm.agent
	sub.Intents = intents
	m := newMatcher(&sub)
	sm.byKey[key] = m
	return m
}

// cxTurn is one query being answered. It runs with no lock held: webhooks may be slow.
type cxTurn struct {
	ctx          context.Context
	s            *Server
	a            *CXAgent
	in           *detectInput
	st           *cxState
	params       map[string]any // session parameters
	now          time.Time
	rng          *rand.Rand
	responseID   string
	msgs         []*cxpb.ResponseMessage
	variants     [][]string // per message: the filled variants of a text, for test cases
	match        *cxpb.Match
	intentParams map[string]any
	originals    map[string]string
	statuses     []*rpcstatus.Status
	payloads     []*structpb.Struct
	transitions  int
	err          error
}

func (t *cxTurn) vars() cxVars {
	return cxVars{session: t.params, page: t.st.form, pageFinal: t.pageFinal(), intent: t.intentParams, originals: t.originals}
}

func (t *cxTurn) pageFinal() bool {
	for _, fp := range t.st.page.form {
		if fp.required && t.st.form[fp.name] == nil {
			return false
		}
	}
	return true
}

// intentRoutes are the routes with an intent in scope, in the order they are tried.
func (t *cxTurn) intentRoutes() []*cxRoute {
	p := t.st.page
	var out []*cxRoute
	add := func(p *CXPage) {
		for _, r := range p.routes {
			if r.intent != nil {
				out = append(out, r)
			}
		}
		for _, g := range p.groups {
			for _, r := range g.routes {
				if r.intent != nil {
					out = append(out, r)
				}
			}
		}
	}
	add(p)
	if p != p.Flow.Start {
		add(p.Flow.Start)
	}
	return out
}

// handlers are the event handlers in scope for event, in the order they are tried.
func (t *cxTurn) handler(event string) (*cxHandler, bool) {
	p := t.st.page
	var lists [][]*cxHandler
	if fp := t.filling(); fp != nil {
		lists = append(lists, fp.reprompts)
	}
	lists = append(lists, p.events)
	if p != p.Flow.Start {
		lists = append(lists, p.Flow.Start.events)
	}
	for i, hs := range lists {
		for _, h := range hs {
			if h.event == event {
				return h, i == 0 && t.filling() != nil
			}
		}
	}
	return nil, false
}

func (t *cxTurn) filling() *cxFormParam {
	if t.st.filling == "" {
		return nil
	}
	for _, fp := range t.st.page.form {
		if fp.name == t.st.filling {
			return fp
		}
	}
	return nil
}

// text answers a text query.
func (t *cxTurn) text(text string, lang string) {
	routes := t.intentRoutes()
	var intents []*Intent
	seen := map[*Intent]bool{}
	for _, r := range routes {
		if !seen[r.intent] {
			seen[r.intent] = true
			intents = append(intents, r.intent)
		}
	}
	m := t.a.scopes.get(intents)
	q := m.newQuery(lang, text, t.now)
	defer q.release()
	best := m.best(q, nil, 0)
	if fp := t.filling(); fp != nil && best != nil && !best.exact && t.fills(fp, m, q) {
		best = nil // the answer to the question asked, not a loose match of another intent
	}
	if best != nil && best.score >= t.st.page.Flow.threshold {
		t.intentParams, t.originals = cxValues(best.params, best.intent), best.originals
		t.resolveIntentParams(best.intent, lang, text)
		for _, r := range routes {
			if r.intent == best.intent && (r.cond == nil || r.cond.eval(t.vars())) {
				t.match = &cxpb.Match{MatchType: cxpb.Match_INTENT, Confidence: float32(best.score),
					Intent: t.intentPB(best.intent), Parameters: structOrNil(t.intentParams), ResolvedInput: text}
				t.st.noMatch = 0
				// Intent parameters become session parameters when the route is taken (concept/parameter).
				for k, v := range t.intentParams {
					t.setParam(k, v)
				}
				if !t.run(r.fulfill, r.target, cxpb.ResponseMessage_HANDLER_PROMPT) {
					t.settle(false)
				}
				return
			}
		}
		t.intentParams, t.originals = nil, nil
	}
	if fp := t.filling(); fp != nil && t.fill(fp, m, q, text) {
		t.match = &cxpb.Match{MatchType: cxpb.Match_PARAMETER_FILLING, ResolvedInput: text, Confidence: 1}
		t.st.noMatch = 0
		t.settle(false)
		return
	}
	t.noMatch(text)
}

// resolveIntentParams adds the values of the matched intent's parameters that the ES matcher does not
// read: those of the system entities of CX's own and of composite entity types.
func (t *cxTurn) resolveIntentParams(in *Intent, lang, text string) {
	for _, p := range in.Parameters {
		if _, done := t.intentParams[p.Name]; done {
			continue
		}
		if v, orig, ok, _ := t.resolve(p.EntityType, lang, text, false); ok {
			if t.intentParams == nil {
				t.intentParams = map[string]any{}
			}
			if t.originals == nil {
				t.originals = map[string]string{}
			}
			t.intentParams[p.Name], t.originals[p.Name] = v, orig
		}
	}
}

// fills reports whether the text holds a value for fp.
func (t *cxTurn) fills(fp *cxFormParam, m *matcher, q *query) bool {
	if fp.entity == "@sys.any" {
		return true
	}
	if _, _, ok, own := t.resolve(fp.entity, q.lang, q.text, true); own {
		return ok
	}
	got, _ := m.extract(m.model(q.lang), q, &Intent{Parameters: []Parameter{{Name: fp.name, EntityType: fp.entity}}})
	_, ok := got[fp.name]
	return ok
}

// fill fills fp, and any other empty form parameter, from the text; it reports whether it filled any
// (a value for another parameter than the one asked fills it, and the page asks again).
func (t *cxTurn) fill(fp *cxFormParam, m *matcher, q *query, text string) bool {
	if fp.entity == "@sys.any" {
		t.setParam(fp.name, strings.TrimSpace(text))
		return true
	}
	probe := &Intent{}
	own := map[string]any{}
	for _, o := range t.st.page.form {
		if o != fp && (o.entity == "@sys.any" || t.st.form[o.name] != nil) {
			continue
		}
		if v, _, ok, mine := t.resolve(o.entity, q.lang, q.text, o == fp); mine {
			if ok {
				own[o.name] = v
			}
			continue
		}
		probe.Parameters = append(probe.Parameters, Parameter{Name: o.name, EntityType: o.entity})
	}
	got, _ := m.extract(m.model(q.lang), q, probe)
	if len(got) == 0 && len(own) == 0 {
		return false
	}
	for k, v := range cxValues(got, probe) {
		t.setParam(k, v)
	}
	for k, v := range own {
		t.setParam(k, v)
	}
	return true
}

// resolve reads a value of entity from text with the recognisers of CX's own (sysentity.go) and the
// composite entity types (cxcomposite.go); mine says whether entity is theirs, not the ES matcher's.
// asked says the form is asking for this value, which lets a bare name be a person.
func (t *cxTurn) resolve(entity, lang, text string, asked bool) (v any, original string, ok, mine bool) {
	if rec := cxSysRecognisers[entity]; rec != nil {
		v, original, ok = rec(lang, text, t.now, asked)
		return v, original, ok, true
	}
	if c := t.a.composites[strings.TrimPrefix(entity, "@")]; c != nil {
		if c.bad != "" {
			return nil, "", false, true
		}
		v, original, ok = t.a.resolveComposite(c, lang, text, t.now)
		return v, original, ok, true
	}
	return nil, "", false, false
}

// cxValues turns the matcher's parameter values into CX's: @sys.date as {"year","month","day"}.
func cxValues(params map[string]any, in *Intent) map[string]any {
	out := make(map[string]any, len(params))
	for k, v := range params {
		out[k] = v
	}
	for _, p := range in.Parameters {
		s, ok := out[p.Name].(string)
		if !ok || p.EntityType != "@sys.date" {
			continue
		}
		if d, err := time.Parse(time.RFC3339, s); err == nil {
			out[p.Name] = map[string]any{"year": float64(d.Year()), "month": float64(d.Month()), "day": float64(d.Day())}
		}
	}
	return out
}

// noMatch handles a text that matched no route and filled no parameter.
func (t *cxTurn) noMatch(text string) {
	t.st.noMatch++
	t.match = &cxpb.Match{MatchType: cxpb.Match_NO_MATCH, Event: "sys.no-match-default", ResolvedInput: text}
	t.event("sys.no-match", t.st.noMatch)
}

// event handles event (with its numbered variants sys.no-match-N and sys.no-input-N for n ≤ 6 first)
// and settles the page when the session did not move.
func (t *cxTurn) event(base string, n int) {
	names := []string{base}
	if base == "sys.no-match" || base == "sys.no-input" {
		names = nil
		if n >= 1 && n <= 6 {
			names = append(names, fmt.Sprintf("%s-%d", base, n))
		}
		names = append(names, base+"-default")
	}
	for _, name := range names {
		if h, reprompt := t.handler(name); h != nil {
			if !t.run(h.fulfill, h.target, cxpb.ResponseMessage_HANDLER_PROMPT) {
				t.settle(reprompt)
			}
			return
		}
	}
	t.settle(false)
}

// run calls a handler's fulfillment and follows its target (or the webhook's); it reports whether the
// session moved.
func (t *cxTurn) run(f *cxFulfillment, tg cxTarget, rt cxpb.ResponseMessage_ResponseType) bool {
	if redirect := t.fulfill(f, rt); redirect != nil {
		tg = *redirect
	}
	return t.transition(tg)
}

func (t *cxTurn) transition(tg cxTarget) bool {
	if t.err != nil || t.st.ended {
		return true
	}
	switch {
	case tg.page != nil:
		t.enter(tg.page)
	case tg.flow != nil:
		t.st.stack = append(t.st.stack, t.st.page)
		t.enter(tg.flow.Start)
	case tg.special == "END_SESSION":
		t.end()
	case tg.special == "END_FLOW":
		if len(t.st.stack) == 0 {
			t.end()
			return true
		}
		caller := t.st.stack[len(t.st.stack)-1]
		t.st.stack = t.st.stack[:len(t.st.stack)-1]
		t.st.prev, t.st.page, t.st.filling = t.st.page, caller, ""
		t.st.form = map[string]any{}
		if t.step() {
			t.settle(false)
		}
	case tg.special == "PREVIOUS_PAGE":
		if t.st.prev == nil {
			t.enter(t.st.page)
		} else {
			t.enter(t.st.prev)
		}
	case tg.special == "CURRENT_PAGE":
		t.enter(t.st.page)
	case tg.special == "START_PAGE":
		t.enter(t.st.page.Flow.Start)
	default:
		return false
	}
	return true
}

// step counts a transition and fails the turn past maxCXTransitions.
func (t *cxTurn) step() bool {
	t.transitions++
	if t.transitions > maxCXTransitions {
		t.err = status.Errorf(codes.FailedPrecondition,
			"parley: more than %d page transitions in one query (page %q of flow %q): the agent loops",
			maxCXTransitions, t.st.page.DisplayName, t.st.page.Flow.DisplayName)
		return false
	}
	return true
}

func (t *cxTurn) enter(p *CXPage) {
	if !t.step() {
		return
	}
	t.st.prev, t.st.page, t.st.filling = t.st.page, p, ""
	t.st.form = map[string]any{}
	if redirect := t.fulfill(p.entry, cxpb.ResponseMessage_ENTRY_PROMPT); redirect != nil && t.transition(*redirect) {
		return
	}
	for _, fp := range p.form {
		if fp.dflt != nil && t.params[fp.name] == nil {
			t.setParam(fp.name, fp.dflt)
		}
	}
	t.settle(false)
}

// settle pre-fills the form, evaluates the condition routes in scope and, if the session stays,
// prompts for the first empty required parameter (unless a reprompt handler just did).
func (t *cxTurn) settle(reprompted bool) {
	if t.err != nil || t.st.ended {
		return
	}
	p := t.st.page
	for _, fp := range p.form {
		if v, ok := getFold(t.params, fp.name); ok && v != nil {
			t.st.form[fp.name] = v
		}
	}
	var conds []*cxRoute
	for _, r := range p.routes {
		if r.intent == nil {
			conds = append(conds, r)
		}
	}
	for _, g := range p.groups {
		for _, r := range g.routes {
			if r.intent == nil {
				conds = append(conds, r)
			}
		}
	}
	for _, r := range conds {
		if r.cond.eval(t.vars()) {
			if t.run(r.fulfill, r.target, cxpb.ResponseMessage_HANDLER_PROMPT) {
				return
			}
			break
		}
	}
	t.st.filling = ""
	for _, fp := range p.form {
		if fp.required && t.st.form[fp.name] == nil {
			t.st.filling = fp.name
			if !reprompted {
				if redirect := t.fulfill(fp.prompt, cxpb.ResponseMessage_PARAMETER_PROMPT); redirect != nil {
					t.transition(*redirect)
				}
			}
			return
		}
	}
}

// end ends the session (END_SESSION).
func (t *cxTurn) end() {
	t.st.ended = true
	t.msgs = append(t.msgs, &cxpb.ResponseMessage{Message: &cxpb.ResponseMessage_EndInteraction_{
		EndInteraction: &cxpb.ResponseMessage_EndInteraction{}}})
	t.variants = append(t.variants, nil)
}

// setParam sets a session parameter (nil deletes it) and the current page's form parameter of that name.
func (t *cxTurn) setParam(name string, v any) {
	if v == nil {
		delete(t.params, name)
	} else {
		t.params[name] = v
	}
	for _, fp := range t.st.page.form {
		if strings.EqualFold(fp.name, name) {
			if v == nil {
				delete(t.st.form, fp.name)
			} else {
				t.st.form[fp.name] = v
			}
		}
	}
}

// fulfill applies a fulfillment: presets, messages, webhook. It returns a target when the webhook (or
// the handler of its failure) names one.
func (t *cxTurn) fulfill(f *cxFulfillment, rt cxpb.ResponseMessage_ResponseType) *cxTarget {
	if f == nil || t.err != nil {
		return nil
	}
	for _, sp := range f.set {
		t.setParam(sp.name, presetValue(sp.value, t.vars()))
	}
	for _, m := range f.messages {
		t.say(m, rt)
	}
	for _, c := range f.cases {
		t.sayCases(c, rt)
	}
	if f.webhook != nil {
		return t.webhook(f)
	}
	return nil
}

// sayCases queues the messages of the first case whose condition holds, nested cases in their place.
// The conditions see the parameters as the presets left them.
func (t *cxTurn) sayCases(c *cxCases, rt cxpb.ResponseMessage_ResponseType) {
	for _, k := range c.cases {
		if k.cond != nil && !k.cond.eval(t.vars()) {
			continue
		}
		for _, cnt := range k.content {
			if cnt.msg != nil {
				t.say(cnt.msg, rt)
			} else {
				t.sayCases(cnt.more, rt)
			}
		}
		return
	}
}

// say queues a message: one variant of a text, with its references filled.
func (t *cxTurn) say(m *cxpb.ResponseMessage, rt cxpb.ResponseMessage_ResponseType) {
	out := proto.Clone(m).(*cxpb.ResponseMessage)
	out.ResponseType = rt
	var variants []string
	v := t.vars()
	switch {
	case m.GetText() != nil:
		for _, s := range m.GetText().GetText() {
			variants = append(variants, fillTemplate(s, v))
		}
		if len(variants) == 0 {
			return
		}
		out.GetText().Text = []string{variants[t.rng.IntN(len(variants))]}
	case m.GetOutputAudioText() != nil:
		oa := out.GetOutputAudioText()
		switch x := oa.GetSource().(type) {
		case *cxpb.ResponseMessage_OutputAudioText_Text:
			x.Text = fillTemplate(x.Text, v)
		case *cxpb.ResponseMessage_OutputAudioText_Ssml:
			x.Ssml = fillTemplate(x.Ssml, v)
		}
	}
	t.msgs = append(t.msgs, out)
	t.variants = append(t.variants, variants)
}

func (t *cxTurn) intentPB(in *Intent) *cxpb.Intent {
	return &cxpb.Intent{Name: t.in.ref.agentPath() + "/intents/" + in.ID, DisplayName: in.DisplayName}
}

func structOrNil(m map[string]any) *structpb.Struct {
	if len(m) == 0 {
		return nil
	}
	return mustStruct(m)
}

// pagePB names a page as the API does: START_PAGE, END_SESSION and the page ids of the export.
func (t *cxTurn) pagePB() *cxpb.Page {
	p := t.st.page
	flow := t.in.ref.agentPath() + "/flows/" + p.Flow.ID
	if t.st.ended {
		return &cxpb.Page{Name: flow + "/pages/END_SESSION", DisplayName: "End Session"}
	}
	return &cxpb.Page{Name: flow + "/pages/" + p.ID, DisplayName: p.DisplayName}
}

// detectCXFlow answers a CX query from the CX agent: the session's page, the query, the response.
func (s *Server) detectCXFlow(ctx context.Context, in detectInput) (*cxpb.DetectIntentResponse, []turnText, error) {
	if err := s.applyFault(ctx); err != nil {
		return nil, nil, s.cxRecord(in, nil, nil, err)
	}
	if err := s.validate(&in); err != nil {
		return nil, nil, s.cxRecord(in, nil, nil, err)
	}
	a := s.cx
	loc := time.UTC
	tz := in.timeZone
	if tz == "" {
		tz = a.TimeZone
	}
	if l, err := s.location(tz); err == nil && tz != "" {
		loc = l
	} else if in.timeZone != "" {
		return nil, nil, s.cxRecord(in, nil, nil, status.Error(codes.InvalidArgument, "Invalid time zone '"+in.timeZone+"'."))
	}
	now := s.clock.Now()

	s.mu.Lock()
	ss := s.sessionLocked(in.ref)
	ss.expireLocked(now)
	st := ss.cx
	if st == nil || st.ended {
		st = &cxState{page: a.StartFlow.Start, form: map[string]any{}}
		if ss.cx != nil {
			ss.params = map[string]any{} // a new session after END_SESSION
		}
	} else {
		st = st.clone()
	}
	params := cloneMap(ss.params)
	t := &cxTurn{ctx: ctx, s: s, a: a, in: &in, st: st, params: params, now: now.In(loc),
		rng: rand.New(rand.NewPCG(ss.rng.Uint64(), ss.rng.Uint64())), responseID: s.responseIDLocked()}
	s.mu.Unlock()

	for k, v := range in.cxParams {
		t.setParam(k, v) // queryParams.parameters; null removes (QueryParameters.parameters)
	}
	switch {
	case in.hasText:
		t.text(in.text, in.lang)
	case in.event != "":
		t.match = &cxpb.Match{MatchType: cxpb.Match_EVENT, Event: in.event}
		switch in.event {
		case "sys.no-input-default", "sys.no-match-default":
			t.event(strings.TrimSuffix(in.event, "-default"), 0)
		default:
			t.event(in.event, 0)
		}
	case in.directIntent != nil:
		t.direct(in.directIntent)
	}
	if t.err != nil {
		return nil, nil, s.cxRecord(in, t, nil, t.err)
	}

	s.mu.Lock()
	ss = s.sessionLocked(in.ref)
	ss.cx, ss.params, ss.last = t.st, t.params, now
	ss.turns++
	s.mu.Unlock()

	resp := t.response()
	texts := make([]turnText, 0, len(t.msgs))
	for i, m := range t.msgs {
		if m.GetText() != nil {
			texts = append(texts, turnText{text: m.GetText().GetText()[0], variants: t.variants[i]})
		}
	}
	return resp, texts, s.cxRecord(in, t, resp, nil)
}

// turnText is a text the agent said and the variants it was chosen from.
type turnText struct {
	text     string
	variants []string
}

// direct answers queryInput.intent: the route of that intent in scope fires, its condition permitting.
func (t *cxTurn) direct(in *Intent) {
	for _, r := range t.intentRoutes() {
		if r.intent == in && (r.cond == nil || r.cond.eval(t.vars())) {
			t.match = &cxpb.Match{MatchType: cxpb.Match_DIRECT_INTENT, Intent: t.intentPB(in), Confidence: 1}
			if !t.run(r.fulfill, r.target, cxpb.ResponseMessage_HANDLER_PROMPT) {
				t.settle(false)
			}
			return
		}
	}
	t.match = &cxpb.Match{MatchType: cxpb.Match_NO_MATCH, Event: "sys.no-match-default"}
	t.st.noMatch++
	t.event("sys.no-match", t.st.noMatch)
}

func (t *cxTurn) response() *cxpb.DetectIntentResponse {
	agent := t.in.ref.agentPath()
	qr := &cxpb.QueryResult{LanguageCode: t.in.lang, ResponseMessages: t.msgs, CurrentPage: t.pagePB(),
		CurrentFlow:     &cxpb.Flow{Name: agent + "/flows/" + t.st.page.Flow.ID, DisplayName: t.st.page.Flow.DisplayName},
		Match:           t.match,
		WebhookStatuses: t.statuses, WebhookPayloads: t.payloads,
	}
	switch {
	case t.in.hasText:
		qr.Query = &cxpb.QueryResult_Text{Text: t.in.text}
	case t.in.event != "":
		qr.Query = &cxpb.QueryResult_TriggerEvent{TriggerEvent: t.in.event}
	case t.in.directIntent != nil:
		qr.Query = &cxpb.QueryResult_TriggerIntent{TriggerIntent: agent + "/intents/" + t.in.directIntent.ID}
	}
	if len(t.params) > 0 {
		qr.Parameters = mustStruct(t.params)
	}
	if t.match.GetIntent() != nil {
		//lint:ignore SA1019 deprecated in session.proto, still emitted by the real service
		qr.Intent = t.match.GetIntent()
		//lint:ignore SA1019 as above
		qr.IntentDetectionConfidence = t.match.GetConfidence()
	}
	return &cxpb.DetectIntentResponse{ResponseId: t.responseID, QueryResult: qr, ResponseType: cxpb.DetectIntentResponse_FINAL}
}

// cxRecord journals a CX query answered from the CX agent (or refused) and returns err.
func (s *Server) cxRecord(in detectInput, t *cxTurn, resp *cxpb.DetectIntentResponse, err error) error {
	data := journal.DetectIntentData{API: "cx", Transport: in.transport, Session: in.ref.path, SessionID: in.ref.id,
		Project: in.ref.project, Language: in.lang, Text: in.text, Event: in.event}
	if err != nil {
		st, _ := status.FromError(err)
		data.Code, data.Error = codeName(st.Code()), st.Message()
		s.journal.Record(journal.SourceDialogflow, journal.KindDetectIntentRejected, in.ref.id, data)
		return err
	}
	m := resp.GetQueryResult().GetMatch()
	data.Intent, data.Confidence = m.GetIntent().GetDisplayName(), float64(m.GetConfidence())
	data.Fallback = m.GetMatchType() == cxpb.Match_NO_MATCH
	data.Parameters = t.params
	for _, msg := range resp.GetQueryResult().GetResponseMessages() {
		if txt := msg.GetText().GetText(); len(txt) > 0 {
			data.Reply = txt[0]
			break
		}
	}
	s.journal.Record(journal.SourceDialogflow, journal.KindDetectIntent, in.ref.id, data)
	return nil
}
