package reference

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// The pooled MACs give what a fresh hmac.New gave, call after call and from many goroutines at once.
func TestMACPoolMatchesFreshHMAC(t *testing.T) {
	key := derive("app-secret", "test")
	p := newMACPool(key)
	fresh := func(in string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(in))
		return m.Sum(nil)
	}
	numbers := []string{"34600000001", "", "447700900123", strings.Repeat("9", 2000), "a:b"}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, n := range numbers {
				for _, gen := range []int{0, 1, 42, -3} {
					if got, want := p.sessionHash(n, gen), hex.EncodeToString(fresh(fmt.Sprintf("%s:%d", n, gen)))[:32]; got != want {
						t.Errorf("sessionHash(%q, %d) = %s, want %s", n, gen, got, want)
					}
				}
				if got, want := p.prefixedHash("suppression:", n), hex.EncodeToString(fresh("suppression:"+n)); got != want {
					t.Errorf("prefixedHash(%q) = %s, want %s", n, got, want)
				}
			}
		}()
	}
	wg.Wait()
}

func TestMACPoolSignedAsSignedBy(t *testing.T) {
	secret := "app-secret"
	p := newMACPool([]byte(secret))
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	good := sign(secret, body)
	headers := []string{
		good,
		"sha256=" + strings.ToUpper(good[len("sha256="):]),
		good[:20] + strings.ToUpper(good[20:40]) + good[40:],
		sign("other", body),
		sign(secret, append(body, ' ')),
		"", "sha256=", good[:len(good)-1], good + "0", "SHA256=" + good[len("sha256="):], "sha1=" + good[len("sha256="):],
		good[:len(good)-1] + "g", good[:len(good)-2] + " 0", "sha256=" + strings.Repeat("0", 64),
	}
	for i := 0; i < 2; i++ { // twice: the second round reuses pooled MACs
		for _, h := range headers {
			if got, want := p.signed(body, h), signedBy(hmac.New(sha256.New, []byte(secret)), body, h); got != want {
				t.Errorf("signed(%q) = %v, want %v", h, got, want)
			}
		}
	}
	if !p.signed(body, good) {
		t.Error("the genuine signature is refused")
	}
}
