// Package control is what the three mocks share about their surfaces: the routing of their HTTP faces,
// one vocabulary for their control planes (/_parley/), and the guard on those.
//
// Mux turns a mock's route table, written as http.ServeMux method-and-path patterns, into its routing,
// and sends whatever the table does not serve to the mock's own fallback (the real service's error
// envelope and an unmodelled journal event), never to ServeMux's plain-text 404, 405 or redirects.
//
// Mock is the control every mock has, in-process (its *Server) and over HTTP (its *ControlClient, built
// on Endpoint): a Fault injected, cleared and listed the same way in Go and over /_parley/faults, with
// the same JSON, and the journal read after a sequence number. Each mock gives a fault's Kind its real
// service's meaning (Graph error codes, gRPC status codes) and refuses kinds it does not model.
//
// The mocks listen on loopback by default, where only the machine's own processes reach them. Inside a
// container `parley serve` listens on 0.0.0.0, and then anyone on the network could move the simulated
// clock, read the journal or play a customer. RequireToken puts a shared secret in front of the control
// routes: a request under /_parley/ without `Authorization: Bearer TOKEN` gets 401, in the error format of
// the mock it guards (a Graph error envelope for WhatsApp, google.rpc.Status JSON for Dialogflow and
// DLP). The real services' own surfaces (Graph API, Dialogflow and DLP REST and gRPC) are not touched:
// they keep their own authentication. Client is the other side: an *http.Client that sends the token.
package control
