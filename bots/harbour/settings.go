package harbour

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// Settings are the bot contract's variables (docs/bot-contract.md).
type Settings struct {
	GraphURL     string // WHATSAPP_API_URL
	GraphVersion string // WHATSAPP_API_VERSION, default v23.0
	PhoneID      string // WHATSAPP_PHONE_NUMBER_ID
	Token        string // WHATSAPP_TOKEN
	AppSecret    string // WHATSAPP_APP_SECRET
	VerifyToken  string // WHATSAPP_VERIFY_TOKEN
	Dialogflow   string // DIALOGFLOW_ENDPOINT: gRPC host:port or an http(s) URL
	Project      string // DIALOGFLOW_PROJECT
	AgentLang    string // DIALOGFLOW_LANGUAGE; Harbour Books talks English first whatever the agent's default
	DLP          string // DLP_ENDPOINT
}

// SettingsFromEnv reads the contract's variables through getenv and says every one that is missing or
// malformed.
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{
		GraphURL:     strings.TrimRight(getenv("WHATSAPP_API_URL"), "/"),
		GraphVersion: getenv("WHATSAPP_API_VERSION"),
		PhoneID:      getenv("WHATSAPP_PHONE_NUMBER_ID"),
		Token:        getenv("WHATSAPP_TOKEN"),
		AppSecret:    getenv("WHATSAPP_APP_SECRET"),
		VerifyToken:  getenv("WHATSAPP_VERIFY_TOKEN"),
		Dialogflow:   getenv("DIALOGFLOW_ENDPOINT"),
		Project:      getenv("DIALOGFLOW_PROJECT"),
		AgentLang:    getenv("DIALOGFLOW_LANGUAGE"),
		DLP:          getenv("DLP_ENDPOINT"),
	}
	return s, s.check()
}

var graphVersion = regexp.MustCompile(`^v\d+\.\d+$`)

func (s *Settings) check() error {
	if s.GraphVersion == "" {
		s.GraphVersion = "v23.0"
	}
	var errs []error
	required := []struct{ env, value string }{
		{"WHATSAPP_API_URL", s.GraphURL}, {"WHATSAPP_PHONE_NUMBER_ID", s.PhoneID}, {"WHATSAPP_TOKEN", s.Token},
		{"WHATSAPP_APP_SECRET", s.AppSecret}, {"WHATSAPP_VERIFY_TOKEN", s.VerifyToken},
		{"DIALOGFLOW_ENDPOINT", s.Dialogflow}, {"DIALOGFLOW_PROJECT", s.Project}, {"DLP_ENDPOINT", s.DLP},
	}
	for _, r := range required {
		if r.value == "" {
			errs = append(errs, fmt.Errorf("%s is not set", r.env))
		}
	}
	if !graphVersion.MatchString(s.GraphVersion) {
		errs = append(errs, fmt.Errorf("WHATSAPP_API_VERSION %q is not like v23.0", s.GraphVersion))
	}
	if s.GraphURL != "" && !strings.HasPrefix(s.GraphURL, "http://") && !strings.HasPrefix(s.GraphURL, "https://") {
		errs = append(errs, fmt.Errorf("WHATSAPP_API_URL %q is not an http(s) URL", s.GraphURL))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("harbour: bot contract: %w", err)
	}
	return nil
}

// Option changes how New builds the assistant.
type Option func(*Assistant)

// WithLogger sets where the assistant logs (default slog.Default()). Secrets are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(a *Assistant) {
		if l != nil {
			a.log = l
		}
	}
}
