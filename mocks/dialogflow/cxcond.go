package dialogflow

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The CX condition language, bounded to what routes of real agents use
// (https://cloud.google.com/dialogflow/cx/docs/reference/condition): comparisons (=, !=, <, <=, >, >=)
// between parameter references ($session.params.x, nested as $session.params.x.y; $page.params.status and
// $page.params.x; $intent.params.x; $flow.x) and literals ("quoted", numbers, true, false, null,
// undefined, or a bare word read as a string, as the console accepts `$page.params.status = FINAL`),
// joined with AND, OR and NOT and grouped with parentheses, AND binding tighter than OR; a lone reference
// is true when it is set and not false; `true` and `false` alone. System functions ($sys.func.…) and the
// other operators are refused at load.

// Bounds on a condition, so that a hostile export cannot make the parser recurse or allocate without end.
const (
	maxCondLen   = 4096
	maxCondDepth = 32
)

// cxExpr is a parsed condition.
type cxExpr interface {
	eval(v cxVars) bool
}

// cxVars is what a condition or a template reads: the session parameters, the current page's form
// state, the matched intent's parameters.
type cxVars struct {
	session   map[string]any
	page      map[string]any // form parameter values of the current page
	pageFinal bool           // every required form parameter is filled
	intent    map[string]any
	originals map[string]string
}

type condTok struct {
	kind string // ref, str, num, word, op, (, ), AND, OR, NOT
	text string
}

var reCondTok = regexp.MustCompile(`^(?:\s+|\$[A-Za-z0-9_.\-]+|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?[0-9]+(?:\.[0-9]+)?|!=|<=|>=|=|<|>|:|\(|\)|[A-Za-z_][A-Za-z0-9_.\-]*)`)

func lexCond(s string) ([]condTok, error) {
	var out []condTok
	for s != "" {
		m := reCondTok.FindString(s)
		if m == "" {
			return nil, fmt.Errorf("unexpected %q", firstRunes(s, 12))
		}
		s = s[len(m):]
		switch {
		case strings.TrimSpace(m) == "":
		case m[0] == '$':
			out = append(out, condTok{"ref", strings.TrimRight(m, ".")})
		case m[0] == '"' || m[0] == '\'':
			out = append(out, condTok{"str", unquote(m)})
		case m[0] == '-' || m[0] >= '0' && m[0] <= '9':
			out = append(out, condTok{"num", m})
		case m == "(" || m == ")":
			out = append(out, condTok{m, m})
		case m == ":":
			return nil, errors.New("the has operator (:) is not modelled")
		case strings.ContainsAny(m[:1], "=!<>"):
			out = append(out, condTok{"op", m})
		default:
			switch strings.ToUpper(m) {
			case "AND", "OR", "NOT":
				out = append(out, condTok{strings.ToUpper(m), m})
			default:
				out = append(out, condTok{"word", m})
			}
		}
	}
	return out, nil
}

func unquote(q string) string {
	inner := q[1 : len(q)-1]
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == '\\' && i+1 < len(inner) {
			i++
		}
		b.WriteByte(inner[i])
	}
	return b.String()
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// parseCond parses a route condition.
func parseCond(s string) (cxExpr, error) {
	if len(s) > maxCondLen {
		return nil, fmt.Errorf("longer than %d bytes", maxCondLen)
	}
	toks, err := lexCond(s)
	if err != nil {
		return nil, err
	}
	p := &condParser{toks: toks}
	e, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.i].text)
	}
	return e, nil
}

type condParser struct {
	toks []condTok
	i    int
}

func (p *condParser) peek() condTok {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return condTok{}
}

func (p *condParser) or(depth int) (cxExpr, error) {
	if depth > maxCondDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxCondDepth)
	}
	l, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == "OR" {
		p.i++
		r, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		l = orExpr{l, r}
	}
	return l, nil
}

