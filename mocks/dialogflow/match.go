package dialogflow

import (
	"math"
	"math/bits"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// defaultMLMinConfidence is the ES classification threshold when the agent sets none (agent.proto:
// "If set to 0.0, the default of 0.3 is used").
const defaultMLMinConfidence = 0.3

// Matching constants. They are the mock's own design (Dialogflow's ML matching is not published), chosen
// so that the fixture agent's paraphrases match and off-topic text does not.
const (
	maxSoftScore = 0.99 // a non-exact match never reports the 1.0 of a grammar match
	// bareFreeScore is the confidence of a phrase that is nothing but free slots (a bare @sys.any)
	// matching a text other than its own annotated one: it takes what no intent explains better, and
	// loses to any intent whose words the text shares.
	bareFreeScore  = 0.5
	maxEntityWords = 6    // the longest synonym, in words, that an entity slot is tried with
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
	id     int32   // the word's index in its langModel's vocab; -1 for a slot
	syn    int32   // a slot of a map entity: its index in langModel.synNames; otherwise -1
	free   bool    // a @sys.any or @sys.person slot: free text, neither evidence for nor against
	weight float64 // what a literal word weighs in soft (langModel.wordWeight)
	lit    string  // a slot: its annotated text, folded; the same text in a query is evidence for the phrase
	litVal string  // a map entity's slot: the value its annotated text resolves to, weaker evidence
	// litPadded is lit with a space at each end, to find it among a query's words (query.padded)
	litPadded string
	list      bool // a slot whose parameter is a list (isList): every value it takes is kept
}

// compiledPhrase is a training phrase with everything soft and grammar need that depends only on the
// agent worked out when the agent loads.
type compiledPhrase struct {
	elems []phraseElem
	ids   []int32 // the distinct vocabulary ids of its literal words: a grammar match needs them all
	total float64 // the phrase's side of soft: its elements' weights summed in element order
	bare  bool    // nothing but free slots: it matches any text
	slots int     // how many slots it has
}

type langModel struct {
	phrases map[*Intent][]compiledPhrase
	weight  map[string]float64 // idf of each word of the language's training phrases
	unknown float64            // weight of a word the agent has never seen
	vocab   []string           // sorted; a word's index is its id
	vocabID map[string]int32
	vrunes  [][]rune  // each vocabulary word as runes, for the edit distance
	vmask   []uint64  // each vocabulary word's letters as a set (runeMask)
	byLen   [][]int32 // vocabulary ids by length in runes
	// synonyms of map entities: entity "@name" → folded synonym → reference value
	synonyms map[string]map[string]string
	synNames []string           // the map entities, sorted; bit k of a token's synonym set stands for synNames[k]
	synOf    map[string][]int32 // folded synonym → the map entities (indices into synNames) that list it
	// variants: entity "@name" → a singular or plural form of a synonym that is not itself one → value
	variants  map[string]map[string]string
	varOf     map[string][]int32      // such a form → the map entities (indices into synNames) it is a form of
	fuzzy     map[string][]fuzzySyn   // entities with allowFuzzyExtraction → their one-word synonyms
	fuzzyIDs  []int32                 // those entities, as indices into synNames
	composite map[string][][]compPart // composite entity "@name" → its patterns, one per synonym
	queries   sync.Pool               // *query with buffers sized for this model, reused between texts
}

// entityRegexp is one regular expression of a regexp entity, in the order recognize tries them.
type entityRegexp struct {
	entity     string // "@name"
	re         *regexp.Regexp
	needsDigit bool // every match holds an ASCII digit: text without one need not be searched
}

// matcher holds the agent compiled for matching, per language. It is immutable once built.
type matcher struct {
	agent   *Agent
	models  map[string]*langModel
	regexps map[string][]entityRegexp // lang → regexp entities by name, their expressions in order
}

func newMatcher(a *Agent) *matcher {
	m := &matcher{agent: a, models: map[string]*langModel{}, regexps: map[string][]entityRegexp{}}
	langs := map[string]bool{}
	for _, l := range a.SupportedLanguages {
		langs[l] = true
	}
	for _, in := range a.Intents {
		for l := range in.Phrases {
			langs[l] = true
		}
	}
	var names []string
	for name, et := range a.Entities {
		if et.Regexp {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for lang := range langs {
		m.models[lang] = m.build(lang)
		re := []entityRegexp{}
		for _, name := range names {
			et := a.Entities[name]
			rs := et.regexps[lang]
			if len(rs) == 0 {
				rs = et.regexps[a.Language]
			}
			for _, r := range rs {
				re = append(re, entityRegexp{entity: "@" + name, re: r, needsDigit: requiresDigit(r)})
			}
		}
		m.regexps[lang] = re
	}
	return m
}

// requiresDigit reports whether every match of re holds an ASCII digit ([0-9], \d), so that text with
// none cannot match. It errs on the side of false.
func requiresDigit(re *regexp.Regexp) bool {
	t, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return false
	}
	var needs func(t *syntax.Regexp) bool
	needs = func(t *syntax.Regexp) bool {
		switch t.Op {
		case syntax.OpLiteral:
			for _, r := range t.Rune {
				if r >= '0' && r <= '9' {
					return true // digits have no other case
				}
			}
		case syntax.OpCharClass:
			for i := 0; i < len(t.Rune); i += 2 {
				if t.Rune[i] < '0' || t.Rune[i+1] > '9' {
					return false
				}
			}
			return true // an empty class never matches at all
		case syntax.OpCapture, syntax.OpPlus:
			return needs(t.Sub[0])
		case syntax.OpRepeat:
			return t.Min >= 1 && needs(t.Sub[0])
		case syntax.OpConcat:
			for _, s := range t.Sub {
				if needs(s) {
					return true
				}
			}
		case syntax.OpAlternate:
			for _, s := range t.Sub {
				if !needs(s) {
					return false
				}
			}
			return len(t.Sub) > 0
		}
		return false
	}
	return needs(t)
}

func (m *matcher) build(lang string) *langModel {
	lm := &langModel{phrases: map[*Intent][]compiledPhrase{}, weight: map[string]float64{}, synonyms: map[string]map[string]string{},
		variants: map[string]map[string]string{}, fuzzy: map[string][]fuzzySyn{}, composite: map[string][][]compPart{}}
	for name, et := range m.agent.Entities {
		if et.Regexp {
			continue
		}
		entries := et.Entries[lang]
		if len(entries) == 0 {
			entries = et.Entries[m.agent.Language]
		}
		if et.Composite {
			for _, e := range entries {
				for _, s := range e.Synonyms {
					if pat := compilePattern(s); len(pat) > 0 {
						lm.composite["@"+name] = append(lm.composite["@"+name], pat)
					}
				}
			}
			continue
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
		vars := map[string]string{}
		for n, v := range syn {
			for _, f := range numberForms(n) {
				if _, ok := syn[f]; !ok {
					if _, ok := vars[f]; !ok || v < vars[f] {
						vars[f] = v // two values may share a form: the least, so that the choice is stable
					}
				}
			}
			if et.Fuzzy && !strings.Contains(n, " ") {
				lm.fuzzy["@"+name] = append(lm.fuzzy["@"+name], fuzzySyn{norm: n, runes: appendRunes(nil, n), value: v})
			}
		}
		lm.variants["@"+name] = vars
		sort.Slice(lm.fuzzy["@"+name], func(i, j int) bool { return lm.fuzzy["@"+name][i].norm < lm.fuzzy["@"+name][j].norm })
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
		lists := map[string]bool{}
		for _, par := range in.Parameters {
			lists[par.Name] = par.IsList
		}
		for _, p := range ps {
			cp := compiledPhrase{}
			for _, part := range p.Parts {
				if part.Entity != "" {
					cp.elems = append(cp.elems, phraseElem{entity: part.Entity, alias: part.Alias,
						lit: normalize(part.Text), list: lists[part.Alias]})
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
	lm.compile()
	return lm
}

// compile works out, once per agent, what matching would otherwise redo for every text: vocabulary ids,
// word weights and phrase totals, the words' runes, letter sets and lengths, the map entities' synonyms
// by word.
func (lm *langModel) compile() {
	lm.vocabID = make(map[string]int32, len(lm.vocab))
	lm.vrunes = make([][]rune, len(lm.vocab))
	lm.vmask = make([]uint64, len(lm.vocab))
	for i, w := range lm.vocab {
		id := int32(i)
		lm.vocabID[w] = id
		rs := appendRunes(nil, w)
		lm.vrunes[i], lm.vmask[i] = rs, runeMask(rs)
		for len(lm.byLen) <= len(rs) {
			lm.byLen = append(lm.byLen, nil)
		}
		lm.byLen[len(rs)] = append(lm.byLen[len(rs)], id)
	}
	for name := range lm.synonyms {
		lm.synNames = append(lm.synNames, name)
	}
	sort.Strings(lm.synNames)
	synIndex := map[string]int32{}
	lm.synOf = map[string][]int32{}
	for k, name := range lm.synNames {
		synIndex[name] = int32(k)
		for s := range lm.synonyms[name] {
			lm.synOf[s] = append(lm.synOf[s], int32(k))
		}
	}
	lm.varOf = map[string][]int32{}
	for k, name := range lm.synNames {
		for f := range lm.variants[name] {
			lm.varOf[f] = append(lm.varOf[f], int32(k))
		}
		if len(lm.fuzzy[name]) > 0 {
			lm.fuzzyIDs = append(lm.fuzzyIDs, int32(k))
		}
	}
	for _, ps := range lm.phrases {
		for pi := range ps {
			p := &ps[pi]
			seen := map[int32]bool{}
			p.bare = true
			for ei := range p.elems {
				e := &p.elems[ei]
				e.id, e.syn = -1, -1
				if e.entity != "" {
					p.slots++
					e.litPadded = " " + e.lit + " "
					if _, ok := lm.synonyms[e.entity]; ok {
						e.litVal, _ = lm.lookup(e.entity, e.lit)
					}
					if k, ok := synIndex[e.entity]; ok {
						e.syn = k
					}
					if e.entity == "@sys.any" || e.entity == "@sys.person" {
						e.free = true
						continue
					}
					p.bare = false
					p.total += slotWeight // in element order, as soft adds them up
					continue
				}
				p.bare = false
				e.id, e.weight = lm.vocabID[e.word], lm.wordWeight(e.word)
				p.total += e.weight
				if !seen[e.id] {
					seen[e.id] = true
					p.ids = append(p.ids, e.id)
				}
			}
		}
	}
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
// newQuery computes the same against the whole vocabulary without calling it; this is its definition.
func similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	short := min(la, lb)
	// One word the stem of the other ("process"/"processing", "elimina"/"eliminar"): a light stemmer.
	if short >= 5 && abs(la-lb) <= 4 && isStem(a, b) {
		return stemSimilarity
	}
	allowed := typoEdits(short)
	if allowed == 0 || abs(la-lb) > allowed {
		return 0
	}
	d := levenshtein(a, b)
	if d > allowed {
		return 0
	}
	return 1 - float64(d)/float64(max(la, lb))
}

// isStem reports whether one word begins with the other.
func isStem(a, b string) bool {
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// typoEdits is how many edits a typo may make in a word whose shorter side has n letters.
func typoEdits(n int) int {
	switch {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
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
	return levenshteinRunes(appendRunes(abuf[:0], as), appendRunes(bbuf[:0], bs))
}

func levenshteinRunes(a, b []rune) int {
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

// runeMask is the set of letters of a word as bits: a–z and 0–9 one bit each, other runes hashed onto
// the remaining 28. Every edit adds at most one letter to a word's set and takes away at most one, so
// two words whose sets differ by more than k letters either way are more than k edits apart
// (editsAtLeast); hashing only makes that bound lower, never wrong.
func runeMask(rs []rune) uint64 {
	var m uint64
	for _, r := range rs {
		switch {
		case r >= 'a' && r <= 'z':
			m |= 1 << uint(r-'a')
		case r >= '0' && r <= '9':
			m |= 1 << uint(26+r-'0')
		default:
			m |= 1 << (36 + uint32(r)%28)
		}
	}
	return m
}

// editsAtLeast is a lower bound of the edit distance of two words from their letter sets.
func editsAtLeast(a, b uint64) int {
	return max(bits.OnesCount64(a&^b), bits.OnesCount64(b&^a))
}

// query is one text to match, tokenised once, with what soft and grammar need of it worked out once
// for every phrase. Queries come from their langModel's pool; release gives one back.
type query struct {
	lm     *langModel
	lang   string
	text   string
	tokens []token
	padded string // the tokens' folded text, one space between them and one at each end
	// compositeSteps counts the composite entity patterns tried for this query (maxCompositeSteps)
	compositeSteps int
	// weight[i] is what the i-th token weighs on the user's side of soft; total is their sum.
	weight []float64
	total  float64
	// words is a set of vocabulary ids: every folded word of the text, entity spans included, to rule
	// grammar matches out fast.
	words []uint64
	// The vocabulary words the tokens may stand for: row[id] is 0 when no token is like word id, else
	// 1 + the index of its row in sims, whose len(tokens) entries are each token's similarity to it.
	row    []int32
	rowIDs []int32
	sims   []float64
	// syn holds synStride words per token: bit k set when the token is a synonym of lm.synNames[k].
	syn       []uint64
	synStride int
	// scratch
	used    []bool
	userHit []float64
	dirty   bool // used and userHit hold a previous phrase's hits
	failed  []bool
	runes   []rune
	spans   []span
	cands   []match
	ranked  []*match
}

func (m *matcher) model(lang string) *langModel {
	if lm := m.models[lang]; lm != nil {
		return lm
	}
	return m.models[m.agent.Language]
}

func (m *matcher) newQuery(lang, text string, now time.Time) *query {
	lm := m.model(lang)
	re, ok := m.regexps[lang]
	if !ok {
		re = m.regexps[m.agent.Language]
	}
	q, _ := lm.queries.Get().(*query)
	if q == nil {
		q = &query{lm: lm, row: make([]int32, len(lm.vocab)), words: make([]uint64, (len(lm.vocab)+63)/64)}
	}
	q.lang, q.text = lang, text
	q.tokens, q.spans = tokenizeInto(q.tokens[:0], q.spans[:0], text, re, now)
	n := len(q.tokens)
	q.padded = " " + joinNorms(q.tokens) + " "
	q.compositeSteps = 0

	q.weight, q.total = q.weight[:0], 0
	for _, t := range q.tokens {
		w := lm.wordWeight(t.norm)
		if t.ents != nil {
			w = slotWeight
		}
		q.weight = append(q.weight, w)
		q.total += w
		for rest := t.norm; rest != ""; {
			word, tail, _ := strings.Cut(rest, " ")
			if id, ok := lm.vocabID[word]; ok {
				q.words[id>>6] |= 1 << (id & 63)
			}
			rest = tail
		}
	}

	if len(lm.synNames) > 0 {
		q.synStride = (len(lm.synNames) + 63) / 64
		q.syn = resize(q.syn, n*q.synStride)
		for i, t := range q.tokens {
			for _, k := range lm.synOf[t.norm] {
				q.syn[i*q.synStride+int(k>>6)] |= 1 << (k & 63)
			}
			for _, k := range lm.varOf[t.norm] {
				q.syn[i*q.synStride+int(k>>6)] |= 1 << (k & 63)
			}
			if t.ents != nil {
				continue
			}
			for _, k := range lm.fuzzyIDs {
				if _, ok := lm.fuzzyLookup(lm.synNames[k], t.norm); ok {
					q.syn[i*q.synStride+int(k>>6)] |= 1 << (k & 63)
				}
			}
		}
	}

	for i, t := range q.tokens {
		if id, ok := lm.vocabID[t.norm]; ok {
			q.setSim(id, i, 1)
		}
		if t.ents != nil {
			continue // an entity is only itself
		}
		// The rest of similarity(t.norm, v) for every vocabulary word v, without looking at the words
		// it is 0 for: typos among the words of a length within the edits allowed and with no more
		// other letters than that, stems by looking the prefixes up.
		la := utf8.RuneCountInString(t.norm)
		if la < 4 {
			continue // short words are only like themselves
		}
		q.runes = appendRunes(q.runes[:0], t.norm)
		mask := runeMask(q.runes)
		for lb := max(4, la-2); lb <= la+2 && lb < len(lm.byLen); lb++ {
			short := min(la, lb)
			allowed := typoEdits(short)
			if abs(la-lb) > allowed {
				continue
			}
			for _, id := range lm.byLen[lb] {
				if editsAtLeast(mask, lm.vmask[id]) > allowed {
					continue
				}
				v := lm.vocab[id]
				if v == t.norm || short >= 5 && isStem(t.norm, v) {
					continue // equal is done, a stem comes next
				}
				if d := levenshteinRunes(q.runes, lm.vrunes[id]); d <= allowed {
					q.setSim(id, i, 1-float64(d)/float64(max(la, lb)))
				}
			}
		}
		if la < 5 {
			continue // a stem has 5 letters or more
		}
		// Vocabulary words t.norm begins with, 4 letters shorter at most, 5 letters long at least ...
		off := 0
		for k, r := range q.runes[:la-1] {
			off += utf8.RuneLen(r)
			if k+1 >= max(5, la-4) {
				if id, ok := lm.vocabID[t.norm[:off]]; ok {
					q.setSim(id, i, stemSimilarity)
				}
			}
		}
		// ... and those that begin with it, 4 letters longer at most: a run of the sorted vocabulary.
		for id := sort.SearchStrings(lm.vocab, t.norm); id < len(lm.vocab) && strings.HasPrefix(lm.vocab[id], t.norm); id++ {
			if lb := len(lm.vrunes[id]); lb > la && lb-la <= 4 {
				q.setSim(int32(id), i, stemSimilarity)
			}
		}
	}
	return q
}

// setSim records that token i is like vocabulary word id with similarity s.
func (q *query) setSim(id int32, i int, s float64) {
	n := len(q.tokens)
	r := q.row[id]
	if r == 0 {
		q.rowIDs = append(q.rowIDs, id)
		r = int32(len(q.rowIDs))
		q.row[id] = r
		q.sims = append(q.sims, make([]float64, n)...) // appending a fresh zero slice does not allocate
	}
	q.sims[int(r-1)*n+i] = s
}

func anyUsed(used []bool) bool {
	for _, u := range used {
		if u {
			return true
		}
	}
	return false
}

// The evidence a slot gives for its phrase: the query holds the slot's annotated text as written, or
// a synonym (plural, typo) of the same value.
const (
	literalEvidence = 2
	valueEvidence   = 1
)

// evidence is what the slots of p whose annotated text, or its value, q holds weigh for p.
func (q *query) evidence(p *compiledPhrase) int {
	n := 0
	for k := range p.elems {
		e := &p.elems[k]
		if e.lit == "" {
			continue
		}
		if strings.Contains(q.padded, e.litPadded) {
			n += literalEvidence
			continue
		}
		if e.litVal == "" {
			continue
		}
		for i := range q.tokens {
			if v, _, ok := q.lm.entityAt(q, e.entity, i, 0); ok && v == e.litVal {
				n += valueEvidence
				break
			}
		}
	}
	return n
}

func (q *query) isSynonym(i int, k int32) bool {
	return q.syn[i*q.synStride+int(k>>6)]&(1<<(k&63)) != 0
}

// release gives q back to its model's pool. Nothing a match returned refers to q's buffers.
func (q *query) release() {
	for _, id := range q.rowIDs {
		q.row[id] = 0
	}
	q.rowIDs, q.sims = q.rowIDs[:0], q.sims[:0]
	clear(q.words)
	clear(q.tokens)
	clear(q.cands)
	clear(q.ranked)
	q.text = ""
	q.lm.queries.Put(q)
}

// resize returns s with length n, its first n elements zero, reusing its array when it can.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		s = append(s[:cap(s)], make([]T, n-cap(s))...)
	}
	s = s[:n]
	clear(s)
	return s
}

// match is the outcome of matching a query against one intent.
type match struct {
	intent     *Intent
	score      float64
	exact      bool
	params     map[string]any
	originals  map[string]string
	contextual bool
	// evidence weighs the slots of the phrase matched whose annotated text (or its value) the query
	// holds: sibling intents trained on one entity with different values are told apart by it.
	evidence int
	// specific is how many tokens of the query the phrase explains other than by free slots (@sys.any):
	// of two grammar matches the more specific wins.
	specific int
	phrase   *compiledPhrase // the phrase that scored, for a soft match's parameters
}

// grammar tries to match the whole query against phrase p exactly: every literal word equal, every slot
// filled by an entity of its type, nothing left over. It returns the slot values in a match with its
// evidence and specificity set.
func (m *matcher) grammar(lm *langModel, q *query, p *compiledPhrase) (match, bool) {
	for _, id := range p.ids {
		if q.words[id>>6]&(1<<(id&63)) == 0 {
			return match{}, false // a word of the phrase is not in the text at all
		}
	}
	stride := len(q.tokens) + 1
	q.failed = resize(q.failed, len(p.elems)*stride)
	g := grammarRun{lm: lm, q: q, p: p, stride: stride}
	if !g.rec(0, 0) {
		return match{}, false
	}
	if g.params == nil {
		g.params, g.originals = map[string]any{}, map[string]string{}
	}
	return match{score: 1, exact: true, params: g.params, originals: g.originals, evidence: g.evidence,
		specific: len(q.tokens) - g.free, phrase: p}, true
}

// grammarRun is one attempt of grammar: a search over (phrase element, token) states, remembering the
// states that failed.
type grammarRun struct {
	lm        *langModel
	q         *query
	p         *compiledPhrase
	stride    int
	params    map[string]any
	originals map[string]string
	evidence  int // slots that took their annotated text
	free      int // tokens taken by free slots
}

// rec matches the phrase from element pi against the text from token ui. Slots are set on the way back
// from a match, so only the successful path sets any.
func (g *grammarRun) rec(pi, ui int) bool {
	p, q := g.p, g.q
	if pi == len(p.elems) {
		return ui == len(q.tokens)
	}
	if ui > len(q.tokens) || q.failed[pi*g.stride+ui] {
		return false
	}
	e := &p.elems[pi]
	if e.entity == "" {
		if ui < len(q.tokens) {
			t := &q.tokens[ui]
			if t.norm == e.word && g.rec(pi+1, ui+1) {
				return true
			}
			// an entity span ("3 de marzo") may stand for several literal words of the phrase
			if t.ents != nil && strings.Contains(t.norm, " ") {
				var buf [64]byte
				joined, k := buf[:0], 0
				for pi+k < len(p.elems) && p.elems[pi+k].entity == "" && len(joined) < len(t.norm) {
					if len(joined) > 0 {
						joined = append(joined, ' ')
					}
					joined = append(joined, p.elems[pi+k].word...)
					k++
				}
				if string(joined) == t.norm && g.rec(pi+k, ui+1) {
					return true
				}
			}
		}
		q.failed[pi*g.stride+ui] = true
		return false
	}
	switch e.entity {
	case "@sys.any", "@sys.person":
		maxLen := len(q.tokens) - ui
		if e.entity == "@sys.person" {
			maxLen = min(maxLen, 3)
		}
		for n := 1; n <= maxLen; n++ {
			if g.rec(pi+1, ui+n) {
				raw := q.text[q.tokens[ui].start:q.tokens[ui+n-1].end]
				if e.entity == "@sys.person" {
					g.setSlot(e, map[string]any{"name": raw}, ui, ui+n)
				} else {
					g.setSlot(e, raw, ui, ui+n)
				}
				return true
			}
		}
	default:
		if _, ok := g.lm.composite[e.entity]; ok {
			if v, n, ok := g.lm.entityAt(q, e.entity, ui, 0); ok && g.rec(pi+1, ui+n) {
				g.setSlot(e, v, ui, ui+n)
				return true
			}
		} else if _, ok := g.lm.synonyms[e.entity]; ok {
			var buf [128]byte
			joined := buf[:0]
			for n := 1; ui+n <= len(q.tokens) && n <= maxEntityWords; n++ {
				if len(joined) > 0 {
					joined = append(joined, ' ')
				}
				joined = append(joined, q.tokens[ui+n-1].norm...)
				if v, ok := g.lm.lookup(e.entity, string(joined)); ok && g.rec(pi+1, ui+n) {
					g.setSlot(e, v, ui, ui+n)
					return true
				}
			}
		} else if ui < len(q.tokens) {
			if v, ok := sysValue(&q.tokens[ui], e.entity); ok && g.rec(pi+1, ui+1) {
				g.setSlot(e, v, ui, ui+1)
				return true
			}
		}
	}
	q.failed[pi*g.stride+ui] = true
	return false
}

// setSlot records slot e's value. Slots are set last to first (rec sets them on its way back), so a list
// parameter's values are put in front of those already set.
func (g *grammarRun) setSlot(e *phraseElem, v any, from, to int) {
	if g.params == nil {
		g.params, g.originals = map[string]any{}, map[string]string{}
	}
	original := g.q.text[g.q.tokens[from].start:g.q.tokens[to-1].end]
	if e.free {
		g.free += to - from
	}
	if e.lit != "" && joinNorms(g.q.tokens[from:to]) == e.lit {
		g.evidence += literalEvidence
	} else if s, ok := v.(string); ok && e.litVal != "" && s == e.litVal {
		g.evidence += valueEvidence
	}
	if !e.list {
		g.params[e.alias] = v
		g.originals[e.alias] = original
		return
	}
	old, _ := g.params[e.alias].([]any)
	g.params[e.alias] = append([]any{v}, old...)
	if o := g.originals[e.alias]; o != "" {
		original += listSeparator + o
	}
	g.originals[e.alias] = original
}

// listSeparator joins the original texts of a list parameter's values where one string stands for them
// ($name.original in responses).
const listSeparator = ", "

// soft scores the query against phrase p by weighted word overlap (typos allowed), entity slots
// counting as matched when the query holds an entity of their type.
func (m *matcher) soft(q *query, p *compiledPhrase) float64 {
	n := len(q.tokens)
	if q.dirty || len(q.used) != n {
		q.used, q.userHit, q.dirty = resize(q.used, n), resize(q.userHit, n), false
	}
	used, userHit := q.used, q.userHit
	var phraseHit float64
	for k := range p.elems {
		e := &p.elems[k]
		if e.free {
			continue
		}
		if e.entity != "" {
			if e.syn >= 0 {
				for i := range n {
					if q.isSynonym(i, e.syn) && !used[i] {
						used[i], userHit[i], q.dirty = true, 1, true
						phraseHit += slotWeight
						break
					}
				}
				continue
			}
			if _, ok := q.lm.composite[e.entity]; ok {
				for i := range q.tokens {
					if used[i] {
						continue
					}
					if _, k, ok := q.lm.entityAt(q, e.entity, i, 0); ok && !anyUsed(used[i:i+k]) {
						for j := i; j < i+k; j++ {
							used[j], userHit[j] = true, 1
						}
						q.dirty = true
						phraseHit += slotWeight
						break
					}
				}
				continue
			}
			for i := range q.tokens {
				if _, ok := sysValue(&q.tokens[i], e.entity); ok && !used[i] {
					used[i], userHit[i], q.dirty = true, 1, true
					phraseHit += slotWeight
					break
				}
			}
			continue
		}
		r := q.row[e.id]
		if r == 0 {
			continue // no word of the text is like this one
		}
		best, bi := 0.0, -1
		for i, s := range q.sims[int(r-1)*n : int(r)*n] {
			if !used[i] && s > best {
				best, bi = s, i
			}
		}
		if bi >= 0 {
			used[bi], userHit[bi], q.dirty = true, best, true
			phraseHit += e.weight * best
		}
	}
	if !q.dirty {
		return 0 // no recall: nothing of the phrase is in the text (and used and userHit are still clear)
	}
	var userGot float64
	for i, h := range userHit {
		userGot += q.weight[i] * h
	}
	phraseTotal, userTotal := p.total, q.total
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
	cands := q.cands[:0]
	for _, in := range m.agent.Intents {
		if in.Fallback || in.Priority < 0 || !contextsActive(in, active) {
			continue
		}
		var (
			bm   match
			have bool
		)
		phrases := lm.phrases[in]
		for k := range phrases {
			p := &phrases[k]
			g, ok := m.grammar(lm, q, p)
			if ok && !(p.bare && g.evidence == 0) {
				if !bm.exact || g.evidence > bm.evidence || g.evidence == bm.evidence && g.specific > bm.specific {
					g.intent = in
					bm, have = g, true
				}
				continue
			}
			if bm.exact {
				continue
			}
			var c match
			if ok {
				// Free slots alone explain any text: as likely as not, and no grammar match.
				c = g
				c.intent, c.exact, c.score = in, false, bareFreeScore
			} else {
				c = match{intent: in, score: m.soft(q, p), phrase: p}
				if c.score > 0 && c.score >= bm.score {
					c.evidence = q.evidence(p)
				}
			}
			if !have || c.score > bm.score || c.score == bm.score && c.evidence > bm.evidence {
				bm, have = c, true
			}
		}
		if !have {
			continue
		}
		bm.contextual = len(in.InputContexts) > 0
		if !bm.exact && bm.contextual && bm.score > 0 {
			bm.score = math.Min(maxSoftScore, bm.score+contextBonus)
		}
		if !bm.exact {
			bm.score = math.Min(maxSoftScore, bm.score)
		}
		cands = append(cands, bm)
	}
	ranked := q.ranked[:0]
	for i := range cands {
		ranked = append(ranked, &cands[i])
	}
	q.cands, q.ranked = cands, ranked
	// sort.SliceStable's algorithm (insertion-sorted blocks, then symmerge) without its reflection: the
	// order, ties and all, is the one the matcher has always given.
	slices.SortStableFunc(ranked, func(a, b *match) int {
		switch {
		case ranksBefore(a, b):
			return -1
		case ranksBefore(b, a):
			return 1
		}
		return 0
	})
	if len(ranked) == 0 || ranked[0].score < minConfidence {
		return nil
	}
	c := new(match)
	*c = *ranked[0]
	if c.params == nil {
		c.params, c.originals = m.extractFor(lm, q, c.intent, c.phrase)
	}
	return c
}

// ranksBefore orders candidates: exact first, then by score, scores within tieEpsilon tied and the tie
// broken by input contexts, the evidence of annotated texts, specificity, priority, then name.
func ranksBefore(a, b *match) bool {
	if a.exact != b.exact {
		return a.exact // a grammar match beats any similarity, context bonus or not
	}
	if math.Abs(a.score-b.score) >= tieEpsilon {
		return a.score > b.score
	}
	if a.contextual != b.contextual {
		return a.contextual
	}
	if a.evidence != b.evidence {
		return a.evidence > b.evidence
	}
	if a.specific != b.specific {
		return a.specific > b.specific
	}
	if a.intent.Priority != b.intent.Priority {
		return a.intent.Priority > b.intent.Priority
	}
	return a.intent.DisplayName < b.intent.DisplayName
}

// extract fills an intent's parameters from entities found anywhere in the query, for soft matches and
// slot filling.
func (m *matcher) extract(lm *langModel, q *query, in *Intent) (map[string]any, map[string]string) {
	return m.extractFor(lm, q, in, nil)
}

// extractFor is extract after a soft match of phrase p (nil: the intent's phrase with the most slots).
// Parameters take the entities in the order their slots have in the phrase, so that two parameters of
// one entity type ("from [Leeds](@city:from) to [York](@city:to)") get the values in the places the
// phrase annotates; a list parameter takes every value of its type left, a scalar the first.
func (m *matcher) extractFor(lm *langModel, q *query, in *Intent, p *compiledPhrase) (map[string]any, map[string]string) {
	params := map[string]any{}
	originals := map[string]string{}
	if p == nil {
		ps := lm.phrases[in]
		for k := range ps {
			if p == nil || ps[k].slots > p.slots {
				p = &ps[k]
			}
		}
	}
	used := make([]bool, len(q.tokens))
	for _, pi := range paramOrder(in, p) {
		par := in.Parameters[pi]
		var vals []any
		var origs []string
		for i := 0; i < len(q.tokens); i++ {
			if used[i] {
				continue
			}
			v, n, ok := lm.entityAt(q, par.EntityType, i, 0)
			if !ok || anyUsed(used[i:i+n]) {
				continue
			}
			for j := i; j < i+n; j++ {
				used[j] = true
			}
			vals = append(vals, v)
			origs = append(origs, q.text[q.tokens[i].start:q.tokens[i+n-1].end])
			if !par.IsList {
				break
			}
			i += n - 1
		}
		switch {
		case len(vals) == 0:
		case par.IsList:
			params[par.Name], originals[par.Name] = vals, strings.Join(origs, listSeparator)
		default:
			params[par.Name], originals[par.Name] = vals[0], origs[0]
		}
	}
	return params, originals
}

// paramOrder is the order extract fills in's parameters: those with a slot in p first, as p places
// them, then the rest as declared.
func paramOrder(in *Intent, p *compiledPhrase) []int {
	order := make([]int, 0, len(in.Parameters))
	done := make([]bool, len(in.Parameters))
	if p != nil {
		for k := range p.elems {
			for pi, par := range in.Parameters {
				if !done[pi] && p.elems[k].entity != "" && par.Name == p.elems[k].alias {
					done[pi] = true
					order = append(order, pi)
				}
			}
		}
	}
	for pi := range in.Parameters {
		if !done[pi] {
			order = append(order, pi)
		}
	}
	return order
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
