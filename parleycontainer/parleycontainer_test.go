package parleycontainer_test

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/harness/containers"
	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/parleycontainer"
)

// TestMain leaves the examples out where the container tests skip (dockertest.Require: with -short, and
// without a Docker engine except in CI): an example cannot skip, and the tests, which can, say why.
func TestMain(m *testing.M) {
	flag.Parse()
	if flag.Lookup("test.run").Value.String() == "" && !containersRun() {
		_ = flag.Set("test.run", "^Test")
	}
	os.Exit(m.Run())
}

func containersRun() bool {
	if testing.Short() {
		return false
	}
	if os.Getenv("CI") == "true" {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return containers.DockerAvailable(ctx) == nil
}

// TestRun: what Example shows, run: the mocks in a container, an assistant on the host reached through
// host.docker.internal, a customer's message and its answer, the journal, and nothing left after
// Terminate.
func TestRun(t *testing.T) {
	dockertest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	c, err := parleycontainer.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("parleycontainer.Run in %s", time.Since(start).Round(time.Millisecond))
	defer c.Terminate(ctx)

	l, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: echoBot(c.BotContract()), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	defer srv.Close()

	ctl := c.Control()
	if err := ctl.SetWebhook(ctx, parleycontainer.HostURL(l.Addr().(*net.TCPAddr).Port, "/webhook")); err != nil {
		t.Fatal(err)
	}
	res, err := ctl.SendFromCustomer(ctx, "34600111222", whatsapp.CustomerMessage{Text: "Hola", Name: "Lucía"})
	if err != nil || res.WebhookStatus != 200 {
		t.Fatalf("send: %+v %v", res, err)
	}
	inbox, err := ctl.AwaitInbox(ctx, "34600111222", 1)
	if err != nil {
		t.Fatal(err)
	}
	if inbox[0].Text != "eco: Hola" {
		t.Errorf("the customer received %q", inbox[0].Text)
	}
	evs, err := c.Journal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, e := range evs {
		kinds[e.Kind] = true
	}
	for _, k := range []string{journal.KindWebhookVerify, journal.KindInboundDelivered, journal.KindOutboundAccepted} {
		if !kinds[k] {
			t.Errorf("no %s in the journal (%v)", k, kinds)
		}
	}

	// Dialogflow and DLP answer on their endpoints, their control routes with the run's token.
	hc := control.Client(c.ControlToken(), nil)
	if err := dialogflow.NewControlClient("http://"+c.DialogflowEndpoint(), control.WithHTTPClient(hc)).Healthz(ctx); err != nil {
		t.Errorf("Dialogflow: %v", err)
	}
	if _, err := dlp.NewControlClient("http://"+c.DLPEndpoint(), control.WithHTTPClient(hc)).Faults(ctx); err != nil {
		t.Errorf("DLP: %v", err)
	}
	if !strings.HasPrefix(c.WhatsAppURL(), "http://") {
		t.Errorf("WhatsAppURL %q", c.WhatsAppURL())
	}

	if err := c.Terminate(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := containers.Leftovers(ctx, fmt.Sprintf("%s=%s", containers.LabelRun, c.RunID()))
	if err != nil || len(left) > 0 {
		t.Errorf("after Terminate: %v %v", left, err)
	}
}
