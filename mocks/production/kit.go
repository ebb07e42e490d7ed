package production

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/parley-dev/parley/internal/runca"
)

// The files of a kit in a directory (Kit.Write, LoadKit).
const (
	FileCA          = "ca.pem"
	FileCert        = "cert.pem"
	FileKey         = "key.pem"
	FileCredentials = "google-credentials.json"
)

// TokenURI is where Google's client libraries exchange a service-account key for an access token, as
// written in every key file Google issues.
const TokenURI = "https://" + HostOAuth2 + "/token"

// Kit is what a run impersonating production needs, made for the run: a CA, the certificate it issued
// for every name of Names (what parley serves), and a Google service-account key file (what the
// assistant authenticates with, and what parley checks its signatures against). The assistant gets CA
// and Credentials; parley gets Cert, Key and Credentials.
type Kit struct {
	CA          []byte // the CA's certificate, PEM
	Cert, Key   []byte // the serving certificate chain and its key, PEM
	Credentials []byte // the service-account key file, JSON as Google issues it
}

// NewKit makes a kit whose service account belongs to project.
func NewKit(project string) (*Kit, error) {
	ca, err := runca.New(Names())
	if err != nil {
		return nil, err
	}
	creds, err := newServiceAccountKey(project)
	if err != nil {
		return nil, err
	}
	return &Kit{CA: ca.PEM, Cert: ca.CertPEM, Key: ca.KeyPEM, Credentials: creds}, nil
}

// Files are the kit's files by name.
func (k *Kit) Files() map[string][]byte {
	return map[string][]byte{FileCA: k.CA, FileCert: k.Cert, FileKey: k.Key, FileCredentials: k.Credentials}
}

// Write writes the kit's files into dir (made if need be); the keys are readable by their owner only.
func (k *Kit) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, b := range k.Files() {
		mode := os.FileMode(0o644)
		if name == FileKey || name == FileCredentials {
			mode = 0o600
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, mode); err != nil {
			return err
		}
	}
	return nil
}

// LoadKit reads a kit written by Write, checking that its parts are usable.
func LoadKit(dir string) (*Kit, error) {
	k := &Kit{}
	for name, dst := range map[string]*[]byte{FileCA: &k.CA, FileCert: &k.Cert, FileKey: &k.Key, FileCredentials: &k.Credentials} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("the production kit in %s: %w", dir, err)
		}
		*dst = b
	}
	if _, err := k.certificate(); err != nil {
		return nil, fmt.Errorf("the production kit in %s: %w", dir, err)
	}
	if _, err := parseServiceAccount(k.Credentials); err != nil {
		return nil, fmt.Errorf("the production kit in %s: %s: %w", dir, FileCredentials, err)
	}
	return k, nil
}

// EnsureKit loads the kit in dir, or makes one for project and writes it there when dir holds none.
func EnsureKit(dir, project string) (*Kit, error) {
	if _, err := os.Stat(filepath.Join(dir, FileCA)); err == nil {
		return LoadKit(dir)
	}
	k, err := NewKit(project)
	if err != nil {
		return nil, err
	}
	return k, k.Write(dir)
}

func (k *Kit) certificate() (tls.Certificate, error) {
	return tls.X509KeyPair(k.Cert, k.Key)
}

// ServerTLS is the TLS configuration parley serves the production names with.
func (k *Kit) ServerTLS() (*tls.Config, error) {
	cert, err := k.certificate()
	if err != nil {
		return nil, err
	}
	return runca.ServerTLS(cert), nil
}

// TrustStorePassword is the password of TrustStore: the one every JVM's own cacerts has, since a
// truststore holds nothing secret.
const TrustStorePassword = "changeit"

// TrustStore is the kit's CA as a Java truststore: PKCS #12 with the CA as a trusted certificate entry
// (the attribute Java looks for), which Java 8 and later read (JavaTrustOptions names its type). It is
// protected the legacy way (3DES, SHA-1 MAC), which JVMs read from before their PBES2 support, rather
// than the modern way only recent updates read.
func (k *Kit) TrustStore() ([]byte, error) {
	block, _ := pem.Decode(k.CA)
	if block == nil {
		return nil, errors.New("the kit's CA is not PEM")
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the kit's CA: %w", err)
	}
	return pkcs12.LegacyDES.EncodeTrustStore([]*x509.Certificate{ca}, TrustStorePassword)
}

// JavaTrustOptions are the JVM options (for JAVA_TOOL_OPTIONS, which every JVM reads at start) that make
// the TrustStore written at path the only one it trusts.
func JavaTrustOptions(path string) string {
	return "-Djavax.net.ssl.trustStore=" + path + " -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=" + TrustStorePassword
}

// Pool trusts the kit's CA.
func (k *Kit) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(k.CA)
	return p
}

// serviceAccountFile is a Google service-account key file, the fields Google writes.
type serviceAccountFile struct {
	Type                    string `json:"type"`
	ProjectID               string `json:"project_id"`
	PrivateKeyID            string `json:"private_key_id"`
	PrivateKey              string `json:"private_key"`
	ClientEmail             string `json:"client_email"`
	ClientID                string `json:"client_id"`
	AuthURI                 string `json:"auth_uri"`
	TokenURI                string `json:"token_uri"`
	AuthProviderX509CertURL string `json:"auth_provider_x509_cert_url"`
	ClientX509CertURL       string `json:"client_x509_cert_url"`
	UniverseDomain          string `json:"universe_domain"`
}

// ServiceAccount is the identity in a key file, as parley checks it.
type ServiceAccount struct {
	Email, KeyID, ProjectID string
	Public                  *rsa.PublicKey
}

// serviceAccountName is the account parley makes for an assistant in a project.
func serviceAccountName(project string) string {
	return "parley-assistant@" + project + ".iam.gserviceaccount.com"
}

func newServiceAccountKey(project string) ([]byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 20)
	_, _ = rand.Read(id)
	n, _ := rand.Int(rand.Reader, new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil))
	email := serviceAccountName(project)
	return json.MarshalIndent(serviceAccountFile{
		Type: "service_account", ProjectID: project, PrivateKeyID: hex.EncodeToString(id),
		PrivateKey:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		ClientEmail: email, ClientID: "1" + fmt.Sprintf("%020d", n),
		AuthURI: "https://accounts.google.com/o/oauth2/auth", TokenURI: TokenURI,
		AuthProviderX509CertURL: "https://www.googleapis.com/oauth2/v1/certs",
		ClientX509CertURL:       "https://www.googleapis.com/robot/v1/metadata/x509/" + email,
		UniverseDomain:          "googleapis.com",
	}, "", "  ")
}

// parseServiceAccount reads the identity and public key of a service-account key file.
func parseServiceAccount(b []byte) (*ServiceAccount, error) {
	var f serviceAccountFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("not a service-account key file: %w", err)
	}
	if f.Type != "service_account" || f.ClientEmail == "" {
		return nil, errors.New(`not a service-account key file (want "type": "service_account" and a client_email)`)
	}
	block, _ := pem.Decode([]byte(f.PrivateKey))
	if block == nil {
		return nil, errors.New("its private_key is not PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("its private_key: %w", err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("its private_key is not an RSA key")
	}
	return &ServiceAccount{Email: f.ClientEmail, KeyID: f.PrivateKeyID, ProjectID: f.ProjectID, Public: &rk.PublicKey}, nil
}
