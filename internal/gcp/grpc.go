package gcp

import (
	"context"
	"runtime"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/tap"
)

// NewGRPCServer returns a grpc.Server with opts after the limits every mock's gRPC face shares. Served by
// ServeSplit on grpc's own transport, it keeps what net/http's HTTP/2 server (NewHTTPServer, through
// Handler) gives a call: a request has ReadTimeout to arrive whole, a connection ReadHeaderTimeout to
// finish its handshake and IdleTimeout to stay open without a call, at most 250 calls at once (net/http's
// default) and MaxHeaderBytes of headers. Through Handler the same server runs under net/http's limits, and
// those of opts alone.
func NewGRPCServer(opts ...grpc.ServerOption) *grpc.Server {
	return grpc.NewServer(append(serverOptions(ReadTimeout), opts...)...)
}

func serverOptions(readTimeout time.Duration) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ConnectionTimeout(ReadHeaderTimeout),
		grpc.KeepaliveParams(keepalive.ServerParameters{
			MaxConnectionIdle: IdleTimeout,
			// A connection with a call in flight and nothing heard for this long is pinged, and closed if
			// the ping goes unanswered: a client that hung holds nothing for long.
			Time:    IdleTimeout,
			Timeout: 20 * time.Second,
		}),
		// grpc-go clients cannot ping more often than every 10 s, and net/http answered every ping, so no
		// client configured with keepalives is sent away (GOAWAY too_many_pings) where it was served before;
		// a client flooding pings still is.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		grpc.MaxConcurrentStreams(250),
		grpc.MaxHeaderListSize(MaxHeaderBytes + 10*32), // as net/http counts MaxHeaderBytes in HTTP/2
		// Calls run on warm worker goroutines instead of a new one each, whose stack grows (copied two or
		// three times) through a handler's deep call chain on every call; Stop ends them.
		grpc.NumStreamWorkers(uint32(runtime.GOMAXPROCS(0))),
		grpc.InTapHandle(readDeadline(readTimeout)),
		grpc.ChainUnaryInterceptor(requestRead),
	}
}

type readTimerKey struct{}

// readDeadline gives each call d to arrive whole, as net/http's HTTP/2 server gives a request body
// ReadTimeout: a client that opens a call and trickles or withholds its message has the call cancelled
// then, instead of holding a worker forever. The deadline is not the call's (ctx.Deadline is unchanged),
// so a slow handler is not cut short: requestRead disarms it once the message is in.
func readDeadline(d time.Duration) tap.ServerInHandle {
	return func(ctx context.Context, _ *tap.Info) (context.Context, error) {
		ctx, cancel := context.WithCancel(ctx)
		t := time.AfterFunc(d, cancel)
		return context.WithValue(ctx, readTimerKey{}, t), nil
	}
}

// requestRead disarms the timer of readDeadline: a unary call's interceptors run once its request is read.
// A call answered before reaching it (undecodable, or refused by an interceptor before this one) leaves
// the timer to cancel a context already done.
func requestRead(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if t, ok := ctx.Value(readTimerKey{}).(*time.Timer); ok {
		t.Stop()
	}
	return h(ctx, req)
}
