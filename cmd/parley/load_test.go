package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/load"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// TestLoadHelperProcess is not a test: it is `parley` run as a separate process by the shard tests
// (the test binary re-executes itself with PARLEY_LOAD_HELPER=1 and parley's arguments after "--").
func TestLoadHelperProcess(t *testing.T) {
	if os.Getenv("PARLEY_LOAD_HELPER") != "1" {
		t.Skip("helper process for the shard tests")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	err := run(context.Background(), args, func(string) string { return "" }, os.Stdout, os.Stderr)
	if err == nil {
		os.Exit(0)
	}
	if !strings.Contains(err.Error(), errSilent.Error()) {
		fmt.Fprintln(os.Stderr, "parley:", err)
	}
	os.Exit(exitCode(err))
}

// parleyProcess starts parley args as a separate process.
func parleyProcess(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-test.run=^TestLoadHelperProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "PARLEY_LOAD_HELPER=1")
	return cmd
}

// TestLoadShardsMergeToTheUnshardedRun runs 4 shards of a load as separate processes, in parallel,
// merges their JSON summaries with `parley load merge`, and checks that the merge equals the unsharded
// run in everything that does not depend on timing: customers, journeys, every message and the audit.
func TestLoadShardsMergeToTheUnshardedRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts five environments")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	common := []string{"--customers", "40", "--mps", "0", "--seed", "3", "--json"}

	runTo := func(name string, extra ...string) *exec.Cmd {
		cmd := parleyProcess(ctx, append(append([]string{"load"}, common...), extra...)...)
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		cmd.Stdout = f
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("%s stderr:\n%s", name, stderr.String())
			}
		})
		return cmd
	}
	var cmds []*exec.Cmd
	var files []string
	for i := 1; i <= 4; i++ {
		name := fmt.Sprintf("shard-%d.json", i)
		files = append(files, filepath.Join(dir, name))
		cmds = append(cmds, runTo(name, "--shard", fmt.Sprintf("%d/4", i)))
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("shard %d/4: %v", i+1, err)
		}
	}
	whole := runTo("whole.json")
	if err := whole.Wait(); err != nil {
		t.Fatalf("unsharded run: %v", err)
	}

	var out, errOut bytes.Buffer
	if err := run(ctx, append([]string{"load", "merge", "--json"}, files...), func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("load merge: %v\n%s", err, errOut.String())
	}
	var merged, unsharded load.Summary
	if err := json.Unmarshal(out.Bytes(), &merged); err != nil {
		t.Fatalf("merged summary: %v\n%s", err, out.String())
	}
	b, _ := os.ReadFile(filepath.Join(dir, "whole.json"))
	if err := json.Unmarshal(b, &unsharded); err != nil {
		t.Fatalf("unsharded summary: %v\n%s", err, b)
	}

	if merged.Shards != 4 {
		t.Errorf("merged %d shards, want 4", merged.Shards)
	}
	type comparable struct {
		Customers, Turns, JourneyErrors, Lost int
		Journeys                              map[string]int
		InSent, InReceived, InRefused         int
		OutSent, OutReceived, OutRefused      int
		OnPhones                              int
		Rules                                 map[string]string
	}
	view := func(s load.Summary) comparable {
		c := comparable{Customers: s.Customers, Turns: s.Turns, JourneyErrors: s.JourneyErrors, Lost: s.Lost, Journeys: s.Journeys,
			InSent: s.Messages.Inbound.Sent, InReceived: s.Messages.Inbound.Received, InRefused: s.Messages.Inbound.Refused,
			OutSent: s.Messages.Outbound.Sent, OutReceived: s.Messages.Outbound.Received, OutRefused: s.Messages.Outbound.Refused,
			OnPhones: s.Messages.OnPhones, Rules: map[string]string{}}
		for id, r := range s.Audit.Rules {
			c.Rules[id] = string(r.Status)
		}
		return c
	}
	got, want := view(merged), view(unsharded)
	gj, _ := json.MarshalIndent(got, "", " ")
	wj, _ := json.MarshalIndent(want, "", " ")
	if !bytes.Equal(gj, wj) {
		t.Errorf("the merged shards differ from the unsharded run:\nmerged:    %s\nunsharded: %s", gj, wj)
	}
	if want.Customers != 40 || want.Turns < 40 || want.Lost != 0 {
		t.Errorf("the unsharded run itself is off: %s", wj)
	}
	if merged.Latency.N != uint64(merged.Turns) || merged.P99 <= 0 {
		t.Errorf("merged latencies: %d samples for %d turns, p99 %v", merged.Latency.N, merged.Turns, merged.P99)
	}
}

