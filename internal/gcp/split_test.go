package gcp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// split is one port served by ServeSplit: a health service over gRPC, and over HTTP/1.1 a handler that
// names the protocol, method and path it was asked.
type split struct {
	addr string
	stop func() error
}

func startSplit(t *testing.T, sniff time.Duration, g *grpc.Server) *split {
	t.Helper()
	if g == nil {
		g = NewGRPCServer()
		healthpb.RegisterHealthServer(g, health.NewServer())
	}
	srv := NewHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto+" "+r.Method+" "+r.URL.Path)
	}))
	if sniff > 0 {
		srv.ReadHeaderTimeout = sniff
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &split{addr: l.Addr().String(), stop: ServeSplit(srv, g, l)}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return s
}

func ctx10s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// get asks for path over HTTP/1.1 on a connection of its own and returns the answer.
func (s *split) get(t *testing.T, path string) string {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequestWithContext(ctx10s(t), http.MethodGet, "http://"+s.addr+path, nil)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// check makes one gRPC health check on a connection of its own.
func (s *split) check(t *testing.T) error {
	t.Helper()
	conn, err := grpc.NewClient(s.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = healthpb.NewHealthClient(conn).Check(ctx10s(t), &healthpb.HealthCheckRequest{})
	return err
}

// dial opens a raw TCP connection, closed when the test ends, that gives up reading after 10 s.
func (s *split) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// closedByServer reports whether the server closed c (a read ends without data and without timing out).
func closedByServer(t *testing.T, c net.Conn) {
	t.Helper()
	n, err := c.Read(make([]byte, 1))
	var ne net.Error
	if n > 0 || err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("read %d bytes, %v: want the connection closed by the server", n, err)
	}
}

// TestServeSplitOnePort: a gRPC client and HTTP/1.1 clients reach their servers on one port; gRPC goes to
// grpc's own transport (the HTTP server's handler knows nothing of gRPC).
func TestServeSplitOnePort(t *testing.T) {
	s := startSplit(t, 0, nil)
	if got := s.get(t, "/v2/x"); got != "HTTP/1.1 GET /v2/x" {
		t.Errorf("HTTP answer %q", got)
	}
	if err := s.check(t); err != nil {
		t.Errorf("gRPC health check: %v", err)
	}
	// Many calls on one connection, as a client keeps it.
	conn, err := grpc.NewClient(s.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	hc := healthpb.NewHealthClient(conn)
	for range 20 {
		if _, err := hc.Check(ctx10s(t), &healthpb.HealthCheckRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	// A request whose method starts like the preface is HTTP/1.1 all the same.
	c := s.dial(t)
	io.WriteString(c, "PRI /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "HTTP/1.1 PRI /p" {
		t.Errorf("PRI over HTTP/1.1 answered %q", b)
	}
}

// TestServeSplitSilentClient: a client that connects and sends nothing is dropped after the deadline, and
// meanwhile others are served.
func TestServeSplitSilentClient(t *testing.T) {
	s := startSplit(t, 200*time.Millisecond, nil)
	silent := s.dial(t)
	other := s.dial(t) // also silent, to show the first is not waited for in turn
	if got := s.get(t, "/a"); got != "HTTP/1.1 GET /a" {
		t.Errorf("HTTP answer %q while a client was silent", got)
	}
	if err := s.check(t); err != nil {
		t.Errorf("gRPC while a client was silent: %v", err)
	}
	closedByServer(t, silent)
	closedByServer(t, other)
}

// TestServeSplitPartialPreface: a client that stops inside the preface is dropped after the deadline; one
// that sends part of it and hangs up is dropped at once; the port serves on.
func TestServeSplitPartialPreface(t *testing.T) {
	s := startSplit(t, 200*time.Millisecond, nil)
	stalled := s.dial(t)
	io.WriteString(stalled, h2Preface[:10])
	gone := s.dial(t)
	io.WriteString(gone, h2Preface[:20])
	gone.(*net.TCPConn).CloseWrite()
	closedByServer(t, gone)
	closedByServer(t, stalled)
	if err := s.check(t); err != nil {
		t.Errorf("gRPC after partial prefaces: %v", err)
	}
}

// TestServeSplitRESTOverH2CPriorKnowledge: the one thing ServeSplit drops. A non-gRPC request over
// unencrypted HTTP/2 with prior knowledge reaches gRPC, which refuses it (HTTP 415); Google's REST clients
// use HTTP/1.1 on a plain endpoint.
func TestServeSplitRESTOverH2CPriorKnowledge(t *testing.T) {
	s := startSplit(t, 0, nil)
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequestWithContext(ctx10s(t), http.MethodGet, "http://"+s.addr+"/v2/x", nil)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("HTTP/%d %d, want HTTP/2 415", resp.ProtoMajor, resp.StatusCode)
	}
}

// TestServeSplitStopLeavesNothing: stop with connections open in every state (idle HTTP/1.1 keep-alive, a
// gRPC connection, one being sniffed, one half-way through the preface) closes them all, and every
// goroutine of the servers ends.
func TestServeSplitStopLeavesNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	g := NewGRPCServer()
	healthpb.RegisterHealthServer(g, health.NewServer())
	srv := NewHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	stop := ServeSplit(srv, g, l)

	keepAlive := &http.Transport{}
	resp, err := (&http.Client{Transport: keepAlive}).Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := healthpb.NewHealthClient(conn).Check(ctx10s(t), &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}

	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	partial, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(partial, h2Preface[:5])

	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	for _, c := range []net.Conn{silent, partial} {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		closedByServer(t, c)
		c.Close()
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("the port still accepts connections after stop")
	}
	conn.Close()
	keepAlive.CloseIdleConnections()
}

// TestGRPCReadDeadline: a call whose request never arrives is cancelled after the read timeout, as
// net/http's ReadTimeout cuts a request body short; a handler slower than that is not, and sees no deadline.
func TestGRPCReadDeadline(t *testing.T) {
	const readTimeout = 100 * time.Millisecond
	g := grpc.NewServer(serverOptions(readTimeout)...)
	healthpb.RegisterHealthServer(g, slowHealth{wait: 3 * readTimeout})
	s := startSplit(t, 0, g)

	conn, err := grpc.NewClient(s.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	// Open the unary Check as a stream, and never send the request.
	ctx := ctx10s(t)
	cs, err := conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, "/grpc.health.v1.Health/Check")
	if err != nil {
		t.Fatal(err)
	}
	err = cs.RecvMsg(&healthpb.HealthCheckResponse{})
	if status.Code(err) != codes.Canceled || ctx.Err() != nil {
		t.Errorf("withheld request: %v, want CANCELED from the server", err)
	}

	if _, err := healthpb.NewHealthClient(conn).Check(ctx10s(t), &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("a handler slower than the read timeout: %v", err)
	}
}

// slowHealth answers Check after wait, failing if the call's context ends first or carries a deadline.
type slowHealth struct {
	healthpb.UnimplementedHealthServer
	wait time.Duration
}

func (h slowHealth) Check(ctx context.Context, _ *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	if d, ok := ctx.Deadline(); ok && time.Until(d) < 5*time.Second {
		return nil, status.Errorf(codes.Internal, "the call has a deadline in %s", time.Until(d))
	}
	select {
	case <-time.After(h.wait):
		return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}, nil
	case <-ctx.Done():
		return nil, status.Error(codes.Internal, "cancelled while handling: "+strings.ToUpper(ctx.Err().Error()))
	}
}
