package gcp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Handler serves gRPC requests with g and everything else with rest.
func Handler(g *grpc.Server, rest http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if IsGRPC(r) {
			g.ServeHTTP(w, r)
			return
		}
		rest.ServeHTTP(w, r)
	})
}

// IsGRPC reports whether r is a gRPC call.
func IsGRPC(r *http.Request) bool {
	return r.ProtoMajor == 2 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc")
}

// ReadTimeout is how long a request (headers and body) may take to arrive, as in the WhatsApp mock.
const ReadTimeout = 60 * time.Second

const (
	// ReadHeaderTimeout is how long a request's headers may take to arrive, and a connection served by
	// ServeSplit its opening bytes and, for gRPC, the rest of the HTTP/2 handshake.
	ReadHeaderTimeout = 10 * time.Second
	// IdleTimeout is how long a connection with no request in flight is kept open.
	IdleTimeout = 2 * time.Minute
	// MaxHeaderBytes bounds a request's headers.
	MaxHeaderBytes = 64 << 10
)

// NewHTTPServer returns an http.Server for h that speaks HTTP/1.1 and unencrypted HTTP/2, the two
// protocols the official clients use against an endpoint without TLS.
func NewHTTPServer(h http.Handler) *http.Server {
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler:           h,
		Protocols:         &p,
		ReadHeaderTimeout: ReadHeaderTimeout,
		// A body trickled in forever must not hold a handler (and its goroutine) forever: a request has
		// ReadTimeout to arrive whole. The mocks model no streaming RPC, so no call legitimately takes
		// longer; idle keep-alive connections have IdleTimeout of their own.
		ReadTimeout:    ReadTimeout,
		IdleTimeout:    IdleTimeout,
		MaxHeaderBytes: MaxHeaderBytes,
	}
}

// Serve starts srv on l in the background and returns a function that stops it, waiting for requests in
// flight. Listening first (net.Listen) keeps bind errors synchronous for the caller.
func Serve(srv *http.Server, l net.Listener) (stop func() error) {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	return func() error {
		err := srv.Close()
		if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			return serr
		}
		return err
	}
}

// HTTPStatus is the HTTP status Google's front end answers for a gRPC code.
func HTTPStatus(c codes.Code) int {
	switch c {
	case codes.OK:
		return http.StatusOK
	case codes.Canceled:
		return 499
	case codes.InvalidArgument, codes.FailedPrecondition, codes.OutOfRange:
		return http.StatusBadRequest
	case codes.Unauthenticated:
		return http.StatusUnauthorized
	case codes.PermissionDenied:
		return http.StatusForbidden
	case codes.NotFound:
		return http.StatusNotFound
	case codes.AlreadyExists, codes.Aborted:
		return http.StatusConflict
	case codes.ResourceExhausted:
		return http.StatusTooManyRequests
	case codes.Unimplemented:
		return http.StatusNotImplemented
	case codes.Unavailable:
		return http.StatusServiceUnavailable
	case codes.DeadlineExceeded:
		return http.StatusGatewayTimeout
	default: // Unknown, Internal, DataLoss
		return http.StatusInternalServerError
	}
}

// CodeName is the upper-case name of c used in REST error bodies ("INVALID_ARGUMENT").
func CodeName(c codes.Code) string {
	if n, ok := code.Code_name[int32(c)]; ok {
		return n
	}
	return "UNKNOWN"
}

// ErrorBody is the REST error envelope of Google APIs: {"error":{"code","message","status","details"}}.
type ErrorBody struct {
	Error ErrorStatus `json:"error"`
}

// ErrorStatus is google.rpc.Status as the REST front end writes it, with the HTTP status as code.
type ErrorStatus struct {
	Code    int              `json:"code"`
	Message string           `json:"message"`
	Status  string           `json:"status"`
	Details []map[string]any `json:"details,omitempty"`
}

// WriteError writes err as the REST error envelope. err should be a gRPC status error (status.Error);
// anything else is written as INTERNAL with a generic message, so no Go error string leaks to a client.
func WriteError(w http.ResponseWriter, err error) {
	st, ok := status.FromError(err)
	if !ok {
		st = status.New(codes.Internal, "Internal error encountered.")
	}
	httpStatus := HTTPStatus(st.Code())
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(httpStatus)
	_ = json.NewEncoder(w).Encode(ErrorBody{Error: ErrorStatus{Code: httpStatus, Message: st.Message(), Status: CodeName(st.Code())}})
}

// WriteControlError answers a control call (/_parley/) that failed with an HTTP status, in the same
// google.rpc.Status envelope as the service's own errors: 400 is INVALID_ARGUMENT, 404 NOT_FOUND, 504
// DEADLINE_EXCEEDED; 413 and 431 (a body or headers over the limit) keep their HTTP status, with
// INVALID_ARGUMENT as Google words an oversized request; anything else is INTERNAL.
func WriteControlError(w http.ResponseWriter, httpStatus int, msg string) {
	c := codes.Internal
	switch httpStatus {
	case http.StatusRequestEntityTooLarge, http.StatusRequestHeaderFieldsTooLarge:
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(httpStatus)
		_ = json.NewEncoder(w).Encode(ErrorBody{Error: ErrorStatus{Code: httpStatus, Message: msg, Status: CodeName(codes.InvalidArgument)}})
		return
	case http.StatusBadRequest:
		c = codes.InvalidArgument
	case http.StatusNotFound:
		c = codes.NotFound
	case http.StatusGatewayTimeout:
		c = codes.DeadlineExceeded
	}
	WriteError(w, status.Error(c, msg))
}

// HeadersTooLarge is the answer to a request whose headers are over MaxHeaderBytes, in Google's error
// envelope (headerlimit.Listener puts it in place of net/http's plain text).
func HeadersTooLarge(w http.ResponseWriter) {
	WriteControlError(w, http.StatusRequestHeaderFieldsTooLarge,
		fmt.Sprintf("Request header fields too large: the limit is %d bytes.", MaxHeaderBytes))
}

// Unauthenticated is the error Google's front end gives a request without valid credentials.
var Unauthenticated = status.Error(codes.Unauthenticated, "Request had invalid authentication credentials. "+
	"Expected OAuth 2 access token, login cookie or other valid authentication credential. "+
	"See https://developers.google.com/identity/sign-in/web/devconsole-project.")
