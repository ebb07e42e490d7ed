package whatsapp

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-dev/parley/internal/headerlimit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
)

// Defaults of the business the mock plays. They look like Meta's documentation examples so that logs read
// naturally; a test that cares sets its own.
const (
	DefaultPhoneNumberID      = "106540352242922"
	DefaultDisplayPhoneNumber = "15550783881"
	DefaultWABAID             = "102290129340398"
	DefaultAccessToken        = "parley-access-token"
	DefaultAppSecret          = "parley-app-secret"
	DefaultVerifyToken        = "parley-verify-token"
	DefaultMPS                = 80
	DefaultPairRate           = 6 * time.Second
	DefaultPairBurst          = 45
	DefaultWebhookAttempts    = 5
	DefaultWebhookBackoff     = 100 * time.Millisecond
)

// WindowErrorMode says how a free-form send outside the customer-service window is refused.
type WindowErrorMode string

// The two ways 131047 is seen in the wild.
const (
	// WindowErrorStatus accepts the send (200 and a wamid) and then reports a failed status webhook with
	// 131047, as Meta's webhook documentation and real integrations (Zammad fixtures) show. The default.
	WindowErrorStatus WindowErrorMode = "status"
	// WindowErrorSync refuses the send with HTTP 400 and 131047, as other production integrations observed.
	WindowErrorSync WindowErrorMode = "sync"
)

type config struct {
	journal       *journal.Journal
	addr          string
	webhook       string
	appSecret     string
	verifyToken   string
	accessToken   string
	phoneNumberID string
	displayNumber string
	wabaID        string
	templates     []Template
	templatesDir  string
	templatesSet  bool
	mps           int
	pairRate      time.Duration
	pairBurst     int
	windowMode    WindowErrorMode
	retryAttempts int
	retryBackoff  time.Duration
	seed          int64
	logger        *slog.Logger
	client        *http.Client
	wall          func() time.Time // wall clock for the throughput limit; tests inside the package pin it
	publicURL     string
	maxBody       int64
	maxMedia      int64
	controlToken  string

	webhookTimeout time.Duration
	webhookHosts   []string
	webhookRoots   *x509.CertPool
	ownClient      bool // the delivery client is the mock's own, so Close drops its idle connections
}

// Option configures a Server. Options are checked before the server does anything.
type Option func(*config) error

// WithJournal makes the server record into j and read j.Clock() as its simulated clock. Without it the
// server has a journal and clock of its own.
func WithJournal(j *journal.Journal) Option {
	return func(c *config) error {
		if j == nil {
			return errors.New("WithJournal: nil journal")
		}
		c.journal = j
		return nil
	}
}

// WithAddr makes the server listen on addr (host:port) instead of 127.0.0.1:0.
func WithAddr(addr string) Option {
	return func(c *config) error {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("WithAddr(%q): %w", addr, err)
		}
		c.addr = addr
		return nil
	}
}

// WithControlToken guards every /_parley/ route with `Authorization: Bearer token`, on the mock's own
// port and in Handler: the Graph API keeps its own access token. Without it the control routes are open,
// as suits a mock on loopback.
func WithControlToken(token string) Option {
	return func(c *config) error {
		if err := control.CheckToken(token); err != nil {
			return fmt.Errorf("WithControlToken: %w", err)
		}
		c.controlToken = token
		return nil
	}
}

// WithWebhook sets the assistant's callback URL, where inbound messages and statuses are POSTed.
func WithWebhook(rawURL string) Option {
	return func(c *config) error {
		if err := checkWebhookURL(rawURL); err != nil {
			return fmt.Errorf("WithWebhook: %w", err)
		}
		c.webhook = rawURL
		return nil
	}
}

func checkWebhookURL(rawURL string) error {
	if rawURL == "" {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("webhook URL %q must be an absolute http or https URL", rawURL)
	}
	return nil
}

// WithPublicURL sets the base URL the assistant reaches the mock at, when it differs from where the mock
// listens (a container listening on 0.0.0.0): media URLs in inbound webhooks use it. Media URLs answered
// to GET /{media-id} use the Host the request came to.
func WithPublicURL(rawURL string) Option {
	return func(c *config) error {
		u, err := url.Parse(rawURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("WithPublicURL(%q): want an absolute http(s) URL without a path", rawURL)
		}
		c.publicURL = strings.TrimRight(rawURL, "/")
		return nil
	}
}

