package dialogflow

import (
	"context"
	"fmt"
	"io"
	"path"
	"reflect"
	"strings"
)

// CX test cases (testCases/*.json of an export; cx/v3 TestCase, https://cloud.google.com/dialogflow/cx/docs/concept/test-case)
// played against the mock as the console plays them: each turn's input is sent on a fresh session that
// starts at testConfig's flow and page (the start flow's start page by default), and the turn's virtual
// agent output is compared with what the mock answered: the triggered intent, the current page and its
// flow, the text responses (one of a text's variants passes), and the session parameters named in
// testConfig.trackingParameters. A test case stops at its first differing turn.

// CXTestCase is a test case of the export.
type CXTestCase struct {
	DisplayName string
	Tags        []string
	Tracking    []string // testConfig.trackingParameters
	Start       *CXPage  // testConfig flow and page
	Turns       []CXTestTurn
	File        string
}

// CXTestTurn is one conversation turn of a test case: the user's input and what the agent should do.
type CXTestTurn struct {
	Text, Event, Language string
	Injected              map[string]any // userInput.injectedParameters
	WebhookEnabled        bool

	Intent string   // expected triggered intent (display name), "" for none
	Page   string   // expected current page (display name)
	Flow   string   // expected current flow (display name)
	Texts  []string // expected text responses
	Params map[string]any
}

// The export's test case file: cx/v3 TestCase with display names for intents, pages and flows, and a
// creationTime that is not protojson's Timestamp, hence a struct of its own.
type cxTestCaseFile struct {
	DisplayName string   `json:"displayName"`
	Tags        []string `json:"tags"`
	TestConfig  struct {
		TrackingParameters []string `json:"trackingParameters"`
		Flow               string   `json:"flow"`
		Page               string   `json:"page"`
	} `json:"testConfig"`
	Turns []struct {
		UserInput struct {
			Input struct {
				Text *struct {
					Text string `json:"text"`
				} `json:"text"`
				Event *struct {
					Event string `json:"event"`
				} `json:"event"`
				Dtmf         any    `json:"dtmf"`
				Audio        any    `json:"audio"`
				Intent       any    `json:"intent"`
				LanguageCode string `json:"languageCode"`
			} `json:"input"`
			InjectedParameters map[string]any `json:"injectedParameters"`
			IsWebhookEnabled   bool           `json:"isWebhookEnabled"`
		} `json:"userInput"`
		Output struct {
			SessionParameters map[string]any `json:"sessionParameters"`
			TriggeredIntent   *struct {
				Name string `json:"name"`
			} `json:"triggeredIntent"`
			CurrentPage *struct {
				Name string `json:"name"`
				Flow string `json:"flow"`
			} `json:"currentPage"`
			TextResponses []struct {
				Text []string `json:"text"`
			} `json:"textResponses"`
		} `json:"virtualAgentOutput"`
	} `json:"testCaseConversationTurns"`
}

func (l *cxLoader) loadTestCases() error {
	files, err := l.list("testCases")
	if err != nil {
		return err
	}
	for _, f := range files {
		file := path.Join("testCases", f)
		var tf cxTestCaseFile
		if err := l.read(file, &tf); err != nil {
			return err
		}
		tc := &CXTestCase{DisplayName: tf.DisplayName, Tags: tf.Tags, Tracking: tf.TestConfig.TrackingParameters,
			Start: l.a.StartFlow.Start, File: file}
		if tf.TestConfig.Flow != "" {
			fl := l.a.flows[tf.TestConfig.Flow]
			if fl == nil {
				return fmt.Errorf("%s: testConfig.flow %q is not a flow of the agent", file, tf.TestConfig.Flow)
			}
			tc.Start = fl.Start
			if pg := tf.TestConfig.Page; pg != "" && pg != "Start Page" && pg != "START_PAGE" {
				if tc.Start = fl.pages[pg]; tc.Start == nil {
					return fmt.Errorf("%s: testConfig.page %q is not a page of flow %q", file, pg, fl.DisplayName)
				}
			}
		}
		for i, turn := range tf.Turns {
			in := turn.UserInput.Input
			t := CXTestTurn{Language: strings.ToLower(in.LanguageCode), Injected: turn.UserInput.InjectedParameters,
				WebhookEnabled: turn.UserInput.IsWebhookEnabled, Params: turn.Output.SessionParameters}
			switch {
			case in.Text != nil:
				t.Text = in.Text.Text
			case in.Event != nil:
				t.Event = in.Event.Event
			default:
				return fmt.Errorf("%s: turn %d: only text and event inputs are modelled (not DTMF, audio or intent input)", file, i+1)
			}
			if t.Language == "" {
				t.Language = l.a.Language
			}
			if o := turn.Output; o.TriggeredIntent != nil {
				t.Intent = o.TriggeredIntent.Name
			}
			if p := turn.Output.CurrentPage; p != nil {
				t.Page, t.Flow = p.Name, p.Flow
			}
			for _, r := range turn.Output.TextResponses {
				t.Texts = append(t.Texts, strings.Join(r.Text, ""))
			}
			tc.Turns = append(tc.Turns, t)
		}
		l.a.TestCases = append(l.a.TestCases, tc)
	}
	return nil
}

