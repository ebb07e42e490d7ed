package steps

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/profile"
	"github.com/parley-dev/parley/sim"
)

// Register adds the step library to a scenario, in both languages, with the steps of WithStep. Before the
// scenario it starts a fresh environment from envs (fresh customers with it); after it, it audits the
// scenario's events, fails the scenario on any broken rule the scenario did not state, and closes the
// environment.
//
// A step that none of them matches fails before it runs, naming the closest known steps, whether or not
// godog runs in strict mode: godog's own "undefined" passes outside it. Every step text matches one
// registered expression at most, so strict mode finds nothing ambiguous either. Steps registered on sc
// other than through WithStep count as unknown.
func Register(sc *godog.ScenarioContext, envs harness.Factory, opts ...Option) {
	o := options{replyWait: replyWait, profile: profile.Reference(), latencyFactor: 1}
	for _, opt := range opts {
		opt(&o)
	}
	own := make([]*regexp.Regexp, len(o.steps))
	for i, st := range o.steps {
		own[i] = regexp.MustCompile(st.expr)
	}
	known := func(text string) bool {
		if len(Match(text)) > 0 {
			return true
		}
		for _, re := range own {
			if re.MatchString(text) {
				return true
			}
		}
		return false
	}
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		s := &scenarioState{lang: p.Language, replyWait: o.replyWait, profile: o.profile, customers: map[string]*sim.Customer{}, expected: map[string]bool{}, marks: map[string]int{}, seen: map[string]int{}, actedAt: map[string]time.Time{},
			latencyFactor: o.latencyFactor}
		ctx = withState(ctx, s)
		var tags []string
		for _, t := range p.Tags {
			tags = append(tags, t.Name)
		}
		s.info = harness.Scenario{Name: p.Name, URI: p.Uri, Tags: tags}
		env, err := envs.Start(ctx, s.info)
		if err != nil {
			return ctx, fmt.Errorf(pick(p.Language, "starting the environment for %q: %w", "arrancando el entorno de %q: %w"), p.Name, err)
		}
		s.env = env
		return ctx, nil
	})
	sc.After(func(ctx context.Context, p *godog.Scenario, stepErr error) (context.Context, error) {
		s, _ := ctx.Value(stateKey{}).(*scenarioState)
		if s == nil || s.env == nil {
			return ctx, nil
		}
		// A failed step already fails the scenario; the audit still runs so its findings are shown too,
		// and the environment must close either way.
		res, auditErr := s.finalAudit(ctx, stepErr)
		if o.report != nil && res.Err == nil {
			o.report(s.info, res.Audit)
		}
		if o.result != nil {
			o.result(res)
		}
		closeErr := s.env.Close()
		s.env = nil
		if closeErr != nil {
			closeErr = fmt.Errorf(s.say("closing the environment: %w", "cerrando el entorno: %w"), closeErr)
		}
		return ctx, errors.Join(auditErr, closeErr)
	})
	sc.StepContext().Before(func(ctx context.Context, st *godog.Step) (context.Context, error) {
		// After a failed step godog skips the rest; an unknown one among them is not news.
		if s, _ := ctx.Value(stateKey{}).(*scenarioState); s != nil && s.stepFailed() {
			return ctx, nil
		}
		if !known(st.Text) {
			return ctx, undefinedError(st.Text)
		}
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, _ *godog.Step, status godog.StepResultStatus, _ error) (context.Context, error) {
		if s, _ := ctx.Value(stateKey{}).(*scenarioState); s != nil && status != godog.StepPassed {
			s.failStep()
		}
		return ctx, nil
	})
	// The compiled expressions and wrapped functions, shared by every scenario: compiling them again for
	// each one was a third of setting up a scenario.
	for _, c := range compiledDefs() {
		sc.Step(c.en, c.fn)
		if c.def.ES != c.def.EN {
			sc.Step(c.es, c.fn)
		}
	}
	for i, st := range o.steps {
		sc.Step(own[i], st.fn)
	}
}

// Option changes what Register does.
type Option func(*options)

type options struct {
	report    func(harness.Scenario, audit.Report)
	result    func(Result)
	replyWait time.Duration
	profile   profile.Profile
	steps     []ownStep
	// latencyFactor scales the budgets of "within N seconds" steps.
	latencyFactor float64
}

type ownStep struct {
	expr string
	fn   any
}

// WithStep registers a step of your own next to the library's: expr is an anchored regular expression and
// fn a step function as godog takes them (context.Context first, when it needs the scenario's world, and
// an error last). The library's unknown-step check knows it. It must not match a step of the library.
func WithStep(expr string, fn any) Option {
	return func(o *options) { o.steps = append(o.steps, ownStep{expr: expr, fn: fn}) }
}

// WithReplyWait sets how long, in real time, "receives a reply containing" waits for a reply that has
// not arrived when the assistant has settled (default 10 s). Customers' actions already wait for the
// assistant to settle, so a short wait only makes failing runs fail sooner.
func WithReplyWait(d time.Duration) Option {
	return func(o *options) { o.replyWait = d }
}