// WithAppSecret sets the secret that signs webhooks (X-Hub-Signature-256).
func WithAppSecret(secret string) Option {
	return stringOption("WithAppSecret", secret, func(c *config) *string { return &c.appSecret })
}

// WithVerifyToken sets the token sent in the hub.challenge handshake.
func WithVerifyToken(token string) Option {
	return stringOption("WithVerifyToken", token, func(c *config) *string { return &c.verifyToken })
}

// WithAccessToken sets the bearer token the assistant must present.
func WithAccessToken(token string) Option {
	return stringOption("WithAccessToken", token, func(c *config) *string { return &c.accessToken })
}

var digitsRE = regexp.MustCompile(`^[0-9]{1,32}$`)

// WithPhoneNumberID sets the business phone number id of the send path (digits).
func WithPhoneNumberID(id string) Option {
	return func(c *config) error {
		if !digitsRE.MatchString(id) {
			return fmt.Errorf("WithPhoneNumberID(%q): an id is digits only", id)
		}
		c.phoneNumberID = id
		return nil
	}
}

// WithDisplayPhoneNumber sets the business's phone number as shown in webhook metadata (digits, no +).
func WithDisplayPhoneNumber(number string) Option {
	return func(c *config) error {
		if !digitsRE.MatchString(number) {
			return fmt.Errorf("WithDisplayPhoneNumber(%q): digits only, no +", number)
		}
		c.displayNumber = number
		return nil
	}
}

// WithWABAID sets the WhatsApp Business Account id that owns the templates (digits).
func WithWABAID(id string) Option {
	return func(c *config) error {
		if !digitsRE.MatchString(id) {
			return fmt.Errorf("WithWABAID(%q): an id is digits only", id)
		}
		c.wabaID = id
		return nil
	}
}

// WithTemplates seeds the template store with ts instead of the embedded fixtures.
func WithTemplates(ts []Template) Option {
	return func(c *config) error {
		for i, t := range ts {
			if err := t.check(); err != nil {
				return fmt.Errorf("WithTemplates: template %d: %w", i, err)
			}
		}
		c.templates, c.templatesDir, c.templatesSet = append([]Template(nil), ts...), "", true
		return nil
	}
}

// WithTemplatesDir seeds the template store from the *.json files of dir (one Graph template object, or
// an array of them, per file).
func WithTemplatesDir(dir string) Option {
	return func(c *config) error {
		if dir == "" {
			return errors.New("WithTemplatesDir: empty directory")
		}
		c.templatesDir, c.templates, c.templatesSet = dir, nil, true
		return nil
	}
}

// WithMPS sets the throughput limit in messages per second (0: none). Default 80, as on the platform.
func WithMPS(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("WithMPS(%d): must be 0 (no limit) or more", n)
		}
		c.mps = n
		return nil
	}
}

// WithPairRate sets the sustained minimum gap between messages to one recipient (0: no limit).
// Default 6s, as Meta documents.
func WithPairRate(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("WithPairRate(%s): must be 0 (no limit) or more", d)
		}
		c.pairRate = d
		return nil
	}
}

// WithPairBurst sets how many messages one recipient may receive in a burst before the pair rate
// applies. Default 45, as Meta documents.
func WithPairBurst(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("WithPairBurst(%d): must be 1 or more", n)
		}
		c.pairBurst = n
		return nil
	}
}

// WithWindowErrorMode chooses how 131047 (outside the 24-hour window) is reported.
func WithWindowErrorMode(m WindowErrorMode) Option {
	return func(c *config) error {
		if m != WindowErrorStatus && m != WindowErrorSync {
			return fmt.Errorf("WithWindowErrorMode(%q): want %q or %q", m, WindowErrorSync, WindowErrorStatus)
		}
		c.windowMode = m
		return nil
	}
}

// WithWebhookRetry bounds webhook delivery: at most maxAttempts POSTs per webhook, waiting base, 2·base,
// 4·base… (real time) between them. Meta retries for up to 7 days; a test cannot wait that long.
func WithWebhookRetry(maxAttempts int, base time.Duration) Option {
	return func(c *config) error {
		if maxAttempts < 1 || base < 0 {
			return fmt.Errorf("WithWebhookRetry(%d, %s): need at least 1 attempt and a backoff of 0 or more", maxAttempts, base)
		}
		c.retryAttempts, c.retryBackoff = maxAttempts, base
		return nil
	}
}

