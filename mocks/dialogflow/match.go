package dialogflow

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// defaultMLMinConfidence is the ES classification threshold when the agent sets none (agent.proto:
// "If set to 0.0, the default of 0.3 is used").
const defaultMLMinConfidence = 0.3

// Matching constants. They are the mock's own design (research note §7, "deterministic mock
// algorithm"), chosen so that the fixture agent's paraphrases match and off-topic text does not.
const (
	maxSoftScore   = 0.99 // a non-exact match never reports the 1.0 of a grammar match
	contextBonus   = 0.1  // intents whose input contexts are active are "more likely" to match [D-ctx]
	tieEpsilon     = 0.02 // scores closer than this are a tie, broken by context, priority, name
	stopWordWeight = 0.15
	slotWeight     = 1.5
	recallBeta     = 1.2
	stemSimilarity = 0.85
)

var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`de la el los las un una unos unas y o a al del en mi mis me te tu tus
	que por para con lo le les se su sus es ya os nos vosotros este esta esto eso
	the a an to of my me i you your is are am do does for on in and or it this that be with at
	please por favor can could would will
	quien quienes como donde cuando cual cuanto hay what who how where when which why was like has no not
	mas muy mucho more very much am are would`) {
		stopWords[w] = true
	}
}

// phraseElem is one element of a compiled training phrase: a literal word or an entity slot.
type phraseElem struct {
	word   string // literal, folded
	entity string // slot: "@sys.number", "@order_number", …
	alias  string
}

type compiledPhrase struct {
	elems []phraseElem
}

type langModel struct {
	phrases map[*Intent][]compiledPhrase
	weight  map[string]float64 // idf of each word of the language's training phrases
	unknown float64            // weight of a word the agent has never seen
	vocab   []string
	// synonyms of map entities: entity "@name" → folded synonym → reference value
	synonyms map[string]map[string]string
}

// matcher holds the agent compiled for matching, per language. It is immutable once built.
type matcher struct {
	agent   *Agent
	models  map[string]*langModel
	regexps map[string]map[string][]*regexp.Regexp // lang → entity name → regexps
}

func newMatcher(a *Agent) *matcher {
	m := &matcher{agent: a, models: map[string]*langModel{}, regexps: map[string]map[string][]*regexp.Regexp{}}
	langs := map[string]bool{}
	for _, l := range a.SupportedLanguages {
		langs[l] = true
	}
	for _, in := range a.Intents {
		for l := range in.Phrases {
			langs[l] = true
		}
	}
	for lang := range langs {
		m.models[lang] = m.build(lang)
		re := map[string][]*regexp.Regexp{}
		for name, et := range a.Entities {
			if et.Regexp {
				if rs := et.regexps[lang]; len(rs) > 0 {
					re[name] = rs
				} else {
					re[name] = et.regexps[a.Language]
				}
			}
		}
		m.regexps[lang] = re
	}
	return m
}

func (m *matcher) build(lang string) *langModel {
	lm := &langModel{phrases: map[*Intent][]compiledPhrase{}, weight: map[string]float64{}, synonyms: map[string]map[string]string{}}
	for name, et := range m.agent.Entities {
		if et.Regexp {
			continue
		}
		entries := et.Entries[lang]
		if len(entries) == 0 {
			entries = et.Entries[m.agent.Language]
		}
		syn := map[string]string{}
		for _, e := range entries {
			for _, s := range e.Synonyms {
				if n := normalize(s); n != "" {
					syn[n] = e.Value
				}
			}
		}
		lm.synonyms["@"+name] = syn
	}
	df := map[string]int{}
	n := 0
	for _, in := range m.agent.Intents {
		ps := in.Phrases[lang]
		if len(ps) == 0 {
			continue
		}
		n++
		seen := map[string]bool{}
		for _, p := range ps {
			cp := compiledPhrase{}
			for _, part := range p.Parts {
				if part.Entity != "" {
					cp.elems = append(cp.elems, phraseElem{entity: part.Entity, alias: part.Alias})
					continue
				}
				for _, w := range words(part.Text, 0, len(part.Text)) {
					cp.elems = append(cp.elems, phraseElem{word: w.norm})
					if !seen[w.norm] {
						seen[w.norm] = true
						df[w.norm]++
					}
				}
			}
			if len(cp.elems) > 0 {
				lm.phrases[in] = append(lm.phrases[in], cp)
			}
		}
	}
	if n == 0 {
		n = 1
	}
	for w, d := range df {
		wt := math.Log(1 + float64(n)/float64(d))
		if stopWords[w] {
			wt = stopWordWeight
		}
		lm.weight[w] = wt
		lm.vocab = append(lm.vocab, w)
	}
	sort.Strings(lm.vocab)
	lm.unknown = math.Log(1 + float64(n)/0.25) // rarer than any known word: off-topic text weighs against a match
	return lm
}

