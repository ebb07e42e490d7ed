package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/report"
)

// signedRun certifies a small subset, signed, and returns the report folder and the public key.
func signedRun(t *testing.T) (out, pub string) {
	t.Helper()
	tmp := t.TempDir()
	if _, _, err := runEnv(t, nil, "report", "keygen", "--out", tmp); err != nil {
		t.Fatal(err)
	}
	out = filepath.Join(tmp, "r")
	runEnv(t, nil, "certify", "--tags", "@AI-DISC-01", "--out", out, "--sign-key", filepath.Join(tmp, "key.pem"))
	return out, filepath.Join(tmp, "pub.pem")
}

// The signature covers every file written: an edited report.html fails verify.
func TestVerifyCoversEveryFile(t *testing.T) {
	out, pub := signedRun(t)
	doc := filepath.Join(out, report.FileJSON)
	stdout, _, err := runEnv(t, nil, "report", "verify", doc, "--pub", pub)
	if err != nil || !strings.Contains(stdout, "signature good (5 files: cucumber.json, junit.xml, report.html, report.json, report.md)") {
		t.Fatalf("verify: %v %s", err, stdout)
	}
	if _, err := os.Stat(filepath.Join(out, report.FileSig)); err == nil {
		t.Error("a signature of report.json alone was written: removing the manifest would leave a report that verifies")
	}
	html := filepath.Join(out, report.FileHTML)
	b := mustRead(t, html)
	if err := os.WriteFile(html, []byte(strings.Replace(string(b), "<body", "<body data-edited", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = runEnv(t, nil, "report", "verify", doc, "--pub", pub)
	if exitCode(err) != 1 || !errors.Is(err, report.ErrChanged) || !strings.Contains(err.Error(), "report.html") {
		t.Fatalf("edited report.html: %v", err)
	}
	// A copy of another report.json named on the command line is not the one signed.
	if err := os.WriteFile(html, b, 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(other, append(mustRead(t, doc), ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runEnv(t, nil, "report", "verify", other, "--pub", pub, "--sig", filepath.Join(out, report.FileManifestSig)); err == nil {
		t.Fatal("a report.json outside the signed folder verified")
	}
}

// A report signed before manifests (report.json.sig) still verifies, and says what it covers.
func TestVerifyReportJSONSignature(t *testing.T) {
	dir := t.TempDir()
	_, key, _ := ed25519.GenerateKey(nil)
	_, pubPEM, _ := report.MarshalKeys(key)
	out, _ := signedRun(t)
	doc := mustRead(t, filepath.Join(out, report.FileJSON))
	if err := os.WriteFile(filepath.Join(dir, report.FileJSON), doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, report.FileSig), report.Sign(doc, key), 0o644); err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, "pub.pem")
	if err := os.WriteFile(pub, pubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runEnv(t, nil, "report", "verify", filepath.Join(dir, report.FileJSON), "--pub", pub)
	if err != nil || !strings.Contains(stdout, "report.json only") {
		t.Fatalf("verify: %v %s", err, stdout)
	}
}

// /dev/zero as the report, the signature or the key is refused after a bounded read.
func TestVerifyBoundedReads(t *testing.T) {
	out, pub := signedRun(t)
	doc := filepath.Join(out, report.FileJSON)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"report", []string{"/dev/zero", "--pub", pub, "--sig", filepath.Join(out, report.FileManifestSig)}},
		{"signature", []string{doc, "--pub", pub, "--sig", "/dev/zero"}},
		{"key", []string{doc, "--pub", "/dev/zero"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runEnv(t, nil, append([]string{"report", "verify"}, tc.args...)...)
			if exitCode(err) != 2 || !strings.Contains(err.Error(), "more than") {
				t.Fatalf("exit %d: %v", exitCode(err), err)
			}
		})
	}
	for _, cmd := range [][]string{{"report", "render", "/dev/zero"}, {"certify", "--sign-key", "/dev/zero", "--tags", "@AI-DISC-01", "--out", t.TempDir()}} {
		if _, _, err := runEnv(t, nil, cmd...); exitCode(err) != 2 || !strings.Contains(err.Error(), "more than") {
			t.Fatalf("%v: exit %d: %v", cmd, exitCode(err), err)
		}
	}
}

// A run stopped before its report is written leaves no earlier verdict in --out.
func TestInterruptedRunLeavesNoEarlierReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if _, _, err := runEnv(t, nil, "certify", "--tags", "@AI-DISC-01", "--out", out); err != nil {
		t.Fatalf("first run: %v", err)
	}
	if err := os.WriteFile(filepath.Join(out, "mine.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The earlier report claims a certification, as a complete run's would.
	earlier := strings.Replace(string(mustRead(t, filepath.Join(out, report.FileJSON))), `"verdict": "`+report.Incomplete+`"`, `"verdict": "`+report.Certified+`"`, 1)
	if !strings.Contains(earlier, `"verdict": "`+report.Certified+`"`) {
		t.Fatal("the fixture has no verdict to change")
	}
	if err := os.WriteFile(filepath.Join(out, report.FileJSON), []byte(earlier), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e strings.Builder
	err := run(ctx, []string{"certify", "--tags", "@AI-DISC-01", "--out", out}, func(string) string { return "" }, &o, &e)
	t.Logf("the stopped run: %v\n%s%s", err, o.String(), e.String())
	if b, err := os.ReadFile(filepath.Join(out, report.FileJSON)); err == nil && strings.Contains(string(b), `"verdict": "`+report.Certified+`"`) {
		t.Fatal("the stopped run left the earlier CERTIFIED report in --out")
	}
	if _, err := os.Stat(filepath.Join(out, "mine.txt")); err != nil {
		t.Errorf("a file of the user's was removed: %v", err)
	}
}
