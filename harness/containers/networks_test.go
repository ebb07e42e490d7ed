package containers

import (
	"context"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/dockertest"
)

// TestContainersNetworksReused: environments started one after another on the same Networks run on one
// network, which is not removed with them; one started while the kept network is taken gets its own; a
// journey plays as on a network of its own; Close of the Networks removes them all.
func TestContainersNetworksReused(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	img := image(t, ctx)
	nets := NewNetworks()
	defer nets.Close()
	o := Options{Image: img.Ref, Seed: 1, Networks: nets}

	first, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	busy, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if busy.network.Name == first.network.Name {
		t.Fatalf("two environments at once on network %s", first.network.Name)
	}
	kept := map[string]bool{first.network.Name: true, busy.network.Name: true}
	for _, env := range []*Env{first, busy} {
		if err := env.Close(); err != nil {
			t.Fatal(err)
		}
	}
	left, err := Leftovers(ctx, LabelRun+"="+nets.RunID())
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 {
		t.Errorf("after both closed, the Networks keep %v, want their two networks", left)
	}

	r := RunJourney(ctx, o, journeysNamed(t, "first contact in Spanish")[0])
	if !r.Passed() {
		t.Errorf("on a kept network the journey did not pass: %v %v", r.Err, r.Report.Broken())
	}
	again, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !kept[again.network.Name] {
		t.Errorf("network %s is not one the Networks kept (%v)", again.network.Name, kept)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
	if err := nets.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := Leftovers(ctx, LabelRun+"="+nets.RunID()); len(left) > 0 {
		t.Errorf("Close of the Networks left %v", left)
	}
	if _, err := Start(ctx, o); err == nil {
		t.Error("an environment started on closed Networks")
	}
}
