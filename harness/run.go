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

// JourneyResult is one journey run in a fresh embedded environment and audited.
type JourneyResult struct {
	Journey  sim.Journey
	Err      error // the journey's own expectation that failed, or why it could not run
	Events   []journal.Event
	Report   audit.Report
	Duration time.Duration
}

// Passed reports whether the journey's steps held and no rule was broken.
func (r JourneyResult) Passed() bool { return r.Err == nil && len(r.Report.Broken()) == 0 }

// RunJourney starts a fresh embedded environment, plays journey j in it, lets it settle, and audits
// everything the journal recorded. The environment is closed before it returns.
func RunJourney(ctx context.Context, o Options, j sim.Journey, ao audit.Options) JourneyResult {
	start := time.Now()
	res := JourneyResult{Journey: j}
	env, err := StartEmbedded(ctx, o)
	if err != nil {
		res.Err = fmt.Errorf("starting the environment: %w", err)
		return res
	}
	res.Err = j.Run(ctx, env.World)
	if err := env.Settle(ctx); err != nil && res.Err == nil {
		res.Err = fmt.Errorf("the run did not settle: %w", err)
	}
	if err := env.Close(); err != nil {
		res.Err = errors.Join(res.Err, fmt.Errorf("closing the environment: %w", err))
	}
	res.Events = env.Journal.Events()
	res.Report = audit.Run(res.Events, ao)
	res.Duration = time.Since(start)
	return res
}
