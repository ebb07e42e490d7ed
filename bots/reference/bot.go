package reference

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Bot is the reference assistant of the demo business "Tienda Ejemplo". Its Handler serves the WhatsApp
// webhook and the certification hooks; messages of one customer are handled one at a time and in order,
// different customers in parallel.
type Bot struct {
	cfg        Config
	log        *slog.Logger
	violations map[string]bool
	clock      func() time.Time
	wa         *waClient
	nlu        nlu
	store      *store
	orders     *orderBook
	sessions   *macPool // keyed for Dialogflow session ids (sessionID)

	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	lanes   map[string]*lane
	pending int
	idle    chan struct{} // closed while pending == 0
	closed  bool
	wg      sync.WaitGroup // lanes being drained

	runners     chan laneRun // to an idle runner (see run)
	stopRunners chan struct{}
	idleRunners atomic.Int32
	runnersWG   sync.WaitGroup

	composeMu sync.Mutex
	compose   map[string]*composition // per customer, touched only from that customer's lane

	observedMu sync.Mutex
	observed   time.Time // latest time seen in a webhook or hook, for WithObservedClock

	webhookMACs *macPool // keyed with the app secret (validWebhookSignature)

	sentMu    sync.Mutex
	sentTpl   map[string]sentTemplate // recent template sends by wamid, to act on their failed statuses
	sentOrder []string
}

type sentTemplate struct {
	waID, name, lang string
	payloads         []string
	retry            bool
	notifyOrder      string // a free-form order notice: fall back to the template if it fails with 131047
}

type lane struct {
	jobs []func(ctx context.Context)
}

// New builds the assistant from the bot contract. It dials Dialogflow and DLP with the official clients
// (no call is made until a message arrives) and loads the seed store of orders.
func New(cfg Config, opts ...Option) (*Bot, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	o := options{logger: slog.Default(), clock: time.Now, retryBase: 250 * time.Millisecond, sendRate: 70}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	violations, err := parseViolations(o.violations)
	if err != nil {
		return nil, err
	}
	if o.httpClient == nil {
		o.httpClient = &http.Client{Timeout: 15 * time.Second}
	}
	orders, err := loadOrders()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	g, err := newGoogleNLU(ctx, cfg, o.callTimeout)
	if err != nil {
		cancel()
		return nil, err
	}
	b := &Bot{
		cfg:         cfg,
		log:         o.logger.With("component", "reference-bot"),
		violations:  violations,
		clock:       o.clock,
		nlu:         g,
		store:       newStore(derive(cfg.AppSecret, "suppression-list")),
		orders:      orders,
		sessions:    newMACPool(derive(cfg.AppSecret, "dialogflow-session")),
		webhookMACs: newMACPool([]byte(cfg.AppSecret)),
		ctx:         ctx,
		cancel:      cancel,
		lanes:       map[string]*lane{},
		idle:        make(chan struct{}),
		runners:     make(chan laneRun),
		stopRunners: make(chan struct{}),
		sentTpl:     map[string]sentTemplate{},
		compose:     map[string]*composition{},
	}
	close(b.idle)
	if o.observed {
		b.clock = b.observedNow
	}
	b.wa = &waClient{base: cfg.WhatsAppAPIURL, version: cfg.WhatsAppAPIVersion, phoneID: cfg.PhoneNumberID,
		token: cfg.Token, hc: o.httpClient, retryBase: o.retryBase, attempts: 3, pace: newPacer(o.sendRate, 40), log: b.log}
	if len(violations) > 0 {
		b.log.Warn("reference assistant running with violations switched on", "violations", b.violationList())
	}
	return b, nil
}

func (b *Bot) violationList() []string {
	var out []string
	for _, v := range Violations() {
		if b.violations[v.Rule] {
			out = append(out, v.Rule)
		}
	}
	return out
}

// violates reports whether the switch for rule is on.
func (b *Bot) violates(rule string) bool { return b.violations[rule] }

// derive makes an independent key from the app secret for one purpose, so that no new secret is needed
// beyond the bot contract and the session ids cannot be linked to the webhook signatures.
func derive(secret, purpose string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("parley-reference/" + purpose))
	return m.Sum(nil)
}

// Close stops accepting work, waits for the messages being handled and closes the Google clients.
func (b *Bot) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	b.wg.Wait()
	close(b.stopRunners) // no lane can start any more: enqueue refuses once closed
	b.runnersWG.Wait()
	b.cancel()
	return b.nlu.close()
}

// AwaitIdle waits until every message and hook job accepted so far has been handled. Tests use it before
// asserting that nothing was sent.
func (b *Bot) AwaitIdle(ctx context.Context) error {
	for {
		b.mu.Lock()
		idle := b.idle
		b.mu.Unlock()
		select {
		case <-idle:
			b.mu.Lock()
			done := b.pending == 0
			b.mu.Unlock()
			if done {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("reference bot still busy: %w", ctx.Err())
		}
	}
}

// TLSConfig is the TLS configuration the assistant's webhook endpoint should be served with: TLS 1.2 or
// later, as Meta requires of webhook callbacks (WA-SEC-02).
func (b *Bot) TLSConfig() *tls.Config {
	if b.violates("WA-SEC-02") {
		return &tls.Config{MinVersion: tls.VersionTLS10}
	}
	return &tls.Config{MinVersion: tls.VersionTLS12}
}

var errClosed = errors.New("reference bot is closed")

// accepting is errClosed once Close has begun, as enqueue answers then.
func (b *Bot) accepting() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errClosed
	}
	return nil
}

