package whatsapp

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/parley-dev/parley/journal"
)

func multipartBody(t *testing.T, fields map[string]string, fileMIME string, data []byte) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if data != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="f"`)
		h.Set("Content-Type", fileMIME)
		p, _ := w.CreatePart(h)
		_, _ = p.Write(data)
	}
	_ = w.Close()
	return w.FormDataContentType(), &buf
}

func TestMediaLifecycle(t *testing.T) {
	s := RunT(t, fixedWall())
	ct, body := multipartBody(t, map[string]string{"messaging_product": "whatsapp", "type": "image/png"}, "image/png", []byte("\x89PNG fake"))
	res := call(t, s, http.MethodPost, "/v23.0/"+s.PhoneNumberID()+"/media", body.String(), map[string]string{"Content-Type": ct})
	id, _ := res.Body["id"].(string)
	if res.Status != 200 || id == "" {
		t.Fatalf("upload HTTP %d %s", res.Status, res.Raw)
	}
	info := call(t, s, http.MethodGet, "/v23.0/"+id, "", nil)
	if info.Status != 200 || info.Body["mime_type"] != "image/png" || info.Body["file_size"] != float64(9) || info.Body["messaging_product"] != "whatsapp" {
		t.Fatalf("info %s", info.Raw)
	}
	url := info.Body["url"].(string)
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("download without the token: %v %v", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	req.Header.Set("Authorization", "Bearer "+s.AccessToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != "\x89PNG fake" || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("download %d %q", resp.StatusCode, got)
	}
	openWindow(t, s, lucia)
	if r := send(t, s, `{"messaging_product":"whatsapp","to":"`+lucia+`","type":"image","image":{"id":"`+id+`"}}`); r.Status != 200 {
		t.Errorf("send by uploaded id: %s", r.Raw)
	}
	if del := call(t, s, http.MethodDelete, "/v23.0/"+id, "", nil); del.Status != 200 || del.Body["success"] != true {
		t.Errorf("delete %s", del.Raw)
	}
	if again := call(t, s, http.MethodGet, "/v23.0/"+id, "", nil); again.Status != 400 || again.code() != 100 {
		t.Errorf("after delete %s", again.Raw)
	}

	t.Run("customer media can be downloaded", func(t *testing.T) {
		if _, err := s.SendFromCustomer(testCtx(t), lucia, CustomerMessage{Type: "document", Data: []byte("%PDF"), Filename: "dni.pdf"}); err != nil {
			t.Fatal(err)
		}
		var in journal.InboundData
		_ = lastEvent(t, s.Journal(), journal.KindInboundFailed).Decode(&in) // no webhook set: failed, but the media exists
		var msg struct{ Document struct{ ID string } }
		_ = json.Unmarshal(in.Message, &msg)
		if r := call(t, s, http.MethodGet, "/v23.0/"+msg.Document.ID, "", nil); r.Status != 200 || r.Body["mime_type"] != "application/pdf" {
			t.Errorf("customer media %s", r.Raw)
		}
	})
}

func TestMediaRefused(t *testing.T) {
	s := RunT(t, fixedWall())
	path := "/v23.0/" + DefaultPhoneNumberID + "/media"
	ctGood, good := multipartBody(t, map[string]string{"messaging_product": "whatsapp"}, "image/jpeg", []byte("jpeg"))
	ctNoProduct, noProduct := multipartBody(t, nil, "image/jpeg", []byte("x"))
	ctNoFile, noFile := multipartBody(t, map[string]string{"messaging_product": "whatsapp"}, "", nil)
	ctExe, exe := multipartBody(t, map[string]string{"messaging_product": "whatsapp"}, "application/x-msdownload", []byte("MZ"))
	tests := []struct {
		name     string
		ct       string
		body     string
		path     string
		wantHTTP int
		wantCode int
	}{
		{name: "not multipart", ct: "application/json", body: `{}`, wantHTTP: 400, wantCode: 100},
		{name: "no messaging_product", ct: ctNoProduct, body: noProduct.String(), wantHTTP: 400, wantCode: 100},
		{name: "no file", ct: ctNoFile, body: noFile.String(), wantHTTP: 400, wantCode: 100},
		{name: "unsupported type", ct: ctExe, body: exe.String(), wantHTTP: 400, wantCode: 131053},
		{name: "unknown phone number", ct: ctGood, body: good.String(), path: "/v23.0/1/media", wantHTTP: 400, wantCode: 100},
		{name: "truncated multipart", ct: ctGood, body: good.String()[:good.Len()/2], wantHTTP: 400, wantCode: 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := path
			if tc.path != "" {
				p = tc.path
			}
			res := call(t, s, http.MethodPost, p, tc.body, map[string]string{"Content-Type": tc.ct})
			if res.Status != tc.wantHTTP || res.code() != tc.wantCode {
				t.Errorf("HTTP %d %s", res.Status, res.Raw)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		srv := RunT(t, func(c *config) error { c.maxMedia = 1024; return nil })
		ct, body := multipartBody(t, map[string]string{"messaging_product": "whatsapp"}, "image/jpeg", bytes.Repeat([]byte("x"), 4096))
		res := call(t, srv, http.MethodPost, path, body.String(), map[string]string{"Content-Type": ct})
		if res.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("HTTP %d %s", res.Status, res.Raw)
		}
	})
}

func TestMediaURLs(t *testing.T) {
	s := RunT(t, fixedWall(), WithPublicURL("http://whatsapp-mock:4010/"))
	if _, err := s.SendFromCustomer(testCtx(t), lucia, CustomerMessage{Type: "image"}); err != nil {
		t.Fatal(err)
	}
	var in journal.InboundData
	_ = lastEvent(t, s.Journal(), journal.KindInboundFailed).Decode(&in)
	var msg struct{ Image struct{ ID, URL string } }
	_ = json.Unmarshal(in.Message, &msg)
	if msg.Image.URL != "http://whatsapp-mock:4010/_media/"+msg.Image.ID {
		t.Errorf("webhook media url %q", msg.Image.URL)
	}
	info := call(t, s, http.MethodGet, "/v23.0/"+msg.Image.ID, "", nil)
	if info.Body["url"] != s.URL()+"/_media/"+msg.Image.ID {
		t.Errorf("GET media url %v, want the host the request came to", info.Body["url"])
	}
	if _, err := NewServer(WithPublicURL("whatsapp-mock:4010")); err == nil {
		t.Error("a public URL without a scheme was accepted")
	}
}

// TestMediaUploadJournalled: every accepted upload is journalled as media.uploaded with its bytes, so the
// auditor can read a data export the assistant sends as a document; refused uploads are not.
func TestMediaUploadJournalled(t *testing.T) {
	big := bytes.Repeat([]byte("x"), MaxJournalledMediaBytes+10)
	tests := []struct {
		name          string
		fields        map[string]string
		mime          string
		data          []byte
		wantStatus    int
		wantContent   []byte
		wantTruncated bool
	}{
		// WhatsApp takes no application/json documents: a JSON export travels as text/plain.
		{name: "json export", fields: map[string]string{"messaging_product": "whatsapp", "type": "text/plain"},
			mime: "text/plain", data: []byte(`{"name":"Lucía"}`), wantStatus: 200, wantContent: []byte(`{"name":"Lucía"}`)},
		{name: "type from the file part, parameters dropped", fields: map[string]string{"messaging_product": "whatsapp"},
			mime: "text/plain; charset=utf-8", data: []byte("hola"), wantStatus: 200, wantContent: []byte("hola")},
		{name: "large file is cut in the journal", fields: map[string]string{"messaging_product": "whatsapp", "type": "text/plain"},
			mime: "text/plain", data: big, wantStatus: 200, wantContent: big[:MaxJournalledMediaBytes], wantTruncated: true},
		{name: "refused upload is not journalled", fields: map[string]string{"messaging_product": "whatsapp", "type": "application/zip"},
			mime: "application/zip", data: []byte("PK"), wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := RunT(t, fixedWall())
			ct, body := multipartBody(t, tt.fields, tt.mime, tt.data)
			res := call(t, s, http.MethodPost, "/v23.0/"+s.PhoneNumberID()+"/media", body.String(), map[string]string{"Content-Type": ct})
			if res.Status != tt.wantStatus {
				t.Fatalf("upload HTTP %d, want %d: %s", res.Status, tt.wantStatus, res.Raw)
			}
			evs := s.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindMediaUploaded })
			if tt.wantStatus != 200 {
				if len(evs) != 0 {
					t.Fatalf("a refused upload was journalled: %s", evs[0].Data)
				}
				return
			}
			if len(evs) != 1 {
				t.Fatalf("%d media.uploaded events, want 1", len(evs))
			}
			var md journal.MediaData
			if err := evs[0].Decode(&md); err != nil {
				t.Fatal(err)
			}
			base := strings.TrimSpace(strings.Split(tt.mime, ";")[0])
			if md.ID != res.Body["id"] || md.MimeType != base || md.Filename != "f" || md.Size != len(tt.data) ||
				md.Truncated != tt.wantTruncated || !bytes.Equal(md.Content, tt.wantContent) || evs[0].Source != journal.SourceWhatsApp {
				t.Errorf("media.uploaded = {id %q mime %q file %q size %d truncated %v, %d bytes}, want id %v mime %q size %d truncated %v, %d bytes",
					md.ID, md.MimeType, md.Filename, md.Size, md.Truncated, len(md.Content), res.Body["id"], base, len(tt.data), tt.wantTruncated, len(tt.wantContent))
			}
		})
	}
}
