package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-dev/parley/audit"
)

// chromium finds Debian's chromium. Outside CI its absence skips the test; in CI (CI set, as .ci/run
// does) it fails it, since .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run installs it (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); skipping the browser test of the HTML report")
	return ""
}

// TestHTMLInChromium opens the HTML report in headless Chromium: it renders, the verdict banner and the
// rule matrix are visible, a scenario's transcript expands on a click and shows the flagged message, and
// a screenshot is kept (its path is logged) as a CI artifact.
func TestHTMLInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	browser := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, FileHTML)
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := HTML(f, fixtureReport(audit.SeverityLow)); err != nil {
		t.Fatal(err)
	}
	f.Close()

	bctx := openBrowser(t, browser, dir)

	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("chromium, %s: %v", what, err)
		}
	}
	step("opening the page", chromedp.Do(bctx, chromedp.Navigate("file://"+page)))
	// Visible means laid out with a size and rendered (checkVisibility also sees a closed <details>,
	// whose content keeps its layout box); chromedp's own WaitVisible never returned with this chromium.
	visible := func(sel string) bool {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`(e => !!e && e.offsetHeight > 0 && e.checkVisibility({visibilityProperty: true, opacityProperty: true}))(document.querySelector(`+strconv.Quote(sel)+`))`))
		step("checking "+sel, err)
		return v
	}
	for _, sel := range []string{"#verdict", "#matrix", "#matrix a.chip.broken", "#rules"} {
		if !visible(sel) {
			t.Errorf("%s is not visible", sel)
		}
	}
	if visible("#scenario-2 .bubble.flagged") {
		t.Error("a transcript is open before any click")
	}
	verdict, err := chromedp.Run(bctx, chromedp.Text("#verdict h1"))
	step("reading the verdict", err)
	chips, err := chromedp.Run(bctx, chromedp.Text("#matrix"))
	step("reading the matrix", err)
	openBefore, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector("#scenario-2").open`))
	step("reading the scenario", err)
	chatBefore, err := chromedp.Run(bctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#scenario-2 .chat")).display`))
	step("reading the chat", err)
	step("expanding the transcript", chromedp.Do(bctx, chromedp.Click("#scenario-2 > summary", chromedp.NodeReady)))
	if !visible("#scenario-2 .bubble.flagged") {
		t.Error("the flagged message is not visible after expanding the transcript")
	}
	openAfter, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector("#scenario-2").open`))
	step("reading the scenario", err)
	chatAfter, err := chromedp.Run(bctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#scenario-2 .chat")).display`))
	step("reading the chat", err)
	flagged, err := chromedp.Run(bctx, chromedp.Text("#scenario-2 .bubble.flagged"))
	step("reading the flagged message", err)
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	step("taking a screenshot", err)
	if verdict != "NOT CERTIFIED" {
		t.Errorf("banner says %q", verdict)
	}
	for _, id := range []string{"WA-OPTIN-01", "AI-DISC-01", "GDPR-RECT-01"} {
		if !strings.Contains(chips, id) {
			t.Errorf("rule matrix lacks %s: %q", id, chips)
		}
	}
	if openBefore || !openAfter || chatAfter != "grid" {
		t.Errorf("transcript did not expand: open %t → %t, chat display %q → %q", openBefore, openAfter, chatBefore, chatAfter)
	}
	if !strings.Contains(flagged, "WA-OPTIN-01") || !strings.Contains(flagged, "template oferta") {
		t.Errorf("flagged message = %q", flagged)
	}
	// Kept beyond the test's own temporary folder, so CI can upload it.
	artifacts := os.Getenv("PARLEY_ARTIFACTS")
	if artifacts == "" {
		artifacts = filepath.Join(os.TempDir(), "parley-artifacts")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	shotPath := filepath.Join(artifacts, "report-html.png")
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(shot) < 10_000 {
		t.Errorf("screenshot is only %d bytes", len(shot))
	}
	t.Logf("screenshot: %s", shotPath)
}

// TestHTMLInChromiumLongToken opens a report whose customer sent one 60,000-character token, with every
// transcript open: the page stays as wide as the window.
func TestHTMLInChromiumLongToken(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	browser := chromium(t)
	dir := t.TempDir()
	r := fixtureReport(audit.SeverityLow)
	for i := range r.Scenarios {
		for j := range r.Scenarios[i].Transcript {
			r.Scenarios[i].Transcript[j].Text = strings.Repeat("x", 60000)
		}
		r.Scenarios[i].Name += strings.Repeat("y", 60000)
	}
	var b strings.Builder
	if err := HTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, FileHTML)
	if err := os.WriteFile(page, []byte(strings.ReplaceAll(b.String(), `<details class="scenario"`, `<details open class="scenario"`)), 0o644); err != nil {
		t.Fatal(err)
	}
	bctx := openBrowser(t, browser, dir, chromedp.WindowSize(1280, 900))
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+page)); err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 1280 {
		t.Errorf("the page is %d px wide in a 1,280 px window", width)
	}
}

// openBrowser starts headless Chromium for the test, stopped when it ends. chromedp's defaults include
// --headless and --disable-background-networking; the container needs --no-sandbox and has no GPU.
func openBrowser(t *testing.T, browser, dir string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(filepath.Join(dir, "profile")))
	opts = append(opts, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	return bctx
}
