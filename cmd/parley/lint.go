package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parley-dev/parley/certify"
	"github.com/parley-dev/parley/steps"
)

const lintUsage = `Usage: parley lint DIR|FILE...

Checks feature files the way certify does before it runs them: the language header, the Gherkin syntax,
that every step is a documented step (docs/steps.md) and matches only one, that every customer a step
names was introduced, and the shape of conversation tables. It lists every problem of every file, each
with file:line and a fix, then the files that are good.
Exit status: 0 every file is good, 2 a file has a problem (or none was found).

Examples:
  parley lint my-features                 # every .feature file under the folder
  parley lint my-features/optout.feature  # one file
`

// runLint lints the feature files under each argument and prints every problem, then the good files.
func runLint(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, lintUsage) }
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError("lint: name a folder of .feature files or a file (parley lint -h)")
	}
	var good []string
	var problems []steps.Problem
	for _, arg := range fs.Args() {
		if _, err := os.Stat(arg); err != nil {
			return usageError("lint %s: no such file or folder; give a folder of .feature files or a .feature file", arg)
		}
		g, ps := lintPath(arg)
		good = append(good, g...)
		problems = append(problems, ps...)
	}
	printLint(stdout, good, problems)
	if len(problems) > 0 || len(good) == 0 {
		return &exitError{code: 2, err: errSilent}
	}
	return nil
}

// lintPath lints a folder (every .feature file under it) or one file, which exists; the files and problems it returns
// are named from the current directory, as the user gave them, so file:line opens in an editor.
func lintPath(path string) (good []string, problems []steps.Problem) {
	dir, sub := path, "."
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir, sub = filepath.Dir(path), filepath.Base(path)
	}
	runnable, ps := steps.Lint(steps.DirFS(dir), sub)
	return underDir(dir, runnable, ps)
}

// underDir names files and problems of a folder's file system from the current directory.
func underDir(dir string, files []string, problems []steps.Problem) ([]string, []steps.Problem) {
	var good []string
	for _, f := range files {
		good = append(good, filepath.Join(dir, f))
	}
	var out []steps.Problem
	for _, p := range problems {
		p.File = filepath.Join(dir, p.File)
		out = append(out, p)
	}
	return good, out
}

// featuresError is the error of certify --features DIR: when the files have problems, every one of
// them and the good files, as parley lint prints them.
func featuresError(dir string, err error) error {
	var le *certify.LintError
	if !errors.As(err, &le) {
		return usageError("--features %s: %v", dir, err)
	}
	var b strings.Builder
	good, problems := underDir(dir, le.Good, le.Problems)
	printLint(&b, good, problems)
	return usageError("--features %s: the feature files have problems, so nothing was run (parley lint %s checks them again):\n%s",
		dir, dir, strings.TrimRight(b.String(), "\n"))
}

// printLint writes every problem (file:line, what, the fix), then one line counting them and naming the
// good files.
func printLint(w io.Writer, good []string, problems []steps.Problem) {
	bad := map[string]bool{}
	for _, p := range problems {
		fmt.Fprintln(w, p)
		bad[p.File] = true
	}
	files := len(bad) + len(good)
	switch {
	case files == 0:
		fmt.Fprintln(w, "no .feature file found")
		return
	case len(problems) == 0:
		fmt.Fprintf(w, "%s good, no problems\n", plural(len(good), "feature file"))
	default:
		fmt.Fprintf(w, "\n%s in %d of %s\n", plural(len(problems), "problem"), len(bad), plural(files, "feature file"))
	}
	if len(good) > 0 {
		fmt.Fprintf(w, "good:\n  %s\n", strings.Join(good, "\n  "))
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