func (p *condParser) and(depth int) (cxExpr, error) {
	l, err := p.not(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == "AND" {
		p.i++
		r, err := p.not(depth)
		if err != nil {
			return nil, err
		}
		l = andExpr{l, r}
	}
	return l, nil
}

func (p *condParser) not(depth int) (cxExpr, error) {
	if p.peek().kind == "NOT" {
		p.i++
		if depth > maxCondDepth {
			return nil, fmt.Errorf("nested deeper than %d", maxCondDepth)
		}
		e, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		return notExpr{e}, nil
	}
	return p.primary(depth)
}

func (p *condParser) primary(depth int) (cxExpr, error) {
	t := p.peek()
	if t.kind == "(" {
		p.i++
		e, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.peek().kind != ")" {
			return nil, errors.New("missing )")
		}
		p.i++
		return e, nil
	}
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != "op" {
		return truthy{l}, nil
	}
	op := p.peek().text
	p.i++
	r, err := p.operand()
	if err != nil {
		return nil, err
	}
	return cmpExpr{op, l, r}, nil
}

// operand is a reference or a literal.
type operand struct {
	ref string // "$session.params.x"; empty for a literal
	lit any
}

func (p *condParser) operand() (operand, error) {
	t := p.peek()
	p.i++
	switch t.kind {
	case "ref":
		if err := checkRef(t.text); err != nil {
			return operand{}, err
		}
		return operand{ref: t.text}, nil
	case "str":
		return operand{lit: t.text}, nil
	case "num":
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return operand{}, err
		}
		return operand{lit: f}, nil
	case "word":
		switch strings.ToLower(t.text) {
		case "true":
			return operand{lit: true}, nil
		case "false":
			return operand{lit: false}, nil
		case "null", "undefined":
			return operand{lit: nil}, nil
		}
		return operand{lit: t.text}, nil
	case "":
		return operand{}, errors.New("unexpected end")
	}
	return operand{}, fmt.Errorf("unexpected %q", t.text)
}

// checkRef refuses the references the mock cannot resolve.
func checkRef(ref string) error {
	for _, p := range []string{"$session.params.", "$page.params.", "$intent.params.", "$flow."} {
		if strings.HasPrefix(ref, p) && len(ref) > len(p) {
			return nil
		}
	}
	return fmt.Errorf("reference %s is not modelled (parley resolves $session.params, $page.params, $intent.params and $flow)", ref)
}

func (o operand) value(v cxVars) any {
	if o.ref == "" {
		return o.lit
	}
	return v.resolve(o.ref)
}

// resolve reads a reference; a missing one is nil.
func (v cxVars) resolve(ref string) any {
	switch {
	case strings.HasPrefix(ref, "$session.params."):
		return lookupPath(v.session, strings.TrimPrefix(ref, "$session.params."))
	case strings.HasPrefix(ref, "$flow."):
		return lookupPath(v.session, strings.TrimPrefix(ref, "$flow."))
	case ref == "$page.params.status":
		if v.pageFinal {
			return "FINAL"
		}
		return nil
	case strings.HasPrefix(ref, "$page.params."):
		name := strings.TrimPrefix(ref, "$page.params.")
		if base, ok := strings.CutSuffix(name, ".status"); ok {
			if x, set := v.page[base]; set && x != nil {
				return "VALID"
			}
			return nil
		}
		return lookupPath(v.page, name)
	case strings.HasPrefix(ref, "$intent.params."):
		name := strings.TrimPrefix(ref, "$intent.params.")
		if base, ok := strings.CutSuffix(name, ".original"); ok {
			if o, ok := v.originals[base]; ok {
				return o
			}
			return nil
		}
		name = strings.TrimSuffix(name, ".resolved")
		return lookupPath(v.intent, name)
	}
	return nil
}

