package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/report"
)

func runEnv(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func readReportFile(t *testing.T, dir string) report.Report {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, report.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := report.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCertifyBinary builds parley and runs `parley certify` as a new user would: in an empty folder
// outside the source tree, with nothing but the binary.
func TestCertifyBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "parley")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	schema := readSchema(t)
	tests := []struct {
		name      string
		args      []string
		wantCode  int // -1: 0 or 1, as the verdict says
		wantRules map[string]audit.Status
	}{
		{"the whole suite against the reference assistant", nil, -1, nil},
		{"a broken rule is caught and denies certification", []string{"--violate", "WA-OPTOUT-01", "--tags", "@WA-OPTOUT-01", "--lang", "es"}, 1,
			map[string]audit.Status{"WA-OPTOUT-01": audit.Broken}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir() // outside the source tree: the suite must be inside the binary
			cmd := exec.Command(bin, append([]string{"certify"}, tc.args...)...)
			cmd.Dir = work
			cmd.Env = []string{"HOME=" + work, "PATH=" + os.Getenv("PATH")}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(work, "parley-report")
			for _, f := range []string{report.FileJSON, report.FileHTML, report.FileMarkdown, report.FileJUnit, report.FileCucumber} {
				if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
					t.Errorf("%s not written: %v", f, err)
				}
			}
			doc, err := os.ReadFile(filepath.Join(out, report.FileJSON))
			if err != nil {
				t.Fatalf("%v\nstderr: %s", err, stderr.String())
			}
			if errs := validateSchema(schema, doc); len(errs) > 0 {
				t.Errorf("report.json does not follow docs/report.schema.json:\n%s", strings.Join(errs, "\n"))
			}
			r := readReportFile(t, out)
			want := tc.wantCode
			if want == -1 {
				want = map[bool]int{true: 0, false: 1}[r.Certified()]
			}
			if code != want || (code == 0) != r.Certified() {
				t.Errorf("exit %d with verdict %s, want exit %d\nstdout: %s\nstderr: %s", code, r.Verdict, want, stdout.String(), stderr.String())
			}
			for id, st := range tc.wantRules {
				for _, rr := range r.Rules {
					if rr.ID == id && rr.Status != st {
						t.Errorf("%s is %s, want %s", id, rr.Status, st)
					}
				}
			}
			bin256, _ := report.HashFile(bin)
			if r.Parley.BinarySHA256 != bin256 || len(r.Suite.SHA256) != 64 || r.Summary.Scenarios == 0 {
				t.Errorf("binary hash %s (want %s), suite hash %q, %d scenarios", r.Parley.BinarySHA256, bin256, r.Suite.SHA256, r.Summary.Scenarios)
			}
			// Not a terminal: one plain progress line per scenario, no carriage returns.
			if n := strings.Count(stderr.String(), "\n["); n+1 < r.Summary.Scenarios || strings.Contains(stderr.String(), "\r") {
				t.Errorf("progress lines (%d) for %d scenarios:\n%s", n+1, r.Summary.Scenarios, stderr.String())
			}
			// In the report's language: --lang es says "informe:".
			if !strings.Contains(stdout.String(), "report: parley-report/report.html") && !strings.Contains(stdout.String(), "informe: parley-report/report.html") {
				t.Errorf("stdout does not say where the report is:\n%s", stdout.String())
			}
		})
	}
}

