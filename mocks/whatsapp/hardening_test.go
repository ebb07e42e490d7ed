package whatsapp

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// do sends method url with body and the access token, and returns the status and the body.
func do(t *testing.T, method, url, body string, header map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestInvalidUTF8SendRefused: a send whose JSON body carries invalid UTF-8 is refused with Graph's 400
// envelope (code 100), and the journal page stays valid JSON and valid UTF-8.
func TestInvalidUTF8SendRefused(t *testing.T) {
	s := RunT(t, WithPairRate(0))
	auth := map[string]string{"Authorization": "Bearer " + DefaultAccessToken}
	body := "{\"messaging_product\":\"whatsapp\",\"to\":\"34600000001\",\"type\":\"text\",\"text\":{\"body\":\"hola \xff\xfe\"}}"
	status, b := do(t, http.MethodPost, s.URL()+"/v23.0/"+DefaultPhoneNumberID+"/messages", body, auth)
	var env struct {
		Error struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			Code    int    `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &env); err != nil || status != http.StatusBadRequest || env.Error.Code != CodeInvalidParameter || env.Error.Type != "OAuthException" {
		t.Fatalf("invalid UTF-8 send: %d %s (%v), want 400 with code 100", status, b, err)
	}
	if !strings.Contains(env.Error.Message, "UTF-8") {
		t.Errorf("message %q does not say what is wrong", env.Error.Message)
	}
	status, page := do(t, http.MethodGet, s.URL()+"/_parley/journal", "", nil)
	if status != http.StatusOK || !utf8.Valid(page) || !json.Valid(page) {
		t.Fatalf("journal page %d, valid UTF-8 %t, valid JSON %t", status, utf8.Valid(page), json.Valid(page))
	}
}

// TestLongPathsJournalledCapped: requests with 60 KB paths, refused for want of a token, unmodelled or
// unknown under /_parley/, each leave an event of bounded size: a flood of them cannot grow the journal
// by what they send.
func TestLongPathsJournalledCapped(t *testing.T) {
	s := RunT(t)
	long := strings.Repeat("a", 60<<10)
	paths := []string{"/v23.0/" + long, "/" + long + "/x/y/z", "/_parley/" + long, "/v23.0/" + long + "/media"}
	for _, p := range paths {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			do(t, m, s.URL()+p, "{}", nil)
		}
	}
	evs := s.Journal().Events()
	if len(evs) < len(paths)*3 {
		t.Fatalf("%d events for %d requests", len(evs), len(paths)*3)
	}
	for _, e := range evs {
		if len(e.Data) > 8<<10 {
			t.Errorf("%s event of %d bytes for a refused request: %.200s", e.Kind, len(e.Data), e.Data)
		}
	}
}

// TestResetFreesMedia: uploads are held until /_parley/reset and not after it: the journal keeps its
// first MaxJournalledMediaBytes of each, copied, rather than a view that would pin the whole upload.
func TestResetFreesMedia(t *testing.T) {
	s := RunT(t)
	const files, size = 6, 8 << 20
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for i := 0; i < files; i++ {
		data := bytes.Repeat([]byte{byte(i)}, size)
		ct, body := multipartBody(t, map[string]string{"messaging_product": "whatsapp"}, "application/pdf", data)
		res := call(t, s, http.MethodPost, "/v23.0/"+s.PhoneNumberID()+"/media", body.String(), map[string]string{"Content-Type": ct})
		if res.Status != http.StatusOK {
			t.Fatalf("upload %d: %d %s", i, res.Status, res.Raw)
		}
	}
	if status, b := do(t, http.MethodPost, s.URL()+"/_parley/reset", "", nil); status != http.StatusOK {
		t.Fatalf("reset: %d %s", status, b)
	}
	// What may stay: the journal's copy of each upload's first MiB, as bytes and as base64 in its JSON.
	kept := uint64(files) * MaxJournalledMediaBytes * 3
	after := heap()
	if grown := after - min(before, after); grown > kept+(4<<20) {
		t.Errorf("after reset the heap holds %d MiB more than before %d MiB of uploads, want at most %d MiB",
			grown>>20, files*size>>20, (kept+(4<<20))>>20)
	}
	runtime.KeepAlive(s)
}
