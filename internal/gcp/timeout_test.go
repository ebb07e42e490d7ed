package gcp

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestNewHTTPServerBoundsReads: the server the Dialogflow and DLP mocks run on gives a request
// ReadTimeout to arrive whole, and a client that trickles its body is cut off then instead of holding a
// handler forever. The cut itself is shown with a short timeout on the same server.
func TestNewHTTPServerBoundsReads(t *testing.T) {
	srv := NewHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "body: "+err.Error(), http.StatusRequestTimeout)
			return
		}
		io.WriteString(w, "ok")
	}))
	if srv.ReadTimeout != ReadTimeout || srv.ReadTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Fatalf("ReadTimeout %s, IdleTimeout %s: want both set", srv.ReadTimeout, srv.IdleTimeout)
	}
	srv.ReadTimeout = 100 * time.Millisecond
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := Serve(srv, l)
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// Announce 1 MB, send one byte, and stop: the server must give up on its own.
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nx")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		// The connection closed without an answer: cut off, which is what matters.
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("the server still held the trickled request after 10s: %v", err)
		}
		return
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatal("a request whose body never arrived was served")
	}
}
