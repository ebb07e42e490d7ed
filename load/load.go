package load

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/sim"
)

// Shard is one part of a run split by customer, numbered from 1 as `parley certify --shard` numbers
// them: customer k (from 0) belongs to shard k mod Count + 1. The zero value is the whole run.
type Shard struct {
	Index, Count int
}

// ParseShard reads "i/n" (1 ≤ i ≤ n); "" is the whole run.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{1, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 1 <= i <= n, e.g. 2/4", s)
	}
	return Shard{i, n}, nil
}

func (s Shard) String() string {
	if s.Count == 0 {
		return "1/1"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

func (s Shard) owns(k int) bool { return s.Count <= 1 || k%s.Count == s.Index-1 }

// Config is one load run.
type Config struct {
	// Customers is how many customers play at once (across all shards). Without a Duration each plays one
	// journey; with one, each plays journeys back to back, each time as a new person, until it is over.
	Customers int
	Duration  time.Duration
	// Rate is how many journeys start per second across all shards (0: all customers start at once).
	Rate float64
	Mix  Mix // nil: DefaultMix
	// Shard selects this process's customers.
	Shard Shard
	// Seed draws each customer's journey; the same seed plays the same journeys.
	Seed int64
	// TurnTimeout bounds the wait for one answer (default 30s).
	TurnTimeout time.Duration
	// Think is how long a customer takes between an answer and their next message (on average; each
	// pause is drawn from [Think/2, 3·Think/2)). 0: they answer at once.
	Think time.Duration
	// Progress, when set, is called every ProgressEvery (default 1s) from the engine's goroutine.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// SyncEvery is how often the run brings the environment's journal up to date when the mocks keep it
	// elsewhere (default 20ms), to see replies arrive.
	SyncEvery time.Duration
}

// Environment is what a run plays against: an environment whose journal is kept in this process and can
// be followed as it grows, so that each reply is timed as it arrives (embedded and containers
// environments are).
type Environment interface {
	harness.Environment
	// Journal is the environment's journal in this process.
	Journal() *journal.Journal
	// Sync brings Journal up to date with the journals the mocks keep elsewhere (containers); where the
	// mocks record into Journal itself it does nothing. The run calls it every Config.SyncEvery.
	Sync(ctx context.Context) error
}

// Progress is a snapshot of a running load.
type Progress struct {
	Elapsed        time.Duration
	Started, Done  int // journeys
	Active         int // customers playing now
	Turns          int
	TurnsPerSecond float64 // since the previous snapshot
	P50, P99       time.Duration
	Errors         int
}

// Summary is the result of a run (or of merged shards).
type Summary struct {
	Shard          string         `json:"shard"`
	Shards         int            `json:"shards"` // how many summaries were merged into this one
	Customers      int            `json:"customers"`
	PeakActive     int            `json:"peak_active"` // most customers in a journey at once (summed over shards)
	Journeys       map[string]int `json:"journeys"`    // journeys played, by name
	JourneyErrors  int            `json:"journey_errors"`
	Errors         map[string]int `json:"errors,omitempty"` // why journeys failed (first line), by count
	Turns          int            `json:"turns"`
	Wall           Seconds        `json:"wall_s"`
	TurnsPerSecond float64        `json:"turns_per_second"`
	P50            Millis         `json:"p50_ms"`
	P95            Millis         `json:"p95_ms"`
	P99            Millis         `json:"p99_ms"`
	Max            Millis         `json:"max_ms"`
	Latency        Histogram      `json:"latency"`
	Messages       Accounting     `json:"messages"`
	Lost           int            `json:"lost"`
	Events         int            `json:"events"`
	Audit          AuditSummary   `json:"audit"`
}

// Seconds is a duration that reads as seconds in JSON.
type Seconds float64

// Millis is a duration that reads as milliseconds in JSON.
type Millis float64

func millis(d time.Duration) Millis { return Millis(float64(d) / float64(time.Millisecond)) }

// AuditSummary is the audit of the whole run, by rule.
type AuditSummary struct {
	Broken []string               `json:"broken,omitempty"` // rule ids broken, sorted
	Rules  map[string]RuleOutcome `json:"rules"`
}

// RuleOutcome is one rule over the run.
type RuleOutcome struct {
	Status    audit.Status `json:"status"`
	Exercised int          `json:"exercised"`
	Findings  int          `json:"findings"`
}

// Passed reports whether every message was accounted for, every journey finished and no rule broke.
func (s Summary) Passed() bool {
	return s.Lost == 0 && s.JourneyErrors == 0 && len(s.Audit.Broken) == 0
}

// WaID is the phone number of customer k's r-th journey: Spanish mobile numbers, unique per (k, r), the
// same in every shard.
func WaID(k, r int) string { return fmt.Sprintf("347%02d%07d", r%100, k) }

// journeyOf draws the journey of customer k's r-th round from the mix.
func journeyOf(m Mix, seed int64, k, r int) string {
	return m.pick(unit(seed, k, r, -1))
}

// unit is a number in [0,1) fixed by its arguments: the same on every machine and in every shard.
func unit(seed int64, k, r, turn int) float64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d/%d/%d", seed, k, r, turn)
	return float64(h.Sum64()>>11) / float64(1<<53)
}

// Run plays cfg against t, waits for everything to settle, and accounts for every message. It returns an
// error only when the run could not be made; failed journeys, lost messages and broken rules are in the
// summary.
func Run(ctx context.Context, env Environment, cfg Config) (Summary, error) {
	if cfg.Customers < 1 {
		return Summary{}, errors.New("load: need at least one customer")
	}
	if cfg.Mix == nil {
		cfg.Mix = DefaultMix()
	}
	if err := cfg.Mix.Validate(); err != nil {
		return Summary{}, err
	}
	if cfg.TurnTimeout <= 0 {
		cfg.TurnTimeout = 30 * time.Second
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = time.Second
	}
	if cfg.Rate < 0 || cfg.Duration < 0 || cfg.Think < 0 {
		return Summary{}, errors.New("load: rate, duration and think time must not be negative")
	}
	if cfg.SyncEvery <= 0 {
		cfg.SyncEvery = 20 * time.Millisecond
	}
	if env == nil || env.World() == nil || env.Journal() == nil {
		return Summary{}, errors.New("load: the environment needs a world and a journal")
	}

	var mine []int
	for k := 0; k < cfg.Customers; k++ {
		if cfg.Shard.owns(k) {
			mine = append(mine, k)
		}
	}

	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	w := newWatcher(env.Journal(), env.Sync, cfg.SyncEvery)
	go w.run(wctx)

	r := &recorder{journeys: map[string]int{}, errors: map[string]int{}}
	start := time.Now()
	var deadline time.Time
	if cfg.Duration > 0 {
		deadline = start.Add(cfg.Duration)
	}
	perShard := cfg.Rate
	if cfg.Shard.Count > 1 {
		perShard = cfg.Rate / float64(cfg.Shard.Count)
	}
	// Arrivals: the n-th journey of this shard may start at start + n/rate. A token channel fed by one
	// goroutine keeps the schedule exact however many customers wait.
	var gate func(context.Context) bool
	if perShard > 0 {
		tokens := make(chan struct{})
		go func() {
			for n := 0; ; n++ {
				at := start.Add(time.Duration(float64(n) / perShard * float64(time.Second)))
				if d := time.Until(at); d > 0 {
					tm := time.NewTimer(d)
					select {
					case <-tm.C:
					case <-wctx.Done():
						tm.Stop()
						return
					}
				}
				select {
				case tokens <- struct{}{}:
				case <-wctx.Done():
					return
				}
			}
		}()
		gate = func(ctx context.Context) bool {
			select {
			case <-tokens:
				return true
			case <-ctx.Done():
				return false
			}
		}
	}

	progressDone := make(chan struct{})
	if cfg.Progress != nil {
		go func() {
			defer close(progressDone)
			tk := time.NewTicker(cfg.ProgressEvery)
			defer tk.Stop()
			lastTurns, lastAt := 0, start
			for {
				select {
				case <-tk.C:
				case <-wctx.Done():
					return
				}
				p := r.progress(start)
				now := time.Now()
				p.TurnsPerSecond = float64(p.Turns-lastTurns) / now.Sub(lastAt).Seconds()
				lastTurns, lastAt = p.Turns, now
				cfg.Progress(p)
			}
		}()
	} else {
		close(progressDone)
	}

	var wg sync.WaitGroup
	for _, k := range mine {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; ; round++ {
				if round > 0 && (deadline.IsZero() || !time.Now().Before(deadline)) {
					return
				}
				if gate != nil && !gate(ctx) {
					return
				}
				if ctx.Err() != nil {
					return
				}
				r.play(ctx, env, w, cfg, k, round)
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)

	sum := Summary{Shard: cfg.Shard.String(), Shards: 1, Customers: len(mine), Wall: Seconds(wall.Seconds())}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if err := env.Settle(sctx); err != nil {
		r.fail(fmt.Errorf("the run did not settle: %w", err))
	}
	events, report, err := harness.Audit(sctx, env)
	if err != nil {
		r.fail(err)
	}
	stopWatch()
	<-progressDone

	sum.Events = len(events)
	sum.Messages = Account(events)
	sum.Messages.OnPhones = 0
	for _, waID := range r.customers() {
		inbox, err := env.World().WhatsApp.Inbox(sctx, waID)
		if err != nil {
			sum.Messages.OnPhones = -1
			r.fail(fmt.Errorf("counting the phones: %w", err))
			break
		}
		sum.Messages.OnPhones += len(inbox)
	}
	sum.Audit = summarize(report)
	r.fill(&sum)
	return sum, nil
}

// recorder collects what the customers did; everything behind one mutex but the counters.
type recorder struct {
	started, done, active, turns, failed atomic.Int64
	peak                                 atomic.Int64 // most customers in a journey at once

	mu       sync.Mutex
	hist     Histogram
	journeys map[string]int
	errors   map[string]int
	waIDs    []string
}

func (r *recorder) play(ctx context.Context, env Environment, w *watcher, cfg Config, k, round int) {
	name := journeyOf(cfg.Mix, cfg.Seed, k, round)
	waID := WaID(k, round)
	r.started.Add(1)
	for n := r.active.Add(1); ; {
		p := r.peak.Load()
		if n <= p || r.peak.CompareAndSwap(p, n) {
			break
		}
	}
	defer r.active.Add(-1)
	defer r.done.Add(1)
	r.mu.Lock()
	r.journeys[name]++
	r.waIDs = append(r.waIDs, waID)
	r.mu.Unlock()
	// Each customer awaits their own replies (the watcher): under load the world as a whole is never still.
	c, err := env.World().NewCustomer(sim.Persona{WaID: waID, Name: fmt.Sprintf("Cliente %d", k), Lang: "es"}, sim.NoWait())
	if err != nil {
		r.fail(err)
		return
	}
	pl := &player{c: c, p: w.phone(waID), turnTimeout: cfg.TurnTimeout, turn: r.turn, think: cfg.Think,
		jitter: func(turn int) float64 { return unit(cfg.Seed, k, round, turn) }}
	if err := journeys[name](ctx, pl); err != nil {
		r.fail(fmt.Errorf("%s, %s: %w", name, waID, err))
	}
}

func (r *recorder) turn(d time.Duration) {
	r.turns.Add(1)
	r.mu.Lock()
	r.hist.Add(d)
	r.mu.Unlock()
}

func (r *recorder) fail(err error) {
	r.failed.Add(1)
	msg, _, _ := strings.Cut(err.Error(), "\n")
	// Group by the error without the customer's number, so a thousand alike read as one line.
	key := msg
	if i := strings.Index(msg, ", 347"); i >= 0 {
		if j := strings.Index(msg[i+2:], ":"); j >= 0 {
			key = msg[:i] + msg[i+2+j:]
		}
	}
	r.mu.Lock()
	r.errors[key]++
	r.mu.Unlock()
}

func (r *recorder) customers() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.waIDs...)
}

