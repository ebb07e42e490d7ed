package steps

import (
	"bytes"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/parley-dev/parley/harness"
)

// ScenarioInfo is one scenario (or outline) of a feature file, with every tag that applies to it: the
// feature's, the rule's, its own and, for outlines, its examples'.
type ScenarioInfo struct {
	URI  string // the file's path in the fs.FS
	Line int    // the line of its Scenario keyword: URI:Line selects it in godog
	Name string
	Tags []string
}

// Path is URI:Line, godog's way to run only this scenario.
func (s ScenarioInfo) Path() string { return fmt.Sprintf("%s:%d", s.URI, s.Line) }

// HasTag reports whether the scenario carries tag (with its @).
func (s ScenarioInfo) HasTag(tag string) bool {
	for _, t := range s.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Scenarios lists the scenarios of the given feature files of fsys, in file and line order.
func Scenarios(fsys fs.FS, files []string) ([]ScenarioInfo, error) {
	var out []ScenarioInfo
	for _, f := range files {
		b, err := readFeatureFile(fsys, f)
		if err != nil {
			return nil, err
		}
		if n := longLine(b); n > 0 {
			return nil, fmt.Errorf("%s:%d: the line is longer than %d bytes", f, n, MaxLineBytes)
		}
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(b), (&messages.Incrementing{}).NewId)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if doc.Feature == nil {
			continue
		}
		add := func(sc *messages.Scenario, inherited []string) {
			tags := append(append([]string(nil), inherited...), tagNames(sc.Tags)...)
			for _, ex := range sc.Examples {
				tags = append(tags, tagNames(ex.Tags)...)
			}
			sort.Strings(tags)
			out = append(out, ScenarioInfo{URI: f, Line: int(sc.Location.Line), Name: sc.Name, Tags: compact(tags)})
		}
		ft := tagNames(doc.Feature.Tags)
		for _, c := range doc.Feature.Children {
			if c.Scenario != nil {
				add(c.Scenario, ft)
			}
			if c.Rule != nil {
				rt := append(append([]string(nil), ft...), tagNames(c.Rule.Tags)...)
				for _, rc := range c.Rule.Children {
					if rc.Scenario != nil {
						add(rc.Scenario, rt)
					}
				}
			}
		}
	}
	return out, nil
}

func tagNames(ts []*messages.Tag) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func compact(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// RunSuite lints the feature files under paths of fsys, runs those without problems with godog
// (options o, with FS and Paths set here), and returns the problems found and godog's status (0 when
// every scenario run passed; 1 when a scenario failed or a file had problems; 2 when godog could not
// run). A broken file never stops the others.
func RunSuite(fsys fs.FS, paths []string, envs harness.Factory, o godog.Options, opts ...Option) ([]Problem, int) {
	// A path may select scenarios (file.feature:LINE); files are linted whole.
	var files []string
	lines := map[string][]string{}
	for _, p := range paths {
		f := p
		if i := strings.LastIndex(p, ".feature:"); i >= 0 {
			f = p[:i+len(".feature")]
			lines[f] = append(lines[f], p)
		}
		files = append(files, f)
	}
	runnable, problems := Lint(fsys, files...)
	var selected []string
	for _, f := range runnable {
		if sel, ok := lines[f]; ok {
			selected = append(selected, sel...)
		} else {
			selected = append(selected, f)
		}
	}
	runnable = compact(selected)
	status := 0
	if len(problems) > 0 {
		status = 1
	}
	if len(runnable) == 0 {
		return problems, status
	}
	o.FS = fsys
	o.Paths = runnable
	if o.Format == "" {
		o.Format = "progress"
	}
	if o.TestingT != nil {
		o.Format = underTest(o.Format)
	}
	st := godog.TestSuite{
		Name:                "parley",
		ScenarioInitializer: func(sc *godog.ScenarioContext) { Register(sc, envs, opts...) },
		Options:             &o,
	}.Run()
	return problems, max(status, st)
}

// Problems joins problems into one message, one per paragraph.
func Problems(ps []Problem) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return strings.Join(s, "\n")
}
