package whatsapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// FuzzWebhookRoundTrip builds the inbound webhook of an arbitrary customer text and profile name with the
// mock's own builder, delivers it over loopback to a receiver that checks X-Hub-Signature-256 over the
// raw bytes (as an assistant must), and checks the round trip: the signature verifies, the body is the
// ASCII-escaped encoding Meta signs, the text and name come back exactly (invalid UTF-8 as U+FFFD, as
// any JSON encoder must), and a body changed by one byte no longer verifies. Refused input is a
// bad-request error, never a panic.
func FuzzWebhookRoundTrip(f *testing.F) {
	for _, seed := range []struct{ text, name string }{
		{"hola", "Lucía"},
		{"Mi DNI es 12345678Z y mi IBAN ES91 2100 0418 4502 0005 1332", "José Ñúñez"},
		{"</script><b>&amp;</b> 100% @home \\/ \"quoted\"", "O'Brien"},
		{"😀 emoji beyond the BMP 𝄞", "名前"},
		{"\u2028\u2029 line separators", "\x00"},
		{"\xff\xfe not UTF-8", "\xc3"},
		{strings.Repeat("a", 4096), ""},
	} {
		f.Add(seed.text, seed.name)
	}
	var mu sync.Mutex
	var got []byte
	var sigOK bool
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			io.WriteString(w, r.URL.Query().Get("hub.challenge"))
			return
		}
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, sigOK = b, VerifySignature(DefaultAppSecret, b, r.Header.Get("X-Hub-Signature-256"))
		mu.Unlock()
	}))
	f.Cleanup(rcv.Close)
	s, err := NewServer(fixedWall(), WithWebhook(rcv.URL+"/webhook"), WithWebhookRetry(1, 0))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })

	f.Fuzz(func(t *testing.T, text, name string) {
		res, err := s.SendFromCustomer(t.Context(), lucia, CustomerMessage{Text: text, Name: name})
		if err != nil {
			if !errors.Is(err, errBadRequest) {
				t.Fatalf("text %q name %q: %v is not a bad-request error", text, name, err)
			}
			return
		}
		if res.Error != "" || res.WebhookStatus != http.StatusOK {
			t.Fatalf("text %q: delivery %+v", text, res)
		}
		mu.Lock()
		body, ok := got, sigOK
		mu.Unlock()
		if !ok {
			t.Fatalf("text %q: the receiver could not verify the signature of %q", text, body)
		}
		for i, c := range body {
			if c >= utf8.RuneSelf {
				t.Fatalf("byte %d of the body is not ASCII (Meta escapes every non-ASCII character): %q", i, body)
			}
		}
		var env struct {
			Entry []struct {
				Changes []struct {
					Value struct {
						Contacts []struct {
							Profile struct{ Name string }
						}
						Messages []struct {
							Text struct{ Body string }
						}
					}
				}
			}
		}
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("the webhook body is not JSON: %v: %q", err, body)
		}
		v := env.Entry[0].Changes[0].Value
		if want := validUTF8(text); v.Messages[0].Text.Body != want {
			t.Fatalf("text came back as %q, want %q", v.Messages[0].Text.Body, want)
		}
		if name != "" {
			if want := validUTF8(name); v.Contacts[0].Profile.Name != want {
				t.Fatalf("name came back as %q, want %q", v.Contacts[0].Profile.Name, want)
			}
		}
		tampered := bytes.Clone(body)
		tampered[len(tampered)/2] ^= 0x01
		if VerifySignature(DefaultAppSecret, tampered, Sign(DefaultAppSecret, body)) {
			t.Fatal("a body changed by one bit still verifies")
		}
	})
}

// validUTF8 is s as encoding/json writes it: each byte of invalid UTF-8 becomes U+FFFD.
func validUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r) // utf8.RuneError for an invalid byte, n == 1
		i += n
	}
	return b.String()
}
