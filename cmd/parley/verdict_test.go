package main

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/mocks/stack"
	"github.com/parley-dev/parley/report"
)

var (
	parleyOnce sync.Once
	parleyBin  string
	parleyErr  error
)

// builtParley builds the parley binary once for the tests that run it as a new user would.
func builtParley(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	parleyOnce.Do(func() {
		dir, err := os.MkdirTemp("", "parley-bin-")
		if err != nil {
			parleyErr = err
			return
		}
		parleyBin = filepath.Join(dir, "parley")
		if out, err := exec.Command("go", "build", "-o", parleyBin, ".").CombinedOutput(); err != nil {
			parleyErr = &exec.ExitError{Stderr: out}
		}
	})
	if parleyErr != nil {
		t.Fatalf("go build: %v", parleyErr)
	}
	return parleyBin
}

// runBinary runs the built parley in dir and returns its output and exit code.
func runBinary(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(builtParley(t), args...)
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// TestSubsetsNeverCertify: a run chosen by --tags, or a suite that leaves critical and high rules
// unexercised, says INCOMPLETE, never CERTIFIED; the first exits 0 (an intentional subset for CI), the
// second 3.
func TestSubsetsNeverCertify(t *testing.T) {
	work := t.TempDir()
	own := filepath.Join(work, "features")
	if err := os.MkdirAll(own, 0o755); err != nil {
		t.Fatal(err)
	}
	feature := "Feature: one\n  @AI-DISC-01\n  Scenario: hello\n    Given a customer \"Oliver\" with phone \"+44 7700 900001\" who speaks English\n    When \"Oliver\" says \"Hello there\"\n    Then \"Oliver\" receives a reply containing \"automated\"\n"
	if err := os.WriteFile(filepath.Join(own, "one.feature"), []byte(feature), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		subset   bool
	}{
		{"tags", []string{"--tags", "@WA-OPTOUT-01"}, 0, true},
		{"a one-scenario features folder", []string{"--features", own}, 3, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(work, tc.name)
			stdout, stderr, code := runBinary(t, work, append([]string{"certify", "--out", out}, tc.args...)...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout, ": INCOMPLETE") || regexp.MustCompile(`: CERTIFIED\n`).MatchString(stdout) {
				t.Errorf("stdout does not say INCOMPLETE, or says CERTIFIED:\n%s", stdout)
			}
			r := readReportFile(t, out)
			if r.Verdict != report.Incomplete || (r.Summary.Subset != "") != tc.subset {
				t.Errorf("verdict %s, subset %q", r.Verdict, r.Summary.Subset)
			}
			if !tc.subset && !slices.Contains(r.Summary.Required, "WA-OPTOUT-01") {
				t.Errorf("required rules not exercised: %v, want WA-OPTOUT-01 among them", r.Summary.Required)
			}
			if err := r.Recheck(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestOutlineRowsCountInEveryReport: an outline whose first row fails fails the run, whatever its other
// rows do; junit.xml counts the failure.
func TestOutlineRowsCountInEveryReport(t *testing.T) {
	work := t.TempDir()
	own := filepath.Join(work, "features")
	if err := os.MkdirAll(own, 0o755); err != nil {
		t.Fatal(err)
	}
	feature, err := os.ReadFile(filepath.Join("..", "..", "certify", "testdata", "outline.feature"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(own, "o.feature"), feature, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "r")
	stdout, stderr, code := runBinary(t, work, "certify", "--features", own, "--violate", "WA-OPTOUT-02", "--out", out)
	if code != 1 || !strings.Contains(stdout, "NOT CERTIFIED") {
		t.Fatalf("exit %d, want 1 and NOT CERTIFIED\n%s%s", code, stdout, stderr)
	}
	r := readReportFile(t, out)
	if len(r.Scenarios) != 2 || r.Scenarios[0].Status != report.ScenarioFailed || r.Scenarios[1].Status != report.ScenarioPassed {
		t.Fatalf("scenarios: %+v", r.Scenarios)
	}
	junit, err := os.ReadFile(filepath.Join(out, report.FileJUnit))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(junit, []byte(`failures="0" `)) && !bytes.Contains(junit, []byte(`failures="1"`)) {
		t.Errorf("junit.xml counts no failure:\n%s", junit)
	}
}

// TestNotAnAssistant: --bot-url at something that is not an assistant (a file server) is "could not
// run", exit 2, with one line naming the cause, and no report.
func TestNotAnAssistant(t *testing.T) {
	files := httptest.NewServer(http.FileServer(http.Dir(t.TempDir())))
	defer files.Close()
	work := t.TempDir()
	started := time.Now()
	wa, df, dl := freeAddr(t), freeAddr(t), freeAddr(t)
	stdout, stderr, code := runBinary(t, work, "certify", "--bot-url", files.URL, "--whatsapp", wa, "--dialogflow", df, "--dlp", dl, "--out", "r")
	took := time.Since(started)
	want := "the webhook handshake at " + files.URL + "/webhook answered HTTP 404"
	if code != 2 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, want 2 with %q\n%s%s", code, want, stdout, stderr)
	}
	if strings.Contains(stderr, "[1/") {
		t.Errorf("a scenario was played:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(work, "r", report.FileJSON)); err == nil {
		t.Error("a run that could not run wrote a report")
	}
	t.Logf("could not run, exit 2, in %s", took.Round(time.Millisecond))
}

// startBot starts `parley bot` as a separate process with the environment of `certify --print-env`,
// plus args, and returns its base URL.
func startBot(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(builtParley(t), append([]string{"bot", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	pr, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("the assistant did not start: %v", err)
	}
	go io.Copy(io.Discard, pr)
	u := regexp.MustCompile(`https?://\S+`).FindString(line)
	if u == "" {
		t.Fatalf("no URL in %q", line)
	}
	return u
}

// contractEnv is the bot contract for mocks at the given addresses, as `certify --print-env` prints it.
func contractEnv(t *testing.T, mockFlags []string) []string {
	t.Helper()
	out, _, err := runEnv(t, nil, append([]string{"certify", "--print-env"}, mockFlags...)...)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(out), "\n")
}

// swallowDocuments is a Graph API proxy in front of the WhatsApp mock that answers every document send
// with a made-up success and forwards nothing of it: an assistant that acknowledges data requests and
// never delivers the copy.
func swallowDocuments(t *testing.T, mock string) string {
	t.Helper()
	target, err := url.Parse(mock)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages") {
			body, _ := io.ReadAll(r.Body)
			var m struct {
				Type string `json:"type"`
				To   string `json:"to"`
			}
			_ = json.Unmarshal(body, &m)
			if m.Type == "document" {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"messaging_product":"whatsapp","contacts":[{"input":"`+m.To+`","wa_id":"`+m.To+`"}],"messages":[{"id":"wamid.SWALLOWED"}]}`)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestUnansweredDataRequestsByURL: an assistant run as a separate process that acknowledges access and
// portability requests and never sends the copy is NOT CERTIFIED with GDPR-ACCESS-01 and GDPR-DSR-02
// broken through --bot-url, with the retention scenario moving the clock by months in the same run.
func TestUnansweredDataRequestsByURL(t *testing.T) {
	work := t.TempDir()
	wa, df, dl := freeAddr(t), freeAddr(t), freeAddr(t)
	mockFlags := []string{"--whatsapp", wa, "--dialogflow", df, "--dlp", dl}
	env := contractEnv(t, mockFlags)
	for i, kv := range env {
		if strings.HasPrefix(kv, "WHATSAPP_API_URL=") {
			env[i] = "WHATSAPP_API_URL=" + swallowDocuments(t, "http://"+wa)
		}
	}
	bot := startBot(t, env)
	tags := "@GDPR-ACCESS-01 or @GDPR-PORT-01 or @GDPR-RET-01 or @GDPR-DSR-02"
	stdout, stderr, code := runBinary(t, work, append([]string{"certify", "--bot-url", bot, "--tags", tags, "--out", "r", "--quiet", "150ms"}, mockFlags...)...)
	if code != 1 || !strings.Contains(stdout, "NOT CERTIFIED") {
		t.Fatalf("exit %d, want 1 and NOT CERTIFIED\n%s%s", code, stdout, stderr)
	}
	r := readReportFile(t, filepath.Join(work, "r"))
	for _, id := range []string{"GDPR-ACCESS-01", "GDPR-DSR-02"} {
		for _, rr := range r.Rules {
			if rr.ID == id && rr.Status != audit.Broken {
				t.Errorf("%s is %s, want broken", id, rr.Status)
			}
		}
	}
	for _, rr := range r.Rules {
		if rr.Status == audit.Broken {
			t.Logf("%s broken (%d finding(s)), first in %q", rr.ID, len(rr.Findings), rr.Findings[0].Scenario)
		}
	}
}

// TestReferenceByURLAsEmbedded: the reference assistant run as a separate process and certified through
// --bot-url judges as it does embedded; a plain-HTTP webhook breaks WA-SEC-02 once, in the scenario that
// checks the transport, and nowhere else. PARLEY_FULL_BOT_URL=1 runs the whole suite over HTTPS, which
// must certify.
func TestReferenceByURLAsEmbedded(t *testing.T) {
	work := t.TempDir()
	wa, df, dl := freeAddr(t), freeAddr(t), freeAddr(t)
	mockFlags := []string{"--whatsapp", wa, "--dialogflow", df, "--dlp", dl}
	env := contractEnv(t, mockFlags)
	if os.Getenv("PARLEY_FULL_BOT_URL") != "" {
		cert, key, ca := writeRunCA(t, work)
		bot := startBot(t, env, "--tls-cert", cert, "--tls-key", key)
		started := time.Now()
		stdout, stderr, code := runBinary(t, work, append([]string{"certify", "--bot-url", bot, "--webhook-ca", ca, "--out", "full"}, mockFlags...)...)
		if code != 0 || !strings.Contains(stdout, ": CERTIFIED\n") {
			t.Fatalf("exit %d, want the reference certified through --bot-url over HTTPS\n%s%s", code, stdout, stderr)
		}
		t.Logf("the whole suite through --bot-url over HTTPS: CERTIFIED in %s", time.Since(started).Round(time.Second))
		return
	}
	bot := startBot(t, env)
	tags := "@WA-SEC-02 or @AI-DISC-01 or @WA-OPTOUT-03"
	stdout, stderr, code := runBinary(t, work, append([]string{"certify", "--bot-url", bot, "--tags", tags, "--out", "r", "--quiet", "150ms"}, mockFlags...)...)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (WA-SEC-02 on a plain-HTTP webhook)\n%s%s", code, stdout, stderr)
	}
	r := readReportFile(t, filepath.Join(work, "r"))
	for _, rr := range r.Rules {
		if rr.Status == audit.Broken && rr.ID != "WA-SEC-02" {
			t.Errorf("%s broken by the reference assistant by URL: %+v", rr.ID, rr.Findings)
		}
	}
	var sec []string
	for _, s := range r.Scenarios {
		if s.RuleStatus["WA-SEC-02"] == audit.Broken {
			sec = append(sec, s.Name)
			if !slices.Contains(s.Tags, "@WA-SEC-02") {
				t.Errorf("WA-SEC-02 broken in %q, which does not check the transport", s.Name)
			}
		}
		if s.Error != "" && !slices.Contains(s.Tags, "@WA-SEC-02") {
			t.Errorf("%q: %s", s.Name, s.Error)
		}
	}
	if len(sec) == 0 {
		t.Error("WA-SEC-02 broken in no scenario")
	}
}

// writeRunCA writes a CA, and a certificate for 127.0.0.1 it issued with its key, into dir.
func writeRunCA(t *testing.T, dir string) (certFile, keyFile, caFile string) {
	t.Helper()
	ca, err := stack.NewCA([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	var chain []byte
	for _, der := range ca.Cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	key, err := x509.MarshalPKCS8PrivateKey(ca.Cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, caFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "ca.pem")
	for f, b := range map[string][]byte{certFile: chain, keyFile: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), caFile: ca.PEM} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certFile, keyFile, caFile
}
