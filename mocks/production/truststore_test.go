package production_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/production"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// TestTrustStoreHoldsTheCA: the kit's Java truststore, opened with its password, holds the kit's CA and
// nothing else.
func TestTrustStoreHoldsTheCA(t *testing.T) {
	kit, err := production.NewKit(dialogflow.DefaultProject)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := kit.TrustStore()
	if err != nil {
		t.Fatal(err)
	}
	certs, err := pkcs12.DecodeTrustStore(ts, production.TrustStorePassword)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(kit.CA)
	if len(certs) != 1 || !bytes.Equal(certs[0].Raw, block.Bytes) || !certs[0].IsCA {
		t.Errorf("the truststore holds %d certificate(s), want the kit's CA alone", len(certs))
	}
	if _, err := pkcs12.DecodeTrustStore(ts, "wrong"); err == nil {
		t.Error("the truststore opened with another password")
	}
}

// sendJava is a Java client that posts a WhatsApp message with the JDK's own HTTP client: argument 1 the
// URL, 2 the token, 3 the body; it prints the status and body.
const sendJava = `import java.net.URI;
import java.net.http.*;

public class Send {
    public static void main(String[] a) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(a[0]))
            .header("Authorization", "Bearer " + a[1]).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(a[2])).build();
        HttpResponse<String> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        System.out.println(res.statusCode() + " " + res.body());
    }
}
`

// TestJavaTrustsTheTrustStore: a JVM given JavaTrustOptions (as JAVA_TOOL_OPTIONS, as an image gets
// them) reaches graph.facebook.com as parley serves it, over TLS with the run's CA; without them its own
// cacerts refuses the certificate. Skipped where no java is installed.
func TestJavaTrustsTheTrustStore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a JVM twice")
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("no java on this machine")
	}
	s := startStack(t)
	kit, err := production.LoadKit(kitDir)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := kit.TrustStore()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	store, hosts, src := filepath.Join(dir, "parley-run-ca.p12"), filepath.Join(dir, "hosts"), filepath.Join(dir, "Send.java")
	for p, b := range map[string]string{store: string(ts), hosts: "127.0.0.1 graph.facebook.com\n", src: sendJava} {
		if err := os.WriteFile(p, []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, port, _ := strings.Cut(strings.TrimPrefix(s.URL("production"), "https://"), ":")
	url := "https://graph.facebook.com:" + port + "/v23.0/" + whatsapp.DefaultPhoneNumberID + "/messages"
	body := `{"messaging_product":"whatsapp","to":"34600000001","type":"text","text":{"body":"Hola"}}`
	run := func(toolOptions string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, java, "-Djdk.net.hosts.file="+hosts, src, url, whatsapp.DefaultAccessToken, body)
		cmd.Env = append(os.Environ(), "JAVA_TOOL_OPTIONS="+toolOptions)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run(production.JavaTrustOptions(store))
	if err != nil || !strings.Contains(out, "200 {") || !strings.Contains(out, "wamid.") {
		t.Errorf("java with the truststore: %v\n%s", err, out)
	}
	out, err = run("")
	if err == nil || !strings.Contains(out, "PKIX") {
		t.Errorf("java with its own cacerts: %v\n%s; want the certificate refused", err, out)
	}
}
