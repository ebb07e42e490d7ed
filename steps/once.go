package steps

import (
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"

	"github.com/cucumber/godog"
	"github.com/cucumber/godog/formatters"
)

// A failed step's error carries the customers' transcripts, so that a reader of the report sees what
// they lived. godog prints a failed step's error more than once with %+v: under the step (pretty), in
// its "Failed steps" summary, and under go test in the scenario's subtest failure. transcriptOnce makes
// every printing after the first leave the transcripts out; Error, which the report and the certify
// console read, always holds them.

// transcriptStart finds where a customer's transcript begins in an error (sim.Customer.Transcript).
var transcriptStart = regexp.MustCompile(`(?m)^.+ \(\+\d+, [a-z]+\) said:$`)

// onceError is a step's error whose transcripts are printed by the first %v only.
type onceError struct {
	err     error
	printed atomic.Bool
}

func (e *onceError) Error() string { return e.err.Error() }
func (e *onceError) Unwrap() error { return e.err }

// Format prints the whole error the first time, and then the error without its transcripts, pointing at
// where they were.
func (e *onceError) Format(f fmt.State, verb rune) {
	msg := e.err.Error()
	if e.printed.Swap(true) {
		if loc := transcriptStart.FindStringIndex(msg); loc != nil && loc[0] > 0 {
			msg = msg[:loc[0]] + "(the transcript is printed above)"
		}
	}
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", msg)
	default:
		fmt.Fprint(f, msg)
	}
}

var errorType = reflect.TypeFor[error]()

// transcriptOnce wraps a step function so that the error it returns is an onceError; the function keeps
// its type, which godog reads to match the step's arguments.
func transcriptOnce(fn any) any {
	v := reflect.ValueOf(fn)
	t := v.Type()
	if t.Kind() != reflect.Func || t.NumOut() == 0 || t.Out(t.NumOut()-1) != errorType {
		return fn
	}
	last := t.NumOut() - 1
	return reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
		out := v.Call(args)
		if err, ok := out[last].Interface().(error); ok && err != nil && transcriptStart.MatchString(err.Error()) {
			wrapped := reflect.New(errorType).Elem()
			wrapped.Set(reflect.ValueOf(&onceError{err: err}))
			out[last] = wrapped
		}
		return out
	}).Interface()
}

// Under go test (godog's TestingT) every scenario is a subtest, and a failed one's failure shows its
// error with the customers' transcripts; godog's progress and pretty formatters would print every failed
// step again in their summary. RunSuite gives go test these formatters instead, which end with the
// counts alone.
const (
	formatProgressUnderTest = "parley-progress-under-test"
	formatPrettyUnderTest   = "parley-pretty-under-test"
)

func init() {
	godog.Format(formatProgressUnderTest, "progress, without repeating failed steps (each is its subtest's failure)", func(suite string, out io.Writer) formatters.Formatter {
		return progressUnderTest{ProgressFmt: godog.NewProgressFmt(suite, out), out: out}
	})
	godog.Format(formatPrettyUnderTest, "pretty, without repeating failed steps (each is its subtest's failure)", func(suite string, out io.Writer) formatters.Formatter {
		return prettyUnderTest{godog.NewPrettyFmt(suite, out)}
	})
}

type progressUnderTest struct {
	*godog.ProgressFmt
	out io.Writer
}

// Summary ends the row of dots as progress does, then prints the counts.
func (f progressUnderTest) Summary() {
	if left := *f.Steps % f.StepsPerRow; left != 0 {
		pad := ""
		if *f.Steps > f.StepsPerRow {
			pad = strings.Repeat(" ", f.StepsPerRow-left)
		}
		fmt.Fprintf(f.out, "%s %d\n", pad, *f.Steps)
	}
	fmt.Fprintln(f.out, "")
	f.Base.Summary()
}

type prettyUnderTest struct{ *godog.PrettyFmt }

// Summary prints the counts.
func (f prettyUnderTest) Summary() { f.Base.Summary() }

// underTest names the formatters of a godog format option (name[:file], comma-separated) that go test
// uses instead of progress and pretty.
func underTest(format string) string {
	parts := strings.Split(format, ",")
	for i, p := range parts {
		name, file, hasFile := strings.Cut(p, ":")
		switch name {
		case "progress":
			name = formatProgressUnderTest
		case "pretty":
			name = formatPrettyUnderTest
		}
		parts[i] = name
		if hasFile {
			parts[i] += ":" + file
		}
	}
	return strings.Join(parts, ",")
}