func (r *recorder) progress(start time.Time) Progress {
	r.mu.Lock()
	p50, p99 := r.hist.Quantile(0.5), r.hist.Quantile(0.99)
	r.mu.Unlock()
	return Progress{
		Elapsed: time.Since(start), Started: int(r.started.Load()), Done: int(r.done.Load()),
		Active: int(r.active.Load()), Turns: int(r.turns.Load()), P50: p50, P99: p99, Errors: int(r.failed.Load()),
	}
}

func (r *recorder) fill(s *Summary) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s.Journeys = r.journeys
	s.Errors = r.errors
	s.JourneyErrors = int(r.failed.Load())
	s.PeakActive = int(r.peak.Load())
	s.Latency = r.hist
	s.finish()
}

// finish derives the figures that follow from the counts.
func (s *Summary) finish() {
	s.Turns = int(s.Latency.N)
	if s.Wall > 0 {
		s.TurnsPerSecond = float64(s.Turns) / float64(s.Wall)
	}
	s.P50, s.P95, s.P99 = millis(s.Latency.Quantile(0.5)), millis(s.Latency.Quantile(0.95)), millis(s.Latency.Quantile(0.99))
	s.Max = millis(s.Latency.Max)
	s.Lost = s.Messages.Lost()
}

func summarize(rep audit.Report) AuditSummary {
	a := AuditSummary{Rules: map[string]RuleOutcome{}}
	for _, res := range rep.Results {
		a.Rules[res.Rule] = RuleOutcome{Status: res.Status, Exercised: res.Exercised, Findings: len(res.Findings)}
		if res.Status == audit.Broken {
			a.Broken = append(a.Broken, res.Rule)
		}
	}
	sort.Strings(a.Broken)
	return a
}