func TestLoadShardFromIndexedJob(t *testing.T) {
	for _, tc := range []struct {
		name, flag, index, want string
	}{
		{"explicit", "2/4", "", "2/4"},
		{"first pod", "auto/4", "0", "1/4"},
		{"last pod", "auto/4", "3", "4/4"},
		{"beyond the shards", "auto/4", "4", ""},
		{"outside a job", "auto/4", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parseLoadShard(tc.flag, func(k string) string {
				if k == "JOB_COMPLETION_INDEX" {
					return tc.index
				}
				return ""
			})
			if tc.want == "" {
				if err == nil {
					t.Errorf("got shard %s, want an error", s)
				}
				return
			}
			if err != nil || s.String() != tc.want {
				t.Errorf("got %s, %v; want %s", s, err, tc.want)
			}
		})
	}
}

func TestLoadFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad shard", []string{"load", "--shard", "0/4"}, "--shard"},
		{"no customers", []string{"load", "--customers", "0"}, "--customers"},
		{"missing mix", []string{"load", "--mix", "/nonexistent/mix.json"}, "--mix"},
		{"merge without files", []string{"load", "merge"}, "name the shards"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, func(string) string { return "" }, &out, &errOut)
			if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v (exit %d), want a usage error mentioning %q", err, exitCode(err), tc.want)
			}
		})
	}
}

// TestLoadAgainstBotURL runs a load against an assistant running on its own (the reference assistant,
// configured only through the bot contract, as a vendor's would be), with the mocks started by `parley
// load` where its serve flags say, and the customers driving the WhatsApp mock over its HTTP control API.
func TestLoadAgainstBotURL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	wa, df, dl := freeAddr(t), freeAddr(t), freeAddr(t) // parley load binds them
	bot, err := reference.New(reference.Config{
		WhatsAppAPIURL: "http://" + wa, WhatsAppAPIVersion: "v23.0", PhoneNumberID: whatsapp.DefaultPhoneNumberID,
		Token: whatsapp.DefaultAccessToken, AppSecret: whatsapp.DefaultAppSecret, VerifyToken: whatsapp.DefaultVerifyToken,
		DialogflowEndpoint: df, DialogflowProject: dialogflow.DefaultProject, DialogflowLanguage: "es", DLPEndpoint: dl,
	}, reference.WithObservedClock(), reference.WithSendRate(0), reference.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer bot.Close()
	srv := httptest.NewServer(bot.Handler())
	defer srv.Close()

	var out, errOut bytes.Buffer
	err = run(ctx, []string{"load", "--bot-url", srv.URL, "--customers", "20", "--mps", "0", "--seed", "2",
		"--whatsapp", wa, "--dialogflow", df, "--dlp", dl, "--json"}, func(string) string { return "" }, &out, &errOut)
	if err != nil {
		t.Fatalf("load --bot-url: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	var s load.Summary
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if s.Customers != 20 || s.Turns < 20 || s.Lost != 0 || s.JourneyErrors != 0 || s.Messages.Inbound.Received != s.Messages.Inbound.Sent || s.Messages.Outbound.Received == 0 {
		t.Errorf("summary against --bot-url: %+v", s)
	}
}

// TestLoadInContainers plays a small load with the mocks and the reference assistant in Docker: replies
// are seen through the journal fetched from the mocks, and every message is still accounted for.
func TestLoadInContainers(t *testing.T) {
	dockertest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	err := run(ctx, []string{"load", "--mode", "containers", "--customers", "10", "--seed", "4", "--json"}, func(string) string { return "" }, &out, &errOut)
	if err != nil {
		t.Fatalf("load --mode containers: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	var s load.Summary
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if s.Customers != 10 || s.Turns < 10 || s.JourneyErrors != 0 || s.Lost != 0 || s.Messages.OnPhones != s.Messages.Outbound.Received || s.Messages.Outbound.Received == 0 {
		t.Errorf("summary in containers: %+v", s)
	}
}

// TestLoadAuditCatchesAViolation: a load against the reference assistant with WA-OPTOUT-03 (asking "are you sure?") broken on
// purpose exits 1 with the rule broken in the summary, though every message is accounted for.
func TestLoadAuditCatchesAViolation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	mix := filepath.Join(t.TempDir(), "mix.json")
	if err := os.WriteFile(mix, []byte(`{"opt_out": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := run(ctx, []string{"load", "--customers", "12", "--mps", "0", "--mix", mix, "--violate", "WA-OPTOUT-03", "--json"}, func(string) string { return "" }, &out, &errOut)
	if exitCode(err) != 1 {
		t.Fatalf("exit %d (%v), want 1 for a broken rule\n%s", exitCode(err), err, errOut.String())
	}
	var s load.Summary
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if s.Audit.Rules["WA-OPTOUT-03"].Status != "broken" || s.Lost != 0 || s.Journeys[load.OptOut] != 12 {
		t.Errorf("WA-OPTOUT-03 %+v, lost %d, journeys %v", s.Audit.Rules["WA-OPTOUT-03"], s.Lost, s.Journeys)
	}
}
