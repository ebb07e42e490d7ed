package reference

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Config is the bot contract (docs/bot-contract.md): everything the assistant needs, and nothing else, so
// the same code runs against the real services or against parley.
type Config struct {
	WhatsAppAPIURL     string // WHATSAPP_API_URL: Graph API base URL, no trailing slash
	WhatsAppAPIVersion string // WHATSAPP_API_VERSION: e.g. v23.0 (default v23.0)
	PhoneNumberID      string // WHATSAPP_PHONE_NUMBER_ID
	Token              string // WHATSAPP_TOKEN: bearer token for the Graph API
	AppSecret          string // WHATSAPP_APP_SECRET: key of X-Hub-Signature-256
	VerifyToken        string // WHATSAPP_VERIFY_TOKEN: the hub.challenge handshake token

	DialogflowEndpoint string // DIALOGFLOW_ENDPOINT: gRPC host:port, or an http(s) URL for REST
	DialogflowProject  string // DIALOGFLOW_PROJECT
	DialogflowLanguage string // DIALOGFLOW_LANGUAGE: default language of the agent (default es)
	DLPEndpoint        string // DLP_ENDPOINT: gRPC host:port, or an http(s) URL for REST

	Port string // PORT: where the assistant listens (used by parley bot, not by Handler)
}

// ConfigFromEnv reads the bot contract's variables through getenv.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		WhatsAppAPIURL:     strings.TrimRight(getenv("WHATSAPP_API_URL"), "/"),
		WhatsAppAPIVersion: getenv("WHATSAPP_API_VERSION"),
		PhoneNumberID:      getenv("WHATSAPP_PHONE_NUMBER_ID"),
		Token:              getenv("WHATSAPP_TOKEN"),
		AppSecret:          getenv("WHATSAPP_APP_SECRET"),
		VerifyToken:        getenv("WHATSAPP_VERIFY_TOKEN"),
		DialogflowEndpoint: getenv("DIALOGFLOW_ENDPOINT"),
		DialogflowProject:  getenv("DIALOGFLOW_PROJECT"),
		DialogflowLanguage: getenv("DIALOGFLOW_LANGUAGE"),
		DLPEndpoint:        getenv("DLP_ENDPOINT"),
		Port:               getenv("PORT"),
	}
	return c, c.validate()
}

var versionPattern = regexp.MustCompile(`^v\d+\.\d+$`)

func (c *Config) validate() error {
	if c.WhatsAppAPIVersion == "" {
		c.WhatsAppAPIVersion = "v23.0"
	}
	if c.DialogflowLanguage == "" {
		c.DialogflowLanguage = "es"
	}
	c.WhatsAppAPIURL = strings.TrimRight(c.WhatsAppAPIURL, "/")
	var errs []error
	for _, f := range []struct{ name, v string }{
		{"WHATSAPP_API_URL", c.WhatsAppAPIURL},
		{"WHATSAPP_PHONE_NUMBER_ID", c.PhoneNumberID},
		{"WHATSAPP_TOKEN", c.Token},
		{"WHATSAPP_APP_SECRET", c.AppSecret},
		{"WHATSAPP_VERIFY_TOKEN", c.VerifyToken},
		{"DIALOGFLOW_ENDPOINT", c.DialogflowEndpoint},
		{"DIALOGFLOW_PROJECT", c.DialogflowProject},
		{"DLP_ENDPOINT", c.DLPEndpoint},
	} {
		if f.v == "" {
			errs = append(errs, fmt.Errorf("%s is not set", f.name))
		}
	}
	if !versionPattern.MatchString(c.WhatsAppAPIVersion) {
		errs = append(errs, fmt.Errorf("WHATSAPP_API_VERSION %q is not of the form vNN.N", c.WhatsAppAPIVersion))
	}
	if c.WhatsAppAPIURL != "" && !strings.HasPrefix(c.WhatsAppAPIURL, "http://") && !strings.HasPrefix(c.WhatsAppAPIURL, "https://") {
		errs = append(errs, fmt.Errorf("WHATSAPP_API_URL %q must start with http:// or https://", c.WhatsAppAPIURL))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bot contract: %w", err)
	}
	return nil
}

// Option changes how New builds a Bot.
type Option func(*options) error

type options struct {
	violations  []string
	logger      *slog.Logger
	clock       func() time.Time
	httpClient  *http.Client
	retryBase   time.Duration
	observed    bool
	sendRate    int
	callTimeout time.Duration
}

// WithViolations switches on the named violations (rule ids, see Violations); ids may also be given
// comma-separated. An unknown id makes New fail.
func WithViolations(ids ...string) Option {
	return func(o *options) error {
		o.violations = append(o.violations, ids...)
		return nil
	}
}

// WithLogger sets the logger (default: slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("WithLogger: nil logger")
		}
		o.logger = l
		return nil
	}
}

// WithClock sets where the bot reads the time for the 24-hour window, retention and holds. In-process
// runs pass the simulated clock (journal.Clock.Now); the default is the wall clock. A hook call that
// carries "time" overrides it for that call (docs/bot-contract.md).
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("WithClock: nil clock")
		}
		o.clock = now
		return nil
	}
}

// WithHTTPClient sets the client for the Graph API (default: a client with a 15-second timeout).
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("WithHTTPClient: nil client")
		}
		o.httpClient = c
		return nil
	}
}

// WithRetryBase sets the first back-off of a throttled send (default 250ms; it doubles, three tries at
// most). Tests shorten it.
func WithRetryBase(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return errors.New("WithRetryBase: negative duration")
		}
		o.retryBase = d
		return nil
	}
}

// WithObservedClock makes the bot read the time from what it is told rather than from the wall clock: the
// latest of the webhook timestamps and hook "time" fields seen so far (the wall clock until the first).
// This is how `parley bot` follows the simulated clock of mocks started by `parley serve`.
func WithObservedClock() Option {
	return func(o *options) error {
		o.observed = true
		return nil
	}
}

// WithSendRate sets how many Graph API sends per second the assistant allows itself (default 70, under
// the platform's 80; bursts of up to 40). 0 turns pacing off.
func WithSendRate(perSecond int) Option {
	return func(o *options) error {
		if perSecond < 0 {
			return errors.New("WithSendRate: negative rate")
		}
		o.sendRate = perSecond
		return nil
	}
}

// WithCallTimeout sets the deadline of each DLP and Dialogflow call (default 5s for DLP, 10s for
// Dialogflow). The official clients retry UNAVAILABLE within it.
func WithCallTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return errors.New("WithCallTimeout: the deadline must be positive")
		}
		o.callTimeout = d
		return nil
	}
}
