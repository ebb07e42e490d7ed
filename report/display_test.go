package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/parley-dev/parley/audit"
)

// hostile is what a customer (or an assistant) may write, aimed at whoever reads the report.
var hostile = []string{
	"<script>alert(1)</script>",
	`<img src=x onerror="alert(2)">`,
	"\x1b[2J\x1b[31mred\x1b]0;title\x07",
	"pay \u202Eabc.exe\u202C \u2066iso\u2069",
	"[click](javascript:alert(3))",
	"\x9b31m C1",
}

// hostileReport puts the hostile texts where a customer's words reach the renderings: a turn of the
// transcript, a finding's explanation and evidence, a scenario's name and error.
func hostileReport(t *testing.T) Report {
	t.Helper()
	r := fixtureReport(audit.SeverityLow)
	all := strings.Join(hostile, " | ")
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		sc.Name += " " + all
		sc.Error = all
		for j := range sc.Transcript {
			sc.Transcript[j].Text = all
			sc.Transcript[j].Buttons = append(sc.Transcript[j].Buttons, all)
		}
	}
	r.Rules[0].Findings[0].Explanation = all
	r.Rules[0].Findings[0].Evidence[0].Summary = all
	return r
}

func TestMarkdownEscapesHostileText(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, hostileReport(t)); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, bad := range []string{"<script", "<img", "\x1b", "\x07", "\u202E", "\u2066", "\x9b", "\u009b", "[click](javascript"} {
		if strings.Contains(md, bad) {
			t.Errorf("report.md contains %q", bad)
		}
	}
	for _, good := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=", `\[U+202E\]abc.exe\[U+202C\]`, `\[U+2066\]iso\[U+2069\]`, `\[2J\[31mred`, `\[click\](javascript`} {
		if !strings.Contains(md, good) {
			t.Errorf("report.md lacks %q (the text, made harmless)", good)
		}
	}
}

func TestHTMLNeutralisesHostileText(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, hostileReport(t)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script", "<img", "\x1b", "\u202E", "\u2066", "\x9b"} {
		if strings.Contains(page, bad) {
			t.Errorf("report.html contains %q", bad)
		}
	}
	if !strings.Contains(page, "[U&#43;202E]abc.exe") {
		t.Error("the override is not shown as its code point")
	}
	// A token with no break (a 60,000-character word) wraps instead of widening the page; the style is
	// what a browser needs (TestHTMLInChromiumLongToken measures it where Chromium is installed).
	for _, rule := range []string{"body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;margin:0;background:#f4f4f2;color:#1b1b1b;overflow-wrap:anywhere}", "overflow-wrap:anywhere;min-width:0;unicode-bidi:isolate}"} {
		if !strings.Contains(page, rule) {
			t.Errorf("the page's style lacks %q", rule)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"hola\nqué tal\t":     "hola\nqué tal\t",
		"\x1b[31mrojo\x1b[0m": "[31mrojo[0m",
		"a\u202Eb":            "a[U+202E]b",
		"\xff\xfe":            "\uFFFD",
		"x\x00y\x7fz":         "xyz",
		"مرحبا \u200F":        "مرحبا \u200F", // a right-to-left mark is ordinary Arabic or Hebrew text
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
	// The report itself is not changed: report.json keeps the exact evidence.
	r := hostileReport(t)
	_ = r.ForDisplay()
	if !strings.Contains(r.Scenarios[0].Transcript[0].Text, "\u202E") {
		t.Error("ForDisplay changed the report it copied")
	}
}
