package whatsapp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultWebhookTimeout bounds one webhook POST (or handshake GET): Meta counts a callback that has not
// answered 200 in time as failed and retries it (Meta's webhooks overview: a delivery answered with
// another status, or that fails for another reason, is retried). Meta does not publish the exact figure;
// 20 seconds is what integrators observe.
const DefaultWebhookTimeout = 20 * time.Second

// WithWebhookTimeout bounds each webhook delivery attempt (and the handshake), whatever client delivers
// it: an assistant that has not answered within d is counted as failed (journalled as "did not answer
// within d") and the delivery is retried. Default 20s. Tests prove the behaviour with a short one instead
// of waiting 20 real seconds.
func WithWebhookTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("WithWebhookTimeout(%s): must be more than 0", d)
		}
		c.webhookTimeout = d
		return nil
	}
}

// WithWebhookHosts limits the callback URLs the mock will deliver to: a webhook URL (WithWebhook,
// SetWebhook, POST /_parley/webhook) whose host is not one of hosts is refused. A host is a name or an IP,
// optionally with ":port" to allow that port only. Without this option any host is accepted; a mock
// reachable by others should set it, or its control API can aim signed webhooks at any address.
func WithWebhookHosts(hosts ...string) Option {
	return func(c *config) error {
		for _, h := range hosts {
			h = strings.TrimSpace(h)
			if h == "" || strings.ContainsAny(h, "/?#@ ") {
				return fmt.Errorf("WithWebhookHosts(%q): want a host name or IP, optionally with :port", h)
			}
			c.webhookHosts = append(c.webhookHosts, strings.ToLower(h))
		}
		return nil
	}
}

// WithWebhookRootCAs makes https:// webhooks verify the assistant's certificate against pool (instead of
// the system roots), with TLS 1.2 at least, as Meta's delivery does: a callback with a certificate that
// does not chain to pool, or that only speaks older TLS, fails and is journalled as such.
func WithWebhookRootCAs(pool *x509.CertPool) Option {
	return func(c *config) error {
		if pool == nil {
			return errors.New("WithWebhookRootCAs: nil pool")
		}
		c.webhookRoots = pool
		return nil
	}
}

// newWebhookClient is the mock's own delivery client. It has a transport of its own (not
// http.DefaultTransport) so that Close can drop its idle connections: otherwise their goroutines outlive
// the server.
func newWebhookClient(c config) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: c.webhookRoots}
	tr.MaxIdleConnsPerHost = 4
	return &http.Client{Transport: tr, CheckRedirect: refuseRedirect} // attemptContext bounds each attempt
}

// withoutRedirects returns a copy of hc that follows no redirects, leaving the caller's client as it was.
func withoutRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = refuseRedirect
	return &c
}

// refuseRedirect makes a client return a 3xx as the answer instead of following it. Meta does not follow
// a webhook's redirects: the callback URL must answer itself. Following one would also carry the verify
// token and signed payloads to a host that WithWebhookHosts never named.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// isRedirect reports whether status is a 3xx, which the delivery client returns rather than follows.
func isRedirect(status int) bool { return status >= 300 && status <= 399 }

// redirectCause says that a webhook answered with a redirect and where it pointed. The query is left out:
// a redirect that echoes the handshake's query would otherwise put the verify token in the journal.
func redirectCause(status int, h http.Header) string {
	s := fmt.Sprintf("answered HTTP %d (redirects are not followed, as Meta does not follow them", status)
	if loc := h.Get("Location"); loc != "" {
		if u, err := url.Parse(loc); err == nil {
			u.RawQuery, u.ForceQuery, u.Fragment, u.User = "", false, "", nil
			loc = u.String()
		}
		s += fmt.Sprintf("; it pointed to %q", truncate(loc, 200))
	}
	return s + ")"
}

// checkWebhookHost refuses a webhook URL whose host the run did not allow (WithWebhookHosts).
func (c *config) checkWebhookHost(rawURL string) error {
	if rawURL == "" || len(c.webhookHosts) == 0 {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("webhook URL %q: %w", rawURL, err)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	for _, allowed := range c.webhookHosts {
		if h, p, err := net.SplitHostPort(allowed); err == nil {
			if strings.Trim(h, "[]") == host && p == port {
				return nil
			}
			continue
		}
		if strings.Trim(allowed, "[]") == host {
			return nil
		}
	}
	return fmt.Errorf("webhook URL %q: host %q is not one this run allows (%s)", rawURL, u.Host, strings.Join(c.webhookHosts, ", "))
}
