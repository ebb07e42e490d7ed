package containers

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/sim"
)

// noLeftovers registers, first so that it runs last, a check that nothing labelled with the run filter
// is left in Docker.
func noLeftovers(t *testing.T, filter string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		left, err := Leftovers(ctx, filter)
		if err != nil {
			t.Errorf("listing parley's containers and networks: %v", err)
		}
		if len(left) > 0 {
			t.Errorf("left behind in Docker: %v", left)
			_ = RemoveLeftovers(ctx, filter)
		}
	})
}

// containerJourneys is the representative subset of sim.Journeys() played in containers: a first contact
// (webhook, DLP, Dialogflow over gRPC), an opt-in then a campaign (a certification hook), an opt-in on the
// web with notices outside the window (a hook and the simulated clock moved by days), an erasure (a data
// request), and two customers at once. The whole suite runs embedded (TestSuiteCleanOnReference).
var containerJourneys = []string{
	"first contact in Spanish",
	"opt-in in the chat, then a campaign",
	"opt-in on the web, notices outside the window",
	"erasure",
	"two customers at once",
}

func journeysNamed(t testing.TB, names ...string) []sim.Journey {
	t.Helper()
	var out []sim.Journey
	for _, n := range names {
		found := false
		for _, j := range sim.Journeys() {
			if j.Name == n {
				out, found = append(out, j), true
			}
		}
		if !found {
			t.Fatalf("no journey named %q in sim.Journeys()", n)
		}
	}
	return out
}

// image builds (or reuses) the parley image once per test binary.
func image(t *testing.T, ctx context.Context) BuiltImage {
	t.Helper()
	start := time.Now()
	img, err := BuildImage(ctx, BuildOptions{Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image %s (reused: %v) in %s", img.Ref, img.Reused, time.Since(start).Round(time.Millisecond))
	return img
}

func TestDockerfileIsTheRepositorys(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != Dockerfile {
		t.Errorf("containers.Dockerfile and the repository's Dockerfile differ; keep them the same:\n%s", b)
	}
	for _, bad := range []string{"# syntax=", "--chmod", "--mount", "RUN "} {
		if strings.Contains(Dockerfile, bad) {
			t.Errorf("the Dockerfile uses %q, which the classic builder offline cannot do", bad)
		}
	}
}

// TestContainersJourneys: the representative journeys give, in containers, the verdict they give embedded,
// rule by rule (on the reference assistant: passed, none broken), and nothing is left in Docker.
func TestContainersJourneys(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	img := image(t, ctx)
	journeys := journeysNamed(t, containerJourneys...)

	start := time.Now()
	var inProcess []harness.JourneyResult
	for _, j := range journeys {
		inProcess = append(inProcess, harness.RunJourney(ctx, embedded.Factory{Seed: 1}, harness.Scenario{}, j))
	}
	embeddedWall := time.Since(start)

	start = time.Now()
	for i, j := range journeys {
		r := RunJourney(ctx, Options{Image: img.Ref, Seed: 1}, j)
		if (r.Err == nil) != (inProcess[i].Err == nil) {
			t.Errorf("journey %q: error embedded %v, in containers %v", j.Name, inProcess[i].Err, r.Err)
		}
		// The verdict is the embedded one, rule by rule: the same journey against the same assistant
		// gives the same journal, whichever way it runs. WA-SEC-02 is the exception: the TLS probe of the
		// assistant's webhook is an embedded-mode feature.
		for _, want := range inProcess[i].Report.Results {
			if want.Rule == "WA-SEC-02" {
				continue
			}
			got, _ := r.Report.Result(want.Rule)
			if got.Status != want.Status {
				t.Errorf("journey %q: %s is %s in containers, %s embedded (%+v)", j.Name, want.Rule, got.Status, want.Status, got.Findings)
			}
		}
		for _, b := range r.Report.Broken() {
			t.Logf("journey %q: %s broken in containers as embedded: %s", j.Name, b.Rule, b.Findings[0].Explanation)
		}
		assertMergedOrder(t, j.Name, r.Events)
	}
	t.Logf("wall time of %d journeys: embedded %s, containers %s (one environment per journey)",
		len(journeys), embeddedWall.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// assertMergedOrder: the merged journal is numbered 1..n, in simulated-time order, and each customer's
// inbound.sent comes before its inbound.delivered.
func assertMergedOrder(t *testing.T, name string, evs []journal.Event) {
	t.Helper()
	sent := map[string]bool{}
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Fatalf("journey %q: event %d has seq %d", name, i, e.Seq)
		}
		if i > 0 && e.At.Before(evs[i-1].At) {
			t.Errorf("journey %q: event %d (%s at %s) before event %d (%s at %s) in simulated time", name, e.Seq, e.Kind, e.At, evs[i-1].Seq, evs[i-1].Kind, evs[i-1].At)
		}
		var d struct {
			ID string `json:"id"`
		}
		switch e.Kind {
		case journal.KindInboundSent:
			e.Decode(&d)
			sent[d.ID] = true
		case journal.KindInboundDelivered:
			e.Decode(&d)
			if !sent[d.ID] {
				t.Errorf("journey %q: %s delivered before it was sent", name, d.ID)
			}
		}
	}
}

// TestContainersDetection: two rows of the detection matrix in containers: the reference image with a
// violation switch makes the auditor report the rule.
func TestContainersDetection(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	img := image(t, ctx)
	for _, tc := range []struct {
		name, rule, journey string
	}{
		{"are you sure without a discount", "WA-OPTOUT-03", "opt-out in many phrasings"},
		{"leaks another customer's question", "WA-XCUST-01", "two customers at once"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := journeysNamed(t, tc.journey)[0]
			r := RunJourney(ctx, Options{Image: img.Ref, Seed: 1, Violations: []string{tc.rule}}, j)
			if res, _ := r.Report.Result(tc.rule); res.Status != audit.Broken {
				t.Errorf("--violate %s in a container: the auditor says %s (journey error: %v)", tc.rule, res.Status, r.Err)
			}
		})
	}
}

// TestContainersControlPlane: the mocks' control routes refuse a caller without the run's token, and
// Close removes the containers and the network.
func TestContainersControlPlane(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	img := image(t, ctx)
	env, err := Start(ctx, Options{Image: img.Ref})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	for _, u := range []string{env.WhatsAppURL(), "http://" + env.DialogflowAddr(), "http://" + env.DLPAddr()} {
		resp, err := http.Get(u + "/_parley/journal")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s/_parley/journal without the token: %d, want 401", u, resp.StatusCode)
		}
	}
	if err := env.DialogflowClient().Healthz(ctx); err != nil {
		t.Errorf("Dialogflow control with the token: %v", err)
	}
	left, err := Leftovers(ctx, LabelRun+"="+env.RunID())
	if err != nil || len(left) != 3 {
		t.Errorf("while running, the run has %v (%v), want two containers and a network", left, err)
	}
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	if left, err := Leftovers(ctx, LabelRun+"="+env.RunID()); err != nil || len(left) != 0 {
		t.Errorf("after Close: %v %v", left, err)
	}
}

