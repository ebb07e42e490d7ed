package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

func TestBotListViolations(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"bot", "--list-violations"}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(reference.Violations()) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(reference.Violations()), out.String())
	}
	for i, v := range reference.Violations() {
		if !strings.HasPrefix(lines[i], v.Rule+" ") || !strings.Contains(lines[i], v.Description) {
			t.Errorf("line %d = %q, want %s and its description", i, lines[i], v.Rule)
		}
	}
}

func TestBotUsageErrors(t *testing.T) {
	env := map[string]string{
		"WHATSAPP_API_URL": "http://127.0.0.1:1", "WHATSAPP_PHONE_NUMBER_ID": "1", "WHATSAPP_TOKEN": "t",
		"WHATSAPP_APP_SECRET": "s", "WHATSAPP_VERIFY_TOKEN": "v", "DIALOGFLOW_ENDPOINT": "127.0.0.1:1",
		"DIALOGFLOW_PROJECT": "p", "DLP_ENDPOINT": "127.0.0.1:1",
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no environment", []string{"bot"}, map[string]string{}, "WHATSAPP_API_URL is not set"},
		{"unknown violation", []string{"bot", "--violate", "WA-NOPE-99"}, env, "unknown violation"},
		{"unknown violation from env", []string{"bot"}, merge(env, map[string]string{"PARLEY_VIOLATE": "NOPE"}), "unknown violation"},
		{"bad clock", []string{"bot", "--clock", "sundial"}, env, "--clock"},
		{"cert without key", []string{"bot", "--tls-cert", "x.pem"}, env, "go together"},
		{"stray argument", []string{"bot", "extra"}, env, "unexpected arguments"},
		{"unknown assistant", []string{"bot", "--assistant", "eliza"}, env, "must be reference, harbour or naive"},
		{"unknown assistant from env", []string{"bot"}, merge(env, map[string]string{"PARLEY_BOT_ASSISTANT": "eliza"}), "must be reference, harbour or naive"},
		{"violations of harbour", []string{"bot", "--assistant", "harbour", "--violate", "WA-OPTOUT-01"}, env, "reference assistant only"},
		{"harbour without environment", []string{"bot", "--assistant", "harbour"}, map[string]string{}, "DIALOGFLOW_ENDPOINT is not set"},
		{"naive without environment", []string{"bot", "--assistant", "naive"}, map[string]string{}, "WHATSAPP_APP_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, func(k string) string { return tt.env[k] }, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			if exitCode(err) != 2 {
				t.Errorf("exit code %d, want 2", exitCode(err))
			}
		})
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// TestBotServesAgainstMocks runs `parley bot --addr 127.0.0.1:0` against the three mocks, configured only
// through the bot contract's environment, has a customer say hello, and stops it by cancelling ctx.
func TestBotServesAgainstMocks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	j := journal.New(nil)
	df := dialogflow.RunT(t, dialogflow.WithJournal(j))
	d := dlp.RunT(t, dlp.WithJournal(j))
	wa := whatsapp.RunT(t, whatsapp.WithJournal(j))
	env := map[string]string{
		"WHATSAPP_API_URL": wa.URL(), "WHATSAPP_API_VERSION": "v23.0", "WHATSAPP_PHONE_NUMBER_ID": wa.PhoneNumberID(),
		"WHATSAPP_TOKEN": wa.AccessToken(), "WHATSAPP_APP_SECRET": wa.AppSecret(), "WHATSAPP_VERIFY_TOKEN": wa.VerifyToken(),
		"DIALOGFLOW_ENDPOINT": df.Addr(), "DIALOGFLOW_PROJECT": df.Project(), "DIALOGFLOW_LANGUAGE": "es",
		"DLP_ENDPOINT": d.Addr(),
	}
	pr, pw := io.Pipe()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(runCtx, []string{"bot", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no listening line: %v", err)
	}
	go io.Copy(io.Discard, pr)
	url := regexp.MustCompile(`http://\S+`).FindString(line)
	if url == "" {
		t.Fatalf("listening line %q has no URL", line)
	}
	if err := wa.SetWebhook(ctx, url+"/webhook"); err != nil {
		t.Fatal(err)
	}
	if v, err := wa.VerifyWebhook(ctx); err != nil || !v.OK {
		t.Fatalf("handshake: %+v %v", v, err)
	}
	if _, err := wa.SendFromCustomer(ctx, "34600000001", whatsapp.CustomerMessage{Text: "hola"}); err != nil {
		t.Fatal(err)
	}
	in, err := wa.AwaitInbox(ctx, "34600000001", 2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(in[0].Text, "asistente virtual") {
		t.Errorf("first reply %q is not the disclosure", in[0].Text)
	}
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("bot stopped with %v", err)
		}
	case <-ctx.Done():
		t.Fatal("bot did not stop on cancel")
	}
	if _, err := http.Get(url + "/healthz"); err == nil || errors.Is(err, context.Canceled) {
		t.Error("still serving after stop")
	}
}

