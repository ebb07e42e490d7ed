package production_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	compute "cloud.google.com/go/compute/metadata"
	dfapi "cloud.google.com/go/dialogflow/apiv2"
	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	dlpapi "cloud.google.com/go/dlp/apiv2"
	"cloud.google.com/go/dlp/apiv2/dlppb"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/production"
	"github.com/parley-dev/parley/mocks/stack"
)

// The tests play an assistant that reaches parley by production names, as one in a container does: it
// trusts the run's CA through SSL_CERT_FILE and authenticates with GOOGLE_APPLICATION_CREDENTIALS, both
// set before anything in the test binary reads them (the system roots are read once). Only name
// resolution is replaced: every production name dials the front of the stack under test.
var (
	kitDir string
	front  atomic.Value // host:port of the current stack's production front
	meta   atomic.Value // host:port of its metadata server
)

func TestMain(m *testing.M) {
	if os.Getenv(proxyChild) != "" {
		// An assistant on the host, started by TestProxy: it reads its environment as it is.
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "parley-production-")
	if err != nil {
		panic(err)
	}
	kit, err := production.NewKit(dialogflow.DefaultProject)
	if err != nil {
		panic(err)
	}
	if err := kit.Write(dir); err != nil {
		panic(err)
	}
	kitDir = dir
	os.Setenv("SSL_CERT_FILE", filepath.Join(dir, production.FileCA))
	os.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(dir, production.FileCredentials))
	http.DefaultTransport.(*http.Transport).DialContext = dialProduction
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// dialProduction dials the front for a production name on 443 and the metadata server on 80.
func dialProduction(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, _ := net.SplitHostPort(addr)
	var d net.Dialer
	if !slices.Contains(production.Names(), host) {
		return nil, fmt.Errorf("the test resolves only production names, not %s", addr)
	}
	switch port {
	case "80":
		return d.DialContext(ctx, network, meta.Load().(string))
	case "443":
		return d.DialContext(ctx, network, front.Load().(string))
	}
	return nil, fmt.Errorf("the test serves production names on ports 80 and 443 only, not %s", addr)
}

// startStack starts the three mocks with the production front on the test's kit.
func startStack(t *testing.T) *stack.Stack {
	t.Helper()
	s, err := stack.Start(stack.Config{
		WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "127.0.0.1:0", DLPAddr: "127.0.0.1:0",
		Production: "127.0.0.1:0", ProductionHTTP: "127.0.0.1:0", ProductionDir: kitDir,
	}, journal.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	front.Store(strings.TrimPrefix(s.URL("production"), "https://"))
	meta.Store(strings.TrimPrefix(s.URL("metadata"), "http://"))
	return s
}

// grpcDialer makes the official gRPC clients dial the front: their only option, which sets no
// endpoint.
func grpcDialer() option.ClientOption {
	return option.WithGRPCDialOption(grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
		return dialProduction(ctx, "tcp", addr)
	}))
}

func detect(ctx context.Context, c *dfapi.SessionsClient) (*dialogflowpb.DetectIntentResponse, error) {
	return c.DetectIntent(ctx, &dialogflowpb.DetectIntentRequest{
		Session: "projects/" + dialogflow.DefaultProject + "/agent/sessions/34600000001",
		QueryInput: &dialogflowpb.QueryInput{Input: &dialogflowpb.QueryInput_Text{
			Text: &dialogflowpb.TextInput{Text: "¿dónde está mi pedido 12345?", LanguageCode: "es"}}},
	})
}

// events returns the journal's events of kind.
func events(s *stack.Stack, kind string) []journal.RequestData {
	var out []journal.RequestData
	for _, e := range s.Journal.Events() {
		if e.Kind == kind {
			var d journal.RequestData
			_ = e.Decode(&d)
			out = append(out, d)
		}
	}
	return out
}

