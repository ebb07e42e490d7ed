package certify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/profile"
	"github.com/parley-dev/parley/report"
	"github.com/parley-dev/parley/steps"
)

// Plan is a suite with its scenarios chosen: everything that can be refused has been, before any
// scenario runs.
type Plan struct {
	Suite *Suite
	// Tags is the tag expression in force; Filtered says the user gave it (a subset of the suite).
	Tags     string
	Filtered bool
	// Shard is i/n, or empty for the whole selection.
	Shard string
	// Selected are the scenarios this run plays, in suite order; Total how many the tags chose before
	// sharding.
	Selected []Scenario
	Total    int
	// Rerun, when set, is the earlier report this plan reruns (SelectRerun): Run joins its report to it.
	Rerun *Rerun
}

// Select chooses the scenarios of s that tags (empty: the suite's default) and shard (i/n; empty: all)
// select, and makes their names unique.
func Select(s *Suite, tags, shard string) (*Plan, error) {
	p := &Plan{Suite: s, Tags: tags, Filtered: tags != ""}
	if tags == "" {
		p.Tags = s.DefaultTags
	}
	expr, err := ParseTags(p.Tags)
	if err != nil {
		return nil, fmt.Errorf("--tags %q: %w", p.Tags, err)
	}
	var chosen []Scenario
	for _, sc := range uniqueNames(s.list) {
		if expr.Match(sc.Tags) {
			chosen = append(chosen, sc)
		}
	}
	if len(chosen) == 0 {
		return nil, fmt.Errorf("--tags %q selects no scenario of the suite; tags are @<rule id> (e.g. @WA-OPTOUT-01) and @journey, or the features' own tags", p.Tags)
	}
	p.Total = len(chosen)
	i, n, err := ParseShard(shard)
	if err != nil {
		return nil, fmt.Errorf("--shard %q: %w", shard, err)
	}
	if n > 1 {
		p.Shard = shard
	}
	for k, sc := range chosen {
		if k%n == i-1 {
			p.Selected = append(p.Selected, sc)
		}
	}
	if len(p.Selected) == 0 {
		return nil, fmt.Errorf("--shard %s is empty: the suite has only %d scenario(s) after --tags; use fewer shards", shard, len(chosen))
	}
	return p, nil
}

// uniqueNames returns the scenarios with names made unique: names identify scenarios in the report, when
// shards merge and when a report is rerun.
func uniqueNames(list []Scenario) []Scenario {
	out := make([]Scenario, len(list))
	names := map[string]int{}
	for i, sc := range list {
		if names[sc.Name]++; names[sc.Name] > 1 {
			sc.Name = fmt.Sprintf("%s (%d)", sc.Name, names[sc.Name])
		}
		out[i] = sc
	}
	return out
}

// Rerun is an earlier report whose scenarios that failed, could not run or did not reach their goal a
// plan plays again (SelectRerun), and how the new report names it.
type Rerun struct {
	Report report.Report
	Of     report.RerunOf
}