// TestBotAssistantsServeAgainstMocks: `parley bot --assistant harbour` and `--assistant naive` run on the
// bot contract's environment alone, as the reference does, and answer a customer through the mocks.
func TestBotAssistantsServeAgainstMocks(t *testing.T) {
	tests := []struct {
		assistant string
		replies   int
		first     string
	}{
		{"harbour", 3, "automated assistant"},
		{"naive", 1, "Papelería Lupe"},
	}
	for _, tc := range tests {
		t.Run(tc.assistant, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			j := journal.New(nil)
			df := dialogflow.RunT(t, dialogflow.WithJournal(j))
			d := dlp.RunT(t, dlp.WithJournal(j))
			wa := whatsapp.RunT(t, whatsapp.WithJournal(j))
			env := map[string]string{
				"WHATSAPP_API_URL": wa.URL(), "WHATSAPP_PHONE_NUMBER_ID": wa.PhoneNumberID(), "WHATSAPP_TOKEN": wa.AccessToken(),
				"WHATSAPP_APP_SECRET": wa.AppSecret(), "WHATSAPP_VERIFY_TOKEN": wa.VerifyToken(),
				"DIALOGFLOW_ENDPOINT": df.Addr(), "DIALOGFLOW_PROJECT": df.Project(), "DLP_ENDPOINT": d.Addr(),
				"PARLEY_BOT_ASSISTANT": tc.assistant,
			}
			pr, pw := io.Pipe()
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() {
				done <- run(runCtx, []string{"bot", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, pw, io.Discard)
				pw.Close()
			}()
			line, err := bufio.NewReader(pr).ReadString('\n')
			if err != nil {
				t.Fatalf("no listening line: %v", err)
			}
			go io.Copy(io.Discard, pr)
			if !strings.HasPrefix(line, tc.assistant+" assistant listening") {
				t.Errorf("listening line %q does not name %s", line, tc.assistant)
			}
			url := regexp.MustCompile(`http://\S+`).FindString(line)
			if err := wa.SetWebhook(ctx, url+"/webhook"); err != nil {
				t.Fatal(err)
			}
			if v, err := wa.VerifyWebhook(ctx); err != nil || !v.OK {
				t.Fatalf("handshake: %+v %v", v, err)
			}
			if _, err := wa.SendFromCustomer(ctx, "447700900001", whatsapp.CustomerMessage{Text: "Hello"}); err != nil {
				t.Fatal(err)
			}
			in, err := wa.AwaitInbox(ctx, "447700900001", tc.replies)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(in[0].Text, tc.first) {
				t.Errorf("first reply %q, want it to contain %q", in[0].Text, tc.first)
			}
			stop()
			if err := <-done; err != nil {
				t.Fatalf("%s stopped with %v", tc.assistant, err)
			}
		})
	}
}

// TestBotAwait: with --await the assistant starts only once every address accepts connections, and
// gives up naming the address that never did.
func TestBotAwait(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := closed.Addr().String()
	closed.Close()

	if err := awaitAddrs(context.Background(), []string{ln.Addr().String()}, time.Minute); err != nil {
		t.Errorf("awaiting a listening address: %v", err)
	}
	env := map[string]string{
		"WHATSAPP_API_URL": "http://127.0.0.1:1", "WHATSAPP_PHONE_NUMBER_ID": "1", "WHATSAPP_TOKEN": "t",
		"WHATSAPP_APP_SECRET": "s", "WHATSAPP_VERIFY_TOKEN": "v", "DIALOGFLOW_ENDPOINT": "127.0.0.1:1",
		"DIALOGFLOW_PROJECT": "p", "DLP_ENDPOINT": "127.0.0.1:1", "PARLEY_BOT_AWAIT": ln.Addr().String() + ", " + nobody,
	}
	err = run(context.Background(), []string{"bot", "--addr", "127.0.0.1:0", "--await-timeout", "100ms"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), nobody+" did not accept a connection") {
		t.Fatalf("err = %v, want it to name %s, which never accepted", err, nobody)
	}
}
