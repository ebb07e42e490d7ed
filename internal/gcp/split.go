package gcp

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
)

// h2Preface is the client connection preface of HTTP/2 (RFC 9113 §3.4). A gRPC client dialled with
// insecure credentials opens with it straight away (prior knowledge); no HTTP/1.1 request can.
const h2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// ServeSplit starts serving l, a listener without TLS, in the background: a connection that opens with
// the HTTP/2 client preface goes to g.Serve, grpc's own transport, and every other one to srv (HTTP/1.1:
// REST, control endpoints). It returns a function that stops both servers and closes l and every
// connection still open, leaving no goroutine behind; calling it more than once is safe.
//
// A connection has srv.ReadHeaderTimeout (ReadTimeout if unset, else 10 s) to say which it is; one that
// says nothing, or stops inside the preface, is closed then, without delaying any other.
func ServeSplit(srv *http.Server, g *grpc.Server, l net.Listener) (stop func() error) {
	sp := &splitter{
		l:     l,
		sniff: sniffTimeout(srv),
		http:  newChanListener(l.Addr()),
		grpc:  newChanListener(l.Addr()),
		conns: map[*sniffedConn]struct{}{},
	}
	httpDone, grpcDone := make(chan error, 1), make(chan error, 1)
	go func() { httpDone <- srv.Serve(sp.http) }()
	go func() { grpcDone <- g.Serve(sp.grpc) }()
	sp.wg.Add(1)
	go sp.accept()

	var (
		once sync.Once
		err  error
	)
	return func() error {
		once.Do(func() {
			lerr := l.Close()
			cerr := srv.Close()
			g.Stop()
			sp.closeAll()
			sp.wg.Wait()
			herr, gerr := <-httpDone, <-grpcDone
			switch {
			case sp.err != nil:
				err = sp.err
			case herr != nil && !errors.Is(herr, http.ErrServerClosed):
				err = herr
			case gerr != nil && !errors.Is(gerr, grpc.ErrServerStopped):
				err = gerr
			case cerr != nil:
				err = cerr
			case lerr != nil && !errors.Is(lerr, net.ErrClosed):
				err = lerr
			}
		})
		return err
	}
}

// sniffTimeout is how long a new connection has to show its first bytes.
func sniffTimeout(srv *http.Server) time.Duration {
	switch {
	case srv.ReadHeaderTimeout > 0:
		return srv.ReadHeaderTimeout
	case srv.ReadTimeout > 0:
		return srv.ReadTimeout
	}
	return ReadHeaderTimeout
}

// splitter accepts connections on l and hands each to the HTTP or the gRPC listener once its first
// bytes are known. Every connection it accepted stays in conns until closed, so that stopping can close
// those the servers never took (still being sniffed, or handed over as a server stopped).
type splitter struct {
	l          net.Listener
	sniff      time.Duration
	http, grpc *chanListener
	wg         sync.WaitGroup // the accept loop and the sniffers
	err        error          // why the accept loop ended, if not because l was closed; read after wg.Wait

	mu     sync.Mutex
	conns  map[*sniffedConn]struct{}
	closed bool
}

func (sp *splitter) accept() {
	defer sp.wg.Done()
	var delay time.Duration
	for {
		c, err := sp.l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off as net/http does, and try again.
			if ne, ok := err.(interface{ Temporary() bool }); ok && ne.Temporary() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			sp.err = err
			return
		}
		delay = 0
		sc := &sniffedConn{Conn: c, sp: sp}
		sp.mu.Lock()
		if sp.closed {
			sp.mu.Unlock()
			c.Close()
			return
		}
		sp.conns[sc] = struct{}{}
		sp.wg.Add(1)
		sp.mu.Unlock()
		go sp.route(sc)
	}
}

// route reads as much of the connection's opening as tells the preface apart, and hands the connection on.
// An HTTP/1.1 request differs from the preface in its first bytes ("GET", "POST"), so it is never kept
// waiting for more than it sent.
func (sp *splitter) route(c *sniffedConn) {
	defer sp.wg.Done()
	if err := c.SetReadDeadline(time.Now().Add(sp.sniff)); err != nil {
		c.Close()
		return
	}
	buf := make([]byte, len(h2Preface))
	n := 0
	for n < len(buf) {
		m, err := c.Conn.Read(buf[n:])
		n += m
		if !strings.HasPrefix(h2Preface, string(buf[:n])) {
			break // not HTTP/2: the HTTP/1.1 server answers it, whatever it is
		}
		if err != nil && n < len(buf) {
			// Silent until the deadline, gone, or stopped inside the preface: nobody to answer.
			c.Close()
			return
		}
	}
	if err := c.SetReadDeadline(time.Time{}); err != nil {
		c.Close()
		return
	}
	c.head = buf[:n]
	to := sp.http
	if string(buf[:n]) == h2Preface {
		to = sp.grpc
	}
	to.hand(c)
}

// closeAll closes every connection accepted and not yet closed, and refuses new ones.
func (sp *splitter) closeAll() {
	sp.mu.Lock()
	sp.closed = true
	conns := make([]*sniffedConn, 0, len(sp.conns))
	for c := range sp.conns {
		conns = append(conns, c)
	}
	sp.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

func (sp *splitter) forget(c *sniffedConn) {
	sp.mu.Lock()
	delete(sp.conns, c)
	sp.mu.Unlock()
}

// sniffedConn is an accepted connection that gives back the bytes read to route it before reading on.
type sniffedConn struct {
	net.Conn
	sp   *splitter
	head []byte // read by route, not yet by the server; only the server's reading goroutine touches it
}

func (c *sniffedConn) Read(p []byte) (int, error) {
	if len(c.head) > 0 {
		n := copy(p, c.head)
		c.head = c.head[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// Close closes the connection and forgets it.
func (c *sniffedConn) Close() error {
	c.sp.forget(c)
	return c.Conn.Close()
}

// CloseWrite half-closes a TCP connection, which net/http does before closing one it answered with an
// error, so that the client reads the answer rather than a reset.
func (c *sniffedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// chanListener is a net.Listener whose connections are handed to it by a splitter.
type chanListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// hand gives c to the server accepting on l, or closes it if l is closed.
func (l *chanListener) hand(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

// Accept waits for the next connection handed over.
func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case <-l.done:
		return nil, net.ErrClosed
	default:
	}
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close makes Accept fail from now on; the connections already accepted are the server's.
func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr is the address of the listener the connections came from.
func (l *chanListener) Addr() net.Addr { return l.addr }
