package production

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/parley-dev/parley/internal/gcp"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
)

// Options configure a Front.
type Options struct {
	// Credentials is the service-account key file the assistant was given (Kit.Credentials): its
	// signatures are the ones the token endpoint and the Google APIs accept.
	Credentials []byte
	// WhatsApp, Dialogflow and DLP are the mocks' surfaces (their Handler), served as graph.facebook.com,
	// dialogflow.googleapis.com (and its regional hosts) and dlp.googleapis.com; nil when a mock is not
	// running, whose host is then unmodelled.
	WhatsApp, Dialogflow, DLP http.Handler
	// Journal records what the front itself answers; required.
	Journal *journal.Journal
	// Now is the wall clock JWTs and tokens are checked against (default time.Now): an assistant signs
	// with its real clock, not the simulated one.
	Now    func() time.Time
	Logger *slog.Logger
}

// Front answers for the production hosts (Names): by the Host an assistant asked for (the :authority of
// a gRPC call), it hands the request to the mock behind that host, answers as Google's token endpoint or
// metadata server, or journals it as unmodelled. Calls to the Google APIs must carry credentials of the
// run's service account. It serves TLS and plain HTTP alike (one Front behind both listeners): the
// metadata server is plain HTTP, everything else HTTPS only.
type Front struct {
	sa          *ServiceAccount
	wa, df, dlp http.Handler
	j           *journal.Journal
	now         func() time.Time
	log         *slog.Logger
	tokens      tokens
	mu          sync.Mutex
	flows       map[string]bool // "host flow" already journalled
}

// NewFront checks o and returns the front.
func NewFront(o Options) (*Front, error) {
	if o.Journal == nil {
		return nil, errors.New("production: a journal is required")
	}
	sa, err := parseServiceAccount(o.Credentials)
	if err != nil {
		return nil, fmt.Errorf("production: the service-account key: %w", err)
	}
	f := &Front{sa: sa, wa: o.WhatsApp, df: o.Dialogflow, dlp: o.DLP, j: o.Journal, now: o.Now, log: o.Logger, flows: map[string]bool{}}
	if f.now == nil {
		f.now = time.Now
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	return f, nil
}

// ServiceAccount is the identity the front accepts credentials of.
func (f *Front) ServiceAccount() ServiceAccount { return *f.sa }

// ServeHTTP routes r by its host.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	svc := serviceOf(r.Host)
	tls := r.TLS != nil
	switch {
	case control.IsControlPath(r.URL.Path):
		// The mocks' control routes are the harness's, on the mocks' own ports, never the assistant's.
		f.unmodelled(w, r, "")
	case svc == metadata && !tls:
		f.metadata(w, r)
	case !tls:
		f.unmodelled(w, r, "plain HTTP to a host served over HTTPS only")
	case svc == graph && f.wa != nil:
		f.wa.ServeHTTP(w, r)
	case svc == dialogflowAPI && f.df != nil:
		f.google(w, r, journal.SourceDialogflow, f.df)
	case svc == dlpAPI && f.dlp != nil:
		f.google(w, r, journal.SourceDLP, f.dlp)
	case svc == oauth2:
		f.token(w, r)
	default:
		f.unmodelled(w, r, "")
	}
}

// google serves a call to a Google API after checking its credentials, as Google's front end does.
func (f *Front) google(w http.ResponseWriter, r *http.Request, src journal.Source, h http.Handler) {
	host := strings.ToLower(hostOnly(r.Host))
	flow, err := f.bearer(r, host)
	if err != nil {
		f.record(src, journal.KindRequestRejected, r, gcp.HTTPStatus(codes.Unauthenticated), "UNAUTHENTICATED", "credentials refused: "+err.Error())
		if gcp.IsGRPC(r) {
			writeGRPCError(w, gcp.Unauthenticated)
		} else {
			gcp.WriteError(w, gcp.Unauthenticated)
		}
		return
	}
	f.mu.Lock()
	first := !f.flows[host+" "+flow]
	f.flows[host+" "+flow] = true
	f.mu.Unlock()
	if first {
		f.record(journal.SourceNetwork, journal.KindRequestAccepted, r, http.StatusOK, "", "first call to "+host+" authenticated by "+flow)
	}
	h.ServeHTTP(w, r)
}

// unmodelled answers a request parley does not model, 404 (UNIMPLEMENTED for gRPC), and journals it with
// its host and path: the run then fails, naming them.
func (f *Front) unmodelled(w http.ResponseWriter, r *http.Request, what string) {
	host := hostOnly(r.Host)
	detail := "parley does not model " + r.Method + " " + host + r.URL.Path
	if what != "" {
		detail += ": " + what
	}
	f.record(journal.SourceNetwork, journal.KindUnmodelled, r, http.StatusNotFound, "", detail)
	f.log.Warn("unmodelled request", "host", host, "method", r.Method, "path", r.URL.Path)
	if gcp.IsGRPC(r) {
		writeGRPCError(w, status.Error(codes.Unimplemented, detail))
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"code": http.StatusNotFound, "message": detail, "status": "NOT_FOUND"}})
}

// record journals what the front answered r.
func (f *Front) record(src journal.Source, kind string, r *http.Request, httpStatus int, errText, detail string) {
	f.j.Record(src, kind, "", journal.RequestData{
		Host: strings.ToLower(hostOnly(r.Host)), Method: r.Method, Path: r.URL.Path, HTTP: httpStatus, Error: errText, Detail: detail,
	})
}

// writeGRPCError answers a gRPC call with err's status alone (a "trailers-only" response: the status in
// the headers, no message), what a gRPC server sends for a call it refuses before reading it.
func writeGRPCError(w http.ResponseWriter, err error) {
	st, _ := status.FromError(err)
	h := w.Header()
	h.Set("Content-Type", "application/grpc")
	h.Set("Grpc-Status", strconv.Itoa(int(st.Code())))
	h.Set("Grpc-Message", grpcMessage(st.Message()))
	w.WriteHeader(http.StatusOK)
}

// grpcMessage percent-encodes msg as the grpc-message header requires: bytes outside printable ASCII,
// and '%' itself.
func grpcMessage(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c < 0x20 || c > 0x7e || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