func TestCertifyBadInput(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A port nothing listens on: listen, note it, close.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	out := filepath.Join(tmp, "out")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--frobnicate"}, "flag provided but not defined: -frobnicate"},
		{"argument", []string{"now"}, "certify takes no arguments"},
		{"missing features folder", []string{"--features", filepath.Join(tmp, "nope")}, "no such folder"},
		{"unreachable bot", []string{"--bot-url", dead}, "the webhook handshake at " + dead + "/webhook refused the connection"},
		{"tags select nothing", []string{"--tags", "@NO-SUCH-RULE"}, "selects no scenario"},
		{"bad tag expression", []string{"--tags", "@a and ("}, "ends too early"},
		{"unwritable out", []string{"--out", filepath.Join(file, "report")}, "is not writable"},
		{"bad shard", []string{"--shard", "3/2"}, "want i/n with 1 <= i <= n"},
		{"bad threshold", []string{"--fail-on", "severe"}, "want critical, high, medium or low"},
		{"bad language", []string{"--lang", "fr"}, "en or es"},
		{"bad mode", []string{"--mode", "cloud"}, "want embedded or containers"},
		{"bot url in containers", []string{"--mode", "containers", "--bot-url", "http://127.0.0.1:1"}, "give the assistant's image with --bot-image"},
		{"violate a vendor's image", []string{"--bot-image", "acme/bot:1", "--violate", "WA-OPTIN-01"}, "reference assistant only"},
		{"violate a vendor's bot", []string{"--bot-url", "http://127.0.0.1:1", "--violate", "WA-OPTIN-01"}, "reference assistant only"},
		{"unknown violation", []string{"--violate", "WA-NOPE-01"}, "no such switch"},
		{"bad sign key", []string{"--sign-key", file}, "not a PEM"},
		{"bad bot url", []string{"--bot-url", "127.0.0.1:8080"}, "want the assistant's base URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runEnv(t, nil, append([]string{"certify", "--out", out}, tc.args...)...)
			if err == nil {
				t.Fatal("no error")
			}
			if exitCode(err) != 2 {
				t.Errorf("exit code %d, want 2 (%v)", exitCode(err), err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line containing %q", msg, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(out, report.FileJSON)); err == nil {
		t.Error("a refused run wrote a report")
	}
}

func TestCertifyFlagsFromEnvironment(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	_, _, err := runEnv(t, map[string]string{"PARLEY_TAGS": "@AI-DISC-01", "PARLEY_OUT": out, "PARLEY_LANG": "es", "PARLEY_SEED": "42"}, "certify")
	if err != nil && exitCode(err) != 1 {
		t.Fatal(err)
	}
	r := readReportFile(t, out)
	if r.Suite.Tags != "@AI-DISC-01" || r.Lang != "es" || r.Seed != 42 || len(r.Scenarios) == 0 {
		t.Errorf("report header = tags %q lang %q seed %d", r.Suite.Tags, r.Lang, r.Seed)
	}
	for _, s := range r.Scenarios {
		if !slices.Contains(s.Tags, "@AI-DISC-01") {
			t.Errorf("scenario %q was not selected by the tags", s.Name)
		}
	}
	if _, _, err := runEnv(t, map[string]string{"PARLEY_SHARD": "x"}, "certify"); exitCode(err) != 2 || !strings.Contains(err.Error(), "PARLEY_SHARD") && !strings.Contains(err.Error(), "--shard") {
		t.Errorf("bad PARLEY_SHARD: %v", err)
	}
}

func TestPrintEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"defaults are parley serve's", nil, nil, []string{"WHATSAPP_API_URL=http://127.0.0.1:4010", "DIALOGFLOW_ENDPOINT=127.0.0.1:4020",
			"DLP_ENDPOINT=127.0.0.1:4030", "WHATSAPP_API_VERSION=v23.0", "DIALOGFLOW_PROJECT=parley-demo", "PORT=8080"}},
		{"flags move the mocks", nil, []string{"--whatsapp", "127.0.0.1:5010", "--app-secret", "s3cret", "--bot-url", "http://127.0.0.1:9090"},
			[]string{"WHATSAPP_API_URL=http://127.0.0.1:5010", "WHATSAPP_APP_SECRET=s3cret", "PORT=9090"}},
		{"and so does the environment", map[string]string{"PARLEY_DLP": "127.0.0.1:5030"}, nil, []string{"DLP_ENDPOINT=127.0.0.1:5030"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runEnv(t, tc.env, append([]string{"certify", "--print-env"}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			for _, w := range tc.want {
				if !slices.Contains(lines, w) {
					t.Errorf("missing %q in\n%s", w, out)
				}
			}
			if len(lines) != 11 {
				t.Errorf("%d variables, want the 11 of the bot contract", len(lines))
			}
		})
	}
}

// TestShardsAndMerge runs a suite in three shards and merges them: every scenario runs in exactly one
// shard, and the merged report is the unsharded run's.
func TestShardsAndMerge(t *testing.T) {
	tmp := t.TempDir()
	tags := "@WA-OPTOUT-01 or @AI-DISC-01 or @GDPR-ERASE-01 or @WA-ESC-01"
	full := filepath.Join(tmp, "full")
	runEnv(t, nil, "certify", "--tags", tags, "--out", full, "--violate", "WA-ESC-01")
	whole := readReportFile(t, full)
	var parts []string
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		dir := filepath.Join(tmp, "shard"+string(rune('0'+i)))
		if _, _, err := runEnv(t, nil, "certify", "--tags", tags, "--out", dir, "--violate", "WA-ESC-01", "--shard", string(rune('0'+i))+"/3"); err != nil && exitCode(err) != 1 {
			t.Fatal(err)
		}
		r := readReportFile(t, dir)
		if r.Suite.Shard != string(rune('0'+i))+"/3" || r.Suite.Total != whole.Summary.Scenarios {
			t.Errorf("shard %d: %+v", i, r.Suite)
		}
		for _, s := range r.Scenarios {
			seen[s.Name]++
		}
		parts = append(parts, filepath.Join(dir, report.FileJSON))
	}
	for _, s := range whole.Scenarios {
		if seen[s.Name] != 1 {
			t.Errorf("scenario %q ran in %d shards", s.Name, seen[s.Name])
		}
	}
	merged := filepath.Join(tmp, "merged")
	out, _, err := runEnv(t, nil, append(append([]string{"report", "merge"}, parts...), "--out", merged)...)
	if exitCode(err) != 1 || !strings.Contains(out, "NOT CERTIFIED") {
		t.Errorf("merge: %v\n%s", err, out)
	}
	m := readReportFile(t, merged)
	if m.Summary.Scenarios != whole.Summary.Scenarios || m.Verdict != whole.Verdict || len(m.Suite.Shards) != 3 {
		t.Errorf("merged %+v %s %v, whole %+v %s", m.Summary, m.Verdict, m.Suite.Shards, whole.Summary, whole.Verdict)
	}
	for i, rr := range m.Rules {
		if rr.Status != whole.Rules[i].Status {
			t.Errorf("%s: merged %s, whole run %s", rr.ID, rr.Status, whole.Rules[i].Status)
		}
	}
	doc, _ := os.ReadFile(filepath.Join(merged, report.FileJSON))
	if errs := validateSchema(readSchema(t), doc); len(errs) > 0 {
		t.Errorf("merged report.json:\n%s", strings.Join(errs, "\n"))
	}
	// Shards of different runs do not merge.
	other := filepath.Join(tmp, "other")
	runEnv(t, nil, "certify", "--tags", tags, "--out", other, "--seed", "9", "--shard", "1/3")
	if _, _, err := runEnv(t, nil, "report", "merge", parts[1], filepath.Join(other, report.FileJSON), "--out", filepath.Join(tmp, "bad")); exitCode(err) != 2 {
		t.Errorf("merging different seeds: %v", err)
	}
}