// WithLatencyFactor scales the budget of every "within N seconds" step by f (1 when not given; below 1
// and not finite are ignored): a runner slower than the machine the budgets were written for, such as a
// loaded CI job, gives 2 or 3. The report records, for each such step, the budget as written, the factor
// and what was measured, so that a reader sees how much was allowed.
func WithLatencyFactor(f float64) Option {
	return func(o *options) {
		if f >= 1 && !math.IsInf(f, 0) {
			o.latencyFactor = f
		}
	}
}

// WithProfile gives the steps the assistant's profile: its business's name, its test data (an order its
// backend knows) and its capabilities. Without it, the reference assistant's (profile.Reference).
func WithProfile(p profile.Profile) Option {
	return func(o *options) { o.profile = p }
}

// WithReport calls f with each scenario's final audit report (from several goroutines when scenarios run
// concurrently), e.g. to check which rules a suite exercised.
func WithReport(f func(harness.Scenario, audit.Report)) Option {
	return func(o *options) { o.report = f }
}

// WithResult calls f with each scenario as played (steps' error, journal, audit, judgement) before its
// environment closes, from several goroutines when scenarios run concurrently: what a runner needs to
// report a scenario without auditing it a second time.
func WithResult(f func(Result)) Option {
	return func(o *options) { o.result = f }
}

// compiled is every definition's regexes, compiled once, for godog and for matching outside it (lint,
// suggestions), and its function as godog calls it (transcriptOnce).
type compiled struct {
	def    Def
	en, es *regexp.Regexp
	fn     any
}

// compiledDefs compiles them once: every step of every scenario is checked against them.
var compiledDefs = sync.OnceValue(func() []compiled {
	var out []compiled
	for _, d := range Defs() {
		out = append(out, compiled{def: d, en: regexp.MustCompile(d.EN), es: regexp.MustCompile(d.ES), fn: transcriptOnce(d.fn)})
	}
	return out
})

// Match returns the definitions whose English or Spanish regex matches the step text: none means the
// step is unknown, more than one that it is ambiguous. The caller must not change the slice.
func Match(text string) []Def {
	if m, ok := matched.Load(text); ok {
		return m.([]Def)
	}
	var out []Def
	for _, c := range compiledDefs() {
		if c.en.MatchString(text) || c.es.MatchString(text) {
			out = append(out, c.def)
		}
	}
	if matchedN.Add(1) <= maxMatched {
		matched.Store(text, out)
	}
	return out
}

// matched remembers what Match found for a step text: a suite checks the same few hundred step texts
// scenario after scenario against every expression, which was a tenth of running it. Up to maxMatched
// texts are kept, so feature files of any size cannot grow it without bound.
var (
	matched  sync.Map // step text → []Def
	matchedN atomic.Int64
)

const maxMatched = 1 << 14

// Suggest returns up to n known step examples closest to text, in either language.
func Suggest(text string, n int) []string {
	var cands []string
	for _, d := range Defs() {
		cands = append(cands, d.ExEN, d.ExES)
	}
	// Compare shapes, not quoted values: "Lucia" vs "Lucía" should not decide which step is meant.
	shape := func(s string) string { return quoted.ReplaceAllString(s, `""`) }
	byShape := map[string]string{}
	var shapes []string
	for _, c := range cands {
		sh := shape(c)
		if _, dup := byShape[sh]; !dup {
			byShape[sh] = c
			shapes = append(shapes, sh)
		}
	}
	var out []string
	for _, sh := range closestLoose(shape(text), shapes, n) {
		out = append(out, byShape[sh])
	}
	return out
}

var quoted = regexp.MustCompile(`"[^"]*"`)

// closestLoose is closest without the cut-off: an unknown step always gets the nearest known ones.
func closestLoose(s string, cands []string, n int) []string {
	if out := closest(s, cands, n); len(out) > 0 {
		return out
	}
	type scored struct {
		c string
		d int
	}
	best := make([]scored, 0, len(cands))
	fs := fold(s)
	for _, c := range cands {
		best = append(best, scored{c, distance(fs, fold(c))})
	}
	for i := range best {
		for j := i + 1; j < len(best); j++ {
			if best[j].d < best[i].d {
				best[i], best[j] = best[j], best[i]
			}
		}
	}
	var out []string
	for i := 0; i < n && i < len(best); i++ {
		out = append(out, best[i].c)
	}
	return out
}

func undefinedError(text string) error {
	var b strings.Builder
	// Not godog.ErrUndefined: godog would then mark the step undefined, which passes outside strict mode.
	fmt.Fprintf(&b, "unknown step %q; the closest known steps are:", text)
	for _, s := range Suggest(text, 3) {
		fmt.Fprintf(&b, "\n    %s", s)
	}
	b.WriteString("\n  (docs/steps.md lists every step in English and Spanish)")
	return errors.New(b.String())
}
