package stack

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"

	"github.com/parley-dev/parley/internal/gcp"
	"github.com/parley-dev/parley/internal/headerlimit"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/production"
)

// startProduction starts what Config.Production, ProductionHTTP and Relay ask for, after the mocks.
func (s *Stack) startProduction() error {
	cfg := s.cfg
	if cfg.Production == "" && cfg.ProductionHTTP == "" && cfg.Proxy == "" {
		return s.startRelay()
	}
	if cfg.ProductionDir == "" {
		flag := "--production"
		if cfg.Proxy != "" {
			flag = "--proxy"
		}
		return configErrorf("%s needs --production-dir DIR: where the run's CA, certificate and service-account key are (made there when it holds none)", flag)
	}
	if cfg.Proxy != "" && !control.IsLoopback(cfg.Proxy) {
		return configErrorf("--proxy %s: the proxy serves an assistant on this machine and listens on loopback only (e.g. 127.0.0.1:4050)", cfg.Proxy)
	}
	kit, err := production.EnsureKit(cfg.ProductionDir, cfg.DialogflowProject)
	if err != nil {
		return configErrorf("--production-dir: %v", err)
	}
	o := production.Options{Credentials: kit.Credentials, WhatsApp: s.wa.Handler(), Journal: s.Journal, Logger: cfg.Logger.With("mock", "production")}
	if s.df != nil {
		o.Dialogflow = s.df.Handler()
	}
	if s.dlp != nil {
		o.DLP = s.dlp.Handler()
	}
	f, err := production.NewFront(o)
	if err != nil {
		return err
	}
	if cfg.Production != "" {
		tlsCfg, err := kit.ServerTLS()
		if err != nil {
			return configErrorf("--production-dir: %v", err)
		}
		l, err := net.Listen("tcp", cfg.Production)
		if err != nil {
			return fmt.Errorf("production: listen %s: %w", cfg.Production, err)
		}
		srv := gcp.NewHTTPServer(f)
		srv.Protocols.SetHTTP2(true)
		stop := gcp.Serve(srv, tls.NewListener(l, tlsCfg))
		s.Mocks = append(s.Mocks, Mock{Name: "production", URL: "https://" + l.Addr().String(), close: stop})
	}
	if cfg.Proxy != "" {
		tlsCfg, err := kit.ServerTLS()
		if err != nil {
			return configErrorf("--production-dir: %v", err)
		}
		p, err := production.ListenProxy(f, cfg.Proxy, tlsCfg)
		if err != nil {
			return err
		}
		s.Mocks = append(s.Mocks, Mock{Name: "proxy", URL: p.URL(), close: p.Close})
	}
	if cfg.ProductionHTTP != "" {
		l, err := net.Listen("tcp", cfg.ProductionHTTP)
		if err != nil {
			return fmt.Errorf("production: listen %s: %w", cfg.ProductionHTTP, err)
		}
		stop := gcp.Serve(gcp.NewHTTPServer(f), headerlimit.Listener(l, gcp.HeadersTooLarge))
		s.Mocks = append(s.Mocks, Mock{Name: "metadata", URL: "http://" + l.Addr().String(), close: stop})
	}
	return s.startRelay()
}

// startRelay starts Config.Relay.
func (s *Stack) startRelay() error {
	if s.cfg.Relay == "" {
		return nil
	}
	addr, target, ok := strings.Cut(s.cfg.Relay, "=")
	if _, _, err := net.SplitHostPort(target); !ok || err != nil {
		return configErrorf("--relay %q: want LISTEN=HOST:PORT, e.g. 0.0.0.0:4040=bot:8080", s.cfg.Relay)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("relay: listen %s: %w", addr, err)
	}
	s.Mocks = append(s.Mocks, Mock{Name: "relay", URL: "tcp://" + l.Addr().String() + " → " + target, close: production.Relay(l, target)})
	return nil
}
