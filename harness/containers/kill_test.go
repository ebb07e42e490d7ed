package containers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/sim"
)

// killRole kills (SIGKILL) the one running container of this test binary's session with role, found by
// the run's labels as an operator would, and waits until Docker has it as not running.
func killRole(ctx context.Context, role string) error {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	f := make(client.Filters).Add("label", LabelSession+"="+Session()).Add("label", LabelRole+"="+role)
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{Filters: f})
	if err != nil {
		return err
	}
	if len(cs.Items) != 1 {
		return fmt.Errorf("%d running %s containers in the session, want 1", len(cs.Items), role)
	}
	id := cs.Items[0].ID
	if _, err := cli.ContainerKill(ctx, id, client.ContainerKillOptions{}); err != nil {
		return err
	}
	w := cli.ContainerWait(ctx, id, client.ContainerWaitOptions{})
	select {
	case <-w.Result:
		return nil
	case err := <-w.Error:
		return err
	}
}

// TestContainersKilledMidRun: a container killed in the middle of a run. The customer's next
// message fails at once, within a deadline, with an error naming the dead container and its cause; the
// journal still holds every event merged before the kill; the journey does not pass; Close removes
// everything.
func TestContainersKilledMidRun(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	img := image(t, ctx)
	for _, tc := range []struct {
		name, role string
		sendAfter  bool // the customer writes again after the kill; otherwise only awaits
	}{
		{"assistant", "assistant", true},
		{"mocks", "mocks", true},
		// Nothing sent after the kill: the await is met by a message the assistant sent before it (the
		// reference answers a first "hola" with more than one message), so the steps hold; the run must
		// still not pass.
		{"assistant, nothing sent after", "assistant", false},
	} {
		role := tc.role
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			var before []journal.Event
			var sendErr, killErr error
			j := sim.Journey{Name: "killed " + role, Run: func(ctx context.Context, w *sim.World) error {
				c, err := w.NewCustomer(sim.Persona{Name: "Lucía", WaID: "+34 612 345 678"})
				if err != nil {
					return err
				}
				if _, err := c.Say(ctx, "hola"); err != nil {
					return err
				}
				if _, err := c.AwaitReply(ctx); err != nil {
					return err
				}
				if err := w.Settle(ctx); err != nil {
					return err
				}
				before = w.Journal.(*mergedJournal).j.Events()
				// Not t.Fatal here: the run must go on to Close.
				if killErr = killRole(ctx, role); killErr != nil {
					return killErr
				}
				// Bounded: a hang shows up as a deadline error, not as a stuck test.
				sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
				defer cancel()
				if !tc.sendAfter {
					_, err := c.AwaitReply(sctx)
					return err
				}
				if _, sendErr = c.Say(sctx, "¿seguís ahí?"); sendErr != nil {
					return sendErr
				}
				_, err = c.AwaitReply(sctx)
				return err
			}}
			r := RunJourney(ctx, Options{Image: img.Ref, Seed: 1}, j)
			t.Logf("%s killed: run in %s", role, time.Since(start).Round(time.Millisecond))

			if killErr != nil {
				t.Fatalf("killing the %s container: %v", role, killErr)
			}
			var ce *ContainerError
			if !tc.sendAfter {
				sendErr = r.Err
			}
			if !errors.As(sendErr, &ce) {
				t.Fatalf("the message after the kill: error %T %v, want a *ContainerError", sendErr, sendErr)
			}
			t.Logf("the error: %s", strings.SplitN(ce.Error(), "\n", 2)[0])
			if ce.Role != role || ce.ExitCode != 137 || !strings.Contains(ce.Error(), "killed in the middle of the run") || !strings.Contains(ce.Error(), img.Ref) {
				t.Errorf("role %q exit %d, error:\n%v\nwant the %s container (%s) killed, exit 137", ce.Role, ce.ExitCode, ce, role, img.Ref)
			}
			if r.Passed() {
				t.Errorf("a run whose %s container was killed passed", role)
			}
			if r.Err == nil || !strings.Contains(r.Err.Error(), "the "+role+" container") {
				t.Errorf("the journey's error does not name the %s container: %v", role, r.Err)
			}
			if len(before) == 0 {
				t.Fatal("nothing journalled before the kill")
			}
			if len(r.Events) < len(before) {
				t.Fatalf("the journal has %d events, %d were merged before the kill", len(r.Events), len(before))
			}
			for i, e := range before {
				g := r.Events[i]
				if g.Seq != e.Seq || g.Kind != e.Kind || !g.At.Equal(e.At) || string(g.Data) != string(e.Data) {
					t.Errorf("event %d before the kill was %s %s %s, after it %s %s %s", i, e.Kind, e.At, e.Data, g.Kind, g.At, g.Data)
				}
			}
			if role == "assistant" && tc.sendAfter {
				// The mocks outlived the assistant: the failed delivery of the second message is journalled.
				failed := 0
				for _, e := range r.Events[len(before):] {
					var d journal.WebhookAttemptData
					if e.Kind == journal.KindWebhookAttempt && e.Decode(&d) == nil && d.Status != 200 {
						failed++
					}
				}
				if failed == 0 {
					t.Errorf("no failed webhook attempt journalled after the assistant was killed")
				}
			}
		})
	}
}
