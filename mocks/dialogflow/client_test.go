package dialogflow

import (
	"errors"
	"testing"

	"github.com/parley-dev/parley/journal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestControlBothFaces runs one body against the in-process Server and the HTTP ControlClient.
func TestControlBothFaces(t *testing.T) {
	for _, face := range []string{"in-process", "http"} {
		t.Run(face, func(t *testing.T) {
			s := RunT(t)
			var c Control = s
			if face == "http" {
				hc := NewControlClient(s.URL(), nil)
				if err := hc.Healthz(testCtx(t)); err != nil {
					t.Fatal(err)
				}
				c = hc
			}
			ctx := testCtx(t)
			sess := "projects/parley-demo/agent/sessions/face"
			if err := c.ForceNext(ctx, Force{Intent: "privacy.question", Session: "face"}); err != nil {
				t.Fatal(err)
			}
			if qr := detectDirect(t, s, sess, "estado del pedido 12345", "es"); qr.GetIntent().GetDisplayName() != "privacy.question" {
				t.Errorf("forced → %q", qr.GetIntent().GetDisplayName())
			}
			detectDirect(t, s, sess, "estado del pedido 12345", "es")
			sessions, err := c.Sessions(ctx)
			if err != nil || len(sessions) != 1 || sessions[0].Path != sess || sessions[0].Turns != 2 {
				t.Errorf("sessions %+v %v", sessions, err)
			}
			cs, err := c.Contexts(ctx, sess)
			if err != nil || len(cs) != 2 || cs[1].Lifespan != 2 || cs[1].Parameters["order_number"] != "12345" {
				t.Errorf("contexts %+v %v", cs, err)
			}
			if err := c.SetFault(ctx, Fault{Code: "DEADLINE_EXCEEDED", Count: 1}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.detectES(ctx, "grpc", sess, textReq(sess, "hola", "es")); status.Code(err) != codes.DeadlineExceeded {
				t.Errorf("fault: %v", err)
			}
			if err := c.SetFault(ctx, Fault{Code: "UNAVAILABLE"}); err != nil {
				t.Fatal(err)
			}
			if err := c.ClearFault(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.SetLatency(ctx, 0); err != nil {
				t.Fatal(err)
			}
			evs, err := c.JournalAfter(ctx, 0)
			if err != nil || len(evs) != s.Journal().Len() {
				t.Errorf("journal %d events, %v", len(evs), err)
			}
			if err := c.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			if sessions, _ := c.Sessions(ctx); len(sessions) != 0 {
				t.Errorf("after reset %+v", sessions)
			}
			err = c.ForceNext(ctx, Force{Intent: "no.such.intent"})
			var ce *ControlError
			if err == nil || (face == "http" && (!errors.As(err, &ce) || ce.HTTP != 400)) {
				t.Errorf("bad force: %v", err)
			}
			if evs, _ := c.JournalAfter(ctx, 0); evs[len(evs)-1].Kind != journal.KindReset {
				t.Errorf("last event %q, want reset", evs[len(evs)-1].Kind)
			}
		})
	}
}
