// Package production lets an assistant that cannot be pointed anywhere reach parley by the production
// names it has built in. Front answers, by the Host asked for (the :authority of a gRPC call), for:
//
//   - graph.facebook.com: the WhatsApp mock, unchanged;
//   - dialogflow.googleapis.com and <region>-dialogflow.googleapis.com (DialogflowRegions), and
//     dlp.googleapis.com: the Dialogflow and DLP mocks, gRPC and REST, once the call's credentials are
//     checked as Google's front end checks them: a Bearer token parley issued, or a JWT the run's
//     service account signed itself (what the official Go clients send: aud the API's https://host/, or
//     a scope claim); anything else is UNAUTHENTICATED with Google's text, journalled as rejected;
//   - oauth2.googleapis.com: POST /token, the JWT bearer grant of a service-account key file, checked
//     (RS256 signature by the key, iss the account, aud the token URI, at most an hour long), answering
//     an access token for an hour; Google's invalid_grant texts otherwise;
//   - metadata.google.internal, over plain HTTP: the metadata server's token, email, scopes, project id
//     and number, zone and universe domain, with Metadata-Flavor: Google required and answered;
//   - hosts an assistant or its libraries commonly call that parley does not model (Names lists them:
//     Google's logging, monitoring, tracing, storage, token exchange, Meta's media CDN, …): every call,
//     like every unmodelled part of a modelled host and every plain-HTTP call to an HTTPS host, is
//     answered 404 (UNIMPLEMENTED over gRPC) and journalled as unmodelled with its host and path, which
//     fails the scenario.
//
// The first call to each API with each kind of credentials, every token issued and every metadata read
// are journalled (source network) so a report shows how the assistant authenticated.
//
// Kit is what a run makes for itself: a CA, the certificate it issued for every name of Names, and a
// Google service-account key file whose token_uri is https://oauth2.googleapis.com/token. The assistant
// trusts the CA and is given the key file; parley serves the certificate and accepts the key's
// signatures. `parley serve --production ADDR --production-http ADDR --production-dir DIR` serves a
// Front (stack.Config.Production); harness/containers resolves the names to it inside a run's network.
//
// Relay forwards connections to an assistant that has no route out of its network.
//
// Proxy (ListenProxy, `--proxy ADDR`) is the way in for an assistant on this machine, whose names
// cannot be made to resolve to parley: an HTTPS proxy on loopback, named by HTTPS_PROXY, that answers
// CONNECT to port 443 of the names above by serving the Front inside the tunnel, and refuses, journalling
// it as unmodelled with the host asked for, a CONNECT anywhere else, to another port, to the metadata
// server (plain HTTP, which the proxy does not carry) and every request that is not a CONNECT. It
// reads at most 8 KiB of request header, for at most 10 seconds, before a tunnel is open.
//
// Not modelled: ID tokens (target_audience), user refresh tokens, workload identity federation, API
// keys, the metadata server at 169.254.169.254 (an assistant reaches it by name, GCE_METADATA_HOST),
// mTLS endpoints, and certificate pinning (an assistant that pins Google's or Meta's certificates cannot
// be certified this way).
package production
