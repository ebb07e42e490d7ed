package dialogflow

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/parley-dev/parley/journal"
	"google.golang.org/grpc/codes"
)

// production stands for a vendor's production fulfilment backend: any request it sees is a failure.
func production(t *testing.T) (url string, hits *atomic.Int32) {
	t.Helper()
	hits = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"fulfillmentText":"from production"}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, hits
}

// exportCopy copies the export in dir into a temporary folder with old replaced by new in file.
func exportCopy(t *testing.T, dir, file, old, new string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "agent")
	if err := os.CopyFS(root, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	return exportCopyIn(t, root, file, old, new)
}

// exportCopyIn replaces old by new in file of the export copy root.
func exportCopyIn(t *testing.T, root, file, old, new string) string {
	t.Helper()
	p := filepath.Join(root, file)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s does not hold %q", file, old)
	}
	if err := os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestESExportWebhookNeverCalled: the URL in agent.json is the vendor's production backend; without a
// fulfilment URL of its own the mock answers as for an unreachable webhook (200, webhookStatus, the
// intent's static reply) and journals why, and with one it calls that one only.
func TestESExportWebhookNeverCalled(t *testing.T) {
	prod, hits := production(t)
	dir := exportCopy(t, "../../fixtures/agent", "agent.json", `"url": ""`, `"url": "`+prod+`/fulfilment"`)
	const sess = "projects/parley-demo/agent/sessions/prod"

	t.Run("no fulfilment URL", func(t *testing.T) {
		j := journal.New(nil)
		s := RunT(t, WithAgentDir(dir), WithJournal(j))
		resp, err := newClients(t, s)["rest"].detect(testCtx(t), textReq(sess, "¿dónde está mi pedido 12345?", "es"))
		if err != nil {
			t.Fatal(err)
		}
		st := resp.GetWebhookStatus()
		if codes.Code(st.GetCode()) != codes.Unavailable || !strings.HasPrefix(st.GetMessage(), "Webhook call failed. Error: UNAVAILABLE") {
			t.Errorf("webhookStatus %v", st)
		}
		if qr := resp.GetQueryResult(); !strings.Contains(qr.GetFulfillmentText(), "Voy a consultar tu pedido 12345") {
			t.Errorf("reply %q, want the intent's static response", qr.GetFulfillmentText())
		}
		var fd journal.FulfillmentData
		evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindFulfillment })
		if len(evs) != 1 || evs[0].Decode(&fd) != nil || fd.Called || fd.API != "es" || fd.Intent != "order.status" ||
			!strings.Contains(fd.Error, "no fulfilment webhook given") || !strings.Contains(fd.Error, prod+"/fulfilment") {
			t.Errorf("journal %d events, %+v", len(evs), fd)
		}
	})

	t.Run("a fulfilment URL given", func(t *testing.T) {
		url, got := fulfillment(t, func(w http.ResponseWriter, _ *http.Request, _ *dialogflowpb.WebhookRequest) {
			_, _ = w.Write([]byte(`{"fulfillmentText":"local"}`))
		})
		j := journal.New(nil)
		s := RunT(t, WithAgentDir(dir), WithJournal(j), WithFulfillmentURL(url))
		resp, err := newClients(t, s)["grpc"].detect(testCtx(t), textReq(sess, "¿dónde está mi pedido 12345?", "es"))
		if err != nil {
			t.Fatal(err)
		}
		<-got
		if resp.GetQueryResult().GetFulfillmentText() != "local" {
			t.Errorf("reply %q", resp.GetQueryResult().GetFulfillmentText())
		}
		var fd journal.FulfillmentData
		evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindFulfillment })
		if len(evs) != 1 || evs[0].Decode(&fd) != nil || !fd.Called || fd.URL != url || fd.HTTP != 200 || fd.Error != "" {
			t.Errorf("journal %d events, %+v", len(evs), fd)
		}
	})
	if n := hits.Load(); n != 0 {
		t.Errorf("the export's webhook URL got %d requests", n)
	}
}

// TestESFailedWebhookJournalled: a failed call is journalled with its status and error.
func TestESFailedWebhookJournalled(t *testing.T) {
	url, got := fulfillment(t, func(w http.ResponseWriter, _ *http.Request, _ *dialogflowpb.WebhookRequest) {
		w.WriteHeader(http.StatusBadGateway)
	})
	j := journal.New(nil)
	s := RunT(t, WithJournal(j), WithFulfillmentURL(url))
	const sess = "projects/parley-demo/agent/sessions/bad"
	if _, err := newClients(t, s)["rest"].detect(testCtx(t), textReq(sess, "¿dónde está mi pedido 12345?", "es")); err != nil {
		t.Fatal(err)
	}
	<-got
	var fd journal.FulfillmentData
	evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindFulfillment })
	if len(evs) != 1 || evs[0].Decode(&fd) != nil || !fd.Called || fd.HTTP != 502 ||
		fd.Error != "Webhook call failed. Error: 502 Bad Gateway" {
		t.Errorf("journal %d events, %+v", len(evs), fd)
	}
}

// TestCXExportWebhookNeverCalled: the genericWebService.uri of webhooks/*.json is never called.
func TestCXExportWebhookNeverCalled(t *testing.T) {
	prod, hits := production(t)
	dir := exportCopy(t, cxTienda, "webhooks/pedidos.json", "https://api.tienda-ejemplo.es/dialogflow/pedidos", prod)
	j := journal.New(nil)
	s := RunT(t, WithAgentDir(dir), WithJournal(j))
	c := cxClients(t, s)["rest"]
	var qr *cxpb.QueryResult
	for _, text := range []string{"dónde está mi pedido", "48213"} {
		resp, err := c.DetectIntent(testCtx(t), cxText(cxAgent+"/sessions/prod", text, "es"))
		if err != nil {
			t.Fatal(err)
		}
		qr = resp.GetQueryResult()
	}
	if len(qr.GetWebhookStatuses()) == 0 || qr.GetWebhookStatuses()[0].GetCode() != int32(codes.Unavailable) {
		t.Errorf("webhook statuses %v", qr.GetWebhookStatuses())
	}
	var fd journal.FulfillmentData
	evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindFulfillment })
	if len(evs) != 1 || evs[0].Decode(&fd) != nil || fd.Called || !strings.Contains(fd.Error, prod) {
		t.Errorf("journal %d events, %+v", len(evs), fd)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the export's webhook URI got %d requests", n)
	}
}

// TestExportZipFIFO: an export named .zip that is a FIFO is refused at once, not waited on.
func TestExportZipFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "agent.zip")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadAgentDir(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("LoadAgentDir(FIFO): %v", err)
	}
	if _, err := ExportSummary(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("ExportSummary(FIFO): %v", err)
	}
}
