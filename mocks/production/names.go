package production

import (
	"net"
	"slices"
	"strings"
)

// The production hosts parley answers for.
const (
	HostGraph      = "graph.facebook.com"
	HostDialogflow = "dialogflow.googleapis.com"
	HostDLP        = "dlp.googleapis.com"
	HostOAuth2     = "oauth2.googleapis.com"
	// HostMetadata is the GCE metadata server's name; it answers on port 80, over plain HTTP, as the
	// real one does.
	HostMetadata = "metadata.google.internal"
)

// DialogflowRegions are the regions with a Dialogflow host of their own, <region>-dialogflow.googleapis.com
// (https://cloud.google.com/dialogflow/es/docs/how/region and …/cx/docs/concept/region). The official
// clients never derive these: an assistant reaches one by setting its endpoint to the region's host,
// so each is a name it may have hard-coded.
var DialogflowRegions = []string{
	"europe-west1", "europe-west2", "europe-west3", "europe-central2", "australia-southeast1",
	"asia-northeast1", "asia-south1", "asia-southeast1", "northamerica-northeast1", "southamerica-east1",
	"us-central1", "us-east1", "us-west1", "global", "us",
}

// unmodelledHosts are production hosts an assistant or its libraries commonly call that parley does not
// model: each resolves to parley and has its certificate, so a call to one is journalled as unmodelled
// with its host and path (and fails the run) instead of failing somewhere unseen. Google's: the older
// token URL and certificate endpoints (www.googleapis.com, accounts.google.com), token exchange and
// impersonation (sts, iamcredentials), the mTLS variants of the modelled APIs, logging, monitoring,
// tracing, error reporting, storage, Secret Manager, Pub/Sub and Firestore; Meta's media CDN
// (lookaside.fbsbx.com).
var unmodelledHosts = []string{
	"www.googleapis.com", "accounts.google.com", "sts.googleapis.com", "iamcredentials.googleapis.com",
	"dialogflow.mtls.googleapis.com", "dlp.mtls.googleapis.com", "oauth2.mtls.googleapis.com",
	"logging.googleapis.com", "monitoring.googleapis.com", "cloudtrace.googleapis.com", "clouderrorreporting.googleapis.com",
	"storage.googleapis.com", "secretmanager.googleapis.com", "pubsub.googleapis.com", "firestore.googleapis.com",
	"lookaside.fbsbx.com",
}

// Names are every host name parley answers for, modelled or not: the names an assistant's container
// resolves to the mocks, and the names of their certificate.
func Names() []string {
	names := []string{HostGraph, HostDialogflow, HostDLP, HostOAuth2, HostMetadata}
	for _, r := range DialogflowRegions {
		names = append(names, r+"-"+HostDialogflow)
	}
	return append(names, unmodelledHosts...)
}

// service is what a host is.
type service int

const (
	unknown service = iota
	graph
	dialogflowAPI
	dlpAPI
	oauth2
	metadata
)

// serviceOf says which service host (a Host header, with or without a port) is. Any
// <region>-dialogflow.googleapis.com is Dialogflow, whether its region is listed or not: the name
// reached parley.
func serviceOf(host string) service {
	h := strings.ToLower(strings.TrimSuffix(hostOnly(host), "."))
	switch {
	case h == HostGraph:
		return graph
	case h == HostDialogflow, strings.HasSuffix(h, "-"+HostDialogflow) && !strings.Contains(strings.TrimSuffix(h, "-"+HostDialogflow), "."):
		return dialogflowAPI
	case h == HostDLP:
		return dlpAPI
	case h == HostOAuth2:
		return oauth2
	case h == HostMetadata, h == "169.254.169.254":
		return metadata
	}
	return unknown
}

// isKnown reports whether host is one of Names.
func isKnown(host string) bool {
	return slices.Contains(Names(), strings.ToLower(strings.TrimSuffix(hostOnly(host), ".")))
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}
