package containers

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	dockernetwork "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// Ports and network aliases of the containers. The three mocks run in one container (one `parley serve`
// process: one journal and one simulated clock, so the WhatsApp window and Dialogflow's context lifespans
// move together) reachable under three aliases, one per mock, as separate services would be.
const (
	WhatsAppPort   = "4010"
	DialogflowPort = "4020"
	DLPPort        = "4030"
	BotPort        = "8080"

	AliasWhatsApp   = "whatsapp"
	AliasDialogflow = "dialogflow"
	AliasDLP        = "dlp"
	AliasBot        = "bot"

	// HostAlias is how containers reach a bot running on the host: Docker's host-gateway, which needs no
	// image (testcontainers' own host access starts an sshd image, which cannot be pulled offline).
	HostAlias = "host.docker.internal"
)

// Options configure an environment whose mocks, and usually the assistant, run in containers.
type Options struct {
	// Image runs the mocks and the reference assistant; empty builds parley.local/parley from source
	// (BuildImage), reusing it when present.
	Image string
	// BotImage is a vendor's assistant: it gets the bot contract's environment (docs/bot-contract.md) with
	// the mocks' in-network addresses and PORT, plus BotEnv, and must listen on BotImagePort (default 8080).
	BotImage     string
	BotEnv       map[string]string
	BotImagePort int
	// BotURL is an assistant running on this host (e.g. http://127.0.0.1:8080). The containers reach it at
	// host.docker.internal, so it must listen on all interfaces (or the Docker bridge), not on loopback.
	// OnMocksReady, when set, is called with its bot contract (the mocks' host-side addresses) before the
	// webhook handshake, so the assistant can be configured once the mocks' ports are known.
	BotURL       string
	OnMocksReady func(ctx context.Context, contract harness.Contract) error
	// MocksOnly starts the mocks and no assistant, and skips the handshake: the caller sets the webhook
	// later through the control API (parleycontainer).
	MocksOnly bool
	// Violations switches on violation switches of the reference assistant (when neither BotImage nor
	// BotURL is set).
	Violations []string
	Seed       int64
	// ControlToken guards the mocks' /_parley/ routes; empty makes a random one for the run.
	ControlToken string
	// StartupTimeout bounds each container's wait to become healthy (default 60s); HandshakeTimeout the
	// hub.challenge handshake (default 10s).
	StartupTimeout   time.Duration
	HandshakeTimeout time.Duration
	// Quiet is how long the journal must stay still for Settle to consider a run settled (default 300ms)
	// when the assistant is not the reference one: a vendor's has no idle signal parley believes, so
	// settling is judged from the outside. In a shared
	// run (NewShared) a scenario settles as an assistant by URL does (shared.Options: Quiet 150ms by
	// default, once its customers are answered or ReplyWait has passed, default 3s).
	Quiet, ReplyWait time.Duration
	// AllInterfaces publishes the containers' ports on every interface of the Docker host. By default
	// they are published on its loopback interface only (127.0.0.1): the assistant's hooks have no
	// authentication and the mocks hold the run's journal, so nothing else on the network should reach
	// them. An engine on another machine (a remote DOCKER_HOST) needs AllInterfaces, as its loopback
	// cannot be reached from here; Start refuses such an engine without it.
	AllInterfaces bool
	// LogLines is how many of a container's last log lines an error carries (default 40).
	LogLines int
	Logger   *slog.Logger
	// Audit are the auditor's options for the environment (AuditOptions).
	Audit audit.Options
	// Agent is a Dialogflow export (ES or CX, a folder or a .zip) on this machine, copied into the mocks'
	// container and served instead of the built-in agent. AgentWebhook is the assistant's fulfilment
	// service (a loopback URL is reached through the host); the export's own webhook URLs are never
	// called, and without AgentWebhook those calls fail as an unreachable webhook does.
	Agent, AgentWebhook string
	// Networks, when set, gives the run a network kept from an environment that has closed, and keeps
	// the run's when it closes (see Networks); the caller closes it. AsProduction ignores it.
	Networks *Networks
	// PublishedPortsOnly sends the harness's own requests (customers, journal, settling, hooks) to the
	// containers' published ports only. By default, when this host reaches the containers at their
	// addresses on the run's network (Linux with the engine on this machine: a quick probe at start
	// says), those requests go there and skip Docker's port proxy; the published ports stay the
	// addresses given out (WhatsAppURL, BotURL, HostContract).
	PublishedPortsOnly bool
	// AsProduction runs BotImage as it runs in production, unchanged: the mocks answer for
	// graph.facebook.com, the Google APIs, Google's token endpoint and the metadata server, with a CA and
	// a service-account key made for the run, and the assistant has no route out (production.go).
	AsProduction bool
}

