package control

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// MaxAnswerBytes bounds what a control client reads of one answer (a journal page can be large).
const MaxAnswerBytes = 256 << 20

// Call makes one control call of a mock's client: in, when not nil, goes as a JSON body to
// base + "/_parley" + path. It returns the answer's status and body; err is only a failure to ask or to
// read, named after mock ("whatsapp control GET /inbox: …"). Endpoint.Do turns a non-2xx answer into an
// *Error.
func Call(ctx context.Context, hc *http.Client, mock, base, method, path string, in any) (status int, body []byte, err error) {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, nil, fmt.Errorf("%s control: encoding request: %w", mock, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+"/_parley"+path, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("%s control: %w", mock, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s control %s %s: %w", mock, method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswerBytes))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s control %s %s: reading answer: %w", mock, method, path, err)
	}
	return resp.StatusCode, b, nil
}

// ErrorMessage is the message of an error answer in the Graph or the Google envelope (both are
// {"error":{"message":…}}), or "" when b is neither.
func ErrorMessage(b []byte) string {
	var env struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &env) != nil {
		return ""
	}
	return env.Error.Message
}
