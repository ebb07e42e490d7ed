package certify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strings"
	"time"

	gherkin "github.com/cucumber/gherkin/go/v42"
	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/features"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/profile"
	"github.com/parley-dev/parley/report"
	"github.com/parley-dev/parley/sim"
	"github.com/parley-dev/parley/steps"
)

// Suite is a certification suite: what it is (name, version, hash of its content) and its scenarios, in
// a stable order.
type Suite struct {
	// Info is the suite as the report names it.
	Info report.Suite
	// DefaultTags choose its scenarios when the user gives no tag expression (e.g. leaving out @wip).
	DefaultTags string

	list []Scenario
	// play runs a group of scenarios that must be played together (the rows of one Scenario Outline), in
	// order, and returns one outcome per scenario of rows.
	play func(ctx context.Context, p playing, group string, rows []Scenario) []report.Outcome
}

// Scenarios returns the suite's scenarios.
func (s *Suite) Scenarios() []Scenario { return s.list }

// Scenario is one scenario of a suite: a Go journey, a Gherkin scenario, or one row of a Scenario
// Outline's Examples.
type Scenario struct {
	// Name identifies it in the report and when shards merge; Select makes it unique in the suite.
	Name string
	// Tags are its tags with their @ (a journey is tagged @journey and with the rules it exercises).
	Tags []string
	// Rules are the rule ids it declares it exercises.
	Rules []string
	// Path is where it comes from: file:line of the scenario or of its Examples row, or the journey's name.
	Path string
	// Alone says it changes what every scenario sees (it moves the simulated clock, sends a campaign to
	// everyone, or puts a fault in a mock: steps.RunsAlone), so against one shared assistant it plays
	// with no other scenario at the same time. Go journeys are Go code, whose steps cannot be read: they
	// all play alone there.
	Alone bool
	// Waits says one of its steps makes it wait on the wall clock (steps.Waits): Run starts it before the
	// others, so that its waiting overlaps their work instead of ending the run.
	Waits bool

	group string // scenarios of one group are played by one call, in order
	row   int    // its place in the group
}

// Journeys is the built-in suite as Go journeys (sim.Journeys).
func Journeys() *Suite {
	js := sim.Journeys()
	// The journeys are Go code inside this binary, so their hash is the listing of what they are and
	// claim; the binary's own hash, also in the report, covers their code.
	var b strings.Builder
	for _, j := range js {
		fmt.Fprintf(&b, "%s\t%s\n", j.Name, strings.Join(j.Rules, ","))
	}
	s := &Suite{Info: report.Suite{Name: "parley journeys", Version: journeysVersion, SHA256: report.HashString(b.String())}}
	byName := map[string]sim.Journey{}
	for _, j := range js {
		tags := []string{"@journey"}
		for _, r := range j.Rules {
			tags = append(tags, "@"+r)
		}
		byName[j.Name] = j
		s.list = append(s.list, Scenario{Name: j.Name, Tags: tags, Rules: j.Rules, Path: j.Name, Alone: true, group: j.Name})
	}
	s.play = func(ctx context.Context, p playing, group string, rows []Scenario) []report.Outcome {
		return []report.Outcome{playJourney(ctx, p.envs, byName[group], rows[0])}
	}
	return s
}

// journeysVersion changes when the journeys change what they certify.
const journeysVersion = "1"

// playJourney plays one Go journey in a fresh environment and audits what its journal recorded.
func playJourney(ctx context.Context, envs harness.Factory, j sim.Journey, sc Scenario) report.Outcome {
	out := report.Outcome{Name: sc.Name, Tags: sc.Tags, Exercises: sc.Rules, Started: time.Now()}
	res := harness.RunJourney(ctx, envs, harness.Scenario{Name: sc.Name, URI: sc.Path, Tags: sc.Tags}, j)
	out.Err, out.Events, out.Audit = res.Err, res.Events, res.Report
	out.Duration = time.Since(out.Started)
	return out
}

// Builtin names the feature files compiled into parley (package features) for Features.
const Builtin = "builtin"

// ErrFeatures is wrapped by every error Features returns: the folder or its files are not a suite.
var ErrFeatures = errors.New("not a runnable feature suite")

// LintError is the error Features returns when feature files have problems: every problem of every
// file, and the files that had none, so that one bad file does not hide the others. It wraps ErrFeatures.
type LintError struct {
	Problems []steps.Problem
	Good     []string // the files without problems
}

func (e *LintError) Error() string {
	files := map[string]bool{}
	for _, p := range e.Problems {
		files[p.File] = true
	}
	return fmt.Sprintf("%v: %d problem(s) in %d of %d feature files:\n%s", ErrFeatures, len(e.Problems), len(files),
		len(files)+len(e.Good), steps.Problems(e.Problems))
}

