package report

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Keys are PEM files as OpenSSL writes them (`openssl genpkey -algorithm ed25519 -out key.pem`,
// `openssl pkey -in key.pem -pubout -out pub.pem`): PKCS #8 "PRIVATE KEY" and PKIX "PUBLIC KEY".

// ParsePrivateKey reads an Ed25519 private key from PEM.
func ParsePrivateKey(pemBytes []byte) (ed25519.PrivateKey, error) {
	b, _ := pem.Decode(pemBytes)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM \"PRIVATE KEY\" (make one with: openssl genpkey -algorithm ed25519 -out key.pem)")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("reading the private key: %w", err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the private key is a %T, not Ed25519", k)
	}
	return ek, nil
}

// ParsePublicKey reads an Ed25519 public key from PEM.
func ParsePublicKey(pemBytes []byte) (ed25519.PublicKey, error) {
	b, _ := pem.Decode(pemBytes)
	if b == nil || b.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM \"PUBLIC KEY\" (derive one with: openssl pkey -in key.pem -pubout -out pub.pem)")
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("reading the public key: %w", err)
	}
	ek, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("the public key is a %T, not Ed25519", k)
	}
	return ek, nil
}

// MarshalKeys encodes a key pair as the PEM files ParsePrivateKey and ParsePublicKey read.
func MarshalKeys(priv ed25519.PrivateKey) (privPEM, pubPEM []byte, err error) {
	p8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, err
	}
	pk, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pk}), nil
}

// Sign returns the detached signature of report.json's exact bytes, base64-encoded on one line: the
// content of report.json.sig.
func Sign(reportJSON []byte, key ed25519.PrivateKey) []byte {
	return []byte(base64.StdEncoding.EncodeToString(ed25519.Sign(key, reportJSON)) + "\n")
}

// ErrBadSignature says the signature does not match the report and key: the report was edited, or signed
// with another key.
var ErrBadSignature = errors.New("the signature does not match: report.json was changed after signing, or another key signed it")

// Verify checks a detached signature made by Sign.
func Verify(reportJSON, sig []byte, pub ed25519.PublicKey) error {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sig)))
	if err != nil || len(raw) != ed25519.SignatureSize {
		return errors.New("the signature file is not a base64 Ed25519 signature")
	}
	if !ed25519.Verify(pub, reportJSON, raw) {
		return ErrBadSignature
	}
	return nil
}

// HashFS is the SHA-256 of a suite of files: the hash of the sorted lines "sha256(content)  path" of every
// file matching the extension (like sha256sum's output), so a change to any file, or a file added or
// removed, changes it.
func HashFS(fsys fs.FS, ext string) (string, int, error) {
	var lines []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ext {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		lines = append(lines, hex.EncodeToString(sum[:])+"  "+p+"\n")
		return nil
	})
	if err != nil {
		return "", 0, err
	}
	slices.Sort(lines)
	return HashString(strings.Join(lines, "")), len(lines), nil
}

// HashString is the hex SHA-256 of s.
func HashString(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// HashFile is the hex SHA-256 of a file's content (the parley binary's, in a report).
func HashFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// A signature over report.json alone would let anyone edit report.html, which is what people read. So
// a signed report folder holds a manifest, manifest.sha256, with the SHA-256 of every file parley wrote
// (in sha256sum's format, so `sha256sum -c manifest.sha256` checks it too), and the signature is over
// the manifest.

// The files of a signed report folder.
const (
	FileManifest    = "manifest.sha256"
	FileManifestSig = "manifest.sha256.sig"
)

// ErrChanged says a file the manifest lists is missing or differs from what was signed.
var ErrChanged = errors.New("changed after signing")

// Manifest is the content of manifest.sha256 for the named files of dir (base names), sorted by name.
func Manifest(dir string, names []string) ([]byte, error) {
	names = slices.Sorted(slices.Values(names))
	var b strings.Builder
	for _, n := range names {
		if !plainName(n) {
			return nil, fmt.Errorf("manifest: %q is not a file name of the folder", n)
		}
		sum, err := hashFileMax(filepath.Join(dir, n), MaxReportBytes)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, n)
	}
	return []byte(b.String()), nil
}

// SignDir writes dir's manifest of the named files and the manifest's signature.
func SignDir(dir string, names []string, key ed25519.PrivateKey) error {
	m, err := Manifest(dir, names)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, FileManifest), m, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, FileManifestSig), Sign(m, key), 0o644)
}

// VerifyDir checks a manifest against its signature, then every file it lists in dir against its hash.
// It returns the hash of each file listed, by name.
func VerifyDir(dir string, manifest, sig []byte, pub ed25519.PublicKey) (map[string]string, error) {
	if err := Verify(manifest, sig, pub); err != nil {
		return nil, fmt.Errorf("%s: %w", FileManifest, err)
	}
	sums := map[string]string{}
	for i, line := range strings.Split(strings.TrimSuffix(string(manifest), "\n"), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 || !plainName(name) {
			return nil, fmt.Errorf("%s:%d: not a line \"SHA-256  file name\"", FileManifest, i+1)
		}
		sums[name] = sum
	}
	for _, name := range slices.Sorted(maps.Keys(sums)) {
		got, err := hashFileMax(filepath.Join(dir, name), MaxReportBytes)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w: the signed report has it, the folder does not", name, ErrChanged)
		}
		if err != nil {
			return nil, err
		}
		if got != sums[name] {
			return nil, fmt.Errorf("%s: %w: its SHA-256 is not the one signed", name, ErrChanged)
		}
	}
	return sums, nil
}

// plainName is a file name without a folder: a manifest names files of its own folder only.
func plainName(n string) bool {
	return n != "" && n != "." && n != ".." && !strings.ContainsAny(n, `/\`) && !strings.ContainsRune(n, 0)
}

func hashFileMax(name string, max int64) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, max+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if n > max {
		return "", fmt.Errorf("%s: %w: more than %d bytes", name, ErrFileTooLarge, max)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