func TestSignAndVerify(t *testing.T) {
	tmp := t.TempDir()
	if _, _, err := runEnv(t, nil, "report", "keygen", "--out", tmp); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "r")
	runEnv(t, nil, "certify", "--tags", "@AI-DISC-01", "--out", out, "--sign-key", filepath.Join(tmp, "key.pem"))
	doc := filepath.Join(out, report.FileJSON)
	pub := filepath.Join(tmp, "pub.pem")
	if stdout, _, err := runEnv(t, nil, "report", "verify", doc, "--pub", pub); err != nil || !strings.Contains(stdout, "signature good") {
		t.Fatalf("verify: %v %s", err, stdout)
	}
	// A vendor edits the verdict: the signature no longer holds.
	b, _ := os.ReadFile(doc)
	edited := regexp.MustCompile(`"verdict": "[a-z_]+"`).ReplaceAll(b, []byte(`"verdict": "certified"`))
	edited = bytes.Replace(edited, []byte(`"seed": 1,`), []byte(`"seed": 2,`), 1)
	if err := os.WriteFile(doc, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := runEnv(t, nil, "report", "verify", doc, "--pub", pub)
	if exitCode(err) != 1 || !errors.Is(err, report.ErrChanged) {
		t.Errorf("edited report: %v", err)
	}
	if _, _, err := runEnv(t, nil, "report", "verify", doc); exitCode(err) != 2 {
		t.Errorf("verify without --pub: %v", err)
	}
	// Whoever holds the key signs a verdict the report's own scenarios do not give (a subset claimed
	// certified): the signature holds, the verdict does not.
	key, err := report.ParsePrivateKey(mustRead(t, filepath.Join(tmp, "key.pem")))
	if err != nil {
		t.Fatal(err)
	}
	if err := report.SignDir(out, []string{report.FileJSON, report.FileHTML, report.FileMarkdown, report.FileJUnit, report.FileCucumber}, key); err != nil {
		t.Fatal(err)
	}
	_, _, err = runEnv(t, nil, "report", "verify", doc, "--pub", pub)
	if err == nil || !strings.Contains(err.Error(), `states the verdict "certified" but its own scenarios give "incomplete"`) {
		t.Errorf("a signed report whose verdict does not follow from it: %v", err)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReportRender(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "r")
	runEnv(t, nil, "certify", "--tags", "@AI-DISC-01", "--out", out)
	again := filepath.Join(tmp, "again")
	stdout, _, err := runEnv(t, nil, "report", "render", filepath.Join(out, report.FileJSON), "--lang", "es", "--out", again)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(stdout, "\n") != 4 {
		t.Errorf("render wrote:\n%s", stdout)
	}
	md, _ := os.ReadFile(filepath.Join(again, report.FileMarkdown))
	if !strings.Contains(string(md), "# Certificación parley") {
		t.Errorf("Spanish Markdown:\n%s", md)
	}
	for _, args := range [][]string{{"render"}, {"render", filepath.Join(tmp, "none.json")}, {"frob"}, {"render", filepath.Join(out, report.FileMarkdown)}} {
		if _, _, err := runEnv(t, nil, append([]string{"report"}, args...)...); exitCode(err) != 2 {
			t.Errorf("report %v: %v", args, err)
		}
	}
}

// freePort returns a loopback address nothing listens on right now.
// TestCertifyBotURL certifies an assistant by URL as a vendor would: the assistant (here the reference
// one, run as `parley bot`) is started with the environment `parley certify --print-env` prints, and
// certify starts the mocks where that environment says.
func TestCertifyBotURL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	wa, df, dl := freeAddr(t), freeAddr(t), freeAddr(t)
	mockFlags := []string{"--whatsapp", wa, "--dialogflow", df, "--dlp", dl}
	envOut, _, err := runEnv(t, nil, append([]string{"certify", "--print-env"}, mockFlags...)...)
	if err != nil {
		t.Fatal(err)
	}
	contract := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(envOut), "\n") {
		k, v, _ := strings.Cut(line, "=")
		contract[k] = v
	}
	pr, pw := io.Pipe()
	botCtx, stopBot := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(botCtx, []string{"bot", "--addr", "127.0.0.1:0"}, func(k string) string { return contract[k] }, pw, io.Discard)
		pw.Close()
	}()
	defer func() {
		stopBot()
		<-done
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("the assistant did not start: %v", err)
	}
	go io.Copy(io.Discard, pr)
	botURL := regexp.MustCompile(`http://\S+`).FindString(line)

	out := filepath.Join(t.TempDir(), "r")
	var stdout, stderr bytes.Buffer
	// Three journeys, two of them with the same customer (first contact in Spanish, then order status):
	// the assistant remembers her across scenarios, and the auditor must too (the privacy notice given in
	// the first is not owed again in the second).
	err = run(ctx, append([]string{"certify", "--features", "journeys", "--bot-url", botURL, "--tags", "@AI-DISC-01 or @PII-NLU-02", "--out", out, "--quiet", "150ms"}, mockFlags...),
		func(string) string { return "" }, &stdout, &stderr)
	if err != nil && exitCode(err) != 1 {
		t.Fatalf("certify: %v\n%s", err, stderr.String())
	}
	r := readReportFile(t, out)
	if len(r.Scenarios) != 3 || r.Scenarios[2].Name != "order status" {
		t.Fatalf("%d scenarios, want the two first contacts, then order status", len(r.Scenarios))
	}
	// The reference assistant breaks no rule; only WA-SEC-02 may be, since it is served over plain HTTP
	// and a deployed assistant must be on HTTPS.
	for _, rr := range r.Rules {
		if rr.Status == audit.Broken && rr.ID != "WA-SEC-02" {
			t.Errorf("%s broken by the reference assistant by URL: %+v", rr.ID, rr.Findings)
		}
	}
	if r.Assistant.Kind != "url" || r.Assistant.URL != botURL {
		t.Errorf("assistant = %+v", r.Assistant)
	}
	for _, s := range r.Scenarios {
		if s.Status == report.ScenarioError || len(s.Transcript) == 0 {
			t.Errorf("scenario %q: %s %s, %d turns", s.Name, s.Status, s.Error, len(s.Transcript))
		}
		if s.Error != "" {
			t.Errorf("scenario %q failed its steps: %s", s.Name, s.Error)
		}
	}
	if !strings.Contains(stderr.String(), "whatsapp mock listening on http://"+wa) {
		t.Errorf("the mocks did not listen where --print-env said:\n%s", stderr.String())
	}
	var raw map[string]any
	b, _ := os.ReadFile(filepath.Join(out, report.FileJSON))
	_ = json.Unmarshal(b, &raw)
	if errs := validateSchema(readSchema(t), b); len(errs) > 0 {
		t.Errorf("report.json:\n%s", strings.Join(errs, "\n"))
	}
}

