package dialogflow

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Composite entity types (https://cloud.google.com/dialogflow/cx/docs/concept/entity-composite): an
// entry's synonyms are patterns of words and references to other entity types, "@sys.number:amount
// @currency:currency"; a text that follows a pattern resolves to an object from the references' aliases
// to their values ({"amount": 3, "currency": "EUR"}). A reference without an alias ("@sys.person" alone
// in a list entity) stands for its entity's value. A part the mock cannot resolve (a system entity it
// does not recognise, another composite entity) makes the type unresolvable: a form parameter of it is
// refused at load, an intent parameter of it is never extracted (counted).

// Bounds on a composite pattern, so that matching one stays cheap whatever the export holds.
const (
	maxCompositeParts = 8  // references in one pattern
	maxCompositeWords = 64 // words of a text that a pattern is matched against
	maxSpanWords      = 6  // words one reference may take (but @sys.any, which may take the rest)
)

// cxComposite is a composite entity type.
type cxComposite struct {
	name     string
	patterns map[string][]cxPattern // by language
	bad      string                 // why it cannot be resolved, or ""
}

type cxPattern []cxPatElem

// cxPatElem is a literal word (folded) or a reference to an entity type with its alias.
type cxPatElem struct {
	word, entity, alias string
}

// reCompositeRef is a reference in a synonym: @entity or @entity:alias.
var reCompositeRef = regexp.MustCompile(`^@([A-Za-z0-9_.\-]+)(?::([A-Za-z0-9_\-]+))?$`)

// isCompositeSynonym reports whether a synonym of an entity of kind map (aliases required: a map synonym
// may hold an @ of its own) or list (any reference) refers to other entity types.
func isCompositeSynonym(s string, list bool) bool {
	for _, f := range strings.Fields(s) {
		if m := reCompositeRef.FindStringSubmatch(f); m != nil && (list || m[2] != "") {
			return true
		}
	}
	return false
}

// parsePattern reads a composite synonym.
func parsePattern(s string) (cxPattern, error) {
	var p cxPattern
	refs := 0
	for _, f := range strings.Fields(s) {
		if m := reCompositeRef.FindStringSubmatch(f); m != nil {
			if refs++; refs > maxCompositeParts {
				return nil, fmt.Errorf("more than %d references in %q", maxCompositeParts, s)
			}
			p = append(p, cxPatElem{entity: "@" + m[1], alias: m[2]})
			continue
		}
		for _, w := range words(f, 0, len(f)) {
			p = append(p, cxPatElem{word: w.norm})
		}
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("empty composite synonym %q", s)
	}
	return p, nil
}

// cxESEntities are the system entities the ES matcher's tokenizer recognises.
var cxESEntities = map[string]bool{"@sys.number": true, "@sys.date": true, "@sys.email": true, "@sys.phone-number": true}

// checkComposites marks the composite types whose parts the mock cannot resolve, once every entity type
// is read.
func (a *CXAgent) checkComposites() {
	for _, name := range sortedKeys(a.composites) {
		c := a.composites[name]
		for _, lang := range sortedKeys(c.patterns) {
			for _, p := range c.patterns[lang] {
				for _, e := range p {
					if e.entity == "" || c.bad != "" {
						continue
					}
					switch ref := strings.TrimPrefix(e.entity, "@"); {
					case e.entity == "@sys.any" || cxESEntities[e.entity] || cxSysRecognisers[e.entity] != nil:
					case a.composites[ref] != nil:
						c.bad = "it holds the composite entity type " + e.entity
					case strings.HasPrefix(e.entity, "@sys."):
						// An entity type of the export named sys.… extends the system entity, which
						// stays unrecognised.
						c.bad = "it holds " + e.entity + ", which parley's mock does not recognise in text"
					case a.es.Entities[ref] != nil:
					default:
						c.bad = "it holds " + e.entity + ", which the export does not define"
					}
				}
			}
		}
	}
}

// resolveComposite finds a text's part that follows one of c's patterns and returns its value.
func (a *CXAgent) resolveComposite(c *cxComposite, lang, text string, now time.Time) (any, string, bool) {
	ps := c.patterns[lang]
	if len(ps) == 0 {
		ps = c.patterns[a.Language]
	}
	ws := words(text, 0, len(text))
	if len(ws) > maxCompositeWords {
		ws = ws[:maxCompositeWords]
	}
	for _, p := range ps {
		for start := range ws {
			vals := map[string]any{}
			if end, ok := a.followPattern(p, 0, ws, start, text, lang, now, vals); ok {
				orig := text[ws[start].start:ws[end-1].end]
				if len(p) == 1 && p[0].alias == "" {
					return vals[""], orig, true
				}
				delete(vals, "")
				return vals, orig, true
			}
		}
	}
	return nil, "", false
}

// followPattern matches p[pi:] against ws[wi:] and returns the end of the match.
func (a *CXAgent) followPattern(p cxPattern, pi int, ws []token, wi int, text, lang string, now time.Time, vals map[string]any) (int, bool) {
	if pi == len(p) {
		return wi, wi > 0
	}
	if wi >= len(ws) {
		return 0, false
	}
	e := p[pi]
	if e.entity == "" {
		if ws[wi].norm != e.word {
			return 0, false
		}
		return a.followPattern(p, pi+1, ws, wi+1, text, lang, now, vals)
	}
	most := min(maxSpanWords, len(ws)-wi)
	if e.entity == "@sys.any" {
		most = len(ws) - wi
	}
	for n := most; n >= 1; n-- {
		span := text[ws[wi].start:ws[wi+n-1].end]
		v, ok := a.resolveSpan(e.entity, lang, span, now)
		if !ok {
			continue
		}
		if end, ok := a.followPattern(p, pi+1, ws, wi+n, text, lang, now, vals); ok {
			vals[e.alias] = v
			return end, true
		}
	}
	return 0, false
}

// resolveSpan resolves the whole of span as a value of entity (not a composite one).
func (a *CXAgent) resolveSpan(entity, lang, span string, now time.Time) (any, bool) {
	switch {
	case entity == "@sys.any":
		return span, true
	case cxSysRecognisers[entity] != nil:
		v, orig, ok := cxSysRecognisers[entity](lang, span, now, true)
		return v, ok && normalize(orig) == normalize(span)
	case cxESEntities[entity]:
		toks := tokenize(span, nil, now)
		if len(toks) != 1 {
			return nil, false
		}
		v, ok := toks[0].ents[entity]
		if ok && entity == "@sys.date" {
			v = cxValues(map[string]any{"d": v}, &Intent{Parameters: []Parameter{{Name: "d", EntityType: entity}}})["d"]
		}
		return v, ok
	}
	et := a.es.Entities[strings.TrimPrefix(entity, "@")]
	if et == nil {
		return nil, false
	}
	if et.Regexp {
		res := et.regexps[lang]
		if len(res) == 0 {
			res = et.regexps[a.Language]
		}
		for _, re := range res {
			if loc := re.FindStringIndex(span); loc != nil && loc[0] == 0 && loc[1] == len(span) {
				return span, true
			}
		}
		return nil, false
	}
	entries := et.Entries[lang]
	if len(entries) == 0 {
		entries = et.Entries[a.Language]
	}
	norm := normalize(span)
	for _, en := range entries {
		for _, s := range en.Synonyms {
			if normalize(s) == norm {
				return en.Value, true
			}
		}
	}
	return nil, false
}
