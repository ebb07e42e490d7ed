package whatsapp

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/mocks/control"
)

// TestAwaitIdleFor: waiting for one customer's webhooks is held by a webhook about that customer still
// being delivered, and not by one about another customer; over both faces of the control.
func TestAwaitIdleFor(t *testing.T) {
	const other = "34600999888"
	faces := []struct {
		name  string
		await func(s *Server, ctx context.Context, ids ...string) error
	}{
		{"in-process", func(s *Server, ctx context.Context, ids ...string) error { return s.AwaitIdleFor(ctx, ids...) }},
		{"http", func(s *Server, ctx context.Context, ids ...string) error {
			return NewControlClient(s.URL()).AwaitIdleFor(ctx, ids...)
		}},
	}
	for _, face := range faces {
		t.Run(face.name, func(t *testing.T) {
			rcv := newReceiver(t)
			release := make(chan struct{})
			var once sync.Once
			free := func() { once.Do(func() { close(release) }) }
			holding := make(chan struct{}, 1)
			rcv.onPost = func(body []byte) {
				if strings.Contains(string(body), `"recipient_id":"`+lucia+`"`) {
					select {
					case holding <- struct{}{}:
					default:
					}
					<-release
				}
			}
			s := RunT(t, fixedWall(), WithWebhook(rcv.URL()))
			t.Cleanup(free) // before the server closes: cleanups run last first
			ctx := testCtx(t)

			send(t, s, textTo(lucia, "hola"))
			select {
			case <-holding:
			case <-ctx.Done():
				t.Fatal("no status webhook about the customer was delivered")
			}
			if err := face.await(s, ctx, other); err != nil {
				t.Errorf("another customer's webhook held the wait: %v", err)
			}
			if err := face.await(s, ctx); err != nil {
				t.Errorf("no customer: %v", err)
			}
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			err := face.await(s, short, lucia, other)
			cancel()
			if err == nil {
				t.Error("the customer's own webhook in delivery did not hold the wait")
			}
			free()
			if err := face.await(s, ctx, lucia); err != nil {
				t.Errorf("after delivery: %v", err)
			}
		})
	}
}

// TestAwaitIdleForRefusesBadNumbers: over HTTP, a wa_id that is not one is a 400, not a wait.
func TestAwaitIdleForRefusesBadNumbers(t *testing.T) {
	s := RunT(t, fixedWall())
	err := NewControlClient(s.URL()).AwaitIdleFor(testCtx(t), "+34 600")
	var ce *control.Error
	if !errors.As(err, &ce) || ce.HTTP != 400 {
		t.Errorf("got %v, want a 400", err)
	}
}
