package production

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/journal"
)

// OAuth as Google's token endpoint does it for a service account: the JWT bearer grant (RFC 7523,
// https://developers.google.com/identity/protocols/oauth2/service-account#httprest): the client signs a
// JWT with the key file's private key (RS256, iss the account's email, aud the token URI, scope the
// scopes it wants, at most an hour between iat and exp) and POSTs it as the assertion; the answer is an
// access token for an hour. Google's own Go clients mostly skip the exchange and send a self-signed JWT
// as the bearer token (aud the API's https://host/, or a scope claim); parley accepts both, and tokens
// from the metadata server, and nothing else.

// TokenLifetime is how long an access token parley issues is valid, as Google's are.
const TokenLifetime = time.Hour

// maxTokens bounds the access tokens remembered at once; an assistant that asks for more than that within
// their hour loses its oldest.
const maxTokens = 4096

// skew is how far an assistant's clock may be from parley's when a JWT's times are checked.
const skew = 5 * time.Minute

// claims are the JWT claims Google's clients write.
type claims struct {
	Iss            string `json:"iss"`
	Sub            string `json:"sub"`
	Aud            string `json:"aud"`
	Scope          string `json:"scope"`
	TargetAudience string `json:"target_audience"`
	Iat            int64  `json:"iat"`
	Exp            int64  `json:"exp"`
}

// errBadSignature is a JWT whose signature the account's key does not verify.
var errBadSignature = errors.New("Invalid JWT Signature.")

// verifyJWT checks a compact JWT's RS256 signature against sa and returns its claims.
func verifyJWT(token string, sa *ServiceAccount) (claims, error) {
	var c claims
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(token) > 16<<10 {
		return c, errors.New("not a JWT")
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return c, errors.New("not a JWT")
	}
	if hdr.Alg != "RS256" {
		return c, errors.New("the JWT is not signed with RS256")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return c, errBadSignature
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(sa.Public, crypto.SHA256, sum[:], sig) != nil {
		return c, errBadSignature
	}
	if err := decodeSegment(parts[1], &c); err != nil {
		return c, errors.New("the JWT's claims are not JSON")
	}
	return c, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// timely reports whether c is a short-lived token (an hour at most) that is valid at now.
func (c claims) timely(now time.Time) bool {
	iat, exp := time.Unix(c.Iat, 0), time.Unix(c.Exp, 0)
	return c.Exp > c.Iat && exp.Sub(iat) <= TokenLifetime && !now.Before(iat.Add(-skew)) && !now.After(exp.Add(skew))
}

// tokens are the access tokens parley issued, with when each expires and how it was obtained.
type tokens struct {
	mu   sync.Mutex
	byID map[string]issued
}

type issued struct {
	expires time.Time
	flow    string
}

func (t *tokens) issue(now time.Time, flow string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := "ya29.parley-" + hex.EncodeToString(b) // Google's access tokens start ya29.
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byID == nil {
		t.byID = map[string]issued{}
	}
	if len(t.byID) >= maxTokens {
		for k, v := range t.byID {
			if now.After(v.expires) {
				delete(t.byID, k)
			}
		}
		for k := range t.byID {
			if len(t.byID) < maxTokens {
				break
			}
			delete(t.byID, k)
		}
	}
	t.byID[tok] = issued{expires: now.Add(TokenLifetime), flow: flow}
	return tok
}

// valid returns how tok was obtained, and whether it is a token parley issued that has not expired.
func (t *tokens) valid(tok string, now time.Time) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.byID[tok]
	return v.flow, ok && now.Before(v.expires)
}

// tokenAnswer is the token endpoint's and the metadata server's answer.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// oauthError is the token endpoint's error body (RFC 6749 §5.2).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// Token endpoint errors. The texts are those Google's endpoint gives, as public bug reports quote them;
// the one for a missing scope is inferred.
var (
	errNoAssertion = oauthError{"invalid_request", "Missing required parameter: assertion"}
	errSignature   = oauthError{"invalid_grant", "Invalid JWT Signature."}
	errTimeframe   = oauthError{"invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."}
	errAccount     = oauthError{"invalid_grant", "Invalid grant: account not found"}
	errAudience    = oauthError{"invalid_grant", "Invalid JWT: Failed audience check. The right audience is " + TokenURI}
	errScope       = oauthError{"invalid_scope", "Invalid OAuth scope or ID token audience provided."}
)

// token serves POST /token on oauth2.googleapis.com: the JWT bearer grant for the run's service account.
func (f *Front) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || strings.Trim(r.URL.Path, "/") != "token" {
		f.unmodelled(w, r, "only POST /token, the JWT bearer grant, is modelled")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		f.refuseToken(w, r, http.StatusBadRequest, oauthError{"invalid_request", "The request body could not be read."})
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		if gt == "" {
			f.refuseToken(w, r, http.StatusBadRequest, oauthError{"unsupported_grant_type", "Invalid grant_type: "})
			return
		}
		// Refresh tokens, authorization codes and token exchange belong to users and workload identity
		// federation, not to a service-account key: not modelled.
		f.unmodelled(w, r, "grant_type "+gt)
		return
	}
	assertion := r.PostForm.Get("assertion")
	if assertion == "" {
		f.refuseToken(w, r, http.StatusBadRequest, errNoAssertion)
		return
	}
	c, err := verifyJWT(assertion, f.sa)
	switch {
	case err != nil:
		f.refuseToken(w, r, http.StatusBadRequest, errSignature)
		return
	case c.Iss != f.sa.Email:
		f.refuseToken(w, r, http.StatusBadRequest, errAccount)
		return
	case c.Aud != TokenURI && c.Aud != "https://www.googleapis.com/oauth2/v4/token":
		f.refuseToken(w, r, http.StatusBadRequest, errAudience)
		return
	case !c.timely(f.now()):
		f.refuseToken(w, r, http.StatusBadRequest, errTimeframe)
		return
	case c.TargetAudience != "":
		f.unmodelled(w, r, "ID tokens (target_audience)")
		return
	case strings.TrimSpace(c.Scope) == "":
		f.refuseToken(w, r, http.StatusBadRequest, errScope)
		return
	}
	tok := f.tokens.issue(f.now(), "an access token from "+TokenURI)
	f.record(journal.SourceNetwork, journal.KindRequestAccepted, r, http.StatusOK, "", "access token issued to "+c.Iss+" (JWT bearer grant; scopes "+c.Scope+")")
	writeJSON(w, http.StatusOK, tokenAnswer{AccessToken: tok, ExpiresIn: int(TokenLifetime/time.Second) - 1, TokenType: "Bearer"})
}

