package headerlimit

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const limit = 4 << 10

// serve serves h with a small MaxHeaderBytes on l and returns its address.
func serve(t *testing.T, l net.Listener, h http.Handler) string {
	t.Helper()
	srv := &http.Server{Handler: h, MaxHeaderBytes: limit, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String()
}

// raw sends one request with an extra header of n bytes and returns the whole answer.
func raw(t *testing.T, addr string, n int) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	go func() {
		_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Padding: "+strings.Repeat("p", n)+"\r\nConnection: close\r\n\r\n")
	}()
	b, err := io.ReadAll(c)
	if err != nil && len(b) == 0 {
		t.Fatal(err)
	}
	return string(b)
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "served") })

func answer(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(http.StatusRequestHeaderFieldsTooLarge)
	_, _ = io.WriteString(w, `{"error":{"code":431}}`)
}

// TestStandardLibraryAnswer: the bytes Listener replaces are exactly what this Go release's net/http
// writes for oversized headers; if a release changes them, this fails rather than Listener going quiet.
func TestStandardLibraryAnswer(t *testing.T) {
	addr := serve(t, listen(t), ok)
	if got := raw(t, addr, 4*limit); got != plain431 {
		t.Fatalf("net/http answered oversized headers with\n%q\nwant\n%q", got, plain431)
	}
}

// TestListener: oversized headers get the service's answer, whole and parseable, and the connection
// closes; requests within the limit are served as before.
func TestListener(t *testing.T) {
	addr := serve(t, Listener(listen(t), answer), ok)
	got := raw(t, addr, 4*limit)
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(got)), nil)
	if err != nil {
		t.Fatalf("the answer %q does not parse: %v", got, err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || string(body) != `{"error":{"code":431}}` ||
		resp.Header.Get("Content-Type") != "application/json; charset=UTF-8" || !resp.Close {
		t.Fatalf("answer %d %v %q, want 431 with the JSON body, closing", resp.StatusCode, resp.Header, body)
	}
	if got := raw(t, addr, 10); !strings.HasSuffix(got, "served") {
		t.Fatalf("a request within the limit got %q", got)
	}
	resp2, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	if string(b) != "served" {
		t.Fatalf("a client's request got %q", b)
	}
}

// TestTLSLeftAlone: a TLS connection is handed to net/http as the *tls.Conn it is, so TLS requests are
// served (and report their TLS state) as without the wrapper.
func TestTLSLeftAlone(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			http.Error(w, "no TLS state", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "served")
	}))
	ts.StartTLS()
	defer ts.Close()
	l := Listener(tls.NewListener(listen(t), ts.TLS), answer)
	addr := serve(t, l, ts.Config.Handler)
	c := ts.Client()
	resp, err := c.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "served" {
		t.Fatalf("over TLS: %d %q", resp.StatusCode, b)
	}
}
