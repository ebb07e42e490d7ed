package dialogflow

// The matcher as it was before the agent-compiled fast path (commit f8ea1af), kept verbatim but renamed
// (ref…) so TestMatcherAgreesWithReference can check that the fast path gives the same intent, score,
// parameters and originals on every fixture phrase, typo and paraphrase. Comments are in the history.

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

type refPhraseElem struct {
	word   string
	entity string
	alias  string
}

type refCompiledPhrase struct {
	elems []refPhraseElem
}

type refLangModel struct {
	phrases  map[*Intent][]refCompiledPhrase
	weight   map[string]float64
	unknown  float64
	vocab    []string
	synonyms map[string]map[string]string
}

type refMatcher struct {
	agent   *Agent
	models  map[string]*refLangModel
	regexps map[string]map[string][]*regexp.Regexp
}

func refNewMatcher(a *Agent) *refMatcher {
	m := &refMatcher{agent: a, models: map[string]*refLangModel{}, regexps: map[string]map[string][]*regexp.Regexp{}}
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

func (m *refMatcher) build(lang string) *refLangModel {
	lm := &refLangModel{phrases: map[*Intent][]refCompiledPhrase{}, weight: map[string]float64{}, synonyms: map[string]map[string]string{}}
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
				if n := refNormalize(s); n != "" {
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
			cp := refCompiledPhrase{}
			for _, part := range p.Parts {
				if part.Entity != "" {
					cp.elems = append(cp.elems, refPhraseElem{entity: part.Entity, alias: part.Alias})
					continue
				}
				for _, w := range refWords(part.Text, 0, len(part.Text)) {
					cp.elems = append(cp.elems, refPhraseElem{word: w.norm})
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
	lm.unknown = math.Log(1 + float64(n)/0.25)
	return lm
}

func (lm *refLangModel) wordWeight(w string) float64 {
	if stopWords[w] {
		return stopWordWeight
	}
	if wt, ok := lm.weight[w]; ok {
		return wt
	}
	return lm.unknown
}

func refSimilarity(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	short := min(la, lb)
	if short >= 5 && refAbs(la-lb) <= 4 && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)) {
		return stemSimilarity
	}
	allowed := 0
	switch {
	case short >= 8:
		allowed = 2
	case short >= 4:
		allowed = 1
	}
	if allowed == 0 || refAbs(la-lb) > allowed {
		return 0
	}
	d := refLevenshtein(a, b)
	if d > allowed {
		return 0
	}
	return 1 - float64(d)/float64(max(la, lb))
}

func refAbs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func refLevenshtein(as, bs string) int {
	var abuf, bbuf [32]rune
	a, b := refAppendRunes(abuf[:0], as), refAppendRunes(bbuf[:0], bs)
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

func refAppendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}

type refQuery struct {
	lang   string
	text   string
	tokens []refToken
	fuzzy  []map[string]float64
	words  map[string]bool
}

func (m *refMatcher) model(lang string) *refLangModel {
	if lm := m.models[lang]; lm != nil {
		return lm
	}
	return m.models[m.agent.Language]
}

func (m *refMatcher) newQuery(lang, text string, now time.Time) *refQuery {
	lm := m.model(lang)
	re := m.regexps[lang]
	if re == nil {
		re = m.regexps[m.agent.Language]
	}
	q := &refQuery{lang: lang, text: text, tokens: refTokenize(text, re, now)}
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
				if s := refSimilarity(t.norm, v); s > 0 {
					f[v] = s
				}
			}
		}
		q.fuzzy[i] = f
	}
	return q
}

type refMatch struct {
	intent     *Intent
	score      float64
	exact      bool
	params     map[string]any
	originals  map[string]string
	contextual bool
}