func (f *Front) refuseToken(w http.ResponseWriter, r *http.Request, status int, e oauthError) {
	f.record(journal.SourceNetwork, journal.KindRequestRejected, r, status, e.Error, e.Description)
	writeJSON(w, status, e)
}

// bearer checks the credentials of a call to a Google API at host: an access token parley issued, or a
// self-signed JWT of the run's service account for that API (aud https://host/) or with scopes. It
// returns how the credentials were obtained, or why they are refused.
func (f *Front) bearer(r *http.Request, host string) (flow string, err error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	tok = strings.TrimSpace(tok)
	if !ok || tok == "" {
		return "", errors.New("no Bearer token")
	}
	now := f.now()
	if flow, ok := f.tokens.valid(tok, now); ok {
		return flow, nil
	}
	if strings.Count(tok, ".") != 2 {
		return "", errors.New("an access token parley did not issue, or one that expired")
	}
	c, err := verifyJWT(tok, f.sa)
	switch {
	case err != nil:
		return "", err
	case c.Iss != f.sa.Email:
		return "", errors.New("a JWT issued by " + c.Iss + ", not the run's service account")
	case !c.timely(now):
		return "", errors.New("a JWT that is expired, or valid for more than an hour")
	case c.Scope == "" && strings.TrimSuffix(c.Aud, "/") != "https://"+hostOnly(host):
		return "", errors.New("a JWT for audience " + c.Aud + ", not https://" + hostOnly(host) + "/")
	}
	return "a self-signed JWT of " + c.Iss, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