func (o *Options) defaults() {
	if o.StartupTimeout == 0 {
		o.StartupTimeout = 60 * time.Second
	}
	if o.HandshakeTimeout == 0 {
		o.HandshakeTimeout = 10 * time.Second
	}
	if o.Quiet == 0 {
		o.Quiet = 300 * time.Millisecond
	}
	if o.LogLines == 0 {
		o.LogLines = 40
	}
	if o.BotImagePort == 0 {
		o.BotImagePort = 8080
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Env is a running containers-mode environment.
type Env struct {
	runID string
	// world is what journeys and steps use: customers play through the WhatsApp mock's control API over
	// HTTP, so they run unchanged from embedded mode.
	world *sim.World
	// journal is the merged record: the mocks' journal fetched over /_parley/journal, with the harness's
	// own events (customers' ground truth, hook calls) at the point they happened. Sync brings it up to
	// date; Settle and Close do too.
	journal *journal.Journal
	// Control clients of the mocks (host side, with the control token).
	wa *whatsapp.ControlClient
	df *dialogflow.ControlClient
	dl *dlp.ControlClient
	// Host-side addresses: the WhatsApp mock's base URL, Dialogflow's and DLP's host:port (gRPC and REST).
	whatsAppURL, dialogflowAddr, dlpAddr string
	// botURL is the assistant's base URL from this host.
	botURL string
	// waBase and botBase are where the harness's own requests go (the WhatsApp mock's control API, the
	// assistant's hooks and idle signal): the published addresses, or the containers' own on the run's
	// network when this host reaches them (direct.go).
	waBase, botBase string
	// dialer makes the connections to those addresses, and to the published ports when a container's
	// own address does not take one (a container that died).
	dialer       *directDialer
	controlToken string
	prod         *productionRun // nil unless AsProduction

	o          Options
	network    *testcontainers.DockerNetwork
	networks   *Networks       // where network came from and goes back to; nil when it is the run's own
	containers []roleContainer // the mocks first; appended under cmu while Start runs
	cmu        sync.Mutex
	httpc      *http.Client
	merge      *mergedJournal
	// referenceIdle: the assistant is the reference one from the parley image, whose idle signal Settle
	// uses (botc calls it, without the mocks' control token).
	referenceIdle bool
	botc          *http.Client
	closeOnce     sync.Once
	closeErr      error
}

var _ harness.Environment = (*Env)(nil)

// RunID is the value of the LabelRun label on the run's containers and network (a network from
// Options.Networks carries the Networks' own).
func (e *Env) RunID() string { return e.runID }

// World is where the environment's customers live.
func (e *Env) World() *sim.World { return e.world }

// Journal is the merged record of the run (see Sync).
func (e *Env) Journal() *journal.Journal { return e.journal }

// WhatsApp is the WhatsApp mock's control client (host side, with the control token).
func (e *Env) WhatsApp() *whatsapp.ControlClient { return e.wa }

// Dialogflow is the Dialogflow mock's control surface.
func (e *Env) Dialogflow() dialogflow.Control { return e.df }

// DialogflowClient is the Dialogflow mock's control client (host side, with the control token).
func (e *Env) DialogflowClient() *dialogflow.ControlClient { return e.df }

// DLP is the DLP mock's control client (host side, with the control token).
func (e *Env) DLP() *dlp.ControlClient { return e.dl }

// WhatsAppURL is the WhatsApp mock's base URL from this host.
func (e *Env) WhatsAppURL() string { return e.whatsAppURL }

// DialogflowAddr is the Dialogflow mock's host:port from this host (gRPC and REST).
func (e *Env) DialogflowAddr() string { return e.dialogflowAddr }

// DLPAddr is the DLP mock's host:port from this host (gRPC and REST).
func (e *Env) DLPAddr() string { return e.dlpAddr }

// BotURL is the assistant's base URL from this host, where its hooks are called; "" with MocksOnly.
func (e *Env) BotURL() string { return e.botURL }

// ControlToken is the bearer token of the mocks' /_parley/ routes.
func (e *Env) ControlToken() string { return e.controlToken }

// AuditOptions are the auditor's options the environment was given.
func (e *Env) AuditOptions() audit.Options { return e.o.Audit }

// Events brings the journal up to date and returns every event of it.
func (e *Env) Events(ctx context.Context) ([]journal.Event, error) {
	if err := e.Sync(ctx); err != nil {
		return e.journal.Events(), err
	}
	return e.journal.Events(), nil
}

type roleContainer struct {
	role  string
	image string
	c     testcontainers.Container
}

// rank orders the mocks before the assistant.
func (rc roleContainer) rank() int {
	if rc.role == "mocks" {
		return 0
	}
	return 1
}

// ContainerError is a container that could not serve: it exited, never became healthy, or failed the
// webhook handshake. It carries the container's last log lines.
type ContainerError struct {
	Role     string // "mocks" or "assistant"
	Image    string
	Cause    string // what went wrong, in a sentence
	ExitCode int    // when it exited; -1 otherwise
	Logs     []string
	Err      error
}

func (e *ContainerError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the %s container (%s) %s", e.Role, e.Image, e.Cause)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if len(e.Logs) == 0 {
		fmt.Fprintf(&b, "\n(the %s container wrote no logs)", e.Role)
	} else {
		fmt.Fprintf(&b, "\n--- last %d log lines of the %s container ---\n%s", len(e.Logs), e.Role, strings.Join(e.Logs, "\n"))
	}
	return b.String()
}

func (e *ContainerError) Unwrap() error { return e.Err }

// Start starts a network for the run, the mocks' container, and the assistant (the reference
// image, BotImage, or BotURL on the host); waits for each to be healthy; verifies the webhook with the
// hub.challenge handshake; and returns the environment. On any failure everything already created is
// removed before it returns.
func Start(ctx context.Context, o Options) (env *Env, err error) {
	o.defaults()
	if o.BotImage != "" && o.BotURL != "" {
		return nil, errors.New("containers: BotImage and BotURL are exclusive")
	}
	if o.MocksOnly && (o.BotImage != "" || o.BotURL != "" || len(o.Violations) > 0) {
		return nil, errors.New("containers: MocksOnly starts no assistant; BotImage, BotURL and Violations do not apply")
	}
	if len(o.Violations) > 0 && (o.BotImage != "" || o.BotURL != "") {
		return nil, errors.New("containers: violation switches belong to the reference assistant, not to BotImage or BotURL")
	}
	if err := o.checkProduction(); err != nil {
		return nil, err
	}
	if err := DockerAvailable(ctx); err != nil {
		return nil, err
	}
	if h := os.Getenv("DOCKER_HOST"); !o.AllInterfaces && remoteEngine(h) {
		return nil, fmt.Errorf("containers: the Docker engine at DOCKER_HOST=%q is on another machine, whose loopback "+
			"this one cannot reach; publish the containers' ports on all its interfaces (AllInterfaces; parley certify "+
			"--publish-all-interfaces), knowing that "+
			"its network then reaches the mocks and the assistant's unauthenticated hooks", h)
	}
	removeDeadRuns(ctx, o.Logger)
	if o.Image == "" {
		img, err := BuildImage(ctx, BuildOptions{})
		if err != nil {
			return nil, err
		}
		o.Image = img.Ref
	}
	if o.ControlToken == "" {
		o.ControlToken = randomHex(16)
	}
	e := &Env{runID: "parley-" + randomHex(6), o: o, controlToken: o.ControlToken}
	e.dialer = newDirectDialer()
	e.httpc = control.Client(o.ControlToken, e.dialer.transport())
	defer func() {
		if err != nil {
			_ = e.Close()
			env = nil
		}
	}()
	labels := ownerLabels()
	labels[LabelManaged], labels[LabelRun], labels[LabelSession] = "true", e.runID, session
	if o.Networks != nil && !o.AsProduction {
		e.network, err = o.Networks.take(ctx)
		e.networks = o.Networks
	} else {
		e.network, err = network.New(ctx, o.networkOptions(labels)...)
	}
	if err != nil {
		return nil, fmt.Errorf("creating the run's network: %w", err)
	}

	// Where the mocks deliver webhooks.
	webhook := "http://" + AliasBot + ":" + BotPort + "/webhook"
	var hostBot *url.URL
	switch {
	case o.BotImage != "":
		webhook = "http://" + AliasBot + ":" + strconv.Itoa(o.BotImagePort) + "/webhook"
	case o.BotURL != "":
		hostBot, err = url.Parse(o.BotURL)
		if err != nil || hostBot.Host == "" {
			return nil, fmt.Errorf("containers: BotURL %q is not a URL", o.BotURL)
		}
		u := *hostBot
		if h := u.Hostname(); h == "localhost" || net.ParseIP(h).IsLoopback() || net.ParseIP(h).IsUnspecified() {
			u.Host = net.JoinHostPort(HostAlias, u.Port())
		}
		webhook = strings.TrimRight(u.String(), "/") + "/webhook"
		e.botURL = strings.TrimRight(o.BotURL, "/")
	}

	cmd := []string{"serve",
		"--whatsapp", "0.0.0.0:" + WhatsAppPort, "--dialogflow", "0.0.0.0:" + DialogflowPort, "--dlp", "0.0.0.0:" + DLPPort,
		"--public-url", "http://" + AliasWhatsApp + ":" + WhatsAppPort, "--seed", strconv.FormatInt(o.Seed, 10)}
	// The reference assistant starts at the same time as the mocks (see below): its callback URL is
	// configured once it is up, so that the handshake Meta runs when a URL is configured finds it
	// listening, as it would a deployed assistant, instead of succeeding or failing by which container
	// came up first.
	together := o.BotImage == "" && o.BotURL == "" && !o.MocksOnly && !o.AsProduction
	if !o.MocksOnly && !together {
		cmd = append(cmd, "--webhook", webhook)
	}
	mocksReq := testcontainers.ContainerRequest{
		Cmd:            cmd,
		Env:            map[string]string{"PARLEY_CONTROL_TOKEN": o.ControlToken},
		ExposedPorts:   []string{WhatsAppPort + "/tcp", DialogflowPort + "/tcp", DLPPort + "/tcp"},
		NetworkAliases: map[string][]string{e.network.Name: {AliasWhatsApp, AliasDialogflow, AliasDLP}},
		WaitingFor: &readiness{what: "the mocks' /_parley/healthz", timeout: o.StartupTimeout, checks: []probe{
			httpProbe(WhatsAppPort, "/_parley/healthz", e.httpc), httpProbe(DialogflowPort, "/_parley/healthz", e.httpc),
			httpProbe(DLPPort, "/_parley/healthz", e.httpc)}},
	}
	agentOnHost, err := o.agentMocks(&mocksReq)
	if err != nil {
		return nil, err
	}
	mocksReq.HostConfigModifier = hostGateway(hostBot != nil || o.MocksOnly || agentOnHost)
	if err := e.productionMocks(ctx, &mocksReq, labels, strconv.Itoa(o.BotImagePort)); err != nil {
		return nil, err
	}
	// The reference assistant starts at the same time as the mocks, and waits inside its container for
	// them to listen (PARLEY_BOT_AWAIT) before it connects to them: a container's start is most of the
	// time to healthy. A vendor's image, which may give up or back off when the mocks are not there
	// yet, starts once they are healthy.
	var (
		botStarted chan struct{}
		bot        testcontainers.Container
		botErr     error
	)
	if together {
		req, image, _ := e.assistantRequest()
		req.Env["PARLEY_BOT_AWAIT"] = strings.Join([]string{AliasWhatsApp + ":" + WhatsAppPort, AliasDialogflow + ":" + DialogflowPort, AliasDLP + ":" + DLPPort}, ",")
		botCtx, cancelBot := context.WithCancel(ctx)
		botStarted = make(chan struct{})
		go func() {
			defer close(botStarted)
			bot, botErr = e.start(botCtx, "assistant", image, req, labels)
		}()
		// Before Close, on the way out: a failed start gives up on the assistant and waits for it, so
		// that Close finds its container.
		defer func() {
			if err != nil {
				cancelBot()
			}
			<-botStarted
			cancelBot()
		}()
	}
	mocks, err := e.start(ctx, "mocks", o.Image, mocksReq, labels)
	if err != nil {
		return nil, err
	}
	if e.whatsAppURL, err = endpoint(ctx, mocks, WhatsAppPort, "http"); err != nil {
		return nil, err
	}
	if e.dialogflowAddr, err = endpoint(ctx, mocks, DialogflowPort, ""); err != nil {
		return nil, err
	}
	if e.dlpAddr, err = endpoint(ctx, mocks, DLPPort, ""); err != nil {
		return nil, err
	}
	e.waBase = e.directBase(ctx, mocks, e.whatsAppURL, WhatsAppPort, mocksAnswer(e.httpc))
	dfBase, dlpBase := "http://"+e.dialogflowAddr, "http://"+e.dlpAddr
	if e.waBase != e.whatsAppURL {
		dfBase = e.directBase(ctx, mocks, dfBase, DialogflowPort, mocksAnswer(e.httpc))
		dlpBase = e.directBase(ctx, mocks, dlpBase, DLPPort, mocksAnswer(e.httpc))
	}
	e.wa = whatsapp.NewControlClient(e.waBase, control.WithHTTPClient(e.httpc))
	e.df = dialogflow.NewControlClient(dfBase, control.WithHTTPClient(e.httpc))
	e.dl = dlp.NewControlClient(dlpBase, control.WithHTTPClient(e.httpc))

	switch {
	case o.MocksOnly:
		// The caller's assistant comes later, on the host or elsewhere, and sets the webhook itself.
	case o.BotURL == "":
		req, image, port := e.assistantRequest()
		if together {
			<-botStarted
			err = botErr
		} else {
			if o.AsProduction {
				if err := e.productionAssistant(ctx, &req, mocks); err != nil {
					return nil, err
				}
			}
			bot, err = e.start(ctx, "assistant", image, req, labels)
		}
		if err != nil {
			return nil, err
		}
		if together {
			if err := e.wa.SetWebhook(ctx, webhook); err != nil {
				return nil, fmt.Errorf("configuring the assistant's webhook: %w", err)
			}
		}
		if o.BotImage == "" {
			e.referenceIdle = true
			t := e.dialer.transport()
			t.MaxIdleConnsPerHost, t.IdleConnTimeout = 4, time.Minute
			e.botc = &http.Client{Transport: t}
		}
		if e.botURL == "" {
			if e.botURL, err = endpoint(ctx, bot, port, "http"); err != nil {
				return nil, err
			}
			if e.waBase != e.whatsAppURL { // where the mocks' address did not answer, the assistant's will not
				e.botBase = e.directBase(ctx, bot, e.botURL, port, tcpProbe(port).check)
			}
		}
	case o.OnMocksReady != nil:
		if err := o.OnMocksReady(ctx, e.HostContract()); err != nil {
			return nil, fmt.Errorf("starting the assistant on the host: %w", err)
		}
	}

	if !o.MocksOnly {
		if err := e.handshake(ctx); err != nil {
			return nil, err
		}
	}
	if e.botBase == "" {
		e.botBase = e.botURL
	}
	e.merge = &mergedJournal{j: journal.New(nil), wa: e.wa, httpc: e.httpc, base: e.waBase}
	e.journal = e.merge.j
	if err := e.merge.sync(ctx); err != nil {
		return nil, err
	}
	if err := e.productionUnmodelled(); err != nil {
		return nil, err
	}
	e.world = &sim.World{WhatsApp: watchedControl{Control: e.wa, e: e}, Journal: e.merge, Settle: e.Settle}
	if e.botURL != "" {
		e.world.Hooks = &mergedHooks{inner: &harness.Hooks{BaseURL: e.botBase, Client: &http.Client{Transport: e.dialer.transport()}}, m: e.merge}
	}
	o.Logger.Info("containers environment ready", "run", e.runID, "whatsapp", e.whatsAppURL, "assistant", e.botURL)
	return e, nil
}

// assistantRequest is the assistant's container (the reference one, or BotImage), its image and port.
func (e *Env) assistantRequest() (req testcontainers.ContainerRequest, image, port string) {
	o := e.o
	req = testcontainers.ContainerRequest{
		Env:            e.inNetworkContract(),
		NetworkAliases: map[string][]string{e.network.Name: {AliasBot}},
	}
	image, port = o.BotImage, strconv.Itoa(o.BotImagePort)
	if o.BotImage == "" {
		image, port = o.Image, BotPort
		req.Cmd = []string{"bot"}
		req.Env["PARLEY_VIOLATE"] = strings.Join(o.Violations, ",")
		req.Env["PARLEY_BOT_CLOCK"] = "observed"
	}
	req.Env["PORT"] = port
	for k, v := range o.BotEnv {
		req.Env[k] = v
	}
	req.ExposedPorts = []string{port + "/tcp"}
	req.WaitingFor = &readiness{what: "the assistant's port " + port, timeout: o.StartupTimeout, checks: []probe{tcpProbe(port)}}
	return req, image, port
}

// start creates and starts one container of the run, labelled, on the run's network. If it does not
// become ready, the error names the cause and carries its last log lines; the container is kept in
// e.containers so that Close removes it.
func (e *Env) start(ctx context.Context, role, image string, req testcontainers.ContainerRequest, labels map[string]string) (testcontainers.Container, error) {
	req.Image = image
	req.Networks = append([]string{e.network.Name}, req.Networks...)
	if !e.o.AllInterfaces {
		req.HostConfigModifier = onLoopback(req.ExposedPorts, req.HostConfigModifier)
	}
	req.Labels = map[string]string{LabelRole: role}
	for k, v := range labels {
		req.Labels[k] = v
	}
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{ContainerRequest: req, Started: true, Logger: tcLogger{e.o.Logger}})
	if c != nil {
		// The mocks first, whichever was created first: deadContainer names the first that stopped.
		e.cmu.Lock()
		e.containers = append(e.containers, roleContainer{role: role, image: image, c: c})
		slices.SortStableFunc(e.containers, func(a, b roleContainer) int { return cmp.Compare(a.rank(), b.rank()) })
		e.cmu.Unlock()
	}
	if err == nil {
		return c, nil
	}
	cerr := &ContainerError{Role: role, Image: image, ExitCode: -1, Err: err}
	var nr *notReady
	switch {
	case c == nil:
		cerr.Cause = "could not be created"
	case errors.As(err, &nr) && nr.exited:
		cerr.Cause, cerr.ExitCode, cerr.Err = fmt.Sprintf("exited with code %d at start", nr.exitCode), nr.exitCode, nil
	case errors.As(err, &nr):
		cerr.Cause, cerr.Err = fmt.Sprintf("never became healthy: %s was not ready after %s", nr.what, nr.timeout), nr.last
	default:
		cerr.Cause = "could not be started"
	}
	if c != nil {
		cerr.Logs = lastLines(ctx, c, e.o.LogLines)
	}
	return nil, cerr
}

