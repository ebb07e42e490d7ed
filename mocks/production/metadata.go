package production

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/parley-dev/parley/journal"
)

// The metadata server as a GCE, GKE or Cloud Run instance sees it
// (https://cloud.google.com/compute/docs/metadata/querying-metadata): plain HTTP on
// metadata.google.internal, every request must carry Metadata-Flavor: Google, and every answer carries
// it back (the client libraries check it to tell they run on Google Cloud). Modelled: the default
// service account's access token, email and scopes, the project id and number, the zone and the
// universe domain, what the client libraries ask for; anything else is unmodelled.

// NumericProjectID is the project number the metadata server gives.
const NumericProjectID = "100000000001"

// metadataZone is the zone the instance is said to run in.
const metadataZone = "europe-west1-b"

func (f *Front) metadata(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Metadata-Flavor", "Google")
	if r.Header.Get("Metadata-Flavor") != "Google" {
		// The text the real server answers a request without the header with (inferred from public
		// reports; the status is documented).
		f.record(journal.SourceNetwork, journal.KindRequestRejected, r, http.StatusForbidden, "", "no Metadata-Flavor: Google header")
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "Missing required header \"Metadata-Flavor\": \"Google\"\n")
		return
	}
	p := strings.TrimSuffix(r.URL.Path, "/")
	sa := "/computeMetadata/v1/instance/service-accounts/"
	var body string
	switch {
	case r.Method != http.MethodGet:
	case p == "":
		// The libraries' "am I on Google Cloud" probe: any answer with the header.
		body = "computeMetadata/\n"
	case p == sa+"default/token" || p == sa+f.sa.Email+"/token":
		tok := f.tokens.issue(f.now(), "an access token from the metadata server")
		f.record(journal.SourceNetwork, journal.KindRequestAccepted, r, http.StatusOK, "", "access token issued to "+f.sa.Email+" (metadata server)")
		writeJSON(w, http.StatusOK, tokenAnswer{AccessToken: tok, ExpiresIn: int(TokenLifetime/time.Second) - 1, TokenType: "Bearer"})
		return
	case p == sa+"default/email" || p == sa+f.sa.Email+"/email":
		body = f.sa.Email
	case p == sa+"default/scopes" || p == sa+f.sa.Email+"/scopes":
		body = "https://www.googleapis.com/auth/cloud-platform\n"
	case p == "/computeMetadata/v1/project/project-id":
		body = f.sa.ProjectID
	case p == "/computeMetadata/v1/project/numeric-project-id":
		body = NumericProjectID
	case p == "/computeMetadata/v1/instance/zone":
		body = fmt.Sprintf("projects/%s/zones/%s", NumericProjectID, metadataZone)
	case p == "/computeMetadata/v1/universe/universe-domain":
		body = "googleapis.com"
	}
	if body == "" {
		f.unmodelled(w, r, "")
		return
	}
	f.record(journal.SourceNetwork, journal.KindRequestAccepted, r, http.StatusOK, "", "")
	w.Header().Set("Content-Type", "application/text")
	io.WriteString(w, body)
}