// Unwrap makes a LintError an ErrFeatures.
func (e *LintError) Unwrap() error { return ErrFeatures }

// LoadOptions are how LoadFeatures reads a suite.
type LoadOptions struct {
	// Limits bound the files read and the scenarios compiled (zero fields take steps' defaults).
	Limits steps.Limits
	// Progress, when not nil, hears how loading goes, in a short phrase per file read and per stage.
	Progress func(string)
}

// Features is LoadFeatures with no deadline and the default limits.
func Features(fsys fs.FS, name string) (*Suite, error) {
	return LoadFeatures(context.Background(), fsys, name, LoadOptions{})
}

// LoadFeatures is a suite of Gherkin feature files played with the step library (package steps): every
// scenario, and every row of every Scenario Outline, is a scenario of the suite with its own environment,
// audit and transcript. name is how the report names it. The files are read once, within opt.Limits
// (steps.ReadFeatures), and linted; any problem refuses the whole suite, and so does a suite of more
// scenarios than the limit. It stops with ctx's error when ctx ends, at any stage.
func LoadFeatures(ctx context.Context, fsys fs.FS, name string, opt LoadOptions) (*Suite, error) {
	lim := opt.Limits.WithDefaults()
	say := func(format string, a ...any) {
		if opt.Progress != nil {
			opt.Progress(fmt.Sprintf(format, a...))
		}
	}
	mem, err := steps.ReadFeatures(ctx, fsys, lim, func(p steps.LoadProgress) {
		say("read %s (%d file(s), %d KiB)", p.File, p.Files, (p.Bytes+1023)/1024)
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFeatures, err)
	}
	files := make([]string, 0, len(mem))
	for f := range mem {
		files = append(files, f)
	}
	slices.Sort(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no .feature file", ErrFeatures)
	}
	say("checking %d file(s)", len(files))
	var problems []steps.Problem
	var runnable []string
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ps := steps.LintFile(f, mem[f].Data)
		if len(ps) == 0 {
			runnable = append(runnable, f)
		}
		problems = append(problems, ps...)
	}
	if len(problems) > 0 {
		return nil, &LintError{Problems: problems, Good: runnable}
	}
	hash, nfiles, err := report.HashFS(mem, ".feature")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFeatures, err)
	}
	s := &Suite{Info: report.Suite{Name: name, Version: fmt.Sprintf("%d files", nfiles), SHA256: hash}, DefaultTags: features.DefaultTags}
	ids := ruleIDs()
	groups := map[string]groupSource{}
	total := 0
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data := mem[f].Data
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(data), (&messages.Incrementing{}).NewId)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrFeatures, f, err)
		}
		// Count before compiling: an outline of a hundred thousand rows is refused before it costs
		// memory.
		if total += countScenarios(doc); total > lim.Scenarios {
			return nil, fmt.Errorf("%w: %w: more than %d scenarios (each row of an outline counts); split the suite or raise the limit (parley certify --max-scenarios)",
				ErrFeatures, steps.ErrTooLarge, lim.Scenarios)
		}
		src := newFileSource(data)
		nodes := astNodes(doc)
		rows := map[string]int{} // group → rows so far
		for _, p := range gherkin.Pickles(*doc, f, (&messages.Incrementing{}).NewId) {
			sc := nodes[p.AstNodeIds[0]]
			if sc.scenario == nil {
				continue
			}
			group := fmt.Sprintf("%s:%d", p.Uri, sc.scenario.Location.Line)
			if _, ok := groups[group]; !ok {
				groups[group] = groupSource{file: f, src: src, spans: sc.spans}
			}
			name, path := p.Name, group
			if name == "" {
				name = group
			}
			if len(p.AstNodeIds) > 1 {
				if row := nodes[p.AstNodeIds[1]].row; row != nil {
					var cells []string
					for _, c := range row.Cells {
						cells = append(cells, c.Value)
					}
					name = fmt.Sprintf("%s (%s)", name, strings.Join(cells, ", "))
					path = fmt.Sprintf("%s:%d", p.Uri, row.Location.Line)
				}
			}
			var tags, rules []string
			for _, t := range p.Tags {
				if profile.IsNeedTag(t.Name) && !slices.Contains(profile.NeedTags(), t.Name) {
					return nil, fmt.Errorf("%w: %s: scenario %q has the tag %s, which names no capability or hook; the known ones are %s",
						ErrFeatures, group, p.Name, t.Name, strings.Join(profile.NeedTags(), ", "))
				}
				tags = append(tags, t.Name)
				if id := strings.TrimPrefix(t.Name, "@"); ids[id] {
					rules = append(rules, id)
				}
			}
			texts := make([]string, len(p.Steps))
			for k, st := range p.Steps {
				texts[k] = st.Text
			}
			s.list = append(s.list, Scenario{Name: name, Tags: tags, Rules: rules, Path: path, Alone: steps.RunsAlone(texts),
				Waits: steps.Waits(texts), group: group, row: rows[group]})
			rows[group]++
		}
	}
	say("%d scenario(s) in %d file(s)", len(s.list), len(files))
	s.play = func(ctx context.Context, p playing, group string, rows []Scenario) []report.Outcome {
		g := groups[group]
		return playFeature(ctx, godog.Feature{Name: g.file, Contents: g.src.cut(g.spans)}, p, rows)
	}
	return s, nil
}

