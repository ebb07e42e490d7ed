package containers

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// directProbeTimeout bounds the look at a container's address on the run's network. On Linux with the
// engine on this machine the address answers in well under a millisecond; where it is not routed
// (Docker Desktop, an engine elsewhere) the packets go nowhere, and the start waits this long once, for
// the mocks' address, before it falls back to the published ports for every container.
const directProbeTimeout = 200 * time.Millisecond

// mayReachDirect reports whether to look for the containers at their addresses on the run's network at
// all: not when told not to, nor for an engine on another machine or reached through another host
// (TESTCONTAINERS_HOST_OVERRIDE naming one), whose container addresses mean nothing here, nor for a run
// as in production, whose networks are the engine's business alone.
func (o Options) mayReachDirect() bool {
	if o.PublishedPortsOnly || o.AsProduction || remoteEngine(os.Getenv("DOCKER_HOST")) {
		return false
	}
	if h := os.Getenv("TESTCONTAINERS_HOST_OVERRIDE"); h != "" && h != "localhost" {
		if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
			return false
		}
	}
	return true
}

// networkAddr is the container's address on the run's network, "" when it has none.
func (e *Env) networkAddr(ctx context.Context, c testcontainers.Container) string {
	ins, err := c.Inspect(ctx)
	if err != nil || ins.NetworkSettings == nil {
		return ""
	}
	n, ok := ins.NetworkSettings.Networks[e.network.Name]
	if !ok || n == nil || !n.IPAddress.IsValid() {
		return ""
	}
	return n.IPAddress.String()
}

// directBase returns base (a URL or host:port on a published port) with its host and port replaced by
// the container's address on the run's network and the port inside, when that address answers check
// within directProbeTimeout; otherwise base itself.
func (e *Env) directBase(ctx context.Context, c testcontainers.Container, base, port string, check func(ctx context.Context, hostport string) error) string {
	if !e.o.mayReachDirect() {
		return base
	}
	return reachDirect(ctx, e.o.Logger, base, e.networkAddr(ctx, c), port, check)
}

// reachDirect returns base with ip:port for its host when ip:port answers check within
// directProbeTimeout, base itself otherwise (or when ip is "").
func reachDirect(ctx context.Context, log *slog.Logger, base, ip, port string, check func(ctx context.Context, hostport string) error) string {
	if ip == "" {
		return base
	}
	hostport := net.JoinHostPort(ip, port)
	pctx, cancel := context.WithTimeout(ctx, directProbeTimeout)
	defer cancel()
	if err := check(pctx, hostport); err != nil {
		log.Debug("the container's address on the run's network does not answer; using its published port", "address", hostport, "published", base, "err", err)
		return base
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return hostport // host:port, no scheme
	}
	u.Host = hostport
	return u.String()
}

// mocksAnswer checks that the mocks answer at hostport: their health route, which needs the run's
// control token, so that only the run's own mocks pass.
func mocksAnswer(hc *http.Client) func(ctx context.Context, hostport string) error {
	return httpProbe("", "/_parley/healthz", hc).check
}
