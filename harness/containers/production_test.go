package containers

import (
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tcexec "github.com/testcontainers/testcontainers-go/exec"

	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// quayBotImage is testdata/quaybot, a vendor's assistant with graph.facebook.com and googleapis.com built
// in (third-party clients as module dependencies), in an image FROM scratch.
func quayBotImage(t *testing.T, ctx context.Context) string {
	return testImage(t, ctx, "testdata/quaybot", "parley.local/quaybot:test")
}

// TestAsProductionNoRouteOut: an unmodified vendor image, certified as production, answers the handshake
// and a customer through graph.facebook.com, dialogflow.googleapis.com and dlp.googleapis.com as parley
// serves them; and its container has no way out of its own network, which is internal: an address outside
// it (the mocks' own address on the network their ports are published through, on this machine) cannot
// be reached, while graph.facebook.com can.
func TestAsProductionNoRouteOut(t *testing.T) {
	dockertest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	image := quayBotImage(t, ctx)
	start := time.Now()
	env, err := Start(ctx, Options{BotImage: image, AsProduction: true})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer env.Close()
	t.Logf("started as production in %s", time.Since(start).Round(time.Millisecond))

	const customer = "34600555111"
	if _, err := env.WhatsApp().SendFromCustomer(ctx, customer, whatsapp.CustomerMessage{Text: "¿dónde está mi pedido 12345?", Name: "Lucía"}); err != nil {
		t.Fatal(err)
	}
	inbox, err := env.WhatsApp().AwaitInbox(ctx, customer, 1)
	if err != nil {
		t.Fatalf("no answer: %v\n%v", err, env.Logs(ctx, 20))
	}
	t.Logf("answer: %+v", inbox[0])
	evs, err := env.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		switch e.Kind {
		case journal.KindDetectIntent, journal.KindDeidentify, journal.KindUnmodelled:
			kinds = append(kinds, e.Kind)
		}
	}
	if strings.Join(kinds, " ") != "deidentify detect_intent" {
		t.Errorf("Google calls %v, want deidentify then detect_intent", kinds)
	}

	var bot, mocks roleContainer
	for _, rc := range env.containers {
		if rc.role == "assistant" {
			bot = rc
		} else {
			mocks = rc
		}
	}
	info, err := mocks.c.Inspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var inside, outside string
	for name, ep := range info.NetworkSettings.Networks {
		if name == env.network.Name {
			inside = ep.IPAddress.String()
		} else {
			outside = ep.IPAddress.String()
		}
	}
	if inside == "" || outside == "" {
		t.Fatalf("the mocks' addresses: inside %q, outside %q", inside, outside)
	}
	probe := filepath.Join(t.TempDir(), "netprobe")
	build := exec.CommandContext(ctx, "go", "build", "-o", probe, "./testdata/netprobe")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build netprobe: %v\n%s", err, out)
	}
	if err := bot.c.CopyFileToContainer(ctx, probe, "/netprobe", 0o755); err != nil {
		t.Fatal(err)
	}
	code, r, err := bot.c.Exec(ctx, []string{"/netprobe", net.JoinHostPort(outside, WhatsAppPort), "graph.facebook.com:443", net.JoinHostPort(inside, WhatsAppPort)}, tcexec.Multiplexed())
	if err != nil || code != 0 {
		t.Fatalf("netprobe: exit %d, %v", code, err)
	}
	b, _ := io.ReadAll(r)
	out := string(b)
	t.Logf("from the assistant's container:\n%s", out)
	// Docker keeps a default route in a container on an internal network and drops what leaves the
	// network at the bridge: the network must be internal, and the dial out must fail.
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ni, err := cli.NetworkInspect(ctx, env.network.ID, client.NetworkInspectOptions{})
	if err != nil || !ni.Network.Internal {
		t.Errorf("the run's network is not internal (%v)", err)
	}
	for _, want := range []string{"dial " + net.JoinHostPort(outside, WhatsAppPort) + " failed", "dial graph.facebook.com:443 ok", "dial " + net.JoinHostPort(inside, WhatsAppPort) + " ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("netprobe did not report %q", want)
		}
	}
}

// TestJavaTrust: in a run as production the truststore goes to parley's own path and over the Debian
// cacerts, and over the image's $JAVA_HOME cacerts when its configuration names one; JAVA_TOOL_OPTIONS
// names it after the options the image sets.
func TestJavaTrust(t *testing.T) {
	for _, tc := range []struct {
		name      string
		env       []string
		paths     []string
		ownBefore string
	}{
		{"no Java", []string{"PATH=/bin"}, []string{assistantTrustStore, JavaCACerts}, ""},
		{"a JDK image", []string{"JAVA_HOME=/opt/java/openjdk", "JAVA_TOOL_OPTIONS=-XX:+UseContainerSupport"},
			[]string{assistantTrustStore, JavaCACerts, "/opt/java/openjdk/lib/security/cacerts"}, "-XX:+UseContainerSupport "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			paths, opts := javaTrust(tc.env)
			if strings.Join(paths, " ") != strings.Join(tc.paths, " ") {
				t.Errorf("paths %q, want %q", paths, tc.paths)
			}
			want := tc.ownBefore + "-Djavax.net.ssl.trustStore=" + assistantTrustStore + " -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit"
			if opts != want {
				t.Errorf("JAVA_TOOL_OPTIONS=%q, want %q", opts, want)
			}
		})
	}
}
