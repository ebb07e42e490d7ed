package containers

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// playSettling plays j in a fresh environment of o, settling on the reference assistant's idle signal
// (idle) or on the journal's silence, as any other assistant is settled.
func playSettling(ctx context.Context, t *testing.T, o Options, j sim.Journey, idle bool) harness.JourneyResult {
	t.Helper()
	env, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if !env.referenceIdle {
		t.Fatal("the reference assistant is not settled on its idle signal")
	}
	env.referenceIdle = idle
	return harness.Play(ctx, env, j)
}

// randomReference is a reference number the reference assistant draws at random (DSR-7K2M9QXA), run
// to run whatever the seed.
var randomReference = regexp.MustCompile(`\b(CON|REC|DSR)-[A-Z2-7]{8}\b`)

// sameJournal says where two journals of the same journey differ. Events that happen at once (a status
// webhook and the next message's delivery, two customers' turns) are journalled in whichever order they
// land, run to run, so it compares the events as a multiset (source, kind, customer, simulated time and
// payload, sequence numbers, random reference numbers and why a handshake did not reach the assistant
// aside) and, in order, each customer's conversation: what they sent and what
// the assistant sent them.
func sameJournal(a, b []journal.Event) string {
	key := func(e journal.Event) string {
		data := randomReference.ReplaceAll(e.Data, []byte("$1-…"))
		if e.Kind == journal.KindWebhookVerify {
			// Why a handshake could not reach the assistant names the addresses Docker gave the run's
			// network, or that the assistant's container was not on it yet: the handshake itself (its
			// URL, challenge and outcome) is compared.
			var v whatsapp.VerifyResult
			if err := json.Unmarshal(e.Data, &v); err == nil && v.Status == 0 {
				v.Error = "(not reached)"
				data, _ = json.Marshal(v)
			}
		}
		return fmt.Sprintf("%s %s %s at %s %s", e.Source, e.Kind, e.Customer, e.At.Format(time.RFC3339Nano), data)
	}
	count := map[string]int{}
	for _, e := range a {
		count[key(e)]++
	}
	for _, e := range b {
		count[key(e)]--
	}
	var diff []string
	for k, n := range count {
		if n != 0 {
			diff = append(diff, fmt.Sprintf("%+d × %s", -n, k))
		}
	}
	if len(diff) > 0 {
		sort.Strings(diff)
		return fmt.Sprintf("%d events, then %d; the second has %s", len(a), len(b), strings.Join(diff, "; "))
	}
	conversations := func(evs []journal.Event) map[string][]string {
		out := map[string][]string{}
		for _, e := range evs {
			switch e.Kind {
			case journal.KindInboundSent, journal.KindOutboundAccepted, journal.KindOutboundRejected:
				out[e.Customer] = append(out[e.Customer], key(e))
			}
		}
		return out
	}
	ca, cb := conversations(a), conversations(b)
	for c, want := range ca {
		if got := cb[c]; !slices.Equal(want, got) {
			return fmt.Sprintf("customer %s's conversation differs:\n%s\nthen\n%s", c, strings.Join(want, "\n"), strings.Join(got, "\n"))
		}
	}
	return ""
}

// TestContainersSettleIdleAsQuiet: settling the reference assistant on its idle signal leaves every
// conversation as settling on silence does: the same journal, event by event, and the same report.
func TestContainersSettleIdleAsQuiet(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	img := image(t, ctx)
	for _, j := range journeysNamed(t, containerJourneys...) {
		t.Run(j.Name, func(t *testing.T) {
			o := Options{Image: img.Ref, Seed: 1}
			quiet := playSettling(ctx, t, o, j, false)
			idle := playSettling(ctx, t, o, j, true)
			// The reference assistant starts beside the mocks, and its callback URL is configured once it
			// is up: every handshake succeeds, so the journal does not depend on which came up first.
			for _, r := range []struct {
				how string
				evs []journal.Event
			}{{"on silence", quiet.Events}, {"on the idle signal", idle.Events}} {
				for _, e := range r.evs {
					if e.Kind == journal.KindWebhookVerify && !strings.Contains(string(e.Data), `"ok":true`) {
						t.Errorf("settled %s: a handshake failed: %s", r.how, e.Data)
					}
				}
			}
			if d := sameJournal(quiet.Events, idle.Events); d != "" {
				t.Errorf("settled on silence, then on the idle signal: %s", d)
			}
			if d := verdictDiffers(quiet, idle); d != "" {
				t.Errorf("settled on silence, then on the idle signal: %s", d)
			}
			for _, want := range quiet.Report.Results {
				if got, _ := idle.Report.Result(want.Rule); len(got.Findings) != len(want.Findings) {
					t.Errorf("%s: %d findings settled on silence, %d on the idle signal", want.Rule, len(want.Findings), len(got.Findings))
				}
			}
		})
	}
}