func (lm *langModel) wordWeight(w string) float64 {
	if stopWords[w] {
		return stopWordWeight
	}
	if wt, ok := lm.weight[w]; ok {
		return wt
	}
	return lm.unknown
}

// similarity of two folded words: 1 when equal, less for a typo (edit distance 1 for words of 4–7
// letters, 2 from 8 letters) or a shared stem (one a prefix of the other, 5+ letters), 0 otherwise.
func similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	short := min(la, lb)
	// One word the stem of the other ("process"/"processing", "elimina"/"eliminar"): a light stemmer.
	if short >= 5 && abs(la-lb) <= 4 && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)) {
		return stemSimilarity
	}
	allowed := 0
	switch {
	case short >= 8:
		allowed = 2
	case short >= 4:
		allowed = 1
	}
	if allowed == 0 || abs(la-lb) > allowed {
		return 0
	}
	d := levenshtein(a, b)
	if d > allowed {
		return 0
	}
	return 1 - float64(d)/float64(max(la, lb))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// levenshtein is the optimal string alignment distance of two words: a swap of two adjacent letters,
// the commonest typo, is one edit. Words are short, so the rows live on the stack.
func levenshtein(as, bs string) int {
	var abuf, bbuf [32]rune
	a, b := appendRunes(abuf[:0], as), appendRunes(bbuf[:0], bs)
	var r0, r1, r2 [33]int
	prev2, prev, cur := r0[:], r1[:], r2[:]
	if len(b) >= len(r0) {
		prev2, prev, cur = make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	}
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}

// query is one text to match, tokenised once.
type query struct {
	lang   string
	text   string
	tokens []token
	// fuzzy[i] lists the vocabulary words the i-th token may stand for, with their similarity.
	fuzzy []map[string]float64
	// words holds every folded word of the text, entity spans included, to rule grammar matches out fast.
	words map[string]bool
}

func (m *matcher) model(lang string) *langModel {
	if lm := m.models[lang]; lm != nil {
		return lm
	}
	return m.models[m.agent.Language]
}

func (m *matcher) newQuery(lang, text string, now time.Time) *query {
	lm := m.model(lang)
	re := m.regexps[lang]
	if re == nil {
		re = m.regexps[m.agent.Language]
	}
	q := &query{lang: lang, text: text, tokens: tokenize(text, re, now)}
	q.words = map[string]bool{}
	for _, t := range q.tokens {
		for _, w := range strings.Fields(t.norm) {
			q.words[w] = true
		}
	}
	q.fuzzy = make([]map[string]float64, len(q.tokens))
	for i, t := range q.tokens {
		f := map[string]float64{t.norm: 1}
		if t.ents == nil {
			for _, v := range lm.vocab {
				if s := similarity(t.norm, v); s > 0 {
					f[v] = s
				}
			}
		}
		q.fuzzy[i] = f
	}
	return q
}

// match is the outcome of matching a query against one intent.
type match struct {
	intent     *Intent
	score      float64
	exact      bool
	params     map[string]any
	originals  map[string]string
	contextual bool
}