// TestOfficialClientsWithDefaultEndpoints: the official Dialogflow (gRPC and REST) and DLP clients, given
// no endpoint, reach the mocks as dialogflow.googleapis.com:443 and dlp.googleapis.com:443 over TLS with
// the run's CA, authenticated by the service-account key file.
func TestOfficialClientsWithDefaultEndpoints(t *testing.T) {
	s := startStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	g, err := dfapi.NewSessionsClient(ctx, grpcDialer())
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	resp, err := detect(ctx, g)
	if err != nil {
		t.Fatalf("DetectIntent over gRPC: %v", err)
	}
	if got := resp.GetQueryResult().GetIntent().GetDisplayName(); got != "order.status" {
		t.Errorf("intent %q, want order.status", got)
	}
	r, err := dfapi.NewSessionsRESTClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := detect(ctx, r); err != nil {
		t.Fatalf("DetectIntent over REST: %v", err)
	}
	d, err := dlpapi.NewClient(ctx, grpcDialer())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.InspectContent(ctx, &dlppb.InspectContentRequest{
		Parent: "projects/" + dialogflow.DefaultProject,
		Item:   &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: "escríbeme a lucia@example.com"}},
	}); err != nil {
		t.Fatalf("InspectContent over gRPC: %v", err)
	}

	// The gRPC clients send a JWT they sign themselves; the REST client exchanges one for an access token
	// at the token endpoint first.
	var flows []string
	for _, d := range events(s, journal.KindRequestAccepted) {
		flows = append(flows, d.Host+": "+d.Detail)
	}
	want := []string{
		"dialogflow.googleapis.com: first call to dialogflow.googleapis.com authenticated by a self-signed JWT of parley-assistant@parley-demo.iam.gserviceaccount.com",
		"oauth2.googleapis.com: access token issued to parley-assistant@parley-demo.iam.gserviceaccount.com (JWT bearer grant; scopes https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/dialogflow)",
		"dialogflow.googleapis.com: first call to dialogflow.googleapis.com authenticated by an access token from https://oauth2.googleapis.com/token",
		"dlp.googleapis.com: first call to dlp.googleapis.com authenticated by a self-signed JWT of parley-assistant@parley-demo.iam.gserviceaccount.com",
	}
	if strings.Join(flows, "\n") != strings.Join(want, "\n") {
		t.Errorf("credentials flows:\n%s\nwant:\n%s", strings.Join(flows, "\n"), strings.Join(want, "\n"))
	}
	if u := events(s, journal.KindUnmodelled); len(u) > 0 {
		t.Errorf("unmodelled: %+v", u)
	}
}

// TestGoogleAPIsRefuseOtherCredentials: a call without credentials, or with a key parley did not make,
// is refused UNAUTHENTICATED with Google's text, and journalled.
func TestGoogleAPIsRefuseOtherCredentials(t *testing.T) {
	s := startStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	other, err := production.NewKit("someone-else")
	if err != nil {
		t.Fatal(err)
	}
	for name, opt := range map[string]option.ClientOption{
		"no credentials": option.WithoutAuthentication(),
		"another key":    option.WithAuthCredentialsJSON(option.ServiceAccount, other.Credentials),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := dfapi.NewSessionsClient(ctx, grpcDialer(), opt)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = detect(ctx, c)
			if status.Code(err) != codes.Unauthenticated || !strings.Contains(err.Error(), "Request had invalid authentication credentials") {
				t.Fatalf("err %v, want UNAUTHENTICATED", err)
			}
		})
	}
	if n := len(events(s, journal.KindRequestRejected)); n != 2 {
		t.Errorf("%d refusals journalled, want 2", n)
	}
}

// TestTokenEndpoint: the JWT bearer grant, as golang.org/x/oauth2/google makes it from the key file,
// gets an access token that the APIs accept; an assertion signed by another key is refused with
// Google's invalid_grant.
func TestTokenEndpoint(t *testing.T) {
	s := startStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	creds, err := os.ReadFile(os.Getenv("GOOGLE_APPLICATION_CREDENTIALS"))
	if err != nil {
		t.Fatal(err)
	}
	conf, err := google.JWTConfigFromJSON(creds, "https://www.googleapis.com/auth/cloud-platform")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := conf.TokenSource(ctx).Token()
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	if !strings.HasPrefix(tok.AccessToken, "ya29.") || time.Until(tok.Expiry) < 50*time.Minute {
		t.Errorf("token %q expiring %s", tok.AccessToken, tok.Expiry)
	}
	c, err := dlpapi.NewRESTClient(ctx, option.WithTokenSource(oauth2.StaticTokenSource(tok)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.InspectContent(ctx, &dlppb.InspectContentRequest{Parent: "projects/parley-demo",
		Item: &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: "+34 612 34 56 78"}}}); err != nil {
		t.Fatalf("InspectContent with the issued token: %v", err)
	}
	issued := events(s, journal.KindRequestAccepted)
	if len(issued) == 0 || issued[0].Host != production.HostOAuth2 || !strings.Contains(issued[0].Detail, "JWT bearer grant") {
		t.Errorf("journal %+v, want the token issued first", issued)
	}

	other, _ := production.NewKit("parley-demo")
	forged, err := google.JWTConfigFromJSON(other.Credentials, "https://www.googleapis.com/auth/cloud-platform")
	if err != nil {
		t.Fatal(err)
	}
	forged.Email = conf.Email // the right account, the wrong key
	_, err = forged.TokenSource(ctx).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusBadRequest ||
		string(re.Body) != `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`+"\n" {
		t.Fatalf("err %v, want 400 invalid_grant Invalid JWT Signature.", err)
	}
}