// WithSeed seeds fault injection, wamids and fbtrace_ids, so a run can be repeated.
func WithSeed(seed int64) Option { return func(c *config) error { c.seed = seed; return nil } }

// WithLogger sets where the server logs. Default: nowhere.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithHTTPClient sets the client that delivers webhooks. Default: a client of the mock's own with the
// WithWebhookTimeout timeout and the WithWebhookRootCAs roots (both ignored when this option is given).
// The mock delivers through a copy of hc that follows no redirects, as Meta does not; hc is not changed.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil client")
		}
		c.client = withoutRedirects(hc)
		return nil
	}
}

func stringOption(name, v string, field func(*config) *string) Option {
	return func(c *config) error {
		if v == "" {
			return fmt.Errorf("%s: empty value", name)
		}
		*field(c) = v
		return nil
	}
}

// Server is a mock WhatsApp Business Cloud API. Create it with NewServer or RunT; it is listening when
// returned. All methods are safe for concurrent use.
type Server struct {
	cfg      config
	journal  *journal.Journal
	clock    *journal.Clock
	log      *slog.Logger
	handler  http.Handler
	mux      *control.Mux // the route table behind handler (routes.go)
	listener net.Listener
	http     *http.Server
	url      string
	traceSeq atomic.Uint64

	ctx    context.Context // cancelled by Close; stops webhook delivery
	cancel context.CancelFunc
	done   chan struct{} // closed when the webhook worker has stopped
	// served is closed once the accept loop has returned, which closes the listener. Close waits for it:
	// a Close that comes before the loop has started leaves the port open until the loop starts, sees the
	// server shut down and closes it.
	served chan struct{}

	mu       sync.Mutex
	state    state
	rng      *rand.Rand
	faults   control.Faults
	statuses StatusDelivery
	webhook  string
	// unsubscribed: the app was unsubscribed from the business account (DELETE subscribed_apps). The
	// mock records it for GET subscribed_apps and keeps delivering webhooks.
	unsubscribed bool
	verified     bool
	// verifying is the callback URL whose configure-time handshake is running ("" when none), and
	// verifyGen numbers those handshakes so that only the newest clears it.
	verifying  string
	verifyGen  uint64
	handshakes sync.WaitGroup // configure-time handshakes, waited for by Close
	queue      []webhookJob
	inflight   int
	// inflightFor is the customer of the webhook being delivered ("" when none, or not about a customer).
	inflightFor string
	wake        chan struct{} // signals the worker; buffered 1
	changed     chan struct{} // closed at the next change of inboxes or queue after a waiter took it; nil while none waits
	closed      bool

	macs sync.Pool // of keyed HMAC-SHA256 for the app secret (sign)
}

// NewServer returns a started Server listening on 127.0.0.1:0 (or the WithAddr address).
func NewServer(opts ...Option) (*Server, error) {
	cfg := config{
		addr:          "127.0.0.1:0",
		appSecret:     DefaultAppSecret,
		verifyToken:   DefaultVerifyToken,
		accessToken:   DefaultAccessToken,
		phoneNumberID: DefaultPhoneNumberID,
		displayNumber: DefaultDisplayPhoneNumber,
		wabaID:        DefaultWABAID,
		mps:           DefaultMPS,
		pairRate:      DefaultPairRate,
		pairBurst:     DefaultPairBurst,
		windowMode:    WindowErrorStatus,
		retryAttempts: DefaultWebhookAttempts,
		retryBackoff:  DefaultWebhookBackoff,
		seed:          1,
		wall:          time.Now,
		maxBody:       MaxRequestBytes,
		maxMedia:      MaxMediaBytes,

		webhookTimeout: DefaultWebhookTimeout,
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("whatsapp: %w", err)
		}
	}
	if err := cfg.checkWebhookHost(cfg.webhook); err != nil {
		return nil, fmt.Errorf("whatsapp: WithWebhook: %w", err)
	}
	templates, err := loadTemplates(cfg)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %w", err)
	}
	cfg.templates = templates
	if cfg.journal == nil {
		cfg.journal = journal.New(nil)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.client == nil {
		cfg.client, cfg.ownClient = newWebhookClient(cfg), true
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: listening on %s: %w", cfg.addr, err)
	}
	s := newUnstarted(cfg)
	s.listener = ln
	s.url = "http://" + ln.Addr().String()
	if cfg.publicURL == "" {
		s.cfg.publicURL = s.url
	}
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second, // a body trickled in forever must not hold a handler
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(cfg.logger.Handler(), slog.LevelWarn),
	}
	go func() {
		defer close(s.served)
		_ = s.http.Serve(headerlimit.Listener(ln, s.HeadersTooLarge))
	}()
	go s.worker()
	s.mu.Lock()
	s.verifySoonLocked(cfg.webhook)
	s.mu.Unlock()
	s.log.Info("whatsapp mock listening", "url", s.url, "phone_number_id", cfg.phoneNumberID, "waba_id", cfg.wabaID)
	return s, nil
}