// enqueue runs job on waID's lane: after every job queued before it for that customer, concurrently with
// other customers' jobs. done is closed when the job has run.
func (b *Bot) enqueue(waID string, job func(ctx context.Context)) (done <-chan struct{}, err error) {
	ch := make(chan struct{})
	wrapped := func(ctx context.Context) {
		defer close(ch)
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("handler panicked; message dropped with a log line", "panic", fmt.Sprint(r))
			}
		}()
		job(ctx)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errClosed
	}
	if b.pending == 0 {
		b.idle = make(chan struct{})
	}
	b.pending++
	l, running := b.lanes[waID]
	if !running {
		l = &lane{}
		b.lanes[waID] = l
	}
	l.jobs = append(l.jobs, wrapped)
	if !running {
		b.wg.Add(1)
		b.run(waID, l)
	}
	return ch, nil
}

// laneRun is a lane to drain.
type laneRun struct {
	waID string
	l    *lane
}

// maxIdleRunners bounds the runner goroutines kept waiting for the next lane to drain.
const maxIdleRunners = 8

// run drains waID's lane on an idle runner when one waits, else on a new runner. Runners are kept
// because a new goroutine grows its stack again, by copying it, through the deep calls of every message
// (the webhook, HTTP and gRPC clients); at most maxIdleRunners wait, and Close ends them.
func (b *Bot) run(waID string, l *lane) {
	select {
	case b.runners <- laneRun{waID, l}:
	default:
		b.runnersWG.Add(1)
		go b.runner(laneRun{waID, l})
	}
}

func (b *Bot) runner(r laneRun) {
	defer b.runnersWG.Done()
	for {
		b.drain(r.waID, r.l)
		if b.idleRunners.Add(1) > maxIdleRunners {
			b.idleRunners.Add(-1)
			return
		}
		select {
		case r = <-b.runners:
			b.idleRunners.Add(-1)
		case <-b.stopRunners:
			b.idleRunners.Add(-1)
			return
		}
	}
}

func (b *Bot) drain(waID string, l *lane) {
	defer b.wg.Done()
	for {
		b.mu.Lock()
		if len(l.jobs) == 0 {
			delete(b.lanes, waID)
			b.mu.Unlock()
			return
		}
		job := l.jobs[0]
		l.jobs = l.jobs[1:]
		b.mu.Unlock()

		job(b.ctx)

		b.mu.Lock()
		b.pending--
		if b.pending == 0 {
			close(b.idle)
		}
		b.mu.Unlock()
	}
}

// sessionID is the pseudonymous Dialogflow session id of a customer: a keyed hash of the number and of
// the erasure generation (so an erased customer starts a new session), 32 hex characters, within
// Dialogflow's 36-byte limit (PII-NLU-02).
func (b *Bot) sessionID(waID string) string {
	if b.violates("PII-NLU-02") {
		return waID
	}
	gen := 0
	if !b.violates("GDPR-ERASE-01") {
		gen = b.store.generation(waID)
	}
	return b.sessions.sessionHash(waID, gen)
}

// sessionPath is the Dialogflow ES session of a customer, in the EU location the privacy notice promises.
func (b *Bot) sessionPath(waID string) string {
	if b.violates("GDPR-PROC-01") {
		return "projects/" + b.cfg.DialogflowProject + "/agent/sessions/" + b.sessionID(waID)
	}
	return "projects/" + b.cfg.DialogflowProject + "/locations/europe-west1/agent/sessions/" + b.sessionID(waID)
}

// reference returns a new reference number, e.g. DSR-7K2M9QXA.
func reference(prefix string) string {
	var buf [5]byte
	_, _ = rand.Read(buf[:])
	return prefix + "-" + base32.StdEncoding.EncodeToString(buf[:])
}

func (b *Bot) rememberTemplate(msgID string, t sentTemplate) {
	if msgID == "" {
		return
	}
	b.sentMu.Lock()
	defer b.sentMu.Unlock()
	b.sentTpl[msgID] = t
	b.sentOrder = append(b.sentOrder, msgID)
	if len(b.sentOrder) > maxSeen {
		delete(b.sentTpl, b.sentOrder[0])
		b.sentOrder = b.sentOrder[1:]
	}
}

func (b *Bot) templateOf(msgID string) (sentTemplate, bool) {
	b.sentMu.Lock()
	defer b.sentMu.Unlock()
	t, ok := b.sentTpl[msgID]
	return t, ok
}

// observe moves the observed clock forward to t (never back).
func (b *Bot) observe(t time.Time) {
	if t.IsZero() {
		return
	}
	b.observedMu.Lock()
	defer b.observedMu.Unlock()
	if t.After(b.observed) {
		b.observed = t
	}
}

func (b *Bot) observedNow() time.Time {
	b.observedMu.Lock()
	defer b.observedMu.Unlock()
	if b.observed.IsZero() {
		return time.Now()
	}
	return b.observed
}