// TestCertifyFeatures runs Gherkin features through the same runner: a folder of the user's own, and the
// bundled ones; a folder with a step the library does not know is refused before anything runs.
func TestCertifyFeatures(t *testing.T) {
	tmp := t.TempDir()
	own := filepath.Join(tmp, "features")
	if err := os.MkdirAll(own, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../features/conversation/first-contact.feature")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(own, "first-contact.feature"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, features, tags string
		wantSuite            string
	}{
		{"a folder of features", own, "@AI-DISC-01", "features " + own},
		{"the bundled features", "builtin", "@AI-DISC-01 and @en", "parley features"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(tmp, "out-"+strings.ReplaceAll(tc.name, " ", "-"))
			_, stderr, err := runEnv(t, nil, "certify", "--features", tc.features, "--tags", tc.tags, "--out", out)
			if err != nil && exitCode(err) != 1 {
				t.Fatalf("%v\n%s", err, stderr)
			}
			r := readReportFile(t, out)
			if r.Suite.Name != tc.wantSuite || len(r.Suite.SHA256) != 64 || len(r.Scenarios) == 0 {
				t.Fatalf("suite %+v, %d scenarios", r.Suite, len(r.Scenarios))
			}
			for _, s := range r.Scenarios {
				if !slices.Contains(s.Tags, "@AI-DISC-01") || !slices.Contains(s.Exercises, "AI-DISC-01") {
					t.Errorf("scenario %q: tags %v exercises %v", s.Name, s.Tags, s.Exercises)
				}
				if s.Status == report.ScenarioError || len(s.Transcript) == 0 || s.RuleStatus["AI-DISC-01"] != audit.Passed {
					t.Errorf("scenario %q: %s %q, %d turns, AI-DISC-01 %s", s.Name, s.Status, s.Error, len(s.Transcript), s.RuleStatus["AI-DISC-01"])
				}
			}
		})
	}
	// The hash is of the files: editing one changes it.
	r1 := readReportFile(t, filepath.Join(tmp, "out-a-folder-of-features"))
	if err := os.WriteFile(filepath.Join(own, "first-contact.feature"), append(src, []byte("\n# edited\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "edited")
	runEnv(t, nil, "certify", "--features", own, "--tags", "@AI-DISC-01", "--out", out)
	if r2 := readReportFile(t, out); r2.Suite.SHA256 == r1.Suite.SHA256 {
		t.Error("editing a feature file did not change the suite's hash")
	}

	bad := filepath.Join(tmp, "bad")
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(bad, "x.feature"), []byte("Feature: x\n  Scenario: y\n    Given the moon is made of cheese\n"), 0o644)
	_, _, err = runEnv(t, nil, "certify", "--features", bad, "--out", filepath.Join(tmp, "o"))
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "x.feature:3: unknown step") || !strings.Contains(err.Error(), "1 problem in 1 of 1 feature file") {
		t.Errorf("unknown step: %v", err)
	}
}