// TestContainersHostBot: the assistant runs on this host (here the reference assistant in-process,
// listening on all interfaces); the mocks in their container reach it through host.docker.internal.
func TestContainersHostBot(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	img := image(t, ctx)
	l, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	var bot *reference.Bot
	defer func() {
		if bot != nil {
			bot.Close()
		}
	}()
	env, err := Start(ctx, Options{Image: img.Ref, BotURL: "http://127.0.0.1:" + strconv.Itoa(port),
		OnMocksReady: func(ctx context.Context, contract harness.Contract) error {
			cfg, err := reference.ConfigFromEnv(contract.Getenv)
			if err != nil {
				return err
			}
			bot, err = reference.New(cfg, reference.WithObservedClock())
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: bot.Handler(), ReadHeaderTimeout: 10 * time.Second}
			go srv.Serve(l)
			t.Cleanup(func() { srv.Close() })
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	j := journeysNamed(t, "first contact in Spanish")[0]
	if err := j.Run(ctx, env.World()); err != nil {
		t.Fatal(err)
	}
	if err := env.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	var verify journal.Event
	for _, e := range env.Journal().Events() {
		if e.Kind == journal.KindWebhookVerify {
			verify = e
		}
	}
	if !strings.Contains(string(verify.Data), HostAlias) {
		t.Errorf("the webhook was not verified through %s: %s", HostAlias, verify.Data)
	}
	if rep := audit.Run(env.Journal().Events(), audit.Options{}); len(rep.Broken()) > 0 {
		t.Errorf("rules broken with the assistant on the host: %+v", rep.Broken())
	}
}

// badBotImage builds testdata/badbot into a FROM scratch image, once per test binary.
func badBotImage(t *testing.T, ctx context.Context) string {
	return testImage(t, ctx, "testdata/badbot", "parley.local/badbot:test")
}

// testImages are the images testImage built, by directory.
var testImages struct {
	sync.Mutex
	built map[string]error
}

// testImage builds the main package in dir into an image FROM scratch tagged ref (dockertest.GoImage),
// once per test binary.
func testImage(t *testing.T, ctx context.Context, dir, ref string) string {
	t.Helper()
	testImages.Lock()
	defer testImages.Unlock()
	if testImages.built == nil {
		testImages.built = map[string]error{}
	}
	err, done := testImages.built[dir]
	if !done {
		err = dockertest.GoImage(ctx, dir, ref, map[string]string{LabelManaged: "true", LabelTestImage: "true"})
		testImages.built[dir] = err
	}
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestContainersBadVendorImages: a vendor image that exits at start, never becomes healthy, or answers
// the handshake wrongly or not at all gives an error naming the cause with its last log lines, and leaves
// nothing behind.
func TestContainersBadVendorImages(t *testing.T) {
	dockertest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	img := image(t, ctx)
	bad := badBotImage(t, ctx)
	for _, tc := range []struct {
		mode      string
		wantCause string
		wantLog   string
		wantExit  int
	}{
		{"exit3", "exited with code 3 at start", "cannot reach the config store, giving up", 3},
		{"never-listens", "never became healthy: the assistant's port 8080 was not ready after 3s", "waiting for a database that never comes", -1},
		// The line logged at start, not the one logged at the handshake: Docker's log copy of a line written
		// milliseconds before the logs are read is not guaranteed.
		{"wrong-challenge", "answered the webhook's hub.challenge handshake wrongly", "badbot: listening on :8080", -1},
		{"silent", "did not answer the webhook's hub.challenge handshake within 2s", "badbot: listening on :8080", -1},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			env, err := Start(ctx, Options{Image: img.Ref, BotImage: bad, BotEnv: map[string]string{"BADBOT_MODE": tc.mode},
				StartupTimeout: 3 * time.Second, HandshakeTimeout: 2 * time.Second})
			if err == nil {
				env.Close()
				t.Fatal("a broken assistant started")
			}
			var ce *ContainerError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v, want a *ContainerError", err, err)
			}
			msg := err.Error()
			if ce.Role != "assistant" || !strings.Contains(msg, tc.wantCause) || !strings.Contains(msg, tc.wantLog) || ce.ExitCode != tc.wantExit {
				t.Errorf("role %q exit %d, error:\n%s\nwant the cause %q, the log line %q and exit %d", ce.Role, ce.ExitCode, msg, tc.wantCause, tc.wantLog, tc.wantExit)
			}
			if !strings.Contains(msg, bad) {
				t.Errorf("the error does not name the image %s: %s", bad, msg)
			}
			left, err := Leftovers(ctx, LabelSession+"="+Session())
			if err != nil || len(left) != 0 {
				t.Errorf("left behind after a failed start: %v %v", left, err)
			}
		})
	}
}