// handshake makes the WhatsApp mock verify the assistant's webhook (hub.challenge), as Meta does before
// it delivers anything.
func (e *Env) handshake(ctx context.Context) error {
	hctx, cancel := context.WithTimeout(ctx, e.o.HandshakeTimeout)
	defer cancel()
	res, err := e.wa.VerifyWebhook(hctx)
	if err == nil && res.OK {
		return nil
	}
	cerr := &ContainerError{Role: "assistant", Image: e.o.BotImage, ExitCode: -1}
	if cerr.Image == "" {
		cerr.Image = e.o.Image
	}
	if e.o.BotURL != "" {
		cerr.Role, cerr.Image = "assistant", e.o.BotURL+" (on the host)"
	}
	switch {
	case err != nil && hctx.Err() != nil:
		cerr.Cause = fmt.Sprintf("did not answer the webhook's hub.challenge handshake within %s", e.o.HandshakeTimeout)
	case err != nil:
		cerr.Cause, cerr.Err = "could not be asked the webhook's hub.challenge handshake", err
	case res.Status == 0:
		cerr.Cause = "did not answer the webhook's hub.challenge handshake: " + res.Error
	default:
		cerr.Cause = "answered the webhook's hub.challenge handshake wrongly: " + res.Error
	}
	for _, rc := range e.containers {
		if rc.role == "assistant" {
			cerr.Logs = lastLines(context.WithoutCancel(ctx), rc.c, e.o.LogLines)
		}
	}
	return cerr
}

