package journal

import (
	"sync"
	"time"
)

// DefaultStart is where a new simulated clock starts when none is given: a fixed instant, so that two runs
// with the same seed produce the same timestamps.
var DefaultStart = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// Clock is the simulated clock that every mock reads: the 24-hour window, context lifespans, retention and
// data-request deadlines are all measured on it. It moves only when a test moves it (Advance, Set), so time
// is repeatable and a "25 hours later" step costs nothing. The zero value is not usable; call NewClock.
type Clock struct {
	mu      sync.RWMutex
	now     time.Time
	onMoved []func(from, to time.Time)
}

// NewClock returns a clock that reads start (DefaultStart when start is zero) until it is moved.
func NewClock(start time.Time) *Clock {
	if start.IsZero() {
		start = DefaultStart
	}
	return &Clock{now: start.UTC()}
}

// Now returns the simulated time.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.now
}

// Advance moves the clock forward by d (a negative d is refused and returns the unchanged time) and
// returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	if d < 0 {
		return c.Now()
	}
	c.mu.Lock()
	from := c.now
	c.now = c.now.Add(d)
	to, hooks := c.now, c.onMoved
	c.mu.Unlock()
	for _, h := range hooks {
		h(from, to)
	}
	return to
}

// Set moves the clock to t, forwards or backwards (a clock that jumps back is a fault real systems see),
// and returns the new time.
func (c *Clock) Set(t time.Time) time.Time {
	c.mu.Lock()
	from := c.now
	c.now = t.UTC()
	to, hooks := c.now, c.onMoved
	c.mu.Unlock()
	for _, h := range hooks {
		h(from, to)
	}
	return to
}

// OnMoved registers f to be called, outside the clock's lock, after every Advance or Set. Mocks use it to
// expire state that lives on simulated time. Register hooks before the clock is shared.
func (c *Clock) OnMoved(f func(from, to time.Time)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onMoved = append(c.onMoved, f)
}
