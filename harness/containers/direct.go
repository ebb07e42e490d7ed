package containers

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
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
	direct := reachDirect(ctx, e.o.Logger, base, e.networkAddr(ctx, c), port, check)
	if direct != base {
		e.dialer.use(hostPort(direct), hostPort(base))
	}
	return direct
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

// directDialTimeout bounds a connection to a container's address on the run's network. A live container
// on this machine's bridge takes one in well under a millisecond; one that has died leaves its address
// silent, and a connection to it would wait for the kernel to give up (half a minute per attempt, and a
// dead container's error is looked for with several requests).
const directDialTimeout = time.Second

// directDialer is the harness's dialer: a connection to a container's address on the run's network that
// is not taken within directDialTimeout is made to the container's published port instead, where
// Docker's port proxy answers at once, refusing when the container is gone and serving when it is not.
// Every other address is dialled as it is.
type directDialer struct {
	dial       func(ctx context.Context, network, addr string) (net.Conn, error)
	mu         sync.Mutex
	published  map[string]string // a container's address:port -> its published host:port
	transports []*http.Transport
}

func newDirectDialer() *directDialer {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &directDialer{dial: d.DialContext, published: map[string]string{}}
}

// use records that hostport, a container's address, is published at published.
func (d *directDialer) use(hostport, published string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.published[hostport] = published
}

func (d *directDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	published, direct := d.published[addr]
	d.mu.Unlock()
	if !direct {
		return d.dial(ctx, network, addr)
	}
	dctx, cancel := context.WithTimeout(ctx, directDialTimeout)
	conn, err := d.dial(dctx, network, addr)
	cancel()
	if err == nil || ctx.Err() != nil {
		return conn, err
	}
	return d.dial(ctx, network, published)
}

// transport is an HTTP transport that dials through d, with the default transport's other settings.
func (d *directDialer) transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = d.DialContext
	d.mu.Lock()
	d.transports = append(d.transports, t)
	d.mu.Unlock()
	return t
}

// closeIdle closes the idle connections of every transport it made.
func (d *directDialer) closeIdle() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, t := range d.transports {
		t.CloseIdleConnections()
	}
}

// hostPort is the host:port of base, a URL or a host:port.
func hostPort(base string) string {
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return u.Host
	}
	return base
}
