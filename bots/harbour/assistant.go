package harbour

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Assistant is Harbour Books' WhatsApp assistant. Its Handler serves the webhook and the certification
// hooks; each customer's messages are handled in order, customers in parallel.
type Assistant struct {
	settings Settings
	log      *slog.Logger
	wa       *graph
	brain    brain
	book     *ledger
	orders   map[string]order

	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	queues  map[string][]func(context.Context) // per customer, run by one worker each
	busy    int                                // jobs queued or running
	settled *sync.Cond                         // signalled when busy drops to 0
	closed  bool
	workers sync.WaitGroup

	clockMu sync.Mutex
	latest  time.Time // the latest time a webhook or hook told: parley's clock when it runs one

	seenMu sync.Mutex
	seen   map[string]bool // wamids already handled (WhatsApp redelivers)
	order  []string
}

// New builds the assistant from the bot contract and dials Dialogflow and Cloud DLP (the clients
// connect on first use).
func New(s Settings, opts ...Option) (*Assistant, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	g, err := dial(ctx, s)
	if err != nil {
		cancel()
		return nil, err
	}
	return build(ctx, cancel, s, g, opts...), nil
}

func build(ctx context.Context, cancel context.CancelFunc, s Settings, b brain, opts ...Option) *Assistant {
	a := &Assistant{
		settings: s,
		log:      slog.Default(),
		wa: &graph{base: s.GraphURL, version: s.GraphVersion, phoneID: s.PhoneID, token: s.Token,
			http: &http.Client{Timeout: 15 * time.Second}, backoff: 400 * time.Millisecond},
		brain:  b,
		book:   newLedger(s.AppSecret),
		orders: testOrders(),
		ctx:    ctx,
		cancel: cancel,
		queues: map[string][]func(context.Context){},
		seen:   map[string]bool{},
	}
	a.settled = sync.NewCond(&a.mu)
	for _, o := range opts {
		o(a)
	}
	a.log = a.log.With("assistant", "harbour")
	return a
}

// Close stops taking work, lets the jobs already queued finish and closes the Google clients.
func (a *Assistant) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.mu.Unlock()
	a.workers.Wait()
	a.cancel()
	return a.brain.close()
}

// Settle waits until every job accepted so far has run, or ctx ends.
func (a *Assistant) Settle(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.settled.Broadcast()
	})
	defer stop()
	a.mu.Lock()
	defer a.mu.Unlock()
	for a.busy > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("harbour: still busy: %w", err)
		}
		a.settled.Wait()
	}
	return nil
}

// errClosing answers work offered after Close began.
var errClosing = fmt.Errorf("harbour: closing")

// queue runs job after the customer's earlier jobs, and returns a channel closed when it has run.
func (a *Assistant) queue(waID string, job func(context.Context)) (<-chan struct{}, error) {
	done := make(chan struct{})
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, errClosing
	}
	a.busy++
	_, running := a.queues[waID]
	a.queues[waID] = append(a.queues[waID], func(ctx context.Context) {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				a.log.Error("a job failed; the customer's next message is handled normally", "panic", fmt.Sprint(r))
			}
		}()
		job(ctx)
	})
	if !running {
		a.workers.Add(1)
		go a.work(waID)
	}
	return done, nil
}

func (a *Assistant) work(waID string) {
	defer a.workers.Done()
	for {
		a.mu.Lock()
		jobs := a.queues[waID]
		if len(jobs) == 0 {
			delete(a.queues, waID)
			a.mu.Unlock()
			return
		}
		job := jobs[0]
		a.queues[waID] = jobs[1:]
		a.mu.Unlock()

		job(a.ctx)

		a.mu.Lock()
		a.busy--
		if a.busy == 0 {
			a.settled.Broadcast()
		}
		a.mu.Unlock()
	}
}

// told moves the assistant's clock to t when t is later: webhook timestamps and hook times are the
// caller's clock, which parley runs in simulated time.
func (a *Assistant) told(t time.Time) {
	if t.IsZero() || t.Year() < 2000 {
		return
	}
	a.clockMu.Lock()
	defer a.clockMu.Unlock()
	if t.After(a.latest) {
		a.latest = t
	}
}

// now is the latest time told, or the wall clock before anything was.
func (a *Assistant) now() time.Time {
	a.clockMu.Lock()
	defer a.clockMu.Unlock()
	if a.latest.IsZero() {
		return time.Now().UTC()
	}
	return a.latest
}

// firstTime reports whether the wamid is new, and remembers it (the last 10,000).
func (a *Assistant) firstTime(wamid string) bool {
	if wamid == "" {
		return true
	}
	a.seenMu.Lock()
	defer a.seenMu.Unlock()
	if a.seen[wamid] {
		return false
	}
	a.seen[wamid] = true
	a.order = append(a.order, wamid)
	if len(a.order) > 10000 {
		delete(a.seen, a.order[0])
		a.order = a.order[1:]
	}
	return true
}