// TestContainersCleanupAfterCancel: a run whose context is cancelled still removes everything on Close.
func TestContainersCleanupAfterCancel(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	img := image(t, ctx)
	env, err := Start(ctx, Options{Image: img.Ref})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	stop() // the run is cancelled: Close must still remove everything
	if err := env.Settle(runCtx); err == nil {
		t.Error("Settle on a cancelled context returned nil")
	}
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestContainersLoopback: by default every published port, the mocks' and the assistant's (whose hooks
// have no authentication), is on 127.0.0.1 only, and the mocks and the assistant answer there.
func TestContainersLoopback(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	img := image(t, ctx)
	env, err := Start(ctx, Options{Image: img.Ref})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	published := 0
	for _, rc := range env.containers {
		in, err := rc.c.Inspect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for port, bindings := range in.NetworkSettings.Ports {
			for _, b := range bindings {
				published++
				if b.HostIP.String() != "127.0.0.1" {
					t.Errorf("the %s container's port %s is published on %s", rc.role, port, b.HostIP)
				}
			}
		}
	}
	if published < 4 {
		t.Errorf("%d ports published, want the three mocks' and the assistant's", published)
	}
	if u, err := url.Parse(env.BotURL()); err != nil || u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" {
		t.Errorf("the assistant is reached at %q, want loopback", env.BotURL())
	}
	if err := env.DialogflowClient().Healthz(ctx); err != nil {
		t.Errorf("the mocks do not answer on loopback: %v", err)
	}
}
