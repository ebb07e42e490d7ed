package reference

import (
	"context"
	"sync"
	"time"
)

// pacer spaces Graph API sends so the assistant stays under the platform's throughput (80 messages per
// second by default, error 130429) instead of discovering it by being refused: a token bucket on the wall
// clock, refilled at rate per second, holding at most burst.
type pacer struct {
	mu    sync.Mutex
	gap   time.Duration // 1/rate
	burst time.Duration // how far the schedule may lag behind now: (burst-1) × gap
	next  time.Time     // when the next send may go
}

func newPacer(rate, burst int) *pacer {
	if rate <= 0 {
		return nil
	}
	gap := time.Second / time.Duration(rate)
	return &pacer{gap: gap, burst: time.Duration(max(burst-1, 0)) * gap}
}

// wait blocks until a send may go, or ctx ends. A nil pacer never waits.
func (p *pacer) wait(ctx context.Context) error {
	if p == nil {
		return nil
	}
	d := p.reserve(time.Now())
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reserve takes the next slot at now and returns how long to wait for it.
func (p *pacer) reserve(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if floor := now.Add(-p.burst); p.next.Before(floor) {
		p.next = floor
	}
	at := p.next
	p.next = p.next.Add(p.gap)
	return at.Sub(now)
}