// Merge joins the summaries of the shards of one run. Counts add up, latency histograms merge (so the
// percentiles are the run's), wall time is the longest shard's, and a rule is broken if any shard broke
// it, passed if any passed and none broke it.
func Merge(parts []Summary) (Summary, error) {
	if len(parts) == 0 {
		return Summary{}, errors.New("load: nothing to merge")
	}
	out := Summary{Shard: "merged", Journeys: map[string]int{}, Errors: map[string]int{}, Audit: AuditSummary{Rules: map[string]RuleOutcome{}}}
	out.Messages.OnPhones = 0
	seen := map[string]bool{}
	for _, p := range parts {
		if p.Shard != "" && p.Shard != "merged" {
			if seen[p.Shard] {
				return Summary{}, fmt.Errorf("load: shard %s appears twice", p.Shard)
			}
			seen[p.Shard] = true
		}
		out.Shards += max(p.Shards, 1)
		out.Customers += p.Customers
		out.PeakActive += p.PeakActive // an upper bound: the shards' peaks need not coincide
		for n, c := range p.Journeys {
			out.Journeys[n] += c
		}
		for n, c := range p.Errors {
			out.Errors[n] += c
		}
		out.JourneyErrors += p.JourneyErrors
		out.Wall = max(out.Wall, p.Wall)
		out.Latency.Merge(p.Latency)
		out.Messages.merge(p.Messages)
		out.Events += p.Events
		for id, ro := range p.Audit.Rules {
			cur, ok := out.Audit.Rules[id]
			if !ok {
				cur = ro
			} else {
				cur.Exercised += ro.Exercised
				cur.Findings += ro.Findings
				cur.Status = worse(cur.Status, ro.Status)
			}
			out.Audit.Rules[id] = cur
		}
	}
	for id, ro := range out.Audit.Rules {
		if ro.Status == audit.Broken {
			out.Audit.Broken = append(out.Audit.Broken, id)
		}
	}
	sort.Strings(out.Audit.Broken)
	if len(out.Errors) == 0 {
		out.Errors = nil
	}
	out.finish()
	return out, nil
}

func worse(a, b audit.Status) audit.Status {
	rank := map[audit.Status]int{audit.NotExercised: 0, audit.Passed: 1, audit.Broken: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}