// inNetworkContract is the bot contract for an assistant inside the run's network.
func (e *Env) inNetworkContract() map[string]string {
	return e.contract("http://"+AliasWhatsApp+":"+WhatsAppPort, AliasDialogflow+":"+DialogflowPort, AliasDLP+":"+DLPPort)
}

// HostContract is the bot contract (docs/bot-contract.md) for an assistant running on this host.
func (e *Env) HostContract() harness.Contract {
	return e.contract(e.whatsAppURL, e.dialogflowAddr, e.dlpAddr)
}

func (e *Env) contract(wa, df, d string) harness.Contract {
	return harness.Contract{
		"WHATSAPP_API_URL":         wa,
		"WHATSAPP_API_VERSION":     "v23.0",
		"WHATSAPP_PHONE_NUMBER_ID": whatsapp.DefaultPhoneNumberID,
		"WHATSAPP_TOKEN":           whatsapp.DefaultAccessToken,
		"WHATSAPP_APP_SECRET":      whatsapp.DefaultAppSecret,
		"WHATSAPP_VERIFY_TOKEN":    whatsapp.DefaultVerifyToken,
		"DIALOGFLOW_ENDPOINT":      df,
		"DIALOGFLOW_PROJECT":       dialogflow.DefaultProject,
		"DIALOGFLOW_LANGUAGE":      "es",
		"DLP_ENDPOINT":             d,
	}
}

