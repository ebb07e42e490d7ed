// Package headerlimit lets a server refuse a request whose headers are over its http.Server's
// MaxHeaderBytes in its service's own error format.
//
// net/http refuses such a request before any handler runs: it writes a fixed plain-text "431 Request
// Header Fields Too Large" straight to the connection and closes it, so a client that parses the
// service's JSON errors gets text it cannot read. Listener wraps a listener so that exactly that
// response, on a connection without TLS, is replaced by the answer the service gives. Nothing more is
// read or kept per connection than net/http itself keeps: the limit stays where it was.
//
// Over TLS the connection net/http writes to is the *tls.Conn, which is left alone (wrapping it would
// hide it from net/http's TLS and HTTP/2 handling), and HTTP/2 refuses oversized header lists in its own
// code: both keep the standard library's answer.
package headerlimit

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// plain431 is what net/http writes, in one Write, when a request's headers are over MaxHeaderBytes
// (its status line, its fixed error headers, and the status text as the body).
// TestStandardLibraryAnswer fails if a Go release words it otherwise.
const plain431 = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Connection: close\r\n\r\n431 Request Header Fields Too Large"

// Listener returns l, whose connections without TLS answer a request with oversized headers with what
// answer writes (its status, headers and body) instead of net/http's plain text. answer runs once per
// such request, with no request to read: the headers never arrived whole.
func Listener(l net.Listener, answer func(w http.ResponseWriter)) net.Listener {
	return &listener{Listener: l, answer: answer}
}

type listener struct {
	net.Listener
	answer func(w http.ResponseWriter)
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if _, ok := c.(*tls.Conn); ok {
		return c, nil
	}
	return &conn{Conn: c, answer: l.answer}, nil
}

type conn struct {
	net.Conn
	answer func(w http.ResponseWriter)
}

func (c *conn) Write(p []byte) (int, error) {
	if len(p) != len(plain431) || string(p) != plain431 {
		return c.Conn.Write(p)
	}
	if _, err := c.Conn.Write(Render(c.answer)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// CloseWrite half-closes the connection as net/http does after its refusal, so that the client reads the
// answer before the connection goes.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Render is the HTTP/1.1 response answer writes, with its length and "Connection: close" set, as
// net/http closes the connection after the refusal.
func Render(answer func(w http.ResponseWriter)) []byte {
	r := &recorder{header: http.Header{}}
	answer(r)
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.header.Set("Content-Length", strconv.Itoa(r.body.Len()))
	r.header.Set("Connection", "close")
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %03d %s\r\n", r.status, http.StatusText(r.status))
	_ = r.header.Write(&b)
	b.WriteString("\r\n")
	b.Write(r.body.Bytes())
	return b.Bytes()
}

// recorder is the http.ResponseWriter answer writes to.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}
