package harness

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// TestSettleRounds: a round that moved the journal takes another, one that did not ends the settle; the
// journal is read once before the first round and once after each; a wait that fails ends it with its
// error.
func TestSettleRounds(t *testing.T) {
	var calls []string
	reads := []uint64{1, 2, 2}
	wait := func(name string) func(context.Context) error {
		return func(context.Context) error { calls = append(calls, name); return nil }
	}
	last := func(context.Context) (uint64, error) {
		calls = append(calls, "read")
		n := reads[0]
		reads = reads[1:]
		return n, nil
	}
	if err := SettleRounds(t.Context(), wait("idle"), wait("delivered"), last); err != nil {
		t.Fatal(err)
	}
	want := []string{"read", "idle", "delivered", "idle", "read", "idle", "delivered", "idle", "read"}
	if !slices.Equal(calls, want) {
		t.Errorf("calls %v, want %v", calls, want)
	}

	gone := errors.New("the assistant is gone")
	fails := func(context.Context) error { return gone }
	still := func(context.Context) (uint64, error) { return 7, nil }
	if err := SettleRounds(t.Context(), wait("idle"), fails, still); !errors.Is(err, gone) {
		t.Errorf("a failed wait: %v, want its error", err)
	}
	if err := SettleRounds(t.Context(), wait("idle"), wait("delivered"), func(context.Context) (uint64, error) { return 0, gone }); !errors.Is(err, gone) {
		t.Errorf("a failed read: %v, want its error", err)
	}
}