// Sync fetches the mocks' new journal events into Journal.
func (e *Env) Sync(ctx context.Context) error {
	e.merge.mu.Lock()
	defer e.merge.mu.Unlock()
	return e.merge.sync(ctx)
}

// Settle waits until the assistant and the WhatsApp mock have nothing in flight. The reference assistant
// (neither BotImage nor BotURL) says when it is idle (GET /parley/idle), so it settles as embedded does:
// the assistant idle, every webhook delivered, the assistant idle again, and no new journal event across
// the round. Any other assistant has no idle signal parley believes: it is judged settled when the
// WhatsApp mock has no webhook in flight and the journal has stayed still for Quiet.
func (e *Env) Settle(ctx context.Context) error {
	err := e.settle(ctx)
	if err != nil && ctx.Err() == nil {
		if dead := e.deadContainer(ctx, err, true); dead != nil {
			return dead
		}
	}
	return err
}

func (e *Env) settle(ctx context.Context) error {
	if e.referenceIdle {
		return e.settleIdle(ctx)
	}
	quiet := time.NewTimer(e.o.Quiet)
	defer quiet.Stop()
	for {
		if err := e.wa.AwaitIdle(ctx); err != nil {
			return err
		}
		_, before, err := e.wa.JournalAfter(ctx, e.merge.remoteLast())
		if err != nil {
			return err
		}
		quiet.Reset(e.o.Quiet)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-quiet.C:
		}
		evs, _, err := e.wa.JournalAfter(ctx, before)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return e.Sync(ctx)
		}
	}
}

