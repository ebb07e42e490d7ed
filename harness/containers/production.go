package containers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/production"
)

// A run as production (Options.AsProduction) certifies an assistant image as it runs in production,
// unchanged: its container resolves the production hosts (production.Names: graph.facebook.com,
// dialogflow.googleapis.com and its regional hosts, dlp.googleapis.com, oauth2.googleapis.com,
// metadata.google.internal, and the hosts parley answers only to journal them) to the mocks' container,
// which answers for them over HTTPS on 443 (the metadata server over HTTP on 80) with a certificate of
// a CA made for the run. The assistant trusts that CA the way images trust CAs: the CA is copied over
// the system bundles (SystemCABundles) and named by SSL_CERT_FILE, SSL_CERT_DIR, NODE_EXTRA_CA_CERTS,
// REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE and GRPC_DEFAULT_SSL_ROOTS_FILE_PATH. Google credentials are a
// service-account key made for the run, copied in and named by GOOGLE_APPLICATION_CREDENTIALS; parley
// answers its token_uri and accepts its self-signed JWTs, and GCE_METADATA_HOST names the metadata server
// for libraries that use it. JVMs get the CA as a PKCS #12 truststore (production.Kit.TrustStore), copied
// over the Debian-family cacerts and the image's $JAVA_HOME/lib/security/cacerts, and named by
// JAVA_TOOL_OPTIONS (after what the image sets there).
//
// The run's network is internal (Docker gives it no gateway): the assistant's container has no route
// out of it, so the mocks are all it can reach. The mocks' container is also on a second network of the
// run, through which its ports are published to this machine; the assistant is reached from here
// (readiness, certification hooks) through a relay in the mocks' container (RelayPort).

// Ports of the mocks' container in a run as production.
const (
	ProductionPort = "443"
	MetadataPort   = "80"
	RelayPort      = "4040"
)

// SystemCABundles are the files where Linux distributions keep the CA bundle TLS libraries read by
// default (Debian and Ubuntu, Fedora and RHEL, openSUSE, OpenELEC, CentOS 7, Alpine): in a run as
// production the run's CA replaces each, so that it is the only root the assistant trusts.
var SystemCABundles = []string{
	"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem",
}

// Where the kit is in the containers.
const (
	mocksKitDir          = "/etc/parley/production"
	assistantCertDir     = "/etc/parley/certs"
	assistantCA          = assistantCertDir + "/parley-run-ca.pem"
	assistantCredentials = "/etc/parley/google-credentials.json"
	assistantTrustStore  = "/etc/parley/java/parley-run-ca.p12"
)

// JavaCACerts is where Debian and Ubuntu keep the truststore their JVMs read (ca-certificates-java); an
// image's $JAVA_HOME/lib/security/cacerts is the other place a JVM looks.
const JavaCACerts = "/etc/ssl/certs/java/cacerts"

// javaTrust is what makes a JVM in the assistant's image trust the run's CA, given the image's own
// environment: the truststore's paths (its own, JavaCACerts, and the cacerts of the image's JAVA_HOME
// when it names one) and JAVA_TOOL_OPTIONS naming it, after the options the image already sets (a later
// -D wins, and the image's own options still apply).
func javaTrust(imageEnv []string) (paths []string, toolOptions string) {
	paths = []string{assistantTrustStore, JavaCACerts}
	var own string
	for _, kv := range imageEnv {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "JAVA_HOME":
			if v != "" {
				paths = append(paths, path.Join(v, "lib/security/cacerts"))
			}
		case "JAVA_TOOL_OPTIONS":
			own = v
		}
	}
	return paths, strings.TrimSpace(own + " " + production.JavaTrustOptions(assistantTrustStore))
}

// imageEnv is the environment an image's configuration sets.
func imageEnv(ctx context.Context, image string) ([]string, error) {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting to Docker: %w", err)
	}
	defer cli.Close()
	res, err := cli.ImageInspect(ctx, image)
	if err != nil {
		return nil, fmt.Errorf("reading the configuration of %s: %w", image, err)
	}
	if res.Config == nil {
		return nil, nil
	}
	return res.Config.Env, nil
}

// productionRun is what a run as production adds to a run.
type productionRun struct {
	kit    *production.Kit
	egress *testcontainers.DockerNetwork
}

// networkOptions are the run network's options: internal, for a run as production.
func (o Options) networkOptions(labels map[string]string) []network.NetworkCustomizer {
	opts := []network.NetworkCustomizer{network.WithLabels(labels)}
	if o.AsProduction {
		opts = append(opts, network.WithInternal())
	}
	return opts
}