// lookupPath reads a.b.c in m; parameter names are case-insensitive in CX ("Parameter names are case
// insensitive", https://cloud.google.com/dialogflow/cx/docs/concept/parameter), so an exact key wins and
// otherwise a key equal but for case.
func lookupPath(m map[string]any, p string) any {
	var cur any = m
	for p != "" {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		// A key may itself hold dots (a parameter named "a.b"): try the longest key first.
		found := false
		for i := len(p); i > 0; i = strings.LastIndexByte(p[:i], '.') {
			k := p[:i]
			if x, ok := getFold(mm, k); ok {
				cur, found = x, true
				p = strings.TrimPrefix(p[i:], ".")
				break
			}
		}
		if !found {
			return nil
		}
	}
	return cur
}

func getFold(m map[string]any, k string) (any, bool) {
	if x, ok := m[k]; ok {
		return x, true
	}
	for mk, x := range m {
		if strings.EqualFold(mk, k) {
			return x, true
		}
	}
	return nil, false
}

type orExpr struct{ l, r cxExpr }
type andExpr struct{ l, r cxExpr }
type notExpr struct{ e cxExpr }
type truthy struct{ o operand }
type cmpExpr struct {
	op   string
	l, r operand
}

func (e orExpr) eval(v cxVars) bool  { return e.l.eval(v) || e.r.eval(v) }
func (e andExpr) eval(v cxVars) bool { return e.l.eval(v) && e.r.eval(v) }
func (e notExpr) eval(v cxVars) bool { return !e.e.eval(v) }

func (e truthy) eval(v cxVars) bool {
	switch x := e.o.value(v).(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != "" && !strings.EqualFold(x, "false")
	}
	return true
}

func (e cmpExpr) eval(v cxVars) bool {
	a, b := e.l.value(v), e.r.value(v)
	switch e.op {
	case "=":
		return condEqual(a, b)
	case "!=":
		return !condEqual(a, b)
	}
	if a == nil || b == nil {
		return false
	}
	fa, aok := condNumber(a)
	fb, bok := condNumber(b)
	var c int
	if aok && bok {
		switch {
		case fa < fb:
			c = -1
		case fa > fb:
			c = 1
		}
	} else {
		c = strings.Compare(cxString(a), cxString(b))
	}
	switch e.op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// condEqual compares as CX does for the types parameters hold: null only equals null; numbers by value
// (a number and a numeric string are equal: form values of @sys.number are numbers, literals in the
// console are often written bare); anything else by its text.
func condEqual(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if fa, ok := condNumber(a); ok {
		if fb, ok := condNumber(b); ok {
			return fa == fb
		}
	}
	return cxString(a) == cxString(b)
}

func condNumber(x any) (float64, bool) {
	switch x := x.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// cxString is a parameter value as it reads in a response text: lists joined with ", ", a date as
// yyyy-mm-dd.
func cxString(x any) string {
	switch x := x.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = cxString(e)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		if y, ok := x["year"].(float64); ok {
			m, _ := x["month"].(float64)
			d, _ := x["day"].(float64)
			return fmt.Sprintf("%04d-%02d-%02d", int(y), int(m), int(d))
		}
	}
	return valueString(x)
}

var reCXRef = regexp.MustCompile(`\$(?:session\.params|page\.params|intent\.params|flow|sys|request)\.[A-Za-z0-9_.\-]*[A-Za-z0-9_\-]`)

// checkTemplate refuses a text or preset whose references the mock cannot fill.
func checkTemplate(s string) error {
	if !strings.Contains(s, "$") {
		return nil
	}
	for _, ref := range reCXRef.FindAllString(s, -1) {
		if err := checkRef(ref); err != nil {
			return err
		}
	}
	return nil
}

// fillTemplate replaces the parameter references in a text; an unset parameter reads as "".
func fillTemplate(s string, v cxVars) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return reCXRef.ReplaceAllStringFunc(s, func(ref string) string { return cxString(v.resolve(ref)) })
}

// presetValue is the value a setParameterActions entry gives: a string that is exactly one reference
// takes the referenced value (of any type); other strings have their references filled.
func presetValue(x any, v cxVars) any {
	s, ok := x.(string)
	if !ok {
		return x
	}
	if m := reCXRef.FindString(s); m != "" && m == s {
		return v.resolve(s)
	}
	return fillTemplate(s, v)
}
