package certify

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// TagExpr is a parsed tag expression (Cucumber's syntax): it chooses scenarios by their tags.
type TagExpr interface{ Match(tags []string) bool }

type (
	tagAny  struct{}
	tagName string
	tagNot  struct{ x TagExpr }
	tagAnd  struct{ a, b TagExpr }
	tagOr   struct{ a, b TagExpr }
)

func (tagAny) Match([]string) bool         { return true }
func (t tagName) Match(tags []string) bool { return slices.Contains(tags, string(t)) }
func (t tagNot) Match(tags []string) bool  { return !t.x.Match(tags) }
func (t tagAnd) Match(tags []string) bool  { return t.a.Match(tags) && t.b.Match(tags) }
func (t tagOr) Match(tags []string) bool   { return t.a.Match(tags) || t.b.Match(tags) }

// ParseTags reads a Cucumber tag expression ("@a and not (@b or @c)"), also in godog's older
// spellings (&&, ||, ~ and a comma for or).
func ParseTags(s string) (TagExpr, error) {
	toks := tokenizeTags(s)
	if len(toks) == 0 {
		return tagAny{}, nil
	}
	p := &tagParser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.i])
	}
	return e, nil
}

func tokenizeTags(s string) []string {
	var toks []string
	cur := ""
	flush := func() {
		if cur != "" {
			toks = append(toks, cur)
			cur = ""
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
		case c == '(' || c == ')' || c == ',' || c == '~' || c == '!':
			flush()
			toks = append(toks, string(c))
		case (c == '&' || c == '|') && i+1 < len(s) && s[i+1] == c:
			flush()
			toks = append(toks, s[i:i+2])
			i++
		default:
			cur += string(c)
		}
	}
	flush()
	return toks
}

type tagParser struct {
	toks []string
	i    int
}

func (p *tagParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *tagParser) or() (TagExpr, error) {
	a, err := p.and()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t == "or" || t == "||" || t == ","; t = p.peek() {
		p.i++
		b, err := p.and()
		if err != nil {
			return nil, err
		}
		a = tagOr{a, b}
	}
	return a, nil
}

func (p *tagParser) and() (TagExpr, error) {
	a, err := p.unary()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t == "and" || t == "&&"; t = p.peek() {
		p.i++
		b, err := p.unary()
		if err != nil {
			return nil, err
		}
		a = tagAnd{a, b}
	}
	return a, nil
}

func (p *tagParser) unary() (TagExpr, error) {
	t := p.peek()
	p.i++
	switch {
	case t == "":
		return nil, errors.New("the expression ends too early")
	case t == "not" || t == "~" || t == "!":
		x, err := p.unary()
		return tagNot{x}, err
	case t == "(":
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, errors.New("a ( is not closed")
		}
		p.i++
		return x, nil
	case strings.HasPrefix(t, "@") && len(t) > 1:
		return tagName(t), nil
	}
	return nil, fmt.Errorf("%q is not a tag: tags start with @", t)
}
