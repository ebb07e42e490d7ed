package containers

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/testcontainers/testcontainers-go"
)

// The vendor's Dialogflow export is copied into the mocks' container (Options.Agent), a .zip as one file
// and a folder file by file, and served with serve --agent; fulfilment goes to Options.AgentWebhook.
const (
	mocksAgentDir = "/etc/parley/agent"
	mocksAgentZip = "/etc/parley/agent.zip"
	// Bounds on a folder export copied in, as the mock bounds what it reads of one.
	maxAgentFiles = 5000
	maxAgentBytes = 256 << 20
)

// agentFiles reads the export at p (a folder or a .zip) into the files to copy into the mocks' container,
// and returns the path serve --agent is given there.
func agentFiles(p string) (string, []testcontainers.ContainerFile, error) {
	st, err := os.Stat(p)
	if err != nil {
		return "", nil, fmt.Errorf("containers: agent export: %w", err)
	}
	if !st.IsDir() {
		if !strings.HasSuffix(strings.ToLower(p), ".zip") {
			return "", nil, fmt.Errorf("containers: agent export %s: not a folder or a .zip file", p)
		}
		// A zip is read whole into the request, so only a regular file within the copy limit is; a FIFO
		// is never opened.
		if !st.Mode().IsRegular() {
			return "", nil, fmt.Errorf("containers: agent export %s: not a regular file", p)
		}
		if st.Size() > maxAgentBytes {
			return "", nil, fmt.Errorf("containers: agent export %s: more than %d MiB", p, maxAgentBytes>>20)
		}
		f, err := os.Open(p)
		if err != nil {
			return "", nil, fmt.Errorf("containers: agent export: %w", err)
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxAgentBytes+1))
		if err != nil {
			return "", nil, fmt.Errorf("containers: agent export: %w", err)
		}
		if len(b) > maxAgentBytes {
			return "", nil, fmt.Errorf("containers: agent export %s: more than %d MiB", p, maxAgentBytes>>20)
		}
		return mocksAgentZip, []testcontainers.ContainerFile{{Reader: bytes.NewReader(b), ContainerFilePath: mocksAgentZip, FileMode: 0o644}}, nil
	}
	var (
		files []testcontainers.ContainerFile
		total int64
	)
	err = filepath.WalkDir(p, func(file string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return nil // links and devices are not part of an export
		}
		if len(files) == maxAgentFiles {
			return fmt.Errorf("more than %d files", maxAgentFiles)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if total += int64(len(b)); total > maxAgentBytes {
			return fmt.Errorf("more than %d MiB", maxAgentBytes>>20)
		}
		rel, err := filepath.Rel(p, file)
		if err != nil {
			return err
		}
		files = append(files, testcontainers.ContainerFile{Reader: bytes.NewReader(b),
			ContainerFilePath: path.Join(mocksAgentDir, filepath.ToSlash(rel)), FileMode: 0o644})
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("containers: agent export %s: %w", p, err)
	}
	return mocksAgentDir, files, nil
}

// inContainerURL is u as the mocks' container reaches it: a loopback host (the assistant's fulfilment
// service on this machine) becomes the host's alias, which needs the host gateway (onHost).
func inContainerURL(u string) (out string, onHost bool, err error) {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return "", false, fmt.Errorf("containers: AgentWebhook %q: want an http:// or https:// URL", u)
	}
	h := pu.Hostname()
	if h == "localhost" || net.ParseIP(h).IsLoopback() || net.ParseIP(h).IsUnspecified() {
		if port := pu.Port(); port != "" {
			pu.Host = net.JoinHostPort(HostAlias, port)
		} else {
			pu.Host = HostAlias
		}
		return pu.String(), true, nil
	}
	return u, false, nil
}

// agentMocks adds the export and the fulfilment URL to the mocks' command and files; it reports whether
// the mocks must reach this machine (the host gateway).
func (o Options) agentMocks(req *testcontainers.ContainerRequest) (onHost bool, err error) {
	if o.Agent != "" {
		where, files, err := agentFiles(o.Agent)
		if err != nil {
			return false, err
		}
		req.Cmd = append(req.Cmd, "--agent", where)
		req.Files = append(req.Files, files...)
	}
	if o.AgentWebhook != "" {
		u, host, err := inContainerURL(o.AgentWebhook)
		if err != nil {
			return false, err
		}
		req.Cmd = append(req.Cmd, "--agent-webhook", u)
		onHost = host
	}
	return onHost, nil
}