// grammar tries to match the whole query against phrase p exactly: every literal word equal, every slot
// filled by an entity of its type, nothing left over. It returns the slot values.
func (m *matcher) grammar(lm *langModel, q *query, p compiledPhrase) (map[string]any, map[string]string, bool) {
	for _, e := range p.elems {
		if e.entity == "" && !q.words[e.word] {
			return nil, nil, false // a word of the phrase is not in the text at all
		}
	}
	type state struct{ pi, ui int }
	failed := map[state]bool{}
	params := map[string]any{}
	originals := map[string]string{}
	var rec func(pi, ui int) bool
	rec = func(pi, ui int) bool {
		if pi == len(p.elems) {
			return ui == len(q.tokens)
		}
		if ui > len(q.tokens) || failed[state{pi, ui}] {
			return false
		}
		e := p.elems[pi]
		if e.entity == "" {
			if ui < len(q.tokens) {
				t := q.tokens[ui]
				if t.norm == e.word && rec(pi+1, ui+1) {
					return true
				}
				// an entity span ("3 de marzo") may stand for several literal words of the phrase
				if t.ents != nil && strings.Contains(t.norm, " ") {
					joined, k := "", 0
					for pi+k < len(p.elems) && p.elems[pi+k].entity == "" && len(joined) < len(t.norm) {
						if joined != "" {
							joined += " "
						}
						joined += p.elems[pi+k].word
						k++
					}
					if joined == t.norm && rec(pi+k, ui+1) {
						return true
					}
				}
			}
			failed[state{pi, ui}] = true
			return false
		}
		setSlot := func(v any, from, to int) {
			params[e.alias] = v
			originals[e.alias] = q.text[q.tokens[from].start:q.tokens[to-1].end]
		}
		switch e.entity {
		case "@sys.any", "@sys.person":
			maxLen := len(q.tokens) - ui
			if e.entity == "@sys.person" {
				maxLen = min(maxLen, 3)
			}
			for n := 1; n <= maxLen; n++ {
				if rec(pi+1, ui+n) {
					raw := q.text[q.tokens[ui].start:q.tokens[ui+n-1].end]
					if e.entity == "@sys.person" {
						setSlot(map[string]any{"name": raw}, ui, ui+n)
					} else {
						setSlot(raw, ui, ui+n)
					}
					return true
				}
			}
		default:
			if syn, ok := lm.synonyms[e.entity]; ok {
				joined := ""
				for n := 1; ui+n <= len(q.tokens) && n <= 6; n++ {
					if joined != "" {
						joined += " "
					}
					joined += q.tokens[ui+n-1].norm
					if v, ok := syn[joined]; ok && rec(pi+1, ui+n) {
						setSlot(v, ui, ui+n)
						return true
					}
				}
			} else if ui < len(q.tokens) {
				if v, ok := q.tokens[ui].ents[e.entity]; ok && rec(pi+1, ui+1) {
					setSlot(v, ui, ui+1)
					return true
				}
			}
		}
		failed[state{pi, ui}] = true
		return false
	}
	if rec(0, 0) {
		return params, originals, true
	}
	return nil, nil, false
}

// soft scores the query against phrase p by weighted word overlap (typos allowed), entity slots
// counting as matched when the query holds an entity of their type.
func (m *matcher) soft(lm *langModel, q *query, p compiledPhrase) float64 {
	used := make([]bool, len(q.tokens))
	var phraseTotal, phraseHit float64
	userHit := make([]float64, len(q.tokens))
	for _, e := range p.elems {
		if e.entity == "@sys.any" || e.entity == "@sys.person" {
			continue // free text: neither evidence for nor against
		}
		if e.entity != "" {
			phraseTotal += slotWeight
			if syn, ok := lm.synonyms[e.entity]; ok {
				for i, t := range q.tokens {
					if _, ok := syn[t.norm]; ok && !used[i] {
						used[i], userHit[i] = true, 1
						phraseHit += slotWeight
						break
					}
				}
				continue
			}
			for i, t := range q.tokens {
				if _, ok := t.ents[e.entity]; ok && !used[i] {
					used[i], userHit[i] = true, 1
					phraseHit += slotWeight
					break
				}
			}
			continue
		}
		w := lm.wordWeight(e.word)
		phraseTotal += w
		best, bi := 0.0, -1
		for i := range q.tokens {
			if used[i] {
				continue
			}
			if s := q.fuzzy[i][e.word]; s > best {
				best, bi = s, i
			}
		}
		if bi >= 0 {
			used[bi], userHit[bi] = true, best
			phraseHit += w * best
		}
	}
	var userTotal, userGot float64
	for i, t := range q.tokens {
		w := lm.wordWeight(t.norm)
		if t.ents != nil {
			w = slotWeight
		}
		userTotal += w
		userGot += w * userHit[i]
	}
	if phraseTotal == 0 || userTotal == 0 {
		return 0
	}
	prec, rec := userGot/userTotal, phraseHit/phraseTotal
	if prec == 0 || rec == 0 {
		return 0
	}
	// F-beta, recall weighted: users add words to a phrase more often than they drop them, but a short
	// text that covers only a stop word of a phrase must not score.
	const b2 = recallBeta * recallBeta
	return (1 + b2) * prec * rec / (b2*prec + rec)
}

