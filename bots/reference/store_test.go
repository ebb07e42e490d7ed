package reference

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestStoreSnapshotIsolated: a snapshot shares the transcript with the store but never sees what the
// store does after it was taken (appends, purge, rectification), and appending to a snapshot does not
// reach the store.
func TestStoreSnapshotIsolated(t *testing.T) {
	s := newStore([]byte("k"))
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	const w = "34600000001"
	for i := range 3 {
		s.update(w, func(c *customer) {
			c.addMessage(message{Time: at.Add(time.Duration(i) * time.Hour), Direction: "in", Text: fmt.Sprint(i)})
		})
	}
	snap, _ := s.get(w)
	want := slices.Clone(snap.Messages)

	s.update(w, func(c *customer) { c.addMessage(message{Time: at.Add(5 * time.Hour), Direction: "out", Text: "later"}) })
	snap.Messages = append(snap.Messages, message{Text: "mine"})
	s.update(w, func(c *customer) { c.purge(at.Add(90 * time.Minute)) })
	s.update(w, func(c *customer) {
		c.setMessages(rectifyTranscript(c.Messages, "name", "2", "two"))
	})

	if got := snap.Messages[:3]; !slices.Equal(got, want) {
		t.Errorf("snapshot changed under it: %+v, want %+v", got, want)
	}
	now, _ := s.get(w)
	var texts []string
	for _, m := range now.Messages {
		texts = append(texts, m.Text)
	}
	if fmt.Sprint(texts) != "[two later]" {
		t.Errorf("store transcript = %v, want [two later]", texts)
	}
}

// TestStoreSnapshotEmptyIsNil: a customer with no transcript or requests has nil slices in its snapshot,
// as the deep copy had, including after a purge emptied the transcript.
func TestStoreSnapshotEmptyIsNil(t *testing.T) {
	s := newStore([]byte("k"))
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := s.update("1", func(c *customer) {})
	if c.Messages != nil || c.Requests != nil {
		t.Fatalf("new customer: Messages %#v, Requests %#v; want nil", c.Messages, c.Requests)
	}
	s.update("1", func(c *customer) { c.addMessage(message{Time: at, Text: "x"}) })
	c = s.update("1", func(c *customer) { c.purge(at.Add(time.Second)) })
	if c.Messages != nil {
		t.Fatalf("purged transcript: %#v, want nil", c.Messages)
	}
}

// TestCustomerPurge compares purge, which skips the scan while nothing has expired, with the plain
// filter it replaces, on transcripts whose times are not in order (webhook timestamps are the
// customer's, replies the assistant's clock) and over limits that move forward and back.
func TestCustomerPurge(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	filter := func(ms []message, limit time.Time) []message {
		var out []message
		for _, m := range ms {
			if !m.Time.Before(limit) {
				out = append(out, m)
			}
		}
		return out
	}
	offsets := []int{5, 3, 9, 1, 7, 2, 8, 0, 6, 4, 12, 10, 11, 15, 13, 14}
	limits := []int{0, 2, 2, 1, 4, 6, 6, 9, 3, 12, 16}
	var c customer
	var want []message
	for i, off := range offsets {
		m := message{Time: at.Add(time.Duration(off) * time.Hour), Text: fmt.Sprint(i)}
		c.addMessage(m)
		want = append(want, m)
		if i%3 == 0 {
			c.addMessage(message{Text: "zero time"}) // a message without a timestamp expires at once
			want = append(want, message{Text: "zero time"})
		}
		limit := at.Add(time.Duration(limits[i%len(limits)]) * time.Hour)
		c.purge(limit)
		want = filter(want, limit)
		if !slices.Equal(c.Messages, want) && !(len(c.Messages) == 0 && len(want) == 0) {
			t.Fatalf("after message %d, limit +%dh: %+v, want %+v", i, limits[i%len(limits)], c.Messages, want)
		}
	}
}

// TestStoreConcurrentSnapshots runs readers of snapshots against appends and purges, for the race
// detector.
func TestStoreConcurrentSnapshots(t *testing.T) {
	s := newStore([]byte("k"))
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	const w = "34600000001"
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 500 {
			s.update(w, func(c *customer) {
				c.addMessage(message{Time: at.Add(time.Duration(i) * time.Minute), Text: "m"})
				c.Requests = append(c.Requests, dsr{Reference: fmt.Sprint(i)})
				if i%50 == 0 {
					c.purge(at.Add(time.Duration(i-100) * time.Minute))
				}
			})
		}
	}()
	go func() {
		defer wg.Done()
		for range 500 {
			c, _ := s.get(w)
			n := 0
			for _, m := range c.Messages {
				n += len(m.Text)
			}
			for _, r := range c.Requests {
				n += len(r.Reference)
			}
			_ = append(c.Messages, message{Text: "reader's own"})
		}
	}()
	wg.Wait()
}

// TestLanesOnRunners: jobs of one customer run in order, customers' lanes are drained by reused runners,
// at most maxIdleRunners of them wait afterwards, and Close ends them all.
func TestLanesOnRunners(t *testing.T) {
	b := newUnitBot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var mu sync.Mutex
	got := map[string][]int{}
	for round := range 3 {
		for i := range 40 {
			w := fmt.Sprintf("3460000%04d", i)
			for j := range 5 {
				if _, err := b.enqueue(w, func(context.Context) {
					mu.Lock()
					got[w] = append(got[w], round*5+j)
					mu.Unlock()
				}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := b.AwaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for w, seq := range got {
		if len(seq) != 15 || !slices.IsSorted(seq) {
			t.Errorf("%s ran %v, want 0…14 in order", w, seq)
		}
	}
	if n := b.idleRunners.Load(); n > maxIdleRunners {
		t.Errorf("%d idle runners, want at most %d", n, maxIdleRunners)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if n := b.idleRunners.Load(); n != 0 {
		t.Errorf("%d runners still waiting after Close", n)
	}
}
