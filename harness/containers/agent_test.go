package containers

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/testcontainers/testcontainers-go"
)

// TestAgentMocks: the export is copied into the mocks' container (a folder file by file, a zip as one
// file) and named to serve --agent; a loopback fulfilment URL is reached through the host's alias.
func TestAgentMocks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "export")
	for name, body := range map[string]string{"agent.json": `{"displayName":"x"}`, "intents/a.json": `{}`} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zp := filepath.Join(t.TempDir(), "export.zip")
	f, err := os.Create(zp)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("agent.json")
	_, _ = io.WriteString(w, `{}`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	tests := []struct {
		name, agent, webhook string
		wantCmd              []string
		wantFiles            []string
		wantHost             bool
	}{
		{"folder, webhook on this machine", dir, "http://127.0.0.1:8081/fulfilment",
			[]string{"--agent", mocksAgentDir, "--agent-webhook", "http://" + HostAlias + ":8081/fulfilment"},
			[]string{mocksAgentDir + "/agent.json", mocksAgentDir + "/intents/a.json"}, true},
		{"zip, webhook in the network", zp, "http://bot:8080/fulfilment",
			[]string{"--agent", mocksAgentZip, "--agent-webhook", "http://bot:8080/fulfilment"},
			[]string{mocksAgentZip}, false},
		{"no webhook", dir, "", []string{"--agent", mocksAgentDir}, []string{mocksAgentDir + "/agent.json", mocksAgentDir + "/intents/a.json"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := testcontainers.ContainerRequest{Cmd: []string{"serve"}}
			host, err := Options{Agent: tc.agent, AgentWebhook: tc.webhook}.agentMocks(&req)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(req.Cmd[1:], tc.wantCmd) || host != tc.wantHost {
				t.Errorf("cmd %q host %t, want %q %t", req.Cmd, host, tc.wantCmd, tc.wantHost)
			}
			var got []string
			for _, f := range req.Files {
				got = append(got, f.ContainerFilePath)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.wantFiles) {
				t.Errorf("files %q, want %q", got, tc.wantFiles)
			}
		})
	}
	for _, bad := range []Options{{Agent: filepath.Join(dir, "agent.json")}, {Agent: filepath.Join(dir, "none")}, {AgentWebhook: "127.0.0.1:8081"}} {
		if _, err := bad.agentMocks(&testcontainers.ContainerRequest{}); err == nil || !strings.Contains(err.Error(), "containers: ") {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

// TestAgentZipHostile: an export named .zip that is a FIFO is refused at once instead of blocking the
// run, and one larger than the copy limit is refused before it is read (a sparse file: no disk used).
func TestAgentZipHostile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "export.zip")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.zip")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxAgentBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for path, want := range map[string]string{fifo: "not a regular file", huge: "more than"} {
		if _, err := (Options{Agent: path}).agentMocks(&testcontainers.ContainerRequest{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", filepath.Base(path), err, want)
		}
	}
}
