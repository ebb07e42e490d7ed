package containers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
)

// Networks keeps the networks of environments that have closed for the next ones to start on: creating a
// run's network and removing it cost about a quarter of a warm start and removal. Give one to
// Options.Networks of environments started one after another (RunJourney, Factory) and Close it when they
// are done: it removes every network it kept. An environment that starts while no kept network is free
// gets a new one, which it gives back when it closes. A network is given back only once its environment's
// containers are removed, so no two environments ever share it, nor its aliases. Not for AsProduction,
// whose networks are its own.
//
// A kept network carries the labels of the Networks (its own LabelRun, see RunID), not of the
// environments that used it: removing an environment's leftovers leaves it alone, and removing what a
// killed process left removes it.
type Networks struct {
	runID string

	mu     sync.Mutex
	idle   []*testcontainers.DockerNetwork
	closed bool
}

// NewNetworks is an empty set of networks to reuse.
func NewNetworks() *Networks { return &Networks{runID: "parley-" + randomHex(6)} }

// RunID is the value of the LabelRun label on the networks it keeps.
func (p *Networks) RunID() string { return p.runID }

// take returns a free network, or creates one labelled as the Networks'.
func (p *Networks) take(ctx context.Context) (*testcontainers.DockerNetwork, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("containers: the Networks are closed")
	}
	if n := len(p.idle); n > 0 {
		nw := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return nw, nil
	}
	p.mu.Unlock()
	labels := ownerLabels()
	labels[LabelManaged], labels[LabelRun], labels[LabelSession] = "true", p.runID, session
	return network.New(ctx, network.WithLabels(labels))
}

// give keeps nw for the next environment; false when the Networks are closed (the caller removes it).
func (p *Networks) give(nw *testcontainers.DockerNetwork) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.idle = append(p.idle, nw)
	return true
}

// Close removes every network kept, and anything else labelled with its RunID. Environments still
// running remove their network when they close.
func (p *Networks) Close() error {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var errs []error
	for _, nw := range idle {
		if err := nw.Remove(ctx); err != nil {
			errs = append(errs, fmt.Errorf("removing a kept network: %w", err))
		}
	}
	if len(idle) > 0 {
		if err := RemoveLeftovers(ctx, LabelRun+"="+p.runID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
