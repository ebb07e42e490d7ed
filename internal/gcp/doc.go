// Package gcp holds what parley's Google Cloud mocks (Dialogflow, DLP) share with the real services'
// front end: REST and gRPC served on one port, as the official Go clients reach them with
// option.WithEndpoint, and the google.rpc.Status error envelope with the HTTP status the REST clients
// derive their error code from.
//
// A mock listening without TLS (NewServer) serves its port with ServeSplit: each connection's first bytes
// are read, within ReadHeaderTimeout, and a connection that opens with the HTTP/2 client preface (prior
// knowledge, which is what gRPC clients dialled with insecure credentials send) goes to grpc.Server.Serve,
// grpc's own transport; every other one goes to the http.Server of NewHTTPServer (HTTP/1.1: the REST
// clients, curl, /_parley/ control). A client that sends nothing, or stops inside the preface, is closed
// at the deadline without holding up anyone else. grpc's transport answers a call well faster than net/http's
// HTTP/2 server handing it to grpc.Server.ServeHTTP, and with fewer writes (net/http flushes frame by
// frame). NewGRPCServer
// gives the gRPC server the limits net/http gave it there: ReadTimeout for a request to arrive whole,
// ReadHeaderTimeout for the HTTP/2 handshake (grpc.ConnectionTimeout), IdleTimeout for an idle connection
// (keepalive MaxConnectionIdle; one with a call in flight and silent that long is pinged and closed if the
// ping goes unanswered), 250 concurrent calls per connection, MaxHeaderBytes of headers; client keepalive
// pings are accepted down to every 10 s, the shortest interval grpc-go clients use.
//
// The one thing ServeSplit drops: REST over unencrypted HTTP/2 with prior knowledge. Such a connection is
// taken for gRPC, which answers a request that is not gRPC with HTTP 415. Google's REST clients speak
// HTTP/1.1 to a plain http:// endpoint (HTTP/2 only when TLS negotiates it), and curl does unless told
// --http2-prior-knowledge.
//
// Where TLS is used, or a mock's surface is mounted in another server (`parley serve` puts its control
// token in front), the whole surface is Handler, served by NewHTTPServer (and Serve): gRPC requests are told apart by HTTP/2 and a Content-Type starting
// "application/grpc" and handed to grpc.Server.ServeHTTP; everything else goes to the REST handler. That
// path also serves gRPC over unencrypted HTTP/2 (and so REST over it too).
//
// The REST clients take the error code from the HTTP status alone, so HTTPStatus maps every code to the
// status Google's front end uses (google/rpc/code.proto) and names it in upper case ("INVALID_ARGUMENT"),
// as the real body does.
package gcp