// settleIdle is embedded.Env.Settle over HTTP, for the reference assistant: it ends when a round of
// waits (the assistant, the WhatsApp mock's webhooks, the assistant again: a delivered status can make
// it act) saw no new event in the mocks' journal, with no wait for silence. The journal read that ends
// a round starts the next one, as embedded reads its journal once between rounds.
func (e *Env) settleIdle(ctx context.Context) error {
	last := func(ctx context.Context) (uint64, error) {
		if err := e.Sync(ctx); err != nil {
			return 0, err
		}
		return e.merge.remoteLast(), nil
	}
	return harness.SettleRounds(ctx, e.botIdle, e.wa.AwaitIdle, last)
}

// botIdle waits until the reference assistant has handled everything it accepted (its GET /parley/idle).
func (e *Env) botIdle(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.botBase+"/parley/idle", nil)
	if err != nil {
		return err
	}
	resp, err := e.botc.Do(req)
	if err != nil {
		return fmt.Errorf("waiting for the assistant to be idle: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("waiting for the assistant to be idle: GET /parley/idle: HTTP %d", resp.StatusCode)
	}
	return nil
}

// watchedControl is the WhatsApp control the customers use: when a send fails, or its webhook fails every
// attempt, and a container of the run is no longer running, the error is that container's (which one, why,
// its last log lines) rather than a connection refused or a customer awaiting a reply that never comes.
type watchedControl struct {
	whatsapp.Control
	e *Env
}

func (w watchedControl) SendFromCustomer(ctx context.Context, waID string, m whatsapp.CustomerMessage) (whatsapp.SendResult, error) {
	res, err := w.Control.SendFromCustomer(ctx, waID, m)
	if err == nil && res.Error == "" {
		return res, nil
	}
	cause := err
	if cause == nil {
		cause = fmt.Errorf("the webhook failed %d attempts: %s", res.Attempts, res.Error)
	}
	// A refused connection can come before Docker has seen the process die: wait for it a little.
	if dead := w.e.deadContainer(ctx, cause, err != nil); dead != nil {
		return res, dead
	}
	return res, err
}

// deadContainer returns a *ContainerError for the first container of the run that is no longer running,
// with cause as its Err, or nil when all run. With wait, it looks again for up to two seconds.
func (e *Env) deadContainer(ctx context.Context, cause error, wait bool) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	deadline := time.Now().Add(2 * time.Second)
	for {
		for _, rc := range e.containers {
			st, err := rc.c.State(ctx)
			if err == nil && st.Running {
				continue
			}
			cerr := &ContainerError{Role: rc.role, Image: rc.image, ExitCode: -1, Err: cause}
			switch {
			case err != nil:
				cerr.Cause = fmt.Sprintf("is gone in the middle of the run (%v)", err)
			case st.OOMKilled:
				cerr.Cause, cerr.ExitCode = fmt.Sprintf("was killed in the middle of the run: out of memory (exit code %d)", st.ExitCode), st.ExitCode
			case st.ExitCode == 137:
				cerr.Cause, cerr.ExitCode = "was killed in the middle of the run (SIGKILL, exit code 137)", st.ExitCode
			default:
				cerr.Cause, cerr.ExitCode = fmt.Sprintf("stopped in the middle of the run (%s, exit code %d)", st.Status, st.ExitCode), st.ExitCode
			}
			if err == nil {
				cerr.Logs = lastLines(ctx, rc.c, e.o.LogLines)
			}
			return cerr
		}
		if !wait || time.Now().After(deadline) {
			return nil
		}
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// Logs returns the last n log lines of each container of the run, by role.
func (e *Env) Logs(ctx context.Context, n int) map[string][]string {
	out := map[string][]string{}
	for _, rc := range e.containers {
		out[rc.role] = lastLines(ctx, rc.c, n)
	}
	return out
}

// Close removes the run's containers and network, whatever state they are in, and anything else
// labelled with the run's id. It uses its own deadline so that it also cleans up after a cancelled run.
func (e *Env) Close() error {
	e.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		// Killed, not stopped gracefully: the run is over, its journal and logs already read. All at once:
		// each removal is the engine's work, most of it waiting.
		errs := make([]error, len(e.containers))
		var wg sync.WaitGroup
		for i, rc := range e.containers {
			wg.Go(func() {
				if err := testcontainers.TerminateContainer(rc.c, testcontainers.StopTimeout(0)); err != nil {
					errs[i] = fmt.Errorf("removing the %s container: %w", rc.role, err)
				}
			})
		}
		wg.Wait()
		if e.dialer != nil {
			e.dialer.closeIdle() // the control, idle and hook clients' connections
		}
		// A network whose containers are all gone goes back to the Networks it came from.
		kept := e.networks != nil && e.network != nil && errors.Join(errs...) == nil && e.networks.give(e.network)
		if e.network != nil && !kept {
			if err := e.network.Remove(ctx); err != nil {
				errs = append(errs, fmt.Errorf("removing the run's network: %w", err))
			}
		}
		if err := RemoveLeftovers(ctx, LabelRun+"="+e.runID); err != nil {
			errs = append(errs, err)
		}
		e.closeErr = errors.Join(errs...)
	})
	return e.closeErr
}

// Leftovers lists the containers and networks labelled by parley that match filter ("key=value"; empty
// for every parley resource), as "container NAME" and "network NAME".
func Leftovers(ctx context.Context, filter string) ([]string, error) {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	f := make(client.Filters).Add("label", LabelManaged+"=true")
	if filter != "" {
		f.Add("label", filter)
	}
	var out []string
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, err
	}
	for _, c := range cs.Items {
		out = append(out, "container "+strings.TrimPrefix(strings.Join(c.Names, ","), "/"))
	}
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return nil, err
	}
	for _, n := range ns.Items {
		out = append(out, "network "+n.Name)
	}
	return out, nil
}