func (m *refMatcher) grammar(lm *refLangModel, q *refQuery, p refCompiledPhrase) (map[string]any, map[string]string, bool) {
	for _, e := range p.elems {
		if e.entity == "" && !q.words[e.word] {
			return nil, nil, false
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

func (m *refMatcher) soft(lm *refLangModel, q *refQuery, p refCompiledPhrase) float64 {
	used := make([]bool, len(q.tokens))
	var phraseTotal, phraseHit float64
	userHit := make([]float64, len(q.tokens))
	for _, e := range p.elems {
		if e.entity == "@sys.any" || e.entity == "@sys.person" {
			continue
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
	const b2 = recallBeta * recallBeta
	return (1 + b2) * prec * rec / (b2*prec + rec)
}

func (m *refMatcher) best(q *refQuery, active map[string]bool, minConfidence float64) *refMatch {
	lm := m.model(q.lang)
	var cands []*refMatch
	for _, in := range m.agent.Intents {
		if in.Fallback || in.Priority < 0 || !refContextsActive(in, active) {
			continue
		}
		var bestM *refMatch
		for _, p := range lm.phrases[in] {
			if params, originals, ok := m.grammar(lm, q, p); ok {
				bestM = &refMatch{intent: in, score: 1, exact: true, params: params, originals: originals}
				break
			}
			if s := m.soft(lm, q, p); bestM == nil || s > bestM.score {
				bestM = &refMatch{intent: in, score: s}
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
			return a.exact
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

func (m *refMatcher) extract(lm *refLangModel, q *refQuery, in *Intent) (map[string]any, map[string]string) {
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

func refContextsActive(in *Intent, active map[string]bool) bool {
	for _, c := range in.InputContexts {
		if !active[c] {
			return false
		}
	}
	return true
}

func (m *refMatcher) fallback(active map[string]bool) *Intent {
	var best *Intent
	for _, in := range m.agent.Intents {
		if !in.Fallback || !refContextsActive(in, active) {
			continue
		}
		if best == nil || len(in.InputContexts) > len(best.InputContexts) {
			best = in
		}
	}
	return best
}

func (m *refMatcher) byEvent(name string, active map[string]bool) *Intent {
	var best *Intent
	for _, in := range m.agent.Intents {
		if !refContextsActive(in, active) {
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

type refToken struct {
	norm       string
	start, end int
	ents       map[string]any
}

func refWords(s string, from, to int) []refToken {
	var out []refToken
	i := from
	for i < to {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			i += n
			continue
		}
		start := i
		w := refReadWord(s, &i, to)
		if i < to {
			if r, n := utf8.DecodeRuneInString(s[i:]); r == '\'' || r == '’' {
				j := i + n
				if suffix := refReadWord(s, &j, to); suffix != "" {
					if exp, ok := contraction(w, suffix); ok {
						for _, e := range exp {
							out = append(out, refToken{norm: e, start: start, end: j})
						}
						i = j
						continue
					}
				}
			}
		}
		out = append(out, refToken{norm: w, start: start, end: i})
	}
	return out
}

func refReadWord(s string, i *int, to int) string {
	var b strings.Builder
	for *i < to {
		r, n := utf8.DecodeRuneInString(s[*i:])
		if !isWordRune(r) {
			break
		}
		b.WriteRune(fold(r))
		*i += n
	}
	return b.String()
}

func refNormalize(s string) string {
	ws := refWords(s, 0, len(s))
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.norm
	}
	return strings.Join(parts, " ")
}

type refSpan struct {
	start, end int
	typ        string
	value      any
}

func refRecognize(text string, regexpEntities map[string][]*regexp.Regexp, now time.Time) []refSpan {
	var c []refSpan
	for _, m := range reEmail.FindAllStringIndex(text, -1) {
		c = append(c, refSpan{m[0], m[1], "@sys.email", text[m[0]:m[1]]})
	}
	for _, m := range rePhone.FindAllStringIndex(text, -1) {
		raw := text[m[0]:m[1]]
		var digits strings.Builder
		if strings.HasPrefix(raw, "+") {
			digits.WriteByte('+')
		}
		n := 0
		for _, r := range raw {
			if r >= '0' && r <= '9' {
				digits.WriteRune(r)
				n++
			}
		}
		if n >= 9 {
			c = append(c, refSpan{m[0], m[1], "@sys.phone-number", digits.String()})
		}
	}
	for _, m := range reNumber.FindAllStringIndex(text, -1) {
		v, err := strconv.ParseFloat(strings.ReplaceAll(text[m[0]:m[1]], ",", "."), 64)
		if err == nil {
			c = append(c, refSpan{m[0], m[1], "@sys.number", v})
		}
	}
	loc := now.Location()
	year := now.Year()
	for _, m := range reDMY.FindAllStringSubmatchIndex(text, -1) {
		d, _ := strconv.Atoi(text[m[2]:m[3]])
		mo, _ := strconv.Atoi(text[m[4]:m[5]])
		y, _ := strconv.Atoi(text[m[6]:m[7]])
		if y < 100 {
			y += 2000
		}
		if v, ok := sysDate(y, time.Month(mo), d, loc); ok && mo >= 1 && mo <= 12 {
			c = append(c, refSpan{m[0], m[1], "@sys.date", v})
		}
	}
	for _, m := range reISO.FindAllStringSubmatchIndex(text, -1) {
		y, _ := strconv.Atoi(text[m[2]:m[3]])
		mo, _ := strconv.Atoi(text[m[4]:m[5]])
		d, _ := strconv.Atoi(text[m[6]:m[7]])
		if v, ok := sysDate(y, time.Month(mo), d, loc); ok && mo >= 1 && mo <= 12 {
			c = append(c, refSpan{m[0], m[1], "@sys.date", v})
		}
	}
	for _, m := range reDayMon.FindAllStringSubmatchIndex(text, -1) {
		d, _ := strconv.Atoi(text[m[2]:m[3]])
		if v, ok := sysDate(year, months[strings.ToLower(text[m[4]:m[5]])], d, loc); ok {
			c = append(c, refSpan{m[0], m[1], "@sys.date", v})
		}
	}
	for _, m := range reMonDay.FindAllStringSubmatchIndex(text, -1) {
		d, _ := strconv.Atoi(text[m[4]:m[5]])
		if v, ok := sysDate(year, months[strings.ToLower(text[m[2]:m[3]])], d, loc); ok {
			c = append(c, refSpan{m[0], m[1], "@sys.date", v})
		}
	}
	for _, m := range reRelDay.FindAllStringSubmatchIndex(text, -1) {
		w := refNormalize(text[m[2]:m[3]])
		days := map[string]int{"hoy": 0, "today": 0, "manana": 1, "tomorrow": 1, "ayer": -1, "yesterday": -1, "pasado manana": 2}[w]
		t := now.AddDate(0, 0, days)
		if v, ok := sysDate(t.Year(), t.Month(), t.Day(), loc); ok {
			c = append(c, refSpan{m[2], m[3], "@sys.date", v})
		}
	}
	names := make([]string, 0, len(regexpEntities))
	for name := range regexpEntities {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, re := range regexpEntities[name] {
			for _, m := range re.FindAllStringIndex(text, -1) {
				if m[1] > m[0] {
					c = append(c, refSpan{m[0], m[1], "@" + name, text[m[0]:m[1]]})
				}
			}
		}
	}
	sort.SliceStable(c, func(i, j int) bool {
		li, lj := c[i].end-c[i].start, c[j].end-c[j].start
		if li != lj {
			return li > lj
		}
		return c[i].start < c[j].start
	})
	var chosen []refSpan
	for _, s := range c {
		ok := true
		for _, k := range chosen {
			if s.start == k.start && s.end == k.end {
				continue
			}
			if s.start < k.end && k.start < s.end {
				ok = false
				break
			}
		}
		if ok {
			chosen = append(chosen, s)
		}
	}
	return chosen
}

func refTokenize(text string, regexpEntities map[string][]*regexp.Regexp, now time.Time) []refToken {
	spans := refRecognize(text, regexpEntities, now)
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var out []refToken
	pos := 0
	for i := 0; i < len(spans); {
		s := spans[i]
		out = append(out, refWords(text, pos, s.start)...)
		t := refToken{norm: refNormalize(text[s.start:s.end]), start: s.start, end: s.end, ents: map[string]any{}}
		for ; i < len(spans) && spans[i].start == s.start && spans[i].end == s.end; i++ {
			t.ents[spans[i].typ] = spans[i].value
		}
		out = append(out, t)
		pos = s.end
	}
	out = append(out, refWords(text, pos, len(text))...)
	for i := range out {
		if out[i].ents == nil {
			if v, ok := numberWords[out[i].norm]; ok {
				out[i].ents = map[string]any{"@sys.number": v}
			}
		}
	}
	return out
}
