// Package gcp holds what parley's Google Cloud mocks (Dialogflow, DLP) share with the real services'
// front end: REST and gRPC served on one port, as the official Go clients reach them with
// option.WithEndpoint, and the google.rpc.Status error envelope with the HTTP status the REST clients
// derive their error code from.
//
// gRPC requests are told apart by HTTP/2 and a Content-Type starting "application/grpc" and handed to
// grpc.Server.ServeHTTP over unencrypted HTTP/2 (prior knowledge, which is what gRPC clients dialled with
// insecure credentials use); everything else goes to the REST handler. The REST clients take the error code
// from the HTTP status alone, so Status maps every code to the status Google's front end uses
// (google/rpc/code.proto) and names it in upper case ("INVALID_ARGUMENT"), as the real body does.
package gcp
