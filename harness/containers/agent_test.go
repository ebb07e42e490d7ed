package containers

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
