package harness

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/sim"
)

// JourneyResult is one journey played in an environment and audited.
type JourneyResult struct {
	Journey  sim.Journey
	Err      error // the journey's own expectation that failed, or why it could not run
	Events   []journal.Event
	Report   audit.Report
	Duration time.Duration
}

// Passed reports whether the journey's steps held and no rule was broken.
func (r JourneyResult) Passed() bool { return r.Err == nil && len(r.Report.Broken()) == 0 }

// RunJourney starts an environment for s from f, plays journey j in it (Play) and closes it. An empty
// s.Name is the journey's name.
func RunJourney(ctx context.Context, f Factory, s Scenario, j sim.Journey) JourneyResult {
	start := time.Now()
	if s.Name == "" {
		s.Name = j.Name
	}
	env, err := f.Start(ctx, s)
	if err != nil {
		return JourneyResult{Journey: j, Err: fmt.Errorf("starting the environment: %w", err), Duration: time.Since(start)}
	}
	res := Play(ctx, env, j)
	if err := env.Close(); err != nil {
		res.Err = errors.Join(res.Err, fmt.Errorf("closing the environment: %w", err))
	}
	res.Duration = time.Since(start)
	return res
}

// Play plays journey j in env, lets env settle, and audits everything it recorded (Audit). It leaves env
// open, so the caller may look at it before closing it.
func Play(ctx context.Context, env Environment, j sim.Journey) JourneyResult {
	start := time.Now()
	res := JourneyResult{Journey: j}
	res.Err = j.Run(ctx, env.World())
	if err := env.Settle(ctx); err != nil && res.Err == nil {
		res.Err = fmt.Errorf("the run did not settle: %w", err)
	}
	var err error
	res.Events, res.Report, err = Audit(ctx, env)
	res.Err = errors.Join(res.Err, err)
	res.Duration = time.Since(start)
	return res
}

// Audit reads the events env recorded and audits them with env's audit options. Settle env first, so
// that everything the assistant did is judged. The error is why the journal could not be read; the
// report then covers what was read.
func Audit(ctx context.Context, env Environment) ([]journal.Event, audit.Report, error) {
	events, err := env.Events(ctx)
	if err != nil {
		err = fmt.Errorf("reading the journal: %w", err)
	}
	return events, audit.Run(events, env.AuditOptions()), err
}
