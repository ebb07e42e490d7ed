package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness/containers"
	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/report"
)

// TestCertifyAsProduction: a vendor's image built from third-party clients with the production hosts
// built in (harness/containers/testdata/quaybot: a published WhatsApp Graph client, the official
// Dialogflow and DLP clients with no endpoint option) is certified unchanged with --as-production: the
// handshake passes, customers' messages are answered through parley's graph.facebook.com and
// googleapis.com, nothing unmodelled is called, and the verdict names what the assistant does: it answers
// with the agent's replies and nothing else, so no privacy notice and no way to a person, and it names
// Dialogflow sessions by the customer's number.
func TestCertifyAsProduction(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	requireDockerEngine(t, ctx)
	image := "parley.local/quaybot:certify-" + containers.Session()
	if err := dockertest.GoImage(ctx, "../../harness/containers/testdata/quaybot", image, map[string]string{containers.LabelManaged: "true", containers.LabelTestImage: "true"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("docker", "image", "rm", "-f", image).CombinedOutput(); err != nil {
			t.Errorf("removing %s: %v\n%s", image, err, out)
		}
	})

	out := filepath.Join(t.TempDir(), "report")
	var stdout, stderr bytes.Buffer
	start := time.Now()
	err := run(ctx, []string{"certify", "--bot-image", image, "--as-production", "--tags", "@conversation and @es", "--out", out},
		func(string) string { return "" }, &stdout, &stderr)
	t.Logf("parley certify --bot-image %s --as-production --tags '@conversation and @es': exit %d after %s\n%s%s",
		image, exitCode(err), time.Since(start).Round(time.Millisecond), stdout.String(), stderr.String())
	if exitCode(err) != 1 {
		t.Fatalf("exit %d (%v), want 1: not certified", exitCode(err), err)
	}
	f, err := os.Open(filepath.Join(out, report.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := report.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Assistant.Name != "assistant in "+image+", as in production" {
		t.Errorf("assistant %q", rep.Assistant.Name)
	}
	if rep.Summary.Errors != 0 {
		t.Errorf("%d scenarios could not run:\n%s", rep.Summary.Errors, stdout.String())
	}
	var first *report.Scenario
	for i, sc := range rep.Scenarios {
		if strings.Contains(sc.Error, "do not model") {
			t.Errorf("scenario %q: %s", sc.Name, sc.Error)
		}
		if sc.Name == "Una clienta saluda por primera vez" {
			first = &rep.Scenarios[i]
		}
	}
	if first == nil {
		t.Fatal("no first-contact scenario in the report")
	}
	greeting := ""
	for _, turn := range first.Transcript {
		if turn.From == "assistant" && strings.TrimSpace(turn.Text) != "" {
			greeting = turn.Text
			break
		}
	}
	if greeting == "" {
		t.Fatalf("the assistant never answered in %q: %+v", first.Name, first.Transcript)
	}
	// What the code does: its replies are the agent's, with no privacy notice and no way to a person; and
	// the Dialogflow session is the customer's number. The agent's greeting is one of three variants,
	// picked at random as Dialogflow picks them, and not all of them say that an automated assistant
	// answers: the disclosure rule follows the variant this run drew, as the auditor reads it.
	disclosure := audit.Broken
	if audit.Means(greeting, audit.MeansAutomated, "") {
		disclosure = audit.Passed
	}
	for rule, want := range map[string]audit.Status{"AI-DISC-01": disclosure, "GDPR-NOTICE-01": audit.Broken, "WA-ESC-01": audit.Broken} {
		if got := first.RuleStatus[rule]; got != want {
			t.Errorf("%s is %q in %q, want %q", rule, got, first.Name, want)
		}
	}
	if !strings.Contains(stdout.String(), "PII-NLU-02") {
		t.Errorf("the verdict does not name PII-NLU-02 (the session id is the phone number):\n%s", stdout.String())
	}
}

// TestAsProductionNeedsImage: --as-production without --bot-image is a usage error that says what to give.
func TestAsProductionNeedsImage(t *testing.T) {
	err := run(context.Background(), []string{"certify", "--as-production"}, func(string) string { return "" }, io.Discard, io.Discard)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "--bot-image") {
		t.Errorf("exit %d (%v), want 2 naming --bot-image", exitCode(err), err)
	}
}
