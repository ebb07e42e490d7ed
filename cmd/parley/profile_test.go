package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/profile"
	"github.com/parley-dev/parley/report"
)

// TestInitProfile: --init-profile writes the commented profile to a file or stdout, exits 0, and never
// overwrites a file.
func TestInitProfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "acme.yaml")
	stdout, _, err := runEnv(t, nil, "certify", "--init-profile", path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "--profile "+path) {
		t.Errorf("stdout %q does not say how to use it", stdout)
	}
	p, err := profile.Load(path)
	if err != nil || !reflect.DeepEqual(p, profile.Reference()) {
		t.Errorf("the written profile: %+v, %v", p, err)
	}
	if err := os.WriteFile(path, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = runEnv(t, nil, "certify", "--init-profile", path)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "mine" {
		t.Errorf("the existing file was changed: %q", b)
	}
	for _, args := range [][]string{{"--init-profile"}, {"--init-profile", "-"}} {
		stdout, _, err := runEnv(t, nil, append([]string{"certify"}, args...)...)
		if err != nil || stdout != profile.Init() {
			t.Errorf("%q: err %v, stdout %d bytes", args, err, len(stdout))
		}
	}
	if _, _, err := runEnv(t, nil, "certify", "--init-profile", "a.yaml", "b.yaml"); exitCode(err) != 2 {
		t.Errorf("two files: %v", err)
	}
	// A symlink, even one to nowhere, is not followed: the profile would land wherever it points.
	target, link := filepath.Join(dir, "elsewhere.yaml"), filepath.Join(dir, "link.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runEnv(t, nil, "certify", "--init-profile", link); exitCode(err) != 2 {
		t.Errorf("over a dangling symlink: %v", err)
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Errorf("the symlink's target was written: %v", err)
	}
}

// TestCertifyProfile: --profile is read before the run (a bad one is refused in one line, exit 2), and
// the report records the business and the file's hash; scenarios needing what it declares absent are
// not applicable.
func TestCertifyProfile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "acme.yaml")
	text := strings.Replace(profile.Init(), "  marketing: true", "  marketing: false", 1)
	if err := os.WriteFile(good, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"version": "1", "languages": ["fr"], "colour": "red"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ path, want string }{
		"unknown field": {bad, `unknown field "colour"`},
		"missing":       {filepath.Join(dir, "nope.yaml"), "no such file"},
		"folder":        {dir, "not a regular file"},
	} {
		_, _, err := runEnv(t, nil, "certify", "--out", filepath.Join(dir, "out"), "--profile", tc.path)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v", name, err)
		}
	}
	invalid := filepath.Join(dir, "invalid.yaml")
	if err := os.WriteFile(invalid, []byte(strings.Replace(strings.Replace(profile.Init(), "  - en\n", "  - fr\n", 1), "data_requests: chat", "data_requests: email", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := runEnv(t, nil, "certify", "--out", filepath.Join(dir, "out"), "--profile", invalid)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), `"fr"`) || !strings.Contains(err.Error(), `"email"`) || strings.Contains(err.Error(), "\n") {
		t.Errorf("invalid profile: %v", err)
	}

	// The reference assistant under a profile that declares no marketing: the scenario that needs it is
	// not played, and the rule only it exercises is not applicable.
	out := filepath.Join(dir, "report")
	stdout, _, err := runEnv(t, nil, "certify", "--out", out, "--profile", good, "--features", "../../certify/testdata/profile", "--reply-wait", "200ms")
	if err != nil && exitCode(err) == 2 {
		t.Fatal(err)
	}
	r := readReportFile(t, out)
	sum, _ := report.HashFile(good)
	if r.Profile == nil || r.Profile.Business != "Tienda Ejemplo" || r.Profile.SHA256 != sum || r.Profile.Builtin {
		t.Errorf("the report's profile %+v, want Tienda Ejemplo and %s", r.Profile, sum)
	}
	if r.Summary.NotApplicable != 1 || r.Scenarios[1].Status != report.ScenarioNotApplicable {
		t.Errorf("summary %+v", r.Summary)
	}
	for _, rr := range r.Rules {
		if rr.ID == "GDPR-NOTICE-01" && rr.Status != audit.Passed || rr.ID == "WA-OPTOUT-02" && rr.Status != report.RuleNotApplicable {
			t.Errorf("%s is %s", rr.ID, rr.Status)
		}
	}
	if !strings.Contains(stdout, "not applicable to the assistant's profile: 1 scenario(s), 1 rule(s)") {
		t.Errorf("stdout does not say what was not applicable:\n%s", stdout)
	}
	if errs := validateSchema(readSchema(t), mustRead(t, filepath.Join(out, report.FileJSON))); len(errs) > 0 {
		t.Errorf("report.json against the schema: %q", errs)
	}
}