// CXTestResult is the outcome of one test case.
type CXTestResult struct {
	Name       string
	File       string
	Passed     bool
	Turns      int          // turns in the test case
	FailedTurn int          // the first differing turn, 1-based; 0 when the test passed
	Input      string       // that turn's user input
	Diffs      []CXTestDiff // how that turn differed
	Error      string       // the query was refused (the test could not be played)
}

// CXTestDiff is one difference of a turn, typed as the console types them (TestRunDifference: INTENT,
// PAGE, FLOW, UTTERANCE, PARAMETERS).
type CXTestDiff struct {
	Type     string
	Expected string
	Actual   string
}

// RunCXTestCases plays every test case of the agent against a mock serving it (opts configure that mock,
// WithFulfillmentURL for one) and returns one result per test case, in the export's order.
func RunCXTestCases(ctx context.Context, a *CXAgent, opts ...Option) ([]CXTestResult, error) {
	s, err := NewServer(append([]Option{WithCXAgent(a)}, opts...)...)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out := make([]CXTestResult, 0, len(a.TestCases))
	for i, tc := range a.TestCases {
		out = append(out, s.runCXTestCase(ctx, tc, i))
	}
	return out, nil
}

func (s *Server) runCXTestCase(ctx context.Context, tc *CXTestCase, n int) CXTestResult {
	res := CXTestResult{Name: tc.DisplayName, File: tc.File, Turns: len(tc.Turns)}
	id := fmt.Sprintf("test-case-%d", n+1)
	ref := sessionRef{path: "projects/" + s.cfg.project + "/locations/global/agents/parley/sessions/" + id,
		project: s.cfg.project, location: "global", agentID: "parley", env: defaultEnv, id: id, cx: true}
	s.mu.Lock()
	delete(s.sessions, ref.path)
	s.sessionLocked(ref).cx = &cxState{page: tc.Start, form: map[string]any{}}
	s.mu.Unlock()
	for i, turn := range tc.Turns {
		in := detectInput{api: "cx", transport: "test", ref: ref, lang: turn.Language, hasText: turn.Event == "",
			text: turn.Text, event: turn.Event, cxParams: turn.Injected, disableWebhook: !turn.WebhookEnabled}
		resp, texts, err := s.detectCXFlow(ctx, in)
		if err != nil {
			res.FailedTurn, res.Input, res.Error = i+1, turn.input(), err.Error()
			return res
		}
		qr := resp.GetQueryResult()
		var diffs []CXTestDiff
		if got := qr.GetMatch().GetIntent().GetDisplayName(); got != turn.Intent {
			diffs = append(diffs, CXTestDiff{"INTENT", turn.Intent, got})
		}
		if got := qr.GetCurrentPage().GetDisplayName(); turn.Page != "" && got != turn.Page {
			diffs = append(diffs, CXTestDiff{"PAGE", turn.Page, got})
		}
		if got := qr.GetCurrentFlow().GetDisplayName(); turn.Flow != "" && got != turn.Flow {
			diffs = append(diffs, CXTestDiff{"FLOW", turn.Flow, got})
		}
		if !textsMatch(turn.Texts, texts) {
			var said []string
			for _, t := range texts {
				said = append(said, t.text)
			}
			diffs = append(diffs, CXTestDiff{"UTTERANCE", strings.Join(turn.Texts, " | "), strings.Join(said, " | ")})
		}
		params := qr.GetParameters().AsMap()
		for _, k := range tc.Tracking {
			want, got := turn.Params[k], params[k]
			if !reflect.DeepEqual(want, got) {
				diffs = append(diffs, CXTestDiff{"PARAMETERS", fmt.Sprintf("%s=%v", k, want), fmt.Sprintf("%s=%v", k, got)})
			}
		}
		if len(diffs) > 0 {
			res.FailedTurn, res.Input, res.Diffs = i+1, turn.input(), diffs
			return res
		}
	}
	res.Passed = true
	return res
}

func (t CXTestTurn) input() string {
	if t.Event != "" {
		return "event " + t.Event
	}
	return t.Text
}

// textsMatch compares the expected text responses with those said, each said text passing when it is
// the expected one or the expected one is another of its variants.
func textsMatch(want []string, got []turnText) bool {
	if len(want) != len(got) {
		return false
	}
	for i, w := range want {
		if strings.TrimSpace(got[i].text) == strings.TrimSpace(w) {
			continue
		}
		ok := false
		for _, v := range got[i].variants {
			if strings.TrimSpace(v) == strings.TrimSpace(w) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// WriteCXTestReport writes one line per test case and, for a failed one, its first differing turn.
func WriteCXTestReport(w io.Writer, rs []CXTestResult) (passed int) {
	for _, r := range rs {
		if r.Passed {
			passed++
			fmt.Fprintf(w, "PASS  %s (%d turns)\n", r.Name, r.Turns)
			continue
		}
		fmt.Fprintf(w, "FAIL  %s: turn %d of %d, user said %q\n", r.Name, r.FailedTurn, r.Turns, r.Input)
		if r.Error != "" {
			fmt.Fprintf(w, "        refused: %s\n", r.Error)
		}
		for _, d := range r.Diffs {
			fmt.Fprintf(w, "        %-10s expected %q\n        %-10s actual   %q\n", d.Type, d.Expected, "", d.Actual)
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", passed, len(rs)-passed)
	return passed
}
