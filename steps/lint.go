package steps

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"
)

// Problem is something wrong in a feature file, found before it runs: where, what, and how to fix it.
type Problem struct {
	File    string
	Line    int
	Message string
	Fix     string
}

func (p Problem) String() string {
	s := fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	if p.Fix != "" {
		s += "\n    fix: " + p.Fix
	}
	return s
}

// Lint reads every .feature file under the given paths of fsys (files or folders; "." for all) and
// checks it the way a QA engineer would want before a run: the language header, the Gherkin syntax,
// that every step is known and unambiguous, that every customer a step names was introduced, and the
// shape of conversation tables. It returns the files without problems (to run) and the problems.
func Lint(fsys fs.FS, paths ...string) (runnable []string, problems []Problem) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var files []string
	for _, p := range paths {
		err := fs.WalkDir(fsys, p, func(f string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(f, ".feature") {
				files = append(files, f)
			}
			return nil
		})
		if err != nil {
			problems = append(problems, Problem{File: p, Message: err.Error(), Fix: "give a folder or .feature file that exists"})
		}
	}
	sort.Strings(files)
	files = compact(files)
	for _, f := range files {
		b, err := readFeatureFile(fsys, f)
		if err != nil {
			problems = append(problems, Problem{File: f, Message: err.Error()})
			continue
		}
		ps := LintFile(f, b)
		if len(ps) == 0 {
			runnable = append(runnable, f)
		}
		problems = append(problems, ps...)
	}
	return runnable, problems
}

var (
	languageHeader = regexp.MustCompile(`^\s*#\s*language\s*:\s*(\S*)\s*$`)
	parseLine      = regexp.MustCompile(`^\((\d+):(\d+)\): (.*)$`)
	spanishWords   = regexp.MustCompile(`^\s*(Característica|Caracteristica|Antecedentes|Escenario|Esquema del escenario|Ejemplos|Dado|Dada|Cuando|Entonces|Pero)\b`)
	englishWords   = regexp.MustCompile(`^\s*(Feature|Background|Scenario|Scenario Outline|Examples|Given|When|Then|And|But)\b`)
)

// LintFile checks one feature file's content; name is used in the messages.
func LintFile(name string, content []byte) []Problem {
	if n := longLine(content); n > 0 {
		// The Gherkin parser fails on such a line without an error of its own: refuse it here, by line.
		return []Problem{{File: name, Line: n, Message: fmt.Sprintf("the line is longer than %d bytes, the longest a feature file may have", MaxLineBytes),
			Fix: "split the text; a customer's message is at most 4,096 characters on WhatsApp"}}
	}
	lines := strings.Split(string(content), "\n")
	lang, langLine := "en", 0
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if m := languageHeader.FindStringSubmatch(l); m != nil {
			lang, langLine = m[1], i+1
		}
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			break
		}
	}
	if langLine > 0 && gherkin.DialectsBuiltin().GetDialect(lang) == nil {
		fix := "write '# language: es' for Spanish or '# language: en' (or no header) for English"
		for _, want := range []struct{ code, hint string }{{"es", "español spanish castellano esp spa es-es"}, {"en", "english inglés eng en-gb en-us"}} {
			if strings.Contains(want.hint, strings.ToLower(lang)) {
				fix = fmt.Sprintf("write '# language: %s' (Gherkin language codes are ISO 639-1)", want.code)
			}
		}
		return []Problem{{File: name, Line: langLine, Message: fmt.Sprintf("language %q is not a Gherkin language", lang), Fix: fix}}
	}
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(content), (&messages.Incrementing{}).NewId)
	if err != nil {
		return parseProblems(name, lang, lines, err)
	}
	if doc.Feature == nil {
		return []Problem{{File: name, Line: 1, Message: "the file has no Feature", Fix: "start it with 'Feature: …' (in Spanish '# language: es' then 'Característica: …')"}}
	}
	var out []Problem
	var background []*messages.Step
	check := func(steps []*messages.Step, examples []*messages.Examples) {
		declared := map[string]bool{}
		all := append(append([]*messages.Step(nil), background...), steps...)
		subst := outlineRow(examples)
		for _, st := range all {
			text := st.Text
			for k, v := range subst {
				text = strings.ReplaceAll(text, "<"+k+">", v)
			}
			out = append(out, lintStep(name, st, text, declared)...)
		}
	}
	var walk func(children []*messages.FeatureChild, rule bool)
	walk = func(children []*messages.FeatureChild, rule bool) {
		for _, c := range children {
			switch {
			case c.Background != nil:
				background = c.Background.Steps
			case c.Scenario != nil:
				if p, ok := noSteps(name, c.Scenario); ok {
					out = append(out, p)
				}
				check(c.Scenario.Steps, c.Scenario.Examples)
			case c.Rule != nil:
				saved := background
				var rc []*messages.FeatureChild
				for _, r := range c.Rule.Children {
					rc = append(rc, &messages.FeatureChild{Background: r.Background, Scenario: r.Scenario})
				}
				walk(rc, true)
				background = saved
			}
		}
	}
	walk(doc.Feature.Children, false)
	return dedupe(out)
}