// countScenarios is how many scenarios a document makes: one per scenario, one per row of an outline.
func countScenarios(doc *messages.GherkinDocument) int {
	if doc == nil || doc.Feature == nil {
		return 0
	}
	n := 0
	count := func(sc *messages.Scenario) {
		rows := 0
		for _, ex := range sc.Examples {
			rows += len(ex.TableBody)
		}
		if len(sc.Examples) == 0 {
			rows = 1
		}
		n += rows
	}
	for _, c := range doc.Feature.Children {
		if c.Scenario != nil {
			count(c.Scenario)
		}
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				if rc.Scenario != nil {
					count(rc.Scenario)
				}
			}
		}
	}
	return n
}

// groupSource is where a group's scenario is in its file: godog plays a feature made of those lines
// alone (the file's header, the backgrounds and rule that apply, the scenario), so a file of thousands of
// scenarios is not parsed again for each of them.
type groupSource struct {
	file  string
	src   *fileSource
	spans [][2]int // line ranges [from, to) of the file, 1-based
}

// fileSource is a feature file's content with the offset of each line.
type fileSource struct {
	data  []byte
	start []int // start[i] is the offset of line i+1; a last entry is len(data)
}

func newFileSource(data []byte) *fileSource {
	start := []int{0}
	for i, b := range data {
		if b == '\n' {
			start = append(start, i+1)
		}
	}
	if start[len(start)-1] != len(data) {
		start = append(start, len(data))
	}
	return &fileSource{data: data, start: start}
}