// TestCertifyContainers certifies the reference assistant with the mocks and the assistant in containers:
// the same scenario as embedded, the same report.
func TestCertifyContainers(t *testing.T) {
	dockertest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "r")
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"certify", "--features", "journeys", "--mode", "containers", "--tags", "@AI-DISC-01 and @journey", "--shard", "1/2", "--out", out},
		func(string) string { return "" }, &stdout, &stderr)
	if err != nil && exitCode(err) != 1 {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	r := readReportFile(t, out)
	if r.Parley.Mode != "containers" || len(r.Scenarios) != 1 {
		t.Fatalf("mode %q, %d scenarios", r.Parley.Mode, len(r.Scenarios))
	}
	s := r.Scenarios[0]
	if s.Status == report.ScenarioError || len(s.Transcript) == 0 || s.RuleStatus["AI-DISC-01"] != audit.Passed {
		t.Errorf("scenario %q in containers: %s %q, %d turns, AI-DISC-01 %s", s.Name, s.Status, s.Error, len(s.Transcript), s.RuleStatus["AI-DISC-01"])
	}
}

func TestProgress(t *testing.T) {
	tests := []struct {
		name string
		tty  bool
		want string
	}{
		{"terminal: one line rewritten in place", true, "\r\033[K[1/2] 1 finding(s) · a\r\033[K[2/2] 1 finding(s) · b\r\033[K[2/2] done, 1 finding(s)\n"},
		{"log: a plain line per scenario", false, "[1/2] failed a (1 finding(s), 2s)\n[2/2] passed b (0 finding(s), 0s)\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			p := newProgress(&b, 2, "en")
			p.tty = tc.tty
			p.done(report.Scenario{Name: "a", Status: report.ScenarioFailed, Findings: []report.Finding{{Rule: "X"}}, Timings: report.Timings{WallMS: 2000}})
			p.done(report.Scenario{Name: "b", Status: report.ScenarioPassed})
			p.finish()
			if b.String() != tc.want {
				t.Errorf("got %q\nwant %q", b.String(), tc.want)
			}
		})
	}
}

func TestDuplicateScenarioNamesAreMadeUnique(t *testing.T) {
	tmp := t.TempDir()
	feature := "Feature: twice\n  @AI-DISC-01\n  Scenario: hello\n    Given a customer \"Oliver\" with phone \"+44 7700 900001\" who speaks English\n    When \"Oliver\" says \"Hello there\"\n    Then \"Oliver\" receives a reply containing \"automated\"\n"
	for _, f := range []string{"a.feature", "b.feature"} {
		if err := os.WriteFile(filepath.Join(tmp, f), []byte(feature), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(tmp, "out")
	if _, _, err := runEnv(t, nil, "certify", "--features", tmp, "--out", out); err != nil && exitCode(err) != 1 && exitCode(err) != 3 {
		t.Fatal(err)
	}
	r := readReportFile(t, out)
	var names []string
	for _, s := range r.Scenarios {
		names = append(names, s.Name)
	}
	if strings.Join(names, "|") != "hello|hello (2)" || r.Suite.Tags != "~@wip" {
		t.Errorf("scenarios %q, tags %q", names, r.Suite.Tags)
	}
}
