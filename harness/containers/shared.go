package containers

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/shared"
	"github.com/parley-dev/parley/journal"
)

// pullEvery is how often a shared run copies the mocks' new journal events in while it is open, so that a
// scenario waiting to settle sees its customers' answers within a few milliseconds of their happening.
const pullEvery = 20 * time.Millisecond

// Shared is the environment factory that starts one set of containers for the whole run (its network, the
// mocks' container and the assistant's, with one webhook handshake) and plays every scenario in it, as
// an assistant by URL is played (shared.Run): each scenario's customers have numbers of their own, a
// scenario settles on its customers' traffic (on the reference assistant's idle signal as well, when the
// assistant is the image's own, as Env.Settle does), several play at once, and what the assistant does late is
// judged at the end of the run (certify.SharedJournal). Starting containers is most of a scenario's cost,
// so a suite pays it once.
//
// The containers start at the first Preflight or Start; a failure there is remembered and returned to
// every later call (a run whose assistant never started has no scenario that can run). A container that
// stops in the middle of the run fails every scenario from then on with its ContainerError. Close removes
// everything the run created.
type Shared struct {
	o Options

	mu      sync.Mutex
	keep    []string // test customers' numbers kept before the run started
	started bool
	err     error
	env     *Env
	run     *shared.Run
	stop    context.CancelFunc
	pulled  chan struct{} // closed when the journal copier has stopped
}

// NewShared is a shared run with these options; nothing starts until Preflight or Start.
func NewShared(o Options) *Shared { return &Shared{o: o} }

// Preflight starts the run's containers and checks the webhook handshake (certify.Preflighter): an image
// that exits at once, never listens or fails the handshake is reported once, before any scenario.
func (s *Shared) Preflight(ctx context.Context) error {
	_, err := s.running(ctx)
	return err
}

// Start begins a scenario in the run's containers, starting them first if need be. When a container of
// the run has stopped, the scenario cannot run: the error is that container's.
func (s *Shared) Start(ctx context.Context, sc harness.Scenario) (harness.Environment, error) {
	run, err := s.running(ctx)
	if err != nil {
		return nil, err
	}
	if dead := s.Env().deadContainer(ctx, nil, false); dead != nil {
		return nil, dead
	}
	return run.Start(ctx, sc)
}

// running starts the containers once and returns the run over them.
func (s *Shared) running(ctx context.Context) (*shared.Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return s.run, s.err
	}
	s.started = true
	env, err := Start(ctx, s.o)
	if err != nil {
		s.err = err
		return nil, err
	}
	s.env = env
	so := shared.Options{
		Journal: env.journal, Sync: env.Sync, Recorder: env.merge,
		WhatsApp: env.wa, Send: watchedControl{Control: env.wa, e: env}, Dialogflow: env.df, Hooks: env.world.Hooks,
		Explain: func(ctx context.Context, err error) error {
			if dead := env.deadContainer(ctx, err, true); dead != nil {
				return dead
			}
			return err
		},
		Seed: s.o.Seed, Quiet: s.o.Quiet, ReplyWait: s.o.ReplyWait, Audit: s.o.Audit,
	}
	if env.referenceIdle {
		so.Idle = env.botIdle
	}
	s.run = shared.New(so)
	s.run.KeepNumbers(s.keep...)
	pctx, stop := context.WithCancel(context.Background())
	s.stop, s.pulled = stop, make(chan struct{})
	go s.pull(pctx, env)
	return s.run, nil
}

// pull copies the mocks' new journal events in every pullEvery until the run closes.
func (s *Shared) pull(ctx context.Context, env *Env) {
	defer close(s.pulled)
	t := time.NewTicker(pullEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		env.merge.mu.Lock()
		_, _ = env.merge.pull(ctx) // a failure is met again, and reported, where the journal is read
		env.merge.mu.Unlock()
	}
}

// KeepNumbers keeps the numbers of the profile's test customers for them (certify.TestCustomers).
func (s *Shared) KeepNumbers(numbers ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.run != nil {
		s.run.KeepNumbers(numbers...)
		return
	}
	s.keep = append(s.keep, numbers...)
}

// RunEvents is the whole run's journal, brought up to date (certify.SharedJournal).
func (s *Shared) RunEvents(ctx context.Context) ([]journal.Event, error) {
	run, err := s.running(ctx)
	if err != nil {
		return nil, err
	}
	return run.RunEvents(ctx)
}

// RunAuditOptions audit the whole run (shared.Run.RunAuditOptions).
func (s *Shared) RunAuditOptions() audit.Options {
	o := s.o.Audit
	o.CertifyDeployed = false
	return o
}

// Env is the run's environment once it has started (nil before): its containers, control clients and
// journal.
func (s *Shared) Env() *Env {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.env
}

// Close stops copying the journal and removes the run's containers and network.
func (s *Shared) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.env == nil {
		return nil
	}
	s.stop()
	<-s.pulled
	err := s.env.Close()
	s.env = nil
	if s.err == nil {
		s.err = errors.New("containers: the shared run is closed")
	}
	return err
}

var _ harness.Factory = (*Shared)(nil)