// TestMetadataServer: the metadata client of the official libraries, pointed at metadata.google.internal
// as on Google Cloud, reads the project and gets an access token the APIs accept; a request without
// Metadata-Flavor is refused.
func TestMetadataServer(t *testing.T) {
	startStack(t)
	t.Setenv("GCE_METADATA_HOST", production.HostMetadata)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	mc := compute.NewClient(&http.Client{Transport: http.DefaultTransport})
	if p, err := mc.ProjectIDWithContext(ctx); err != nil || p != dialogflow.DefaultProject {
		t.Errorf("project %q, %v", p, err)
	}
	if e, err := mc.EmailWithContext(ctx, "default"); err != nil || !strings.HasPrefix(e, "parley-assistant@") {
		t.Errorf("email %q, %v", e, err)
	}
	raw, err := mc.GetWithContext(ctx, "instance/service-accounts/default/token")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(raw), &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token %q: %v", raw, err)
	}
	c, err := dfapi.NewSessionsClient(ctx, grpcDialer(), option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok.AccessToken})))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := detect(ctx, c); err != nil {
		t.Fatalf("DetectIntent with the metadata server's token: %v", err)
	}

	resp, err := http.Get("http://" + production.HostMetadata + "/computeMetadata/v1/project/project-id")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Metadata-Flavor") != "Google" {
		t.Errorf("without the header: HTTP %d, flavor %q", resp.StatusCode, resp.Header.Get("Metadata-Flavor"))
	}
}

// TestUnmodelledHosts: a call to a name parley answers for but does not model, or to a modelled host's
// unmodelled part, is answered 404 (UNIMPLEMENTED over gRPC) and journalled as unmodelled with its host
// and path.
func TestUnmodelledHosts(t *testing.T) {
	s := startStack(t)
	for _, u := range []string{
		"https://logging.googleapis.com/v2/entries:write",
		"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",
		"https://oauth2.googleapis.com/tokeninfo",
		"http://graph.facebook.com/v23.0/me",
		"https://graph.facebook.com/_parley/journal",
	} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: HTTP %d, want 404", u, resp.StatusCode)
		}
	}
	got := events(s, journal.KindUnmodelled)
	if len(got) != 5 {
		t.Fatalf("%d unmodelled events, want 5: %+v", len(got), got)
	}
	if got[0].Host != "logging.googleapis.com" || got[0].Path != "/v2/entries:write" ||
		!strings.Contains(got[0].Detail, "parley does not model GET logging.googleapis.com/v2/entries:write") {
		t.Errorf("first: %+v", got[0])
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := grpc.NewClient("passthrough:///cloudtrace.googleapis.com:443", grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{})),
		grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) { return dialProduction(ctx, "tcp", addr) }))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Invoke(ctx, "/google.devtools.cloudtrace.v2.TraceService/BatchWriteSpans", &dlppb.ContentItem{}, &dlppb.ContentItem{})
	if status.Code(err) != codes.Unimplemented || !strings.Contains(status.Convert(err).Message(), "cloudtrace.googleapis.com/google.devtools.cloudtrace.v2.TraceService/BatchWriteSpans") {
		t.Errorf("gRPC to an unmodelled host: %v", err)
	}
}

// TestRelay: a connection to the relay reaches the target and its answer comes back; a target that does
// not listen closes the connection.
func TestRelay(t *testing.T) {
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "pong "+r.URL.Path) })}
	go srv.Serve(target)
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := production.Relay(l, target.Addr().String())
	resp, err := (&http.Client{Transport: &http.Transport{}}).Get("http://" + l.Addr().String() + "/ping")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "pong /ping" {
		t.Errorf("through the relay: %q", b)
	}
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}

	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()
	l2, _ := net.Listen("tcp", "127.0.0.1:0")
	stop2 := production.Relay(l2, deadAddr)
	defer stop2()
	c, err := net.Dial("tcp", l2.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("to a target that does not listen: %v, want EOF", err)
	}
}
