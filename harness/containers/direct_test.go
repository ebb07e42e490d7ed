package containers

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// TestReachDirect: the harness talks to a container at its own address only when that address answers
// as the run's mocks do (their health route, with the run's control token), and keeps the published
// port otherwise: nothing listening there, something else answering, no address.
func TestReachDirect(t *testing.T) {
	wa, err := whatsapp.NewServer(whatsapp.WithControlToken("run-token"))
	if err != nil {
		t.Fatal(err)
	}
	defer wa.Close()
	mocks := httptest.NewServer(wa.Handler())
	defer mocks.Close()
	other, err := whatsapp.NewServer(whatsapp.WithControlToken("another-run"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	otherSrv := httptest.NewServer(other.Handler())
	defer otherSrv.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := portOf(t, closed.Addr().String())
	closed.Close()

	check := mocksAnswer(control.Client("run-token", nil))
	const published = "http://localhost:32768"
	for _, tc := range []struct {
		name, ip, port, want string
	}{
		{"the run's mocks answer", "127.0.0.1", portOf(t, mocks.Listener.Addr().String()), "http://" + mocks.Listener.Addr().String()},
		{"nothing listens", "127.0.0.1", closedPort, published},
		{"another run's mocks", "127.0.0.1", portOf(t, otherSrv.Listener.Addr().String()), published},
		{"no address on the network", "", "4010", published},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := reachDirect(t.Context(), slog.New(slog.DiscardHandler), published, tc.ip, tc.port, check); got != tc.want {
				t.Errorf("reachDirect = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("host:port without a scheme", func(t *testing.T) {
		port := portOf(t, mocks.Listener.Addr().String())
		if got := reachDirect(t.Context(), slog.New(slog.DiscardHandler), "127.0.0.1:32769", "127.0.0.1", port, check); got != "127.0.0.1:"+port {
			t.Errorf("reachDirect = %q", got)
		}
	})
}

func portOf(t *testing.T, hostport string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMayReachDirect: container addresses are not even looked at when told not to, for an engine on
// another machine, through a host override that is not this machine, or for a run as in production.
func TestMayReachDirect(t *testing.T) {
	for _, tc := range []struct {
		name         string
		o            Options
		dockerHost   string
		hostOverride string
		want         bool
	}{
		{"a local engine", Options{}, "", "", true},
		{"a local engine by its socket", Options{}, "unix:///var/run/docker.sock", "localhost", true},
		{"a loopback override", Options{}, "", "127.0.0.1", true},
		{"published ports only", Options{PublishedPortsOnly: true}, "", "", false},
		{"as in production", Options{AsProduction: true}, "", "", false},
		{"an engine on another machine", Options{AllInterfaces: true}, "tcp://10.0.0.7:2376", "", false},
		{"an override naming another host", Options{}, "", "docker.example", false},
		{"an override naming another address", Options{}, "", "10.0.0.7", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("DOCKER_HOST", tc.dockerHost)
			t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", tc.hostOverride)
			if got := tc.o.mayReachDirect(); got != tc.want {
				t.Errorf("mayReachDirect = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestContainersDirectOrPublished: a journey gives its embedded verdict whether the harness reaches the
// containers at their addresses on the run's network (when this host can: Linux with a local engine) or
// through their published ports (forced with PublishedPortsOnly, as on Docker Desktop or a remote
// engine), and the addresses given out are the published ones either way.
func TestContainersDirectOrPublished(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	img := image(t, ctx)
	j := journeysNamed(t, "opt-in on the web, notices outside the window")[0]
	want := harness.RunJourney(ctx, embedded.Factory{Seed: 1}, harness.Scenario{}, j)
	for _, published := range []bool{false, true} {
		name := map[bool]string{false: "direct when reachable", true: "published ports only"}[published]
		t.Run(name, func(t *testing.T) {
			env, err := Start(ctx, Options{Image: img.Ref, Seed: 1, PublishedPortsOnly: published})
			if err != nil {
				t.Fatal(err)
			}
			defer env.Close()
			var mocks, bot string
			for _, rc := range env.containers {
				ip := env.networkAddr(ctx, rc.c)
				switch rc.role {
				case "mocks":
					mocks = "http://" + net.JoinHostPort(ip, WhatsAppPort)
				case "assistant":
					bot = "http://" + net.JoinHostPort(ip, BotPort)
				}
			}
			wantWA, wantBot := env.WhatsAppURL(), env.BotURL()
			if !published && reachable(ctx, mocks) {
				wantWA, wantBot = mocks, bot
			}
			if env.waBase != wantWA || env.botBase != wantBot {
				t.Errorf("the harness talks to %s and %s, want %s and %s", env.waBase, env.botBase, wantWA, wantBot)
			}
			if env.WhatsAppURL() == mocks || env.BotURL() == bot {
				t.Errorf("the addresses given out are %s and %s, not the published ports", env.WhatsAppURL(), env.BotURL())
			}
			got := harness.Play(ctx, env, j)
			if d := verdictDiffers(want, got); d != "" {
				t.Errorf("journey %q: %s", j.Name, d)
			}
			if got.Err != nil || len(got.Report.Broken()) > 0 {
				t.Errorf("journey %q: %v, broken %v", j.Name, got.Err, got.Report.Broken())
			}
		})
	}
}

// reachable reports whether base answers an HTTP request from this host.
func reachable(ctx context.Context, base string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_parley/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// TestDirectDialFallsBackToPublished: a container's own address that does not take a connection (a
// container that died: its address goes silent) is given up for its published port, where Docker's
// proxy answers at once; an address that takes it is used, and any other address is dialled as it is.
func TestDirectDialFallsBackToPublished(t *testing.T) {
	published := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("published")) }))
	defer published.Close()
	live := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("direct")) }))
	defer live.Close()
	const silent = "192.0.2.250:8080" // stands for a dead container's address: never answers
	d := newDirectDialer()
	real := d.dial
	var dialled []string
	var mu sync.Mutex
	d.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dialled = append(dialled, addr)
		mu.Unlock()
		if addr == silent {
			<-ctx.Done() // as a SYN to an address nobody holds any more: no answer, no refusal
			return nil, ctx.Err()
		}
		return real(ctx, network, addr)
	}
	pub := hostPort(published.URL)
	d.use(silent, pub)
	d.use(hostPort(live.URL), pub)
	hc := &http.Client{Transport: d.transport()}
	defer d.closeIdle()

	get := func(base string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", base, err)
		}
		defer resp.Body.Close()
		b := make([]byte, 64)
		n, _ := resp.Body.Read(b)
		return string(b[:n])
	}
	if got := get("http://" + silent); got != "published" {
		t.Errorf("a silent container address: answered by %q, want the published port", got)
	}
	if got := get(live.URL); got != "direct" {
		t.Errorf("a container address that answers: answered by %q, want it", got)
	}
	if got := get(published.URL); got != "published" {
		t.Errorf("an address with no mapping: answered by %q", got)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{silent, pub, hostPort(live.URL), pub}
	if len(dialled) != len(want) {
		t.Fatalf("dialled %v, want %v", dialled, want)
	}
	for i := range want {
		if dialled[i] != want[i] {
			t.Fatalf("dialled %v, want %v", dialled, want)
		}
	}
}
