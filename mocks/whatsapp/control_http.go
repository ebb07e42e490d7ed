package whatsapp

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/journal"
)

// MaxControlBytes bounds a control request body (a customer's media travels in it, base64).
const MaxControlBytes = MaxMediaBytes*4/3 + 1<<20

// serveControl serves the /_parley/ routes (docs/control-api.md):
//
//	GET  /_parley/healthz
//	POST /_parley/customers/{wa_id}/messages       CustomerMessage → SendResult
//	GET  /_parley/customers/{wa_id}/inbox[?min=N]  {"messages":[…]} (min waits until N have arrived)
//	POST /_parley/customers/{wa_id}/read
//	POST /_parley/customers/{wa_id}/marketing      {"value":"stop"|"resume"}
//	POST /_parley/customers/{wa_id}/block          {"blocked":true|false}
//	GET  /_parley/journal?after=N                  {"events":[…],"last":N}
//	GET  /_parley/clock, POST /_parley/clock       {"advance":"25h"} | {"set":"RFC3339"} → {"now":…}
//	GET  /_parley/faults, POST /_parley/faults     Faults
//	POST /_parley/templates/{name}/{language}/status  {"status":"PAUSED"}
//	GET  /_parley/idle                             waits until no webhook is pending → {"idle":true}
//	POST /_parley/webhook                          {"url":…}
//	POST /_parley/webhook/verify                   VerifyResult
//	POST /_parley/reset
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/_parley"), "/"), "/")
	ctx := r.Context()
	route := func(method string, n int, names ...string) bool {
		if r.Method != method || len(segs) != n {
			return false
		}
		for i, name := range names {
			if name != "*" && segs[i] != name {
				return false
			}
		}
		return true
	}
	var res any
	var err error
	switch {
	case route(http.MethodGet, 1, "healthz"):
		res = map[string]string{"status": "ok"}
	case route(http.MethodPost, 3, "customers", "*", "messages"):
		var m CustomerMessage
		if err = s.decodeControl(w, r, &m); err == nil {
			res, err = s.SendFromCustomer(ctx, segs[1], m)
		}
	case route(http.MethodPost, 3, "customers", "*", "forged"):
		var v struct {
			CustomerMessage
			Forgery Forgery `json:"forgery"`
		}
		if err = s.decodeControl(w, r, &v); err == nil {
			res, err = s.ForgeWebhook(ctx, segs[1], v.CustomerMessage, v.Forgery)
		}
	case route(http.MethodGet, 3, "customers", "*", "inbox"):
		var msgs []InboxMessage
		if min := r.URL.Query().Get("min"); min != "" {
			n, perr := strconv.Atoi(min)
			if perr != nil || n < 0 {
				err = badRequest("min must be a number of messages")
				break
			}
			msgs, err = s.AwaitInbox(ctx, segs[1], n)
		} else {
			msgs, err = s.Inbox(ctx, segs[1])
		}
		res = map[string]any{"messages": msgs}
	case route(http.MethodPost, 3, "customers", "*", "read"):
		err = s.ReadMessages(ctx, segs[1])
		res = map[string]string{"status": "ok"}
	case route(http.MethodPost, 3, "customers", "*", "marketing"):
		var v struct{ Value string }
		if err = s.decodeControl(w, r, &v); err == nil {
			switch v.Value {
			case "stop":
				err = s.StopPromotions(ctx, segs[1])
			case "resume":
				err = s.ResumePromotions(ctx, segs[1])
			default:
				err = badRequest(`value must be "stop" or "resume"`)
			}
		}
		res = map[string]string{"value": v.Value}
	case route(http.MethodPost, 3, "customers", "*", "block"):
		var v struct {
			Blocked *bool `json:"blocked"`
		}
		if err = s.decodeControl(w, r, &v); err == nil {
			if v.Blocked == nil {
				err = badRequest("blocked (true or false) is required")
			} else {
				err = s.Block(ctx, segs[1], *v.Blocked)
				res = map[string]bool{"blocked": *v.Blocked}
			}
		}
	case route(http.MethodGet, 1, "journal"):
		var after uint64
		if a := r.URL.Query().Get("after"); a != "" {
			var perr error
			if after, perr = strconv.ParseUint(a, 10, 64); perr != nil {
				err = badRequest("after must be a sequence number")
				break
			}
		}
		events, last, _ := s.JournalAfter(ctx, after)
		res = journalPage{Events: events, Last: last}
	case route(http.MethodGet, 1, "clock"):
		res = clockReply{Now: s.clock.Now()}
	case route(http.MethodPost, 1, "clock"):
		var v struct {
			Advance string `json:"advance"`
			Set     string `json:"set"`
		}
		if err = s.decodeControl(w, r, &v); err != nil {
			break
		}
		var now time.Time
		switch {
		case v.Advance != "" && v.Set == "":
			d, perr := time.ParseDuration(v.Advance)
			if perr != nil {
				err = badRequest("advance %q is not a duration like 25h or 90m", v.Advance)
				break
			}
			now, err = s.AdvanceClock(ctx, d)
		case v.Set != "" && v.Advance == "":
			t, perr := time.Parse(time.RFC3339Nano, v.Set)
			if perr != nil {
				err = badRequest("set %q is not an RFC 3339 time", v.Set)
				break
			}
			now, err = s.SetClock(ctx, t)
		default:
			err = badRequest(`give exactly one of "advance" or "set"`)
		}
		res = clockReply{Now: now}
	case route(http.MethodGet, 1, "faults"):
		s.mu.Lock()
		res = s.faults
		s.mu.Unlock()
	case route(http.MethodPost, 1, "faults"):
		var f Faults
		if err = s.decodeControl(w, r, &f); err == nil {
			err = s.SetFaults(ctx, f)
			res = f
		}
	case route(http.MethodPost, 4, "templates", "*", "*", "status"):
		var v struct{ Status string }
		if err = s.decodeControl(w, r, &v); err == nil {
			err = s.SetTemplateStatus(ctx, segs[1], segs[2], v.Status)
			res = map[string]string{"name": segs[1], "language": segs[2], "status": strings.ToUpper(v.Status)}
		}
	case route(http.MethodGet, 1, "idle"):
		err = s.AwaitIdle(ctx)
		res = map[string]bool{"idle": true}
	case route(http.MethodPost, 1, "webhook"):
		var v struct{ URL string }
		if err = s.decodeControl(w, r, &v); err == nil {
			err = s.SetWebhook(ctx, v.URL)
			res = map[string]string{"url": v.URL}
		}
	case route(http.MethodPost, 2, "webhook", "verify"):
		res, err = s.VerifyWebhook(ctx)
	case route(http.MethodPost, 1, "reset"):
		err = s.Reset(ctx)
		res = map[string]string{"status": "ok"}
	default:
		s.journal.Record(journal.SourceWhatsApp, journal.KindUnmodelled, "", journal.RequestData{Method: r.Method, Path: r.URL.Path, HTTP: http.StatusNotFound, Detail: "unknown control route"})
		s.writeControlError(w, http.StatusNotFound, "no control route "+r.Method+" "+r.URL.Path+"; see docs/control-api.md")
		return
	}
	if err != nil {
		status := http.StatusBadRequest
		switch {
		case errors.Is(err, errNotFound):
			status = http.StatusNotFound
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

type journalPage struct {
	Events []journal.Event `json:"events"`
	Last   uint64          `json:"last"`
}

type clockReply struct {
	Now time.Time `json:"now"`
}

func (s *Server) decodeControl(w http.ResponseWriter, r *http.Request, v any) error {
	body, gerr := s.readBody(w, r, MaxControlBytes)
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
