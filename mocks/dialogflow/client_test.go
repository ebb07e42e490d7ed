package dialogflow

import (
	"errors"
	"testing"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
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
				hc := NewControlClient(s.URL())
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
			if err := c.InjectFault(ctx, control.Fault{Kind: "DEADLINE_EXCEEDED", Count: 1}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.detectES(ctx, "grpc", sess, textReq(sess, "hola", "es")); status.Code(err) != codes.DeadlineExceeded {
				t.Errorf("fault: %v", err)
			}
			if err := c.InjectFault(ctx, control.Fault{Kind: "UNAVAILABLE"}); err != nil {
				t.Fatal(err)
			}
			if err := c.InjectFault(ctx, control.Fault{Delay: control.MaxFaultDelay}); err != nil {
				t.Fatal(err)
			}
			if fs, err := c.Faults(ctx); err != nil || len(fs) != 2 || fs[0].Kind != "UNAVAILABLE" || fs[1].Delay != control.MaxFaultDelay {
				t.Errorf("faults %+v %v", fs, err)
			}
			if err := c.ClearFaults(ctx); err != nil {
				t.Fatal(err)
			}
			if fs, err := c.Faults(ctx); err != nil || len(fs) != 0 {
				t.Errorf("faults after clearing %+v %v", fs, err)
			}
			evs, last, err := c.JournalAfter(ctx, 0)
			if err != nil || len(evs) != s.Journal().Len() || last != s.Journal().Last() {
				t.Errorf("journal %d events, last %d, %v", len(evs), last, err)
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
			if evs, _, _ := c.JournalAfter(ctx, 0); evs[len(evs)-1].Kind != journal.KindReset {
				t.Errorf("last event %q, want reset", evs[len(evs)-1].Kind)
			}
		})
	}
}