// RemoveLeftovers removes the containers and networks labelled by parley that match filter ("key=value";
// empty for every parley resource): what a crashed run (no Ryuk) left behind.
func RemoveLeftovers(ctx context.Context, filter string) error {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	f := make(client.Filters).Add("label", LabelManaged+"=true")
	if filter != "" {
		f.Add("label", filter)
	}
	var errs []error
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return err
	}
	for _, c := range cs.Items {
		if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
			errs = append(errs, err)
		}
	}
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return err
	}
	for _, n := range ns.Items {
		if _, err := cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// RunJourney plays journey j in a fresh containers environment (harness.Play) and removes it. A container
// that stopped during the run is an error even when the journey's own steps held, and when the journey
// fails, the containers' last log lines are joined to the error, for the report.
func RunJourney(ctx context.Context, o Options, j sim.Journey) harness.JourneyResult {
	start := time.Now()
	env, err := Start(ctx, o)
	if err != nil {
		return harness.JourneyResult{Journey: j, Err: fmt.Errorf("starting the environment: %w", err), Duration: time.Since(start)}
	}
	res := harness.Play(ctx, env, j)
	// A container that died after the last thing the journey sent leaves the steps green: the run did not
	// see what it was meant to, so it is not a pass.
	if ce := (*ContainerError)(nil); !errors.As(res.Err, &ce) {
		if dead := env.deadContainer(ctx, nil, false); dead != nil {
			res.Err = errors.Join(res.Err, dead)
		}
	}
	if res.Err != nil || len(res.Report.Broken()) > 0 {
		var b strings.Builder
		for role, lines := range env.Logs(context.WithoutCancel(ctx), env.o.LogLines) {
			fmt.Fprintf(&b, "\n--- last log lines of the %s container ---\n%s", role, strings.Join(lines, "\n"))
		}
		if res.Err != nil && b.Len() > 0 {
			res.Err = fmt.Errorf("%w%s", res.Err, b.String())
		}
	}
	if err := env.Close(); err != nil {
		res.Err = errors.Join(res.Err, fmt.Errorf("removing the environment: %w", err))
	}
	res.Duration = time.Since(start)
	return res
}

// Factory is a harness.Factory that starts a fresh containers environment with these options for every
// scenario: its own network, the mocks' container and the assistant's, all removed when it closes.
type Factory Options

// Start starts a containers environment.
func (f Factory) Start(ctx context.Context, _ harness.Scenario) (harness.Environment, error) {
	return Start(ctx, Options(f))
}

var _ harness.Factory = Factory{}

// mergedJournal is the run's journal in containers mode: the mocks' events fetched over HTTP and
// appended in their order, with the harness's own events recorded where they happened. Every local
// record first brings the mocks' events in and sets the local clock to the mocks' simulated time, so the
// merged order is the order things happened in and every event carries simulated time.
type mergedJournal struct {
	mu    sync.Mutex
	j     *journal.Journal
	wa    *whatsapp.ControlClient
	httpc *http.Client
	base  string
	last  uint64 // the mocks' sequence number already merged
}

func (m *mergedJournal) remoteLast() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last
}

// sync brings in the mocks' new events and sets the local clock to the mocks' simulated time, both from
// one page of the journal; a mock that does not put its time on the page (an image older than this
// harness) is asked for its clock in a request of its own. It must be called with m.mu held.
func (m *mergedJournal) sync(ctx context.Context) error {
	now, err := m.pull(ctx)
	if err != nil {
		return err
	}
	if now.IsZero() {
		if now, err = m.remoteNow(ctx); err != nil {
			return err
		}
	}
	m.j.Clock().Set(now)
	return nil
}

// pull brings in the mocks' new events and returns the simulated time the page was read at (zero when
// the mock did not say). It must be called with m.mu held.
func (m *mergedJournal) pull(ctx context.Context) (time.Time, error) {
	p, err := m.wa.JournalPage(ctx, m.last)
	if err != nil {
		return time.Time{}, fmt.Errorf("fetching the mocks' journal: %w", err)
	}
	for _, ev := range p.Events {
		if ev.Seq <= m.last {
			continue // a repeated page; each event is merged once
		}
		m.j.Append(ev)
		m.last = ev.Seq
	}
	if p.Last > m.last {
		m.last = p.Last
	}
	return p.Now, nil
}

func (m *mergedJournal) remoteNow(ctx context.Context) (time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.base+"/_parley/clock", nil)
	if err != nil {
		return time.Time{}, err
	}
	resp, err := m.httpc.Do(req)
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the mocks' clock: %w", err)
	}
	defer resp.Body.Close()
	var v struct {
		Now time.Time `json:"now"`
	}
	if resp.StatusCode != http.StatusOK {
		return time.Time{}, fmt.Errorf("reading the mocks' clock: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return time.Time{}, fmt.Errorf("reading the mocks' clock: %w", err)
	}
	return v.Now, nil
}

// Record implements sim.Recorder.
func (m *mergedJournal) Record(source journal.Source, kind, customer string, data any) journal.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.sync(ctx); err != nil {
		// The event is kept whatever happens; the failure is recorded next to it, so the audit of a run
		// with an unreachable mock does not pass silently.
		m.j.Record(journal.SourceHarness, journal.KindUnmodelled, "", journal.RequestData{Method: http.MethodGet, Path: "/_parley/journal", Detail: err.Error()})
	}
	return m.j.Record(source, kind, customer, data)
}

// mergedHooks calls the assistant's hooks and records each call after the events it caused, as the
// embedded harness does.
type mergedHooks struct {
	inner *harness.Hooks
	m     *mergedJournal
}

func (h *mergedHooks) around(ctx context.Context, call func(*harness.Hooks) error) error {
	scratch := journal.New(nil)
	hk := *h.inner
	hk.Journal = scratch
	err := call(&hk)
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	if serr := h.m.sync(ctx); serr != nil && err == nil {
		err = serr
	}
	for _, ev := range scratch.Events() {
		ev.At = time.Time{} // stamped with the mocks' time, now
		h.m.j.Append(ev)
	}
	return err
}

