package dlp_test

import (
	"strings"
	"testing"

	"go.uber.org/goleak"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/parley-dev/parley/mocks/dlp"
)

// TestHugeGRPCRequest: a request over twice the limit is refused by gRPC itself (RESOURCE_EXHAUSTED)
// without reaching the journal, on grpc's own transport as it was through net/http, and the connection
// serves on.
func TestHugeGRPCRequest(t *testing.T) {
	s := dlp.RunT(t)
	c := clients(t, s)["grpc"]
	seq := s.Journal().Last()
	huge := deidRequest("projects/p", strings.Repeat("a", 2*dlp.MaxRequestBytes+1), []string{"EMAIL_ADDRESS"}, replaceWithInfoType)
	_, err := c.DeidentifyContent(ctxT(t), huge)
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("huge request: %v, want RESOURCE_EXHAUSTED", err)
	}
	if evs := s.Journal().After(seq); len(evs) != 0 {
		t.Errorf("journalled %+v", evs)
	}
	if _, err := c.DeidentifyContent(ctxT(t), deidRequest("projects/p", "x", []string{"EMAIL_ADDRESS"}, replaceWithInfoType)); err != nil {
		t.Errorf("next call: %v", err)
	}
}

// TestCloseWithClientsConnected: Close ends the server's goroutines while the official gRPC and REST
// clients still hold connections to it.
func TestCloseWithClientsConnected(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s, err := dlp.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	cs := clients(t, s)
	for transport, c := range cs {
		if _, err := c.DeidentifyContent(ctxT(t), deidRequest("projects/p", "x", []string{"EMAIL_ADDRESS"}, replaceWithInfoType)); err != nil {
			t.Fatalf("%s: %v", transport, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		c.Close()
	}
}
