package gcp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func TestHTTPStatusAndName(t *testing.T) {
	for _, tc := range []struct {
		code codes.Code
		http int
		name string
	}{
		{codes.InvalidArgument, 400, "INVALID_ARGUMENT"},
		{codes.FailedPrecondition, 400, "FAILED_PRECONDITION"},
		{codes.Unauthenticated, 401, "UNAUTHENTICATED"},
		{codes.PermissionDenied, 403, "PERMISSION_DENIED"},
		{codes.NotFound, 404, "NOT_FOUND"},
		{codes.AlreadyExists, 409, "ALREADY_EXISTS"},
		{codes.ResourceExhausted, 429, "RESOURCE_EXHAUSTED"},
		{codes.Canceled, 499, "CANCELLED"},
		{codes.Internal, 500, "INTERNAL"},
		{codes.Unimplemented, 501, "UNIMPLEMENTED"},
		{codes.Unavailable, 503, "UNAVAILABLE"},
		{codes.DeadlineExceeded, 504, "DEADLINE_EXCEEDED"},
	} {
		if got := HTTPStatus(tc.code); got != tc.http {
			t.Errorf("HTTPStatus(%v) = %d, want %d", tc.code, got, tc.http)
		}
		if got := CodeName(tc.code); got != tc.name {
			t.Errorf("CodeName(%v) = %q, want %q", tc.code, got, tc.name)
		}
	}
}

func TestWriteError(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		wantHTTP   int
		wantStatus string
		wantMsg    string
	}{
		{"status error", status.Error(codes.NotFound, "No agent found"), 404, "NOT_FOUND", "No agent found"},
		{"plain Go error does not leak", errors.New("open /secret/path: permission denied"), 500, "INTERNAL", "Internal error encountered."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteError(rec, tc.err)
			if rec.Code != tc.wantHTTP {
				t.Errorf("HTTP %d, want %d", rec.Code, tc.wantHTTP)
			}
			var body ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if body.Error.Code != tc.wantHTTP || body.Error.Status != tc.wantStatus || body.Error.Message != tc.wantMsg {
				t.Errorf("body %+v", body.Error)
			}
		})
	}
}

// TestOnePortServesBoth proves a real gRPC client and a plain HTTP/1.1 client reach the right handler on
// the same listener.
func TestOnePortServesBoth(t *testing.T) {
	g := grpc.NewServer()
	healthpb.RegisterHealthServer(g, health.NewServer())
	rest := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "rest:"+r.URL.Path) })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := Serve(NewHTTPServer(Handler(g, rest)), l)
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()

	resp, err := http.Get("http://" + l.Addr().String() + "/v2/x")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "rest:/v2/x" || resp.ProtoMajor != 1 {
		t.Errorf("REST answer %q over HTTP/%d", b, resp.ProtoMajor)
	}

	conn, err := grpc.NewClient(l.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hr, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || hr.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("gRPC health check = %v, %v", hr, err)
	}
}