// productionMocks makes the run's kit and the network the mocks' ports are published through, and sets
// the mocks' container up to answer for the production hosts.
func (e *Env) productionMocks(ctx context.Context, req *testcontainers.ContainerRequest, labels map[string]string, botPort string) error {
	if !e.o.AsProduction {
		return nil
	}
	kit, err := production.NewKit(dialogflow.DefaultProject)
	if err != nil {
		return fmt.Errorf("making the run's CA and service-account key: %w", err)
	}
	egress, err := network.New(ctx, network.WithLabels(labels))
	if err != nil {
		return fmt.Errorf("creating the network the mocks' ports are published through: %w", err)
	}
	e.prod = &productionRun{kit: kit, egress: egress}
	req.Networks = append(req.Networks, egress.Name)
	req.NetworkAliases[e.network.Name] = append(req.NetworkAliases[e.network.Name], production.Names()...)
	req.Cmd = append(req.Cmd,
		"--production", "0.0.0.0:"+ProductionPort, "--production-http", "0.0.0.0:"+MetadataPort, "--production-dir", mocksKitDir,
		"--relay", "0.0.0.0:"+RelayPort+"="+AliasBot+":"+botPort,
		// Media URLs in webhooks name the production host the assistant reaches the mock at.
		"--public-url", "https://"+production.HostGraph)
	for name, b := range kit.Files() {
		req.Files = append(req.Files, testcontainers.ContainerFile{Reader: bytes.NewReader(b), ContainerFilePath: path.Join(mocksKitDir, name), FileMode: 0o600})
	}
	req.ExposedPorts = append(req.ExposedPorts, RelayPort+"/tcp")
	return nil
}

// productionAssistant sets the assistant's container up for a run as production: the production
// contract and the kit, no published port (it has no route out), and readiness checked through the
// relay, which is also where the harness reaches it.
func (e *Env) productionAssistant(ctx context.Context, req *testcontainers.ContainerRequest, mocks testcontainers.Container) error {
	relay, err := endpoint(ctx, mocks, RelayPort, "")
	if err != nil {
		return err
	}
	for k, v := range e.productionContract() {
		req.Env[k] = v
	}
	files := map[string][]byte{assistantCA: e.prod.kit.CA, assistantCredentials: e.prod.kit.Credentials}
	for _, p := range SystemCABundles {
		files[p] = e.prod.kit.CA
	}
	ienv, err := imageEnv(ctx, e.o.BotImage)
	if err != nil {
		return err
	}
	store, err := e.prod.kit.TrustStore()
	if err != nil {
		return fmt.Errorf("writing the run's CA as a Java truststore: %w", err)
	}
	paths, toolOptions := javaTrust(ienv)
	for _, p := range paths {
		files[p] = store
	}
	req.Env["JAVA_TOOL_OPTIONS"] = toolOptions
	for p, b := range files {
		req.Files = append(req.Files, testcontainers.ContainerFile{Reader: bytes.NewReader(b), ContainerFilePath: p, FileMode: 0o644})
	}
	req.ExposedPorts = nil
	port := req.Env["PORT"]
	req.WaitingFor = &readiness{what: "the assistant's port " + port + " (through the mocks' relay)", timeout: e.o.StartupTimeout,
		checks: []probe{{addr: relay, check: tcpProbe(port).check}}}
	e.botURL = "http://" + relay
	return nil
}

// productionContract is the environment of an assistant in a run as production: the bot contract with
// the production endpoints, and what points TLS libraries and Google's at the kit.
func (e *Env) productionContract() map[string]string {
	env := e.contract("https://"+production.HostGraph, production.HostDialogflow+":443", production.HostDLP+":443")
	for _, v := range []string{"SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"} {
		env[v] = assistantCA
	}
	env["SSL_CERT_DIR"] = assistantCertDir
	env["GOOGLE_APPLICATION_CREDENTIALS"] = assistantCredentials
	env["GCE_METADATA_HOST"] = production.HostMetadata
	return env
}

// productionUnmodelled fails the start of a run as production when the assistant, starting, called
// something parley does not model: the error names each host and path.
func (e *Env) productionUnmodelled() error {
	if !e.o.AsProduction {
		return nil
	}
	var lines []string
	for _, ev := range e.journal.Events() {
		if ev.Kind != journal.KindUnmodelled {
			continue
		}
		var d journal.RequestData
		_ = ev.Decode(&d)
		where := d.Host + d.Path
		if d.Host == "" {
			where = string(ev.Source) + " " + d.Path
		}
		lines = append(lines, fmt.Sprintf("%s %s (%s)", d.Method, where, strings.TrimSpace(d.Detail+" "+d.Error)))
	}
	if len(lines) == 0 {
		return nil
	}
	return &ContainerError{Role: "assistant", Image: e.o.BotImage, ExitCode: -1,
		Cause: "called, while starting, what parley does not model: " + strings.Join(lines, "; ")}
}

// checkProduction refuses what a run as production cannot do.
func (o Options) checkProduction() error {
	if o.AsProduction && o.BotImage == "" {
		return errors.New("containers: AsProduction certifies an assistant's image (BotImage) as it runs in production")
	}
	return nil
}