// SelectRerun plans the rerun of an earlier report: the scenarios of s that the report records as
// failed, could not run or goal not reached (report.Replays), found by name and, when the report has
// it, by file and line. It refuses a report of another suite (its hash), one with nothing to replay,
// and one naming a scenario s does not hold. Run joins the new report to the earlier one
// (report.Rerun).
func SelectRerun(s *Suite, r Rerun) (*Plan, error) {
	earlier := r.Report
	if earlier.Suite.SHA256 != s.Info.SHA256 {
		return nil, fmt.Errorf("the report ran another suite (%s %s, not %s %s): a rerun plays the suite the report ran; give the --features it ran, unchanged",
			earlier.Suite.Name, short(earlier.Suite.SHA256), s.Info.Name, short(s.Info.SHA256))
	}
	replay := earlier.ToReplay()
	if len(replay) == 0 {
		return nil, fmt.Errorf("nothing to rerun: no scenario of the report failed, could not run or missed its goal (its verdict: %s)", earlier.Verdict)
	}
	byName := map[string]Scenario{}
	for _, sc := range uniqueNames(s.list) {
		byName[sc.Name] = sc
	}
	p := &Plan{Suite: s, Tags: earlier.Suite.Tags, Filtered: earlier.Suite.Filtered, Total: earlier.Suite.Total, Rerun: &r}
	var missing []string
	for _, old := range replay {
		sc, ok := byName[old.Name]
		if !ok || (old.Path != "" && old.Path != sc.Path) {
			where := ""
			if old.Path != "" {
				where = " (" + old.Path + ")"
			}
			missing = append(missing, fmt.Sprintf("%q%s", old.Name, where))
			continue
		}
		p.Selected = append(p.Selected, sc)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the suite holds no scenario %s that the report names: was the report edited, or made from other features?", strings.Join(missing, ", "))
	}
	// Played in suite order, as a whole run plays them.
	order := map[string]int{}
	for i, sc := range uniqueNames(s.list) {
		order[sc.Name] = i
	}
	slices.SortStableFunc(p.Selected, func(a, b Scenario) int { return cmp.Compare(order[a.Name], order[b.Name]) })
	return p, nil
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// ParseShard reads i/n; the empty string is the whole suite (1/1).
func ParseShard(s string) (i, n int, err error) {
	if s == "" {
		return 1, 1, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, errors.New("want i/n with 1 <= i <= n, e.g. 2/4")
	}
	return i, n, nil
}

// Config is one certification run.
type Config struct {
	Plan *Plan
	// Envs starts each scenario's environment. When it implements Preflighter it is checked first; when
	// it implements SharedJournal its scenarios are audited once more, together, at the end.
	Envs harness.Factory
	// Parallel is how many scenarios (groups of an outline's rows) play at once (default 1); Timeout
	// bounds each (default 2 minutes).
	Parallel int
	Timeout  time.Duration
	// ReplyWait is how long a feature's step waits, once the assistant has settled, for a reply it
	// expects (steps.WithReplyWait; zero: the step library's default).
	ReplyWait time.Duration
	// LatencyFactor scales the budget of every "within N seconds" step (steps.WithLatencyFactor; zero:
	// 1). The report records, for each, the budget, the factor and what was measured.
	LatencyFactor float64
	// Profile is the assistant's profile (package profile). The auditor takes the business's identity
	// from it, the steps its test data and capabilities, and a scenario tagged with a capability or hook
	// it declares absent (@needs-…, @hook-…) is not played: the report shows it as not applicable. The
	// zero value is the reference assistant's, with the auditor's defaults, as without a profile.
	Profile profile.Profile
	// Header is the report's header; Run fills in its suite and its times, and its profile when nil.
	Header report.Header
	// Progress, when set, is called as each scenario ends (from several goroutines at once).
	Progress func(report.Scenario)
}

// Preflighter is an environment factory that can tell, before the first scenario, whether there is an
// assistant to certify at all.
type Preflighter interface {
	Preflight(ctx context.Context) error
}

// SharedJournal is an environment factory whose scenarios all play against one assistant and one journal
// (an assistant by URL). Each scenario is audited over its own part of the journal as it ends; at the end
// of the run the whole journal is audited once more, and every finding that the scenarios' own audits
// did not already hold is attributed to the scenario that owns its customer (the one in whose part the
// customer first appeared) or, for a finding about no customer, the scenario in whose part it began.
// So what an assistant did late, after its scenario ended, is never lost. A request the mocks do not
// model that no scenario's part holds (made between scenarios, before the first or after the last) is
// added to the scenario a finding about no customer would go to, and fails it naming its host and path.
type SharedJournal interface {
	// RunEvents returns the whole run's journal.
	RunEvents(ctx context.Context) ([]journal.Event, error)
	// RunAuditOptions are the auditor's options for the whole journal.
	RunAuditOptions() audit.Options
}

// TestCustomers is an environment factory whose customers get numbers of their own (an assistant by URL):
// the customers of the profile's test data keep theirs, since the assistant's backend knows them by it.
type TestCustomers interface {
	KeepNumbers(numbers ...string)
}

// CouldNotRun is a run that never reached a verdict: the preflight failed, or it was interrupted.
type CouldNotRun struct{ Err error }

func (e *CouldNotRun) Error() string { return e.Err.Error() }
func (e *CouldNotRun) Unwrap() error { return e.Err }

// Run plays the plan's scenarios in parallel, each in a fresh environment from cfg.Envs, decides each
// scenario's status with report.Status and builds the report. The scenarios the profile makes not
// applicable are not played. When the environments share one assistant (SharedJournal), a scenario that
// changes what every scenario sees (Scenario.Alone) plays alone, after the others. The error is a
// *CouldNotRun when no verdict could be reached.
func Run(ctx context.Context, cfg Config) (report.Report, error) {
	p := cfg.Plan
	started := time.Now()
	prof, builtin := cfg.Profile, cfg.Profile.Version == ""
	envs, shared := cfg.Envs, SharedJournal(nil)
	if sj, ok := cfg.Envs.(SharedJournal); ok {
		shared = sj
	}
	if builtin {
		prof = profile.Reference()
	} else {
		if err := prof.Validate(); err != nil {
			return report.Report{}, &CouldNotRun{Err: fmt.Errorf("the assistant's profile: %w", err)}
		}
		envs = profiledEnvs{next: cfg.Envs, p: prof}
		if shared != nil {
			shared = profiledJournal{SharedJournal: shared, p: prof}
		}
	}
	if cfg.Parallel < 1 {
		cfg.Parallel = 1
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if tc, ok := cfg.Envs.(TestCustomers); ok {
		for _, o := range prof.TestData.Orders {
			tc.KeepNumbers(o.Customer)
		}
	}
	if pf, ok := cfg.Envs.(Preflighter); ok {
		if err := pf.Preflight(ctx); err != nil {
			return report.Report{}, &CouldNotRun{Err: err}
		}
	}
	outs := make([]report.Outcome, len(p.Selected))
	var groups [][]int
	for _, g := range groupsOf(p.Selected) {
		var kept []int
		for _, i := range g {
			sc := p.Selected[i]
			if lacks := prof.Lacks(sc.Tags); len(lacks) > 0 {
				outs[i] = report.Outcome{Name: sc.Name, Path: sc.Path, Tags: sc.Tags, Exercises: sc.Rules, Started: time.Now(),
					Err: &report.NotApplicable{Capability: strings.Join(lacks, ", ")}}
				if cfg.Progress != nil {
					cfg.Progress(report.NewScenario(outs[i]))
				}
				continue
			}
			kept = append(kept, i)
		}
		if len(kept) > 0 {
			groups = append(groups, kept)
		}
	}
	// Against one shared assistant (SharedJournal), a group that changes what every scenario sees plays
	// alone: it holds the lock that every other group shares. Those groups come last, so the others play
	// at once first. Within that, the groups that wait on the wall clock start first: their waiting then
	// overlaps the other groups' work instead of coming after it. Outcomes keep the plan's order whatever
	// the order of play.
	var turns sync.RWMutex
	oneAssistant := shared != nil
	slices.SortStableFunc(groups, func(a, b []int) int {
		if oneAssistant {
			if c := cmp.Compare(alone(p, a), alone(p, b)); c != 0 {
				return c
			}
		}
		return cmp.Compare(waits(p, b), waits(p, a))
	})
	type turn struct {
		idx    []int
		unlock func()
	}
	work := make(chan turn)
	var wg sync.WaitGroup
	for range min(cfg.Parallel, len(groups)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range work {
				idx := t.idx
				rows := make([]Scenario, len(idx))
				for k, i := range idx {
					rows[k] = p.Selected[i]
				}
				gctx, cancel := context.WithTimeout(ctx, cfg.Timeout*time.Duration(len(rows)))
				played := p.Suite.play(gctx, playing{envs: envs, replyWait: cfg.ReplyWait, profile: prof, latencyFactor: cfg.LatencyFactor}, rows[0].group, rows)
				cancel()
				t.unlock()
				for k, i := range idx {
					played[k].Name = p.Selected[i].Name // made unique by Select
					played[k].Path = p.Selected[i].Path
					outs[i] = played[k]
					if cfg.Progress != nil {
						cfg.Progress(report.NewScenario(outs[i]))
					}
				}
			}
		}()
	}
	// The turn is taken here, in the order of groups, and given back by the worker that played the group:
	// taken by the workers, a group that plays alone could get the lock before one dispatched earlier
	// that shares it.
	for _, g := range groups {
		unlock := take(&turns, oneAssistant, alone(p, g) == 1)
		select {
		case work <- turn{g, unlock}:
		case <-ctx.Done():
			unlock()
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if ctx.Err() != nil {
		return report.Report{}, &CouldNotRun{Err: fmt.Errorf("interrupted (%v); no report written", context.Cause(ctx))}
	}
	if shared != nil {
		if err := attributeLate(ctx, shared, outs); err != nil {
			return report.Report{}, &CouldNotRun{Err: fmt.Errorf("auditing the whole run: %w", err)}
		}
	}
	scenarios := make([]report.Scenario, len(outs))
	for i, o := range outs {
		scenarios[i] = report.NewScenario(o)
	}
	h := cfg.Header
	h.Suite = p.Suite.Info
	h.Suite.Tags, h.Suite.Filtered, h.Suite.Total, h.Suite.Shard = p.Tags, p.Filtered, p.Total, p.Shard
	h.StartedAt, h.FinishedAt = started, time.Now()
	if h.Profile == nil {
		h.Profile = &report.ProfileInfo{Business: prof.Business.Name, Controller: prof.Business.Controller, Builtin: builtin}
	}
	rep := report.Build(h, report.Catalogue(), scenarios)
	if p.Rerun != nil {
		joined, err := report.Rerun(p.Rerun.Report, p.Rerun.Of, rep)
		if err != nil {
			return report.Report{}, &CouldNotRun{Err: fmt.Errorf("joining the rerun to the earlier report: %w", err)}
		}
		return joined, nil
	}
	return rep, nil
}

// groupsOf gathers the scenarios, by index, into the groups that play together (an outline's rows, in
// order), in the order of their first scenario.
func groupsOf(selected []Scenario) [][]int {
	var groups [][]int
	at := map[string]int{}
	for i, sc := range selected {
		g, ok := at[sc.group]
		if !ok {
			g = len(groups)
			at[sc.group] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

// alone is 1 when a scenario of the group must play alone, 0 otherwise (a sort key).
func alone(p *Plan, group []int) int {
	for _, i := range group {
		if p.Selected[i].Alone {
			return 1
		}
	}
	return 0
}

// waits is 1 when a scenario of the group waits on the wall clock, 0 otherwise (a sort key).
func waits(p *Plan, group []int) int {
	for _, i := range group {
		if p.Selected[i].Waits {
			return 1
		}
	}
	return 0
}

// take takes the run's turn for a group: the whole lock for one that plays alone, a share of it for
// the others; nothing when scenarios share no assistant. It returns what gives the turn back.
func take(turns *sync.RWMutex, shared, alone bool) (unlock func()) {
	switch {
	case !shared:
		return func() {}
	case alone:
		turns.Lock()
		return turns.Unlock
	}
	turns.RLock()
	return turns.RUnlock
}

// playing is what a suite needs to play a group of scenarios.
type playing struct {
	envs          harness.Factory
	replyWait     time.Duration
	profile       profile.Profile
	latencyFactor float64
}

// stepOptions are the step library's options for a run.
func (p playing) stepOptions() []steps.Option {
	opts := []steps.Option{steps.WithProfile(p.profile)}
	if p.replyWait > 0 {
		opts = append(opts, steps.WithReplyWait(p.replyWait))
	}
	if p.latencyFactor > 0 {
		opts = append(opts, steps.WithLatencyFactor(p.latencyFactor))
	}
	return opts
}

// attributeLate audits the whole shared journal and adds to each scenario the findings its own audit did
// not hold (see SharedJournal).
func attributeLate(ctx context.Context, sj SharedJournal, outs []report.Outcome) error {
	events, err := sj.RunEvents(ctx)
	if err != nil {
		return err
	}
	type span struct{ from, to uint64 }
	spans := make([]span, len(outs))
	owners := map[string][]int{} // customer → the scenarios with their events, by where they begin
	for i, o := range outs {
		if len(o.Events) == 0 {
			continue
		}
		spans[i] = span{o.Events[0].Seq, o.Events[len(o.Events)-1].Seq}
		for _, e := range o.Events {
			if e.Customer != "" && !slices.Contains(owners[e.Customer], i) {
				owners[e.Customer] = append(owners[e.Customer], i)
			}
		}
	}
	for _, idx := range owners {
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(spans[a].from, spans[b].from) })
	}
	// in is the scenario a finding about no customer belongs to: the one whose part of the journal holds
	// its first event or, for one made after every scenario ended (or between two), the last that began
	// before it, so that no finding is dropped. -1 only when no scenario played.
	in := func(seq uint64) int {
		at := -1
		for i, s := range spans {
			switch {
			case s.to == 0:
				continue
			case seq >= s.from && seq <= s.to:
				return i
			case s.from <= seq && (at < 0 || s.from > spans[at].from):
				at = i
			}
		}
		if at < 0 { // before every scenario: the first to begin
			for i, s := range spans {
				if s.to != 0 && (at < 0 || s.from < spans[at].from) {
					at = i
				}
			}
		}
		return at
	}
	// owner is the scenario a customer's finding belongs to: the one in which the customer appeared, or,
	// for a customer several scenarios share (the test data's, who keep their number), the last of them
	// that began before the finding's first event.
	owner := func(customer string, seq uint64) (int, bool) {
		idx, ok := owners[customer]
		if !ok {
			return 0, false
		}
		at := idx[0]
		for _, i := range idx[1:] {
			if spans[i].from <= seq {
				at = i
			}
		}
		return at, true
	}
	bySeq := make(map[uint64]journal.Event, len(events))
	for _, e := range events {
		bySeq[e.Seq] = e
	}
	// A request the mocks do not model fails the scenario whose part of the journal holds it; one made
	// in none (between two scenarios, before the first or after the last) fails the one it is given
	// to as a finding about no customer is, so that no unmodelled call goes unjudged.
	held := map[uint64]bool{}
	for _, o := range outs {
		for _, e := range o.Events {
			held[e.Seq] = true
		}
	}
	for _, e := range events {
		if e.Kind != journal.KindUnmodelled || held[e.Seq] {
			continue
		}
		if i := in(e.Seq); i >= 0 {
			withEvidence(&outs[i], []uint64{e.Seq}, bySeq)
		}
	}
	whole := audit.Run(events, sj.RunAuditOptions())
	for _, res := range whole.Results {
		for _, f := range res.Findings {
			if f.Severity == audit.SeverityInfo || len(f.Seqs) == 0 {
				continue
			}
			i, ok := owner(f.Customer, f.Seqs[0])
			if !ok || f.Customer == "" {
				i = in(f.Seqs[0])
			}
			if i < 0 {
				continue
			}
			if addFinding(&outs[i], res, f) {
				withEvidence(&outs[i], f.Seqs, bySeq)
			}
		}
	}
	return nil
}

// withEvidence adds to the scenario's events those of seqs it does not hold (what happened after it
// ended), in order, so that the report shows them as the finding's evidence.
func withEvidence(o *report.Outcome, seqs []uint64, bySeq map[uint64]journal.Event) {
	added := false
	for _, seq := range seqs {
		if !slices.ContainsFunc(o.Events, func(e journal.Event) bool { return e.Seq == seq }) {
			if e, ok := bySeq[seq]; ok {
				o.Events = append(o.Events, e)
				added = true
			}
		}
	}
	if added {
		slices.SortFunc(o.Events, func(a, b journal.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	}
}

// addFinding adds f to the scenario's audit unless it holds a finding of the same rule, customer and
// offending act; the rule is then broken in that scenario. It reports whether it added it.
func addFinding(o *report.Outcome, res audit.Result, f audit.Finding) bool {
	for k := range o.Audit.Results {
		r := &o.Audit.Results[k]
		if r.Rule != res.Rule {
			continue
		}
		if slices.ContainsFunc(r.Findings, func(g audit.Finding) bool {
			return g.Customer == f.Customer && len(g.Seqs) > 0 && g.Seqs[0] == f.Seqs[0]
		}) {
			return false
		}
		r.Findings = append(r.Findings, f)
		r.Status = audit.Broken
		return true
	}
	res.Findings, res.Status = []audit.Finding{f}, audit.Broken
	o.Audit.Results = append(o.Audit.Results, res)
	return true
}
