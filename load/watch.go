package load

import (
	"context"
	"sync"
	"time"

	"github.com/parley-dev/parley/journal"
)

// arrival is one message of the assistant accepted by the WhatsApp mock for a customer.
type arrival struct {
	at      time.Time // wall time the watcher saw it
	typ     string
	text    string
	buttons []string
}

// phone is what one customer has received so far.
type phone struct {
	mu     sync.Mutex
	got    []arrival
	signal chan struct{} // one pending wake-up; the watcher never blocks on it
}

// watcher tails the journal and files each accepted send under its customer. One goroutine reads the
// journal and wakes only the customer concerned: with thousands of customers waiting, waking them all on
// every change (as a shared condition does) costs more than the conversation itself.
type watcher struct {
	j      *journal.Journal
	sync   func(context.Context) error // brings j up to date where the mocks keep their journal elsewhere
	every  time.Duration
	mu     sync.Mutex
	phones map[string]*phone
}

func newWatcher(j *journal.Journal, sync func(context.Context) error, every time.Duration) *watcher {
	return &watcher{j: j, sync: sync, every: every, phones: map[string]*phone{}}
}

// phone returns the phone of waID, registering it; register before the customer's first message.
func (w *watcher) phone(waID string) *phone {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.phones[waID]
	if p == nil {
		p = &phone{signal: make(chan struct{}, 1)}
		w.phones[waID] = p
	}
	return p
}

func (w *watcher) run(ctx context.Context) {
	var last uint64
	tick := time.NewTicker(w.every)
	defer tick.Stop()
	for {
		// An error here (a mock restarting) is retried at the next tick; the accounting at the end syncs
		// again and reports it.
		_ = w.sync(ctx)
		// Taken after syncing, so that what the sync itself appended does not wake us at once (the ticker
		// paces the fetches from mocks elsewhere), and before reading, so that an append in between does.
		changed := w.j.Changed()
		evs := w.j.After(last)
		now := time.Now()
		for _, e := range evs {
			last = e.Seq
			if e.Kind != journal.KindOutboundAccepted {
				continue
			}
			w.mu.Lock()
			p := w.phones[e.Customer]
			w.mu.Unlock()
			if p == nil {
				continue
			}
			var d journal.OutboundData
			if e.Decode(&d) != nil {
				continue
			}
			p.mu.Lock()
			p.got = append(p.got, arrival{at: now, typ: d.Type, text: d.Text, buttons: d.Buttons})
			p.mu.Unlock()
			select {
			case p.signal <- struct{}{}:
			default:
			}
		}
		select {
		case <-changed:
		case <-tick.C:
		case <-ctx.Done():
			return
		}
	}
}

// count returns how many messages the phone has received.
func (p *phone) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.got)
}

// await waits until done holds over the messages received after the first from, and returns them.
func (p *phone) await(ctx context.Context, from int, done func([]arrival) bool) ([]arrival, error) {
	for {
		p.mu.Lock()
		fresh := append([]arrival(nil), p.got[min(from, len(p.got)):]...)
		p.mu.Unlock()
		if done(fresh) {
			return fresh, nil
		}
		select {
		case <-p.signal:
		case <-ctx.Done():
			return fresh, ctx.Err()
		}
	}
}
