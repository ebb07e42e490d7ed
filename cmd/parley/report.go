package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parley-dev/parley/report"
)

const reportUsage = `Usage: parley report <render|merge|verify|keygen> [flags] [files]

  render REPORT.json [--out DIR] [--lang en|es]   re-render the HTML, Markdown, JUnit and cucumber files
  merge SHARD.json... --out DIR                   join the reports of a sharded run (parley certify --shard i/n)
  verify REPORT.json --pub KEY [--sig FILE]       check the report's files against their signed manifest (Ed25519)
  keygen --out DIR                                make key.pem and pub.pem for --sign-key and --pub

Examples:
  parley report merge shard1/report.json shard2/report.json --out merged
  parley report verify parley-report/report.json --pub pub.pem
`

func runReport(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, reportUsage)
		return nil
	}
	switch args[0] {
	case "render":
		return reportRender(args[1:], stdout, stderr)
	case "merge":
		return reportMerge(args[1:], stdout, stderr)
	case "verify":
		return reportVerify(args[1:], stdout, stderr)
	case "keygen":
		return reportKeygen(args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, reportUsage)
	return usageError("report: unknown subcommand %q; want render, merge, verify or keygen", args[0])
}

// parseAnywhere parses flags wherever they are among the arguments ("verify report.json --pub k" as well
// as "verify --pub k report.json") and returns the other arguments.
// help is true when -h printed the usage, and the command has nothing more to do.
func parseAnywhere(fs *flag.FlagSet, args []string) (rest []string, help bool, err error) {
	for {
		if help, err := parseFlags(fs, args); help || err != nil {
			return nil, help, err
		}
		if fs.NArg() == 0 {
			return rest, false, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func reportFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("report "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, reportUsage, "\nFlags of ", name, ":\n"); fs.PrintDefaults() }
	return fs
}

func readReport(path string) (report.Report, error) {
	b, err := report.ReadFileMax(path, report.MaxReportBytes)
	if err != nil {
		return report.Report{}, usageError("%v", err)
	}
	r, err := report.Read(bytes.NewReader(b))
	if err != nil {
		return report.Report{}, usageError("%s: %v", path, err)
	}
	return r, nil
}

func reportRender(args []string, stdout, stderr io.Writer) error {
	fs := reportFlags("render", stderr)
	out := fs.String("out", "", "folder to write the renderings to (default: beside the report)")
	lang := fs.String("lang", "", "language of the renderings: en or es (default: the report's)")
	files, help, err := parseAnywhere(fs, args)
	if help || err != nil {
		return err
	}
	if len(files) != 1 {
		return usageError("report render takes one report.json, got %d", len(files))
	}
	r, err := readReport(files[0])
	if err != nil {
		return err
	}
	switch *lang {
	case "":
	case "en", "es":
		r.Lang = *lang
	default:
		return usageError("report render: --lang %q: want en or es", *lang)
	}
	dir := *out
	if dir == "" {
		dir = filepath.Dir(files[0])
	}
	if err := checkWritable(dir); err != nil {
		return usageError("report render: --out %s is not writable (%v)", dir, err)
	}
	written, err := report.RenderDir(dir, r)
	if err != nil {
		return err
	}
	for _, p := range written {
		fmt.Fprintln(stdout, p)
	}
	return nil
}

func reportMerge(args []string, stdout, stderr io.Writer) error {
	fs := reportFlags("merge", stderr)
	out := fs.String("out", "parley-report", "folder the merged report is written to")
	files, help, err := parseAnywhere(fs, args)
	if help || err != nil {
		return err
	}
	if len(files) < 1 {
		return usageError("report merge needs the shards' report.json files")
	}
	var parts []report.Report
	for _, f := range files {
		r, err := readReport(f)
		if err != nil {
			return err
		}
		parts = append(parts, r)
	}
	merged, err := report.Merge(parts)
	if err != nil {
		return usageError("report merge: %v", err)
	}
	if err := checkWritable(*out); err != nil {
		return usageError("report merge: --out %s is not writable (%v)", *out, err)
	}
	if _, err := report.WriteDir(*out, merged, nil); err != nil {
		return err
	}
	printVerdict(stdout, merged, *out)
	return verdictExit(merged)
}

func reportVerify(args []string, stdout, stderr io.Writer) error {
	fs := reportFlags("verify", stderr)
	pubFile := fs.String("pub", "", "the signer's Ed25519 public key (PEM)")
	sigFile := fs.String("sig", "", "the signature of the manifest (default: manifest.sha256.sig beside the report; REPORT.json.sig for a report signed before manifests)")
	files, help, err := parseAnywhere(fs, args)
	if help || err != nil {
		return err
	}
	if len(files) != 1 || *pubFile == "" {
		return usageError("usage: parley report verify report.json --pub pub.pem")
	}
	doc, err := report.ReadFileMax(files[0], report.MaxReportBytes)
	if err != nil {
		return usageError("%v", err)
	}
	pemBytes, err := report.ReadFileMax(*pubFile, report.MaxKeyBytes)
	if err != nil {
		return usageError("%v", err)
	}
	pub, err := report.ParsePublicKey(pemBytes)
	if err != nil {
		return usageError("--pub %s: %v", *pubFile, err)
	}
	covered := "report.json only: signed by a parley that did not sign its other files"
	manifestPath := filepath.Join(filepath.Dir(files[0]), report.FileManifest)
	manifest, err := report.ReadFileMax(manifestPath, report.MaxManifestBytes)
	switch {
	case err == nil:
		if *sigFile == "" {
			*sigFile = manifestPath + ".sig"
		}
		sig, err := report.ReadFileMax(*sigFile, report.MaxSignatureBytes)
		if err != nil {
			return usageError("%v (was the report signed with parley certify --sign-key?)", err)
		}
		sums, err := report.VerifyDir(filepath.Dir(files[0]), manifest, sig, pub)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Dir(files[0]), err)
		}
		// The report named may be a copy outside the folder: it must be the report.json signed.
		if sums[report.FileJSON] != report.HashString(string(doc)) {
			return fmt.Errorf("%s: %w: it is not the report.json the manifest lists", files[0], report.ErrChanged)
		}
		covered = fmt.Sprintf("%d files: %s", len(sums), strings.Join(slices.Sorted(maps.Keys(sums)), ", "))
	case errors.Is(err, os.ErrNotExist):
		if *sigFile == "" {
			*sigFile = files[0] + ".sig"
		}
		sig, err := report.ReadFileMax(*sigFile, report.MaxSignatureBytes)
		if err != nil {
			return usageError("%v (was the report signed with parley certify --sign-key?)", err)
		}
		if err := report.Verify(doc, sig, pub); err != nil {
			return fmt.Errorf("%s: %w", files[0], err)
		}
	default:
		return usageError("%v", err)
	}
	r, err := report.Read(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("%s: signed, but %w", files[0], err)
	}
	// The signature proves who wrote the report; the verdict must also follow from what it holds, so a
	// report signed with a verdict its own scenarios do not give is refused.
	if err := r.Recheck(); err != nil {
		return fmt.Errorf("%s: signed, but %w", files[0], err)
	}
	fmt.Fprintf(stdout, "%s: signature good (%s); verdict %s for %s (suite %s, parley %s)\n", files[0], covered, r.Verdict, r.Assistant.Name, r.Suite.SHA256, r.Parley.BinarySHA256)
	return nil
}

func reportKeygen(args []string, stdout, stderr io.Writer) error {
	fs := reportFlags("keygen", stderr)
	out := fs.String("out", ".", "folder to write key.pem (private, mode 0600) and pub.pem to")
	rest, help, err := parseAnywhere(fs, args)
	if help || err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("report keygen takes no arguments, got %q", rest)
	}
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return err
	}
	privPEM, pubPEM, err := report.MarshalKeys(priv)
	if err != nil {
		return err
	}
	keyPath, pubPath := filepath.Join(*out, "key.pem"), filepath.Join(*out, "pub.pem")
	if _, err := os.Stat(keyPath); err == nil {
		return usageError("report keygen: %s exists; remove it or choose another --out", keyPath)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return usageError("report keygen: %v", err)
	}
	if err := os.WriteFile(keyPath, privPEM, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(pubPath, pubPEM, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n%s\n", keyPath, pubPath)
	return nil
}