func newUnstarted(cfg config) *Server {
	s := &Server{
		cfg:     cfg,
		journal: cfg.journal,
		clock:   cfg.journal.Clock(),
		log:     cfg.logger,
		rng:     rand.New(rand.NewPCG(uint64(cfg.seed), 0x9e3779b97f4a7c15)),
		webhook: cfg.webhook,
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		served:  make(chan struct{}),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.state = newState(cfg.templates)
	s.handler = control.RequireToken(cfg.controlToken, control.GraphErrors, s.routes())
	return s
}

// TB is what RunT needs of a test: *testing.T, *testing.B and *testing.F satisfy it, and so does
// Ginkgo's GinkgoT(). It is an interface of its own because testing.TB has an unexported method that
// only the testing package can implement.
type TB interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// RunT starts a Server for a test and closes it when the test ends; it fails the test if the server
// cannot start.
func RunT(tb TB, opts ...Option) *Server {
	tb.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		tb.Fatalf("starting the WhatsApp mock: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// URL is the base URL of the Graph API and of the control routes, without a trailing slash.
func (s *Server) URL() string { return s.url }

// Handler is the whole HTTP surface (Graph API and /_parley/), for serving it elsewhere.
func (s *Server) Handler() http.Handler { return s.handler }

// Journal is the journal the server records into.
func (s *Server) Journal() *journal.Journal { return s.journal }

// PhoneNumberID, WABAID and AccessToken are the business identity the assistant must use.
func (s *Server) PhoneNumberID() string { return s.cfg.phoneNumberID }

// WABAID is the WhatsApp Business Account id that owns the templates.
func (s *Server) WABAID() string { return s.cfg.wabaID }

// AccessToken is the bearer token the mock accepts.
func (s *Server) AccessToken() string { return s.cfg.accessToken }

// AppSecret is the secret that signs webhooks.
func (s *Server) AppSecret() string { return s.cfg.appSecret }

// VerifyToken is the token of the hub.challenge handshake.
func (s *Server) VerifyToken() string { return s.cfg.verifyToken }

// Close stops the listener, waits for requests in flight, and stops webhook delivery (pending webhooks
// are dropped). It is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.handshakes.Wait()
	var err error
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = s.http.Shutdown(ctx)
		cancel()
		if err != nil {
			_ = s.http.Close()
		}
		<-s.done
		<-s.served
	}
	if s.cfg.ownClient {
		s.cfg.client.CloseIdleConnections()
	}
	return err
}

// notifyLocked wakes everyone waiting on a state change. s.mu must be held.
func (s *Server) notifyLocked() {
	if s.changed != nil { // made by a waiter: a change nobody waits for makes no channel
		close(s.changed)
		s.changed = nil
	}
}

// await waits until cond (called with s.mu held) is true, ctx is done or the server closes.
func (s *Server) await(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok := cond()
		closed := s.closed
		var changed chan struct{}
		if !ok && !closed {
			if s.changed == nil {
				s.changed = make(chan struct{})
			}
			changed = s.changed
		}
		s.mu.Unlock()
		if ok {
			return nil
		}
		if closed {
			return errors.New("whatsapp: server closed")
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.ctx.Done():
		}
	}
}
