package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxControlBytes bounds a control request body (a customer's media travels in it, base64).
const MaxControlBytes = MaxMediaBytes*4/3 + 1<<20

// controlRoute answers a control route (the table is in routes.go, the contract in docs/control-api.md):
// fn's result as JSON, or its error in the control error envelope: 400 for a wrong call, 404 for
// something unknown, 504 for a wait that ran out of time.
func (s *Server) controlRoute(fn func(w http.ResponseWriter, r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		res, err := fn(w, r)
		if err != nil {
			status := http.StatusBadRequest
			switch {
			case errors.Is(err, errNotFound):
				status = http.StatusNotFound
			case errors.Is(err, errTooLarge):
				status = http.StatusRequestEntityTooLarge
			case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
				status = http.StatusGatewayTimeout
			case !errors.Is(err, errBadRequest):
				status = http.StatusInternalServerError
			}
			s.writeControlError(w, status, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, res)
	}
}

func (s *Server) controlHealthz(w http.ResponseWriter, r *http.Request) (any, error) {
	return map[string]string{"status": "ok"}, nil
}

// controlSend: CustomerMessage → SendResult.
func (s *Server) controlSend(w http.ResponseWriter, r *http.Request) (any, error) {
	var m CustomerMessage
	if err := s.decodeControl(w, r, &m); err != nil {
		return nil, err
	}
	return s.SendFromCustomer(r.Context(), r.PathValue("wa_id"), m)
}

// controlForge: CustomerMessage and {"forgery":…} → SendResult.
func (s *Server) controlForge(w http.ResponseWriter, r *http.Request) (any, error) {
	var v struct {
		CustomerMessage
		Forgery Forgery `json:"forgery"`
	}
	if err := s.decodeControl(w, r, &v); err != nil {
		return nil, err
	}
	return s.ForgeWebhook(r.Context(), r.PathValue("wa_id"), v.CustomerMessage, v.Forgery)
}

// controlInbox: {"messages":[…]}; with ?min=N it waits until N have arrived.
func (s *Server) controlInbox(w http.ResponseWriter, r *http.Request) (any, error) {
	var msgs []InboxMessage
	var err error
	if min := r.URL.Query().Get("min"); min != "" {
		n, perr := strconv.Atoi(min)
		if perr != nil || n < 0 {
			return nil, badRequest("min must be a number of messages")
		}
		msgs, err = s.AwaitInbox(r.Context(), r.PathValue("wa_id"), n)
	} else {
		msgs, err = s.Inbox(r.Context(), r.PathValue("wa_id"))
	}
	return map[string]any{"messages": msgs}, err
}

func (s *Server) controlRead(w http.ResponseWriter, r *http.Request) (any, error) {
	return map[string]string{"status": "ok"}, s.ReadMessages(r.Context(), r.PathValue("wa_id"))
}

// controlMarketing: {"value":"stop"|"resume"}.
func (s *Server) controlMarketing(w http.ResponseWriter, r *http.Request) (any, error) {
	var v struct{ Value string }
	if err := s.decodeControl(w, r, &v); err != nil {
		return nil, err
	}
	var err error
	switch v.Value {
	case "stop":
		err = s.StopPromotions(r.Context(), r.PathValue("wa_id"))
	case "resume":
		err = s.ResumePromotions(r.Context(), r.PathValue("wa_id"))
	default:
		err = badRequest(`value must be "stop" or "resume"`)
	}
	return map[string]string{"value": v.Value}, err
}

// controlBlock: {"blocked":true|false}.
func (s *Server) controlBlock(w http.ResponseWriter, r *http.Request) (any, error) {
	var v struct {
		Blocked *bool `json:"blocked"`
	}
	if err := s.decodeControl(w, r, &v); err != nil {
		return nil, err
	}
	if v.Blocked == nil {
		return nil, badRequest("blocked (true or false) is required")
	}
	return map[string]bool{"blocked": *v.Blocked}, s.Block(r.Context(), r.PathValue("wa_id"), *v.Blocked)
}

func (s *Server) controlClock(w http.ResponseWriter, r *http.Request) (any, error) {
	return clockReply{Now: s.clock.Now()}, nil
}

// controlSetClock: {"advance":"25h"} | {"set":"RFC3339"} → {"now":…}.
func (s *Server) controlSetClock(w http.ResponseWriter, r *http.Request) (any, error) {
	var v struct {
		Advance string `json:"advance"`
		Set     string `json:"set"`
	}
	if err := s.decodeControl(w, r, &v); err != nil {
		return nil, err
	}
	var now time.Time
	var err error
	switch {
	case v.Advance != "" && v.Set == "":
		d, perr := time.ParseDuration(v.Advance)
		if perr != nil {
			return nil, badRequest("advance %q is not a duration like 25h or 90m", v.Advance)
		}
		if d < 0 {
			// AdvanceClock's own error names the Go method; over HTTP the way back is this route.
			return nil, badRequest(`advance %q: the clock only advances; to go back, POST /_parley/clock {"set":"2026-03-02T09:00:00Z"} (an RFC 3339 time)`, v.Advance)
		}
		now, err = s.AdvanceClock(r.Context(), d)
	case v.Set != "" && v.Advance == "":
		t, perr := time.Parse(time.RFC3339Nano, v.Set)
		if perr != nil {
			return nil, badRequest("set %q is not an RFC 3339 time", v.Set)
		}
		now, err = s.SetClock(r.Context(), t)
	default:
		return nil, badRequest(`give exactly one of "advance" or "set"`)
	}
	return clockReply{Now: now}, err
}

// controlStatusDelivery: StatusDelivery.
func (s *Server) controlStatusDelivery(w http.ResponseWriter, r *http.Request) (any, error) {
	var d StatusDelivery
	if err := s.decodeControl(w, r, &d); err != nil {
		return nil, err
	}
	return d, s.SetStatusDelivery(r.Context(), d)
}

// controlTemplateStatus: {"status":"PAUSED"}.
func (s *Server) controlTemplateStatus(w http.ResponseWriter, r *http.Request) (any, error) {
	var v struct{ Status string }
	if err := s.decodeControl(w, r, &v); err != nil {
		return nil, err
	}
	name, language := r.PathValue("name"), r.PathValue("language")
	return map[string]string{"name": name, "language": language, "status": strings.ToUpper(v.Status)},
		s.SetTemplateStatus(r.Context(), name, language, v.Status)
}

// controlIdle waits until no webhook is pending → {"idle":true}; with ?wa_id=… (repeated), until none
// concerning those customers is.
func (s *Server) controlIdle(w http.ResponseWriter, r *http.Request) (any, error) {
	if ids := r.URL.Query()["wa_id"]; len(ids) > 0 {
		for _, id := range ids {
			if err := checkWaID(id); err != nil {
				return nil, err
			}
		}
		return map[string]bool{"idle": true}, s.AwaitIdleFor(r.Context(), ids...)
	}
	return map[string]bool{"idle": true}, s.AwaitIdle(r.Context())
}

// controlWebhook: {"url":…}.
func (s *Server) controlWebhook(w http.ResponseWriter, r *http.Request) (any, error) {
	var v struct{ URL string }
	if err := s.decodeControl(w, r, &v); err != nil {
		return nil, err
	}
	return map[string]string{"url": v.URL}, s.SetWebhook(r.Context(), v.URL)
}

// controlVerify → VerifyResult.
func (s *Server) controlVerify(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.VerifyWebhook(r.Context())
}

func (s *Server) controlReset(w http.ResponseWriter, r *http.Request) (any, error) {
	return map[string]string{"status": "ok"}, s.Reset(r.Context())
}

type clockReply struct {
	Now time.Time `json:"now"`
}

func (s *Server) decodeControl(w http.ResponseWriter, r *http.Request, v any) error {
	body, gerr := s.readBody(w, r, MaxControlBytes)
	if gerr != nil && gerr.HTTP == http.StatusRequestEntityTooLarge {
		return fmt.Errorf("%w: %s", errTooLarge, gerr.Details)
	}
	if gerr != nil {
		return badRequest("%s", gerr.Message)
	}
	if gerr := decodeJSON(body, v); gerr != nil {
		return badRequest("%s", gerr.Details)
	}
	return nil
}

// writeControlError answers a control call in the Graph envelope, type ParleyControlException, code the
// HTTP status, so one client parser reads both faces.
func (s *Server) writeControlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorEnvelope{Error: errorBody{Message: msg, Type: "ParleyControlException", Code: status, FBTraceID: s.traceID()}})
}
