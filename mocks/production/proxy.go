package production

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/gcp"
	"github.com/parley-dev/parley/journal"
)

// An assistant running on this machine cannot have graph.facebook.com resolve to parley without
// changing the machine's resolver; but every HTTP stack worth certifying honours HTTPS_PROXY. The proxy
// is that way in: it answers CONNECT for the production names on port 443 by handing the tunnel to the
// Front, which then serves TLS with the kit's certificate inside it, exactly as it does when the names
// resolve to it. Whatever else the assistant asks the proxy for is refused and journalled as unmodelled,
// so a run names every host it tried to reach.

// Bounds of what the proxy reads before a tunnel is open: a CONNECT request is one line and a few
// headers, and a client that sends more, or sends it slowly, is not an HTTP client at all.
const (
	proxyMaxHeader   = 8 << 10
	proxyHeaderLimit = 10 * time.Second
)

// ProxyPort is the only port the proxy opens tunnels to: the production hosts are HTTPS on 443.
const ProxyPort = "443"

// Proxy is an HTTPS proxy (HTTP CONNECT) on a loopback address that answers, for the production names
// (Names) on port 443, as the Front, and refuses everything else, journalling it as unmodelled with
// the host asked for. Close stops it.
type Proxy struct {
	f       *Front
	l       net.Listener
	tunnels *tunnelListener
	srv     *http.Server

	mu     sync.Mutex
	conns  map[net.Conn]bool
	closed bool
	wg     sync.WaitGroup
	served chan error
}

// ListenProxy starts a proxy for f on addr, which must be a loopback address (anyone who can reach the
// proxy can reach the mocks through it), serving tunnels with tlsCfg (Kit.ServerTLS).
func ListenProxy(f *Front, addr string, tlsCfg *tls.Config) (*Proxy, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("production proxy: address %q: want 127.0.0.1:PORT", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("production proxy: %s is not a loopback address: the proxy serves the assistant on this machine only (e.g. 127.0.0.1:4050)", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("production proxy: listen %s: %w", addr, err)
	}
	if ta, ok := l.Addr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
		l.Close()
		return nil, fmt.Errorf("production proxy: %s listens on %s, not on loopback", addr, l.Addr())
	}
	p := &Proxy{f: f, l: l, tunnels: newTunnelListener(l.Addr()), conns: map[net.Conn]bool{}, served: make(chan error, 1)}
	p.srv = gcp.NewHTTPServer(f)
	p.srv.Protocols.SetHTTP2(true)
	go func() { p.served <- p.srv.Serve(tls.NewListener(p.tunnels, tlsCfg)) }()
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is where the proxy listens, host:port.
func (p *Proxy) Addr() string { return p.l.Addr().String() }

// URL is the proxy's URL, what HTTPS_PROXY names.
func (p *Proxy) URL() string { return "http://" + p.Addr() }

// Close stops accepting, closes every connection and tunnel, and waits for them.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	err := p.l.Close()
	p.tunnels.Close()
	serr := p.srv.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	if e := <-p.served; e != nil && !errors.Is(e, http.ErrServerClosed) && !errors.Is(e, net.ErrClosed) {
		return e
	}
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return errors.Join(err, serr)
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		if !p.track(c, true) {
			c.Close()
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
		}()
	}
}

// track adds c to (or removes it from) the connections Close closes; false once the proxy is closed.
func (p *Proxy) track(c net.Conn, on bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !on {
		delete(p.conns, c)
		return true
	}
	if p.closed {
		return false
	}
	p.conns[c] = true
	return true
}

