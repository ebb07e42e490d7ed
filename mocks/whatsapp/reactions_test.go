package whatsapp

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// reactTo is the reaction request as Meta's reaction-messages page gives it.
func reactTo(waID, messageID, emoji string) string {
	return `{"messaging_product":"whatsapp","recipient_type":"individual","to":"` + waID + `","type":"reaction","reaction":{"message_id":"` + messageID + `","emoji":"` + emoji + `"}}`
}

// statusesByID reads the status webhooks rcv accepted: for each message id, its statuses in order, a
// failed one as "failed:<code>".
func statusesByID(t *testing.T, rcv *receiver) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, b := range rcv.Bodies() {
		var env struct {
			Entry []struct {
				Changes []struct {
					Value struct {
						Statuses []struct {
							ID, Status string
							Errors     []struct{ Code int }
						}
					}
				}
			}
		}
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatal(err)
		}
		for _, e := range env.Entry {
			for _, c := range e.Changes {
				for _, st := range c.Value.Statuses {
					s := st.Status
					if len(st.Errors) > 0 {
						s += ":" + strconv.Itoa(st.Errors[0].Code)
					}
					out[st.ID] = append(out[st.ID], s)
				}
			}
		}
	}
	return out
}

// TestReactions: a reaction to a message of the chat (the customer's, or the business's own) is sent and
// gets only "sent"; one to a message that is not in this chat, is a reaction itself, or is more than 30
// days old is accepted with 200 and then fails with 131009, as Meta's reaction-messages page says; the
// empty emoji removes a reaction.
func TestReactions(t *testing.T) {
	rcv := newReceiver(t)
	s := RunT(t, fixedWall(), WithWebhook(rcv.URL()))
	ctx := testCtx(t)
	inbound := openWindow(t, s, lucia)
	own := send(t, s, textTo(lucia, "Su pedido ha salido.")).messageID()
	other, err := s.SendFromCustomer(ctx, "34600999888", CustomerMessage{Text: "Hola"})
	if err != nil {
		t.Fatal(err)
	}
	custReaction := customerSays(t, s, CustomerMessage{Type: "reaction", Emoji: "❤️"}).ID

	type want struct{ name, body, status string }
	cases := []want{
		{"to the customer's message", reactTo(lucia, inbound, "👍"), "sent"},
		{"to the business's own message", reactTo(lucia, own, "\\uD83D\\uDE00"), "sent"},
		{"removing it", reactTo(lucia, own, ""), "sent"},
		{"to an unknown message", reactTo(lucia, "wamid.HBgLMzQ2MDAxMTEyMjIVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA", "👍"), "failed:131009"},
		{"to another customer's message", reactTo(lucia, other.ID, "👍"), "failed:131009"},
		{"to a reaction", reactTo(lucia, custReaction, "👍"), "failed:131009"},
	}
	ids := make([]string, len(cases))
	for i, tc := range cases {
		res := send(t, s, tc.body)
		if res.Status != 200 || res.messageID() == "" {
			t.Fatalf("%s: HTTP %d %s, want 200 and a wamid", tc.name, res.Status, res.Raw)
		}
		ids[i] = res.messageID()
	}
	if err := s.AwaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	got := statusesByID(t, rcv)
	for i, tc := range cases {
		if g := strings.Join(got[ids[i]], ","); g != tc.status {
			t.Errorf("%s: statuses %q, want %q", tc.name, g, tc.status)
		}
	}

	// 30 days on: the customer writes again (the window is open), the old messages cannot be reacted to.
	s.clock.Advance(MaxReactionAge + time.Hour)
	fresh := openWindow(t, s, lucia)
	old := send(t, s, reactTo(lucia, inbound, "👍")).messageID()
	ok := send(t, s, reactTo(lucia, fresh, "👍")).messageID()
	if err := s.AwaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	got = statusesByID(t, rcv)
	if g := strings.Join(got[old], ","); g != "failed:131009" {
		t.Errorf("a message 30 days old: statuses %q, want failed:131009", g)
	}
	if g := strings.Join(got[ok], ","); g != "sent" {
		t.Errorf("a fresh message: statuses %q, want sent", g)
	}
}

// TestReactionRefusals: what Graph refuses before accepting a reaction.
func TestReactionRefusals(t *testing.T) {
	s := RunT(t, fixedWall())
	inbound := openWindow(t, s, lucia)
	for _, tc := range []struct{ name, body, want string }{
		{"without emoji", `{"messaging_product":"whatsapp","to":"` + lucia + `","type":"reaction","reaction":{"message_id":"` + inbound + `"}}`, "reaction['emoji']"},
		{"without message_id", `{"messaging_product":"whatsapp","to":"` + lucia + `","type":"reaction","reaction":{"emoji":"👍"}}`, "reaction['message_id']"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := send(t, s, tc.body)
			if res.Status != 400 || res.code() != 100 || !strings.Contains(string(res.Raw), tc.want) {
				t.Errorf("HTTP %d %s, want 400, code 100 naming %s", res.Status, res.Raw, tc.want)
			}
		})
	}
}
