package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"cloud.google.com/go/dlp/apiv2/dlppb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// TestServeRefusesExposedControlWithoutToken: a mock bound beyond loopback without a control token does not
// start, and says which flag to set.
func TestServeRefusesExposedControlWithoutToken(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"whatsapp on all interfaces", []string{"--whatsapp", "0.0.0.0:0", "--dialogflow", "", "--dlp", ""}},
		{"whatsapp with an empty host", []string{"--whatsapp", ":0", "--dialogflow", "", "--dlp", ""}},
		{"dialogflow exposed", []string{"--whatsapp", "127.0.0.1:0", "--dialogflow", "0.0.0.0:0", "--dlp", ""}},
		{"dlp exposed", []string{"--whatsapp", "127.0.0.1:0", "--dialogflow", "", "--dlp", "[::]:0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := run(ctx, append([]string{"serve"}, tc.args...), func(string) string { return "" }, io.Discard, io.Discard)
			if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "PARLEY_CONTROL_TOKEN") {
				t.Fatalf("err %v (exit %d), want a usage error naming the control token", err, exitCode(err))
			}
		})
	}
}

// TestServeControlToken: with a token (here from PARLEY_CONTROL_TOKEN, on all interfaces) every mock's
// /_parley/ routes answer 401 without it and serve with it; the services' own surfaces are untouched.
func TestServeControlToken(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deadline, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	env := map[string]string{"PARLEY_CONTROL_TOKEN": "tok-123", "PARLEY_PAIR_RATE": "0"}
	out := &lineWriter{lines: make(chan string, 16)}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--whatsapp", "0.0.0.0:0", "--dialogflow", "0.0.0.0:0", "--dlp", "0.0.0.0:0"},
			func(k string) string { return env[k] }, out, io.Discard)
	}()
	urls := map[string]string{}
	for len(urls) < 3 {
		select {
		case line := <-out.lines:
			name, addr, _ := strings.Cut(strings.TrimPrefix(line, "parley: "), " mock listening on ")
			urls[name] = strings.Replace(strings.Replace(addr, "[::]", "127.0.0.1", 1), "0.0.0.0", "127.0.0.1", 1)
		case err := <-errc:
			t.Fatalf("serve returned early: %v", err)
		case <-deadline.Done():
			t.Fatalf("serve announced only %v", urls)
		}
	}
	get := func(url, token string) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(deadline, http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for name, u := range urls {
		t.Run(name, func(t *testing.T) {
			if !strings.HasPrefix(u, "http://127.0.0.1:") {
				t.Fatalf("%s announced on %q", name, u)
			}
			for _, tc := range []struct {
				token string
				want  int
			}{{"", 401}, {"wrong", 401}, {"tok-123", 200}} {
				got := get(u+"/_parley/healthz", tc.token)
				if name == "dlp" && tc.want == 200 && got == 204 { // DLP's healthz answers 204
					got = 200
				}
				if got != tc.want {
					t.Errorf("healthz with token %q: %d, want %d", tc.token, got, tc.want)
				}
			}
		})
	}
	// The Graph API keeps its own access token, not the control token.
	req, _ := http.NewRequest(http.MethodGet, urls["whatsapp"]+"/v23.0/"+whatsapp.DefaultPhoneNumberID, nil)
	req.Header.Set("Authorization", "Bearer "+whatsapp.DefaultAccessToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("Graph API behind the control token: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// Dialogflow's REST face needs no control token.
	resp, err := http.Post(urls["dialogflow"]+"/v2/projects/parley-demo/agent/sessions/s1:detectIntent", "application/json",
		strings.NewReader(`{"queryInput":{"text":{"text":"hola","languageCode":"es"}}}`))
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("Dialogflow REST behind the control token: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// Their gRPC faces need none either, and are served on grpc's own transport (gcp.ServeSplit).
	for name, call := range map[string]func(*grpc.ClientConn) error{
		"dialogflow": func(c *grpc.ClientConn) error {
			_, err := dialogflowpb.NewSessionsClient(c).DetectIntent(deadline, &dialogflowpb.DetectIntentRequest{
				Session:    "projects/parley-demo/agent/sessions/s2",
				QueryInput: &dialogflowpb.QueryInput{Input: &dialogflowpb.QueryInput_Text{Text: &dialogflowpb.TextInput{Text: "hola", LanguageCode: "es"}}},
			})
			return err
		},
		"dlp": func(c *grpc.ClientConn) error {
			resp, err := dlppb.NewDlpServiceClient(c).InspectContent(deadline, &dlppb.InspectContentRequest{
				Parent: "projects/parley-demo/locations/global", Item: &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: "mi DNI es 12345678Z"}},
			})
			if err == nil && len(resp.GetResult().GetFindings()) == 0 {
				err = errors.New("no finding in a text with a DNI")
			}
			return err
		},
	} {
		conn, err := grpc.NewClient(strings.TrimPrefix(urls[name], "http://"), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		if err := call(conn); err != nil {
			t.Errorf("%s over gRPC behind the control token: %v", name, err)
		}
		conn.Close()
	}
	// The control client with the token drives the mock; without it, it is refused.
	if _, _, err := whatsapp.NewControlClient(urls["whatsapp"]).JournalAfter(deadline, 0); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("control client without the token: %v", err)
	}
	evs, _, err := whatsapp.NewControlClient(urls["whatsapp"], control.WithHTTPClient(control.Client("tok-123", nil))).JournalAfter(deadline, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		t.Error("the journal is empty after a detectIntent")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("serve: %v", err)
	}
}
