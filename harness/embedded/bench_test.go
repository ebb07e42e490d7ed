package embedded

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/internal/cputime"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// hops counts the loopback round trips on a turn's critical path, from the journal of one turn: the
// signed webhook, every Graph API call of the assistant (sends and mark-as-read), and every DLP and
// Dialogflow call. The first HTTP hop (the webhook) is over TLS.
type hops struct{ http, grpc int }

func countHops(events []journal.Event) hops {
	h := hops{http: 1} // the webhook carrying the customer's message
	for _, e := range events {
		switch e.Kind {
		case journal.KindOutboundAccepted, journal.KindOutboundRejected, journal.KindMarkRead, journal.KindRequestAccepted:
			h.http++
		case journal.KindDeidentify, journal.KindInspect, journal.KindDetectIntent,
			journal.KindContextsListed, journal.KindContextsCreated, journal.KindContextsDeleted:
			h.grpc++
		}
	}
	return h
}

// bareChain is the physical reference of a turn: the same number of loopback round trips, each to a
// server that does nothing (a net/http handler that reads the body and writes a fixed JSON reply; the
// gRPC health service), one after the other.
type bareChain struct {
	url    string
	client *http.Client
	tlsURL string       // the webhook hop: Meta delivers over HTTPS, and so does the embedded environment
	tls    *http.Client // keeps its connection, as the WhatsApp mock's webhook client does
	health healthpb.HealthClient
	body   []byte
	close  func()
}

func newBareChain(b *testing.B) *bareChain {
	reply := []byte(`{"messaging_product":"whatsapp","contacts":[{"input":"34600111222","wa_id":"34600111222"}],"messages":[{"id":"wamid.HBgLMzQ2MDAxMTEyMjIVAgARGBI"}]}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(reply)
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	gs := grpc.NewServer()
	healthpb.RegisterHealthServer(gs, health.NewServer())
	go gs.Serve(l)
	conn, err := grpc.NewClient(l.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	tlsSrv := httptest.NewTLSServer(srv.Config.Handler)
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	// A webhook-sized body (a text message's envelope is 600–900 bytes).
	body := bytes.Repeat([]byte("x"), 800)
	return &bareChain{url: srv.URL, client: &http.Client{Transport: tr}, tlsURL: tlsSrv.URL, tls: tlsSrv.Client(),
		health: healthpb.NewHealthClient(conn), body: body, close: func() {
			conn.Close()
			tlsSrv.Close()
			gs.Stop()
			tr.CloseIdleConnections()
			srv.Close()
		}}
}

func (c *bareChain) run(b *testing.B, h hops) {
	for i := range h.http {
		client, url := c.client, c.url
		if i == 0 {
			client, url = c.tls, c.tlsURL
		}
		resp, err := client.Post(url, "application/json", bytes.NewReader(c.body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for range h.grpc {
		if _, err := c.health.Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTurn measures one full turn: the customer's message → signed webhook → the reference
// assistant → DLP → Dialogflow → the reply sent → on the customer's phone, all over loopback in one
// process. Each iteration also runs the turn's physical reference (the same number of bare loopback round
// trips, counted from the turn's own journal) and reports both and their ratio "turn/bare" (target ≤ 2).
// Throughput and pair-rate limits are off and the assistant does not pace: the benchmark measures parley,
// not the platform's quotas. Status webhooks are let settle between iterations, outside the timings.
//
//	go test ./harness/embedded -run '^$' -bench BenchmarkTurn -benchtime 200x
func BenchmarkTurn(b *testing.B) {
	ctx := context.Background()
	env, err := Start(ctx, Options{
		WhatsApp: []whatsapp.Option{whatsapp.WithMPS(0), whatsapp.WithPairRate(0)},
		Bot:      []reference.Option{reference.WithSendRate(0)},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	// The turn is timed to the reply on the phone, not to the world settling after it.
	c, err := env.World().NewCustomer(sim.Persona{WaID: "34600000001", Name: "Lucía"}, sim.NoWait())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Say(ctx, "Hola"); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Settle(ctx); err != nil {
		b.Fatal(err)
	}
	const ask = "¿Dónde está mi pedido TE-1001?"
	// The reply is on the phone when the mock has journalled its send (it files it in the inbox in the same
	// step): waiting on the journal after the turn's start keeps the wait O(turn), where waiting on the
	// inbox would copy the customer's whole, ever longer, history on every iteration.
	reply := func(e journal.Event) bool { return e.Kind == journal.KindOutboundAccepted && e.Customer == c.WaID }
	turn := func() time.Duration {
		from := env.Journal().Last()
		start := time.Now()
		if _, err := c.Say(ctx, ask); err != nil {
			b.Fatal(err)
		}
		if _, err := env.Journal().AwaitAfter(ctx, from, reply); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		if err := env.Settle(ctx); err != nil {
			b.Fatal(err)
		}
		return d
	}
	before := env.Journal().Last()
	turn()
	h := countHops(env.Journal().After(before))
	bare := newBareChain(b)
	defer bare.close()
	bare.run(b, h)

	var spentTurn, spentBare time.Duration
	b.ResetTimer()
	cpu := cputime.Used()
	for b.Loop() {
		spentTurn += turn()
		start := time.Now()
		bare.run(b, h)
		spentBare += time.Since(start)
	}
	b.StopTimer()
	n := float64(b.N)
	// The process's CPU per iteration: the turn, its settling and the bare chain together.
	b.ReportMetric(float64((cputime.Used()-cpu).Microseconds())/n, "cpu-µs/op")
	b.ReportMetric(float64(spentTurn.Microseconds())/n, "µs/turn")
	b.ReportMetric(float64(spentBare.Microseconds())/n, "µs/bare")
	b.ReportMetric(float64(spentTurn)/float64(spentBare), "turn/bare")
	b.ReportMetric(float64(h.http), "http-hops")
	b.ReportMetric(float64(h.grpc), "grpc-hops")
}

// BenchmarkSuite plays the whole certification suite in Go (sim.Journeys), each journey in its own fresh
// embedded environment, all at once, audited as certify audits them; it reports the suite's wall time and
// scenarios per second. Target: under 3 s on 2 cores.
//
//	go test ./harness/embedded -run '^$' -bench BenchmarkSuite -benchtime 3x
func BenchmarkSuite(b *testing.B) {
	journeys := sim.Journeys()
	var failed int
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		results := make([]harness.JourneyResult, len(journeys))
		var wg sync.WaitGroup
		for i, j := range journeys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = harness.RunJourney(ctx, Factory{Seed: 1, Audit: audit.Options{CertifyDeployed: true}}, harness.Scenario{}, j)
			}()
		}
		wg.Wait()
		cancel()
		failed = 0
		for _, r := range results {
			if !r.Passed() {
				failed++
			}
		}
	}
	perSuite := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perSuite, "s/suite")
	b.ReportMetric(float64(len(journeys))/perSuite, "scenarios/s")
	b.ReportMetric(float64(failed), "failed")
}