func (h *mergedHooks) Consent(ctx context.Context, c sim.ConsentHook) error {
	return h.around(ctx, func(k *harness.Hooks) error { return k.Consent(ctx, c) })
}

func (h *mergedHooks) Notify(ctx context.Context, waID, event, order string, at time.Time) error {
	return h.around(ctx, func(k *harness.Hooks) error { return k.Notify(ctx, waID, event, order, at) })
}

func (h *mergedHooks) Campaign(ctx context.Context, campaign, template string, at time.Time) error {
	return h.around(ctx, func(k *harness.Hooks) error { return k.Campaign(ctx, campaign, template, at) })
}

func (h *mergedHooks) ReleaseHandoff(ctx context.Context, waID string) error {
	return h.around(ctx, func(k *harness.Hooks) error { return k.ReleaseHandoff(ctx, waID) })
}

// readinessPoll is how often a starting container is looked at. A probe is a Docker inspect and a
// loopback request or two, cheap next to the time a container takes to listen (tens of milliseconds
// after it runs), which a longer interval would mostly add to every start.
const readinessPoll = 15 * time.Millisecond

// readiness waits until every probe passes, and fails at once when the container exits.
type readiness struct {
	what    string
	timeout time.Duration
	checks  []probe
}

// probe checks one thing of a container reached at host:port (the mapped port of its container port, or
// addr when set).
type probe struct {
	port  string
	addr  string
	check func(ctx context.Context, hostport string) error
}

type notReady struct {
	what     string
	timeout  time.Duration
	exited   bool
	exitCode int
	last     error
}

func (e *notReady) Error() string {
	if e.exited {
		return fmt.Sprintf("exited with code %d before %s was ready", e.exitCode, e.what)
	}
	return fmt.Sprintf("%s not ready after %s: %v", e.what, e.timeout, e.last)
}

func (r *readiness) WaitUntilReady(ctx context.Context, t wait.StrategyTarget) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	tick := time.NewTicker(readinessPoll)
	defer tick.Stop()
	var last error
	for {
		st, err := t.State(ctx)
		switch {
		case err != nil:
			last = err
		case st.Status == container.StateExited || st.Status == container.StateDead:
			return &notReady{what: r.what, exited: true, exitCode: st.ExitCode}
		case st.Running:
			last = r.check(ctx, t)
			if last == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return &notReady{what: r.what, timeout: r.timeout, last: last}
		case <-tick.C:
		}
	}
}

func (r *readiness) check(ctx context.Context, t wait.StrategyTarget) error {
	host, err := t.Host(ctx)
	if err != nil {
		return err
	}
	for _, p := range r.checks {
		hostport := p.addr
		if hostport == "" {
			mp, err := t.MappedPort(ctx, p.port+"/tcp")
			if err != nil {
				return err
			}
			hostport = net.JoinHostPort(host, mp.Port())
		}
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = p.check(cctx, hostport)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

func httpProbe(port, path string, hc *http.Client) probe {
	return probe{port: port, check: func(ctx context.Context, hostport string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+hostport+path, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
		}
		return nil
	}}
}

// tcpProbe waits for the port to accept a connection that stays open: Docker's port proxy accepts
// connections on a mapped port even when nothing listens inside, and closes them at once.
func tcpProbe(port string) probe {
	return probe{port: port, check: func(ctx context.Context, hostport string) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", hostport)
		if err != nil {
			return err
		}
		defer c.Close()
		// An HTTP request that gets any answer proves a listener behind the proxy.
		_ = c.SetDeadline(time.Now().Add(time.Second))
		if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n\r\n"); err != nil {
			return err
		}
		if _, err := bufio.NewReader(c).ReadByte(); err != nil {
			return fmt.Errorf("nothing answers on port %s: %w", port, err)
		}
		return nil
	}}
}

func hostGateway(on bool) func(*container.HostConfig) {
	return func(hc *container.HostConfig) {
		if on {
			hc.ExtraHosts = append(hc.ExtraHosts, HostAlias+":host-gateway")
		}
	}
}

// onLoopback publishes ports on 127.0.0.1 only, after what next does to the host configuration.
func onLoopback(ports []string, next func(*container.HostConfig)) func(*container.HostConfig) {
	return func(hc *container.HostConfig) {
		if next != nil {
			next(hc)
		}
		if hc.PortBindings == nil {
			hc.PortBindings = dockernetwork.PortMap{}
		}
		for _, p := range ports {
			if port, err := dockernetwork.ParsePort(p); err == nil {
				hc.PortBindings[port] = []dockernetwork.PortBinding{{HostIP: netip.AddrFrom4([4]byte{127, 0, 0, 1})}}
			}
		}
	}
}

func endpoint(ctx context.Context, c testcontainers.Container, port, scheme string) (string, error) {
	ep, err := c.PortEndpoint(ctx, port+"/tcp", scheme)
	if err != nil {
		return "", fmt.Errorf("mapped port %s: %w", port, err)
	}
	return ep, nil
}

// lastLines returns the last n lines a container wrote (stdout and stderr).
func lastLines(ctx context.Context, c testcontainers.Container, n int) []string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rc, err := c.Logs(ctx)
	if err != nil {
		return []string{"(logs unavailable: " + err.Error() + ")"}
	}
	defer rc.Close()
	var lines []string
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return lines
}

// tcLogger sends testcontainers' progress lines to the run's logger at debug level: library code prints
// nothing of its own.
type tcLogger struct{ l *slog.Logger }

func (t tcLogger) Printf(format string, v ...any) {
	t.l.Debug(fmt.Sprintf(format, v...), "from", "testcontainers")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