// noSteps is the problem of a scenario without steps: it would pass while checking nothing. A step line
// whose keyword is misspelt ("Givn") is read by Gherkin as the scenario's description, so the fix quotes it.
func noSteps(file string, sc *messages.Scenario) (Problem, bool) {
	if len(sc.Steps) > 0 {
		return Problem{}, false
	}
	p := Problem{File: file, Line: int(sc.Location.Line), Message: fmt.Sprintf("scenario %q has no steps, so it would check nothing", sc.Name),
		Fix: "start each step line with Given, When, Then, And or But (in Spanish Dado, Cuando, Entonces, Y, Pero)"}
	if first, _, _ := strings.Cut(strings.TrimSpace(sc.Description), "\n"); first != "" {
		p.Fix += fmt.Sprintf("; %q was read as the scenario's description", strings.TrimSpace(first))
	}
	return p, true
}

func dedupe(ps []Problem) []Problem {
	seen := map[string]bool{}
	var out []Problem
	for _, p := range ps {
		k := p.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}

// outlineRow maps an outline's placeholders to the values of its first example row.
func outlineRow(examples []*messages.Examples) map[string]string {
	for _, ex := range examples {
		if ex.TableHeader == nil || len(ex.TableBody) == 0 {
			continue
		}
		m := map[string]string{}
		for i, h := range ex.TableHeader.Cells {
			if i < len(ex.TableBody[0].Cells) {
				m[h.Value] = ex.TableBody[0].Cells[i].Value
			}
		}
		return m
	}
	return nil
}

func lintStep(file string, st *messages.Step, text string, declared map[string]bool) []Problem {
	line := int(st.Location.Line)
	defs := Match(text)
	switch len(defs) {
	case 0:
		return []Problem{{File: file, Line: line, Message: fmt.Sprintf("unknown step %q", strings.TrimSpace(st.Keyword)+" "+text),
			Fix: "did you mean: " + strings.Join(Suggest(text, 2), "  |  ") + "  (docs/steps.md lists every step)"}}
	case 1:
	default:
		var ex []string
		for _, d := range defs {
			ex = append(ex, d.ExEN)
		}
		return []Problem{{File: file, Line: line, Message: fmt.Sprintf("ambiguous step %q: it matches %d steps (%s)", text, len(defs), strings.Join(ex, "; ")),
			Fix: "reword it as exactly one of them"}}
	}
	d := defs[0]
	var out []Problem
	name := ""
	if d.who > 0 {
		for _, re := range compiledPatterns(d.EN, d.ES) {
			if m := re.FindStringSubmatch(text); m != nil {
				name = m[d.who]
			}
		}
	}
	if d.declares {
		declared[name] = true
		return nil
	}
	if d.Arg == ArgTable {
		if st.DataTable == nil {
			return []Problem{{File: file, Line: line, Message: "this step needs a table", Fix: "add | who | says | rows below it"}}
		}
		var header []string
		for _, c := range st.DataTable.Rows[0].Cells {
			header = append(header, c.Value)
		}
		if err := checkConversationHeader(header, len(st.DataTable.Rows)); err != nil {
			out = append(out, Problem{File: file, Line: int(st.DataTable.Location.Line), Message: err.Error(), Fix: "make the first row | who | says | (| quién | dice | in Spanish)"})
		} else {
			for _, r := range st.DataTable.Rows[1:] {
				if who := strings.TrimSpace(r.Cells[0].Value); !assistant[strings.ToLower(who)] {
					if !declared[who] && !strings.Contains(who, "<") {
						out = append(out, unknownCustomer(file, int(r.Location.Line), who, declared))
					}
				}
			}
		}
	}
	if name != "" && !declared[name] && !strings.Contains(name, "<") {
		out = append(out, unknownCustomer(file, line, name, declared))
	}
	return out
}

var patterns sync.Map // a step's regular expression → *regexp.Regexp

// compiledPatterns compiles each step expression once: compiling it per step made linting a large suite
// spend most of its time in the regexp compiler.
func compiledPatterns(res ...string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(res))
	for i, re := range res {
		c, ok := patterns.Load(re)
		if !ok {
			c, _ = patterns.LoadOrStore(re, regexp.MustCompile(re))
		}
		out[i] = c.(*regexp.Regexp)
	}
	return out
}

