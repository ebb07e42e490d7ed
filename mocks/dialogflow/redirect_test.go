package dialogflow

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/parley-dev/parley/journal"
	"google.golang.org/grpc/codes"
)

// redirector answers every request with a redirect of the given status to a second server, and counts
// what reached that second server.
func redirector(t *testing.T, status int) (url string, away *atomic.Int32) {
	t.Helper()
	away = new(atomic.Int32)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		away.Add(1)
		_, _ = w.Write([]byte(`{"fulfillmentText":"from elsewhere"}`))
	}))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/fulfilment", status)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, away
}

// TestWebhookRedirectNotFollowed: a fulfilment webhook that answers with a redirect is a failed call with
// the real service's text for a non-2xx answer, in ES and in CX, and the host redirected to gets nothing:
// the request carries the conversation and the vendor's headers, and the fulfilment URL is the only host
// the run chose.
func TestWebhookRedirectNotFollowed(t *testing.T) {
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run("ES "+http.StatusText(status), func(t *testing.T) {
			url, away := redirector(t, status)
			j := journal.New(nil)
			s := RunT(t, WithJournal(j), WithFulfillmentURL(url))
			resp, err := newClients(t, s)["rest"].detect(testCtx(t), textReq("projects/parley-demo/agent/sessions/redir", "¿dónde está mi pedido 12345?", "es"))
			if err != nil {
				t.Fatal(err)
			}
			if n := away.Load(); n != 0 {
				t.Fatalf("the redirect was followed: the other host got %d requests", n)
			}
			want := "Webhook call failed. Error: " + strconv.Itoa(status) + " " + http.StatusText(status)
			st := resp.GetWebhookStatus()
			if codes.Code(st.GetCode()) != codes.Internal || st.GetMessage() != want {
				t.Errorf("webhookStatus %v, want code 13 %q", st, want)
			}
			var fd journal.FulfillmentData
			evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindFulfillment })
			if len(evs) != 1 || evs[0].Decode(&fd) != nil || !fd.Called || fd.HTTP != status || fd.Error != want {
				t.Errorf("journal %d events, %+v", len(evs), fd)
			}
		})
		t.Run("CX "+http.StatusText(status), func(t *testing.T) {
			url, away := redirector(t, status)
			j := journal.New(nil)
			s := RunT(t, WithAgentFS(miniCX()), WithFulfillmentURL(url), WithJournal(j))
			c := cxClients(t, s)["grpc"]
			for _, text := range []string{"where is my order", "it is ana@example.com"} {
				resp, err := c.DetectIntent(testCtx(t), cxText(cxAgent+"/sessions/redir", text, "en"))
				if err != nil {
					t.Fatal(err)
				}
				if sts := resp.GetQueryResult().GetWebhookStatuses(); len(sts) > 0 {
					want := "Webhook call failed. Error: UNAVAILABLE, State: URL_ERROR, HTTP status code: " + strconv.Itoa(status) + "."
					if codes.Code(sts[0].GetCode()) != codes.Unavailable || sts[0].GetMessage() != want {
						t.Errorf("webhook status %v, want code 14 %q", sts[0], want)
					}
				}
			}
			if n := away.Load(); n != 0 {
				t.Fatalf("the redirect was followed: the other host got %d requests", n)
			}
			var fd journal.FulfillmentData
			evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindFulfillment })
			if len(evs) != 1 || evs[0].Decode(&fd) != nil || !fd.Called || fd.HTTP != status {
				t.Errorf("journal %d events, %+v", len(evs), fd)
			}
		})
	}
}