// best matches q against every intent whose input contexts are all active, and returns the best match
// or nil when there is none above zero. Fallback intents are not candidates here.
func (m *matcher) best(q *query, active map[string]bool, minConfidence float64) *match {
	lm := m.model(q.lang)
	var cands []*match
	for _, in := range m.agent.Intents {
		if in.Fallback || in.Priority < 0 || !contextsActive(in, active) {
			continue
		}
		var bestM *match
		for _, p := range lm.phrases[in] {
			if params, originals, ok := m.grammar(lm, q, p); ok {
				bestM = &match{intent: in, score: 1, exact: true, params: params, originals: originals}
				break
			}
			if s := m.soft(lm, q, p); bestM == nil || s > bestM.score {
				bestM = &match{intent: in, score: s}
			}
		}
		if bestM == nil {
			continue
		}
		bestM.contextual = len(in.InputContexts) > 0
		if !bestM.exact && bestM.contextual && bestM.score > 0 {
			bestM.score = math.Min(maxSoftScore, bestM.score+contextBonus)
		}
		if !bestM.exact {
			bestM.score = math.Min(maxSoftScore, bestM.score)
		}
		cands = append(cands, bestM)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.exact != b.exact {
			return a.exact // a grammar match beats any similarity, context bonus or not
		}
		if math.Abs(a.score-b.score) >= tieEpsilon {
			return a.score > b.score
		}
		if a.contextual != b.contextual {
			return a.contextual
		}
		if a.intent.Priority != b.intent.Priority {
			return a.intent.Priority > b.intent.Priority
		}
		return a.intent.DisplayName < b.intent.DisplayName
	})
	if len(cands) == 0 || cands[0].score < minConfidence {
		return nil
	}
	c := cands[0]
	if !c.exact {
		c.params, c.originals = m.extract(lm, q, c.intent)
	}
	return c
}

// extract fills an intent's parameters from entities found anywhere in the query, for soft matches.
func (m *matcher) extract(lm *langModel, q *query, in *Intent) (map[string]any, map[string]string) {
	params := map[string]any{}
	originals := map[string]string{}
	used := map[int]bool{}
	for _, p := range in.Parameters {
		if syn, ok := lm.synonyms[p.EntityType]; ok {
			for i, t := range q.tokens {
				if v, ok := syn[t.norm]; ok && !used[i] {
					used[i] = true
					params[p.Name], originals[p.Name] = v, q.text[t.start:t.end]
					break
				}
			}
			continue
		}
		for i, t := range q.tokens {
			if v, ok := t.ents[p.EntityType]; ok && !used[i] {
				used[i] = true
				params[p.Name], originals[p.Name] = v, q.text[t.start:t.end]
				break
			}
		}
	}
	return params, originals
}

func contextsActive(in *Intent, active map[string]bool) bool {
	for _, c := range in.InputContexts {
		if !active[c] {
			return false
		}
	}
	return true
}

// fallback picks the fallback intent for a query that matched nothing: one whose input contexts are all
// active first (the most specific), then the agent's default.
func (m *matcher) fallback(active map[string]bool) *Intent {
	var best *Intent
	for _, in := range m.agent.Intents {
		if !in.Fallback || !contextsActive(in, active) {
			continue
		}
		if best == nil || len(in.InputContexts) > len(best.InputContexts) {
			best = in
		}
	}
	return best
}

// byEvent returns the intent that an event triggers, among those whose input contexts are active.
func (m *matcher) byEvent(name string, active map[string]bool) *Intent {
	var best *Intent
	for _, in := range m.agent.Intents {
		if !contextsActive(in, active) {
			continue
		}
		for _, e := range in.Events {
			if strings.EqualFold(e, name) && (best == nil || len(in.InputContexts) > len(best.InputContexts)) {
				best = in
			}
		}
	}
	return best
}