// serve reads one CONNECT request from c, bounded in size and time, and opens the tunnel or refuses it.
// A refused connection is closed: one tunnel, or one refusal, per connection.
func (p *Proxy) serve(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(proxyHeaderLimit))
	in := &cappedReader{r: c, left: proxyMaxHeader}
	br := bufio.NewReaderSize(in, 4096)
	req, err := http.ReadRequest(br)
	if err != nil {
		p.track(c, false)
		// Not an HTTP request, too long, or too slow: nothing to journal but that it happened.
		if !errors.Is(err, io.EOF) {
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
		}
		c.Close()
		return
	}
	host, port, splitErr := net.SplitHostPort(req.Host)
	switch {
	case req.Method != http.MethodConnect:
		p.refuse(c, req, http.StatusMethodNotAllowed, req.Method+" "+req.URL.String()+": the proxy opens HTTPS tunnels (CONNECT) only")
		return
	case splitErr != nil:
		p.refuse(c, req, http.StatusBadRequest, "CONNECT "+req.Host+": want host:443")
		return
	case port != ProxyPort:
		p.refuse(c, req, http.StatusForbidden, "CONNECT "+req.Host+": the production hosts are reached on port 443 only")
		return
	case !isKnown(host) || serviceOf(host) == metadata:
		p.refuse(c, req, http.StatusForbidden, "CONNECT "+req.Host+": not a host parley answers for")
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	in.unlimit()
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		p.track(c, false)
		c.Close()
		return
	}
	// Bytes the client sent after the request (its TLS ClientHello, sent without waiting) are in br:
	// the tunnel reads them first. The TLS server owns the connection from here; Close still closes it.
	p.tunnels.hand(&bufferedConn{Conn: c, r: br}, func() { p.track(c, false) })
}

// refuse answers a request the proxy does not serve and journals it as unmodelled with the host asked
// for, so the run fails naming it.
func (p *Proxy) refuse(c net.Conn, req *http.Request, status int, why string) {
	defer p.track(c, false)
	defer c.Close()
	host := hostOnly(req.Host)
	if host == "" && req.URL != nil {
		host = req.URL.Hostname()
	}
	path := ""
	if req.Method != http.MethodConnect && req.URL != nil {
		path = req.URL.Path
	}
	p.f.j.Record(journal.SourceNetwork, journal.KindUnmodelled, "", journal.RequestData{
		Host: strings.ToLower(host), Method: req.Method, Path: path, HTTP: status,
		Detail: "parley does not model " + why,
	})
	p.f.log.Warn("proxy refused a request", "method", req.Method, "host", req.Host, "why", why)
	body := "parley: " + why + "\n"
	fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s",
		status, http.StatusText(status), len(body), body)
}

// cappedReader reads at most left bytes from r until unlimit is called.
type cappedReader struct {
	r    io.Reader
	mu   sync.Mutex
	left int
	free bool
}

func (c *cappedReader) Read(b []byte) (int, error) {
	c.mu.Lock()
	free, left := c.free, c.left
	c.mu.Unlock()
	if !free {
		if left <= 0 {
			return 0, errors.New("production proxy: request header too long")
		}
		b = b[:min(len(b), left)]
	}
	n, err := c.r.Read(b)
	if !free {
		c.mu.Lock()
		c.left -= n
		c.mu.Unlock()
	}
	return n, err
}

func (c *cappedReader) unlimit() {
	c.mu.Lock()
	c.free = true
	c.mu.Unlock()
}

// bufferedConn is a connection whose first bytes were already read into r.
type bufferedConn struct {
	net.Conn
	r      *bufio.Reader
	once   sync.Once
	onDone func()
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

func (c *bufferedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		if c.onDone != nil {
			c.onDone()
		}
	})
	return err
}

// tunnelListener is the listener the tunnels' TLS server accepts from: the proxy hands it each
// connection it opened a tunnel on.
type tunnelListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newTunnelListener(addr net.Addr) *tunnelListener {
	return &tunnelListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// hand gives c to the server, or closes it when the listener is closed; onDone runs when it is closed.
func (l *tunnelListener) hand(c *bufferedConn, onDone func()) {
	c.onDone = onDone
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *tunnelListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *tunnelListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *tunnelListener) Addr() net.Addr { return l.addr }