// cut joins the given line ranges into one feature, keeping each range's lines as they are.
func (f *fileSource) cut(spans [][2]int) []byte {
	var b bytes.Buffer
	last := len(f.start) // lines are 1..last-1
	for _, sp := range spans {
		from, to := max(sp[0], 1), min(sp[1], last)
		if from >= to {
			continue
		}
		b.Write(f.data[f.start[from-1]:f.start[to-1]])
		if b.Len() > 0 && b.Bytes()[b.Len()-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// BuiltinFeatures is the certification suite compiled into parley.
func BuiltinFeatures() (*Suite, error) { return Features(features.FS(), "parley features") }

// astNode is a scenario or an Examples row of a Gherkin document, by id; for a scenario, the line ranges
// that make a feature of it alone (groupSource).
type astNode struct {
	scenario *messages.Scenario
	spans    [][2]int
	row      *messages.TableRow
}

func astNodes(doc *messages.GherkinDocument) map[string]astNode {
	out := map[string]astNode{}
	if doc == nil || doc.Feature == nil || len(doc.Feature.Children) == 0 {
		return out
	}
	add := func(sc *messages.Scenario, spans ...[][2]int) {
		out[sc.Id] = astNode{scenario: sc, spans: slices.Concat(spans...)}
		for _, ex := range sc.Examples {
			for _, r := range ex.TableBody {
				out[r.Id] = astNode{row: r}
			}
		}
	}
	children := doc.Feature.Children
	starts := childStarts(children)
	preamble := [][2]int{{1, starts[0]}} // the language header, the feature's tags, its title and description
	var background [][2]int
	for i, c := range children {
		from, to := starts[i], next(starts, i, math.MaxInt)
		switch {
		case c.Background != nil:
			background = [][2]int{{from, to}}
		case c.Scenario != nil:
			add(c.Scenario, preamble, background, [][2]int{{from, to}})
		case c.Rule != nil:
			var rc []*messages.FeatureChild
			for _, r := range c.Rule.Children {
				rc = append(rc, &messages.FeatureChild{Background: r.Background, Scenario: r.Scenario})
			}
			rs := childStarts(rc)
			head := [][2]int{{from, next(rs, -1, to)}}
			var ruleBackground [][2]int
			for j, r := range rc {
				rfrom, rto := rs[j], next(rs, j, to)
				switch {
				case r.Background != nil:
					ruleBackground = [][2]int{{rfrom, rto}}
				case r.Scenario != nil:
					add(r.Scenario, preamble, background, head, ruleBackground, [][2]int{{rfrom, rto}})
				}
			}
		}
	}
	return out
}

// next is the start of the child after i, or end after the last.
func next(starts []int, i, end int) int {
	if i+1 < len(starts) {
		return starts[i+1]
	}
	return end
}

// childStarts is the first line of each child: its first tag's, or its keyword's.
func childStarts(children []*messages.FeatureChild) []int {
	starts := make([]int, len(children))
	for i, c := range children {
		var loc *messages.Location
		var tags []*messages.Tag
		switch {
		case c.Background != nil:
			loc = c.Background.Location
		case c.Scenario != nil:
			loc, tags = c.Scenario.Location, c.Scenario.Tags
		case c.Rule != nil:
			loc, tags = c.Rule.Location, c.Rule.Tags
		}
		line := 0
		if loc != nil {
			line = int(loc.Line)
		}
		for _, t := range tags {
			if t.Location != nil && int(t.Location.Line) < line {
				line = int(t.Location.Line)
			}
		}
		starts[i] = line
	}
	return starts
}

func ruleIDs() map[string]bool {
	ids := map[string]bool{}
	for _, r := range audit.Catalogue() {
		ids[r.ID] = true
	}
	return ids
}

// errNotSelected starts no environment for an Examples row the run did not choose: its pickle fails
// before its first step and is left out of the report.
var errNotSelected = errors.New("this row is not part of the run")

// playFeature runs one Gherkin scenario, or the chosen rows of one outline, with godog and the step
// library. godog plays an outline's rows in order, one environment each; the k-th environment asked for
// is the k-th row.
func playFeature(ctx context.Context, feature godog.Feature, p playing, rows []Scenario) []report.Outcome {
	outs := make([]report.Outcome, len(rows))
	byRow := map[int]int{} // row of the group → index in rows
	for i, r := range rows {
		byRow[r.row] = i
		outs[i] = report.Outcome{Name: r.Name, Tags: r.Tags, Exercises: r.Rules}
	}
	rec := &rowEnvs{next: p.envs, rows: rows, byRow: byRow, outs: outs}
	opts := godog.Options{FeatureContents: []godog.Feature{feature}, Format: "progress", Output: io.Discard, NoColors: true,
		Concurrency: 1, DefaultContext: ctx}
	status := godog.TestSuite{Name: "parley", Options: &opts, ScenarioInitializer: func(sc *godog.ScenarioContext) {
		steps.Register(sc, rec, append(p.stepOptions(), steps.WithResult(rec.result))...)
	}}.Run()
	for i := range outs {
		o := &outs[i]
		if !rec.played[i] && o.Err == nil {
			o.Err = fmt.Errorf("godog did not play %s (status %d)", rows[i].Path, status)
		}
		if o.Started.IsZero() {
			o.Started = time.Now()
		}
	}
	return outs
}

// rowEnvs hands out environments to the rows of one group, in order, and keeps each row's result.
type rowEnvs struct {
	next   harness.Factory
	rows   []Scenario
	byRow  map[int]int
	outs   []report.Outcome
	asked  int
	played map[int]bool
}

type rowEnv struct {
	harness.Environment
	i       int
	started time.Time
}

func (r *rowEnvs) Start(ctx context.Context, s harness.Scenario) (harness.Environment, error) {
	row := r.asked
	r.asked++
	i, chosen := r.byRow[row]
	if !chosen {
		return nil, errNotSelected
	}
	sc := r.rows[i]
	started := time.Now()
	r.outs[i].Started = started
	env, err := r.next.Start(ctx, harness.Scenario{Name: sc.Name, URI: sc.Path, Tags: s.Tags})
	if err != nil {
		r.outs[i].Err = fmt.Errorf("starting the environment: %w", err)
		r.outs[i].Duration = time.Since(started)
		return nil, err
	}
	return &rowEnv{Environment: env, i: i, started: started}, nil
}

// result records what the step library made of a row.
func (r *rowEnvs) result(res steps.Result) {
	e, ok := res.Env.(*rowEnv)
	if !ok {
		return
	}
	if r.played == nil {
		r.played = map[int]bool{}
	}
	r.played[e.i] = true
	o := &r.outs[e.i]
	o.Events, o.Audit, o.Expected, o.Latencies = res.Events, res.Audit, res.Expected, res.Latencies
	o.Err = errors.Join(res.StepErr, res.Err)
	o.Duration = time.Since(e.started)
}