// readFeatureFile reads one file of a folder given to Lint, within the default limit of one file.
func readFeatureFile(fsys fs.FS, name string) ([]byte, error) {
	d, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	return readFeature(context.Background(), fsys, name, fs.FileInfoToDirEntry(d), DefaultFileBytes, DefaultFileBytes)
}

func unknownCustomer(file string, line int, name string, declared map[string]bool) Problem {
	var known []string
	for k := range declared {
		known = append(known, k)
	}
	sort.Strings(known)
	fix := fmt.Sprintf("introduce the customer first: Given a customer %q with phone \"+34 612 345 678\" who speaks Spanish", name)
	if best := closest(name, known, 1); len(best) > 0 {
		fix = fmt.Sprintf("did you mean %q? (customers in this scenario: %s)", best[0], quoteAll(known))
	}
	return Problem{File: file, Line: line, Message: fmt.Sprintf("no customer named %q was introduced in this scenario or its background", name), Fix: fix}
}

func parseProblems(name, lang string, lines []string, err error) []Problem {
	var out []Problem
	for _, msg := range strings.Split(err.Error(), "\n") {
		msg = strings.TrimSpace(msg)
		if msg == "" || strings.HasPrefix(msg, "Parser errors") {
			continue
		}
		p := Problem{File: name, Line: 1, Message: msg}
		if m := parseLine.FindStringSubmatch(msg); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = m[3]
		}
		src := ""
		if p.Line >= 1 && p.Line <= len(lines) {
			src = lines[p.Line-1]
		}
		switch {
		case strings.Contains(p.Message, "inconsistent cell count"):
			p.Message = "malformed table: " + p.Message
			p.Fix = "give every row of the table as many | cells as its first row, and close each row with |"
		case lang != "es" && spanishWords.MatchString(src):
			// Every later line fails for the same reason: the one fix is enough.
			p.Fix = "the file is written in Spanish: put '# language: es' on its first line"
			return append(out, p)
		case lang == "es" && englishWords.MatchString(src):
			p.Fix = "the file says '# language: es' but this line is English: write it in Spanish (Característica, Escenario, Dado, Cuando, Entonces, Y) or remove the header"
		case strings.Contains(p.Message, "expected:"):
			p.Fix = "every step line must start with a keyword (Given, When, Then, And, But; in Spanish Dado, Cuando, Entonces, Y, Pero)"
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		out = append(out, Problem{File: name, Line: 1, Message: err.Error()})
	}
	return out
}
