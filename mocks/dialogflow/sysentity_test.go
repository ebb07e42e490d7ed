package dialogflow

import (
	"reflect"
	"testing"
	"testing/fstest"
	"time"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
)

// TestCXSysRecognisers: each system entity of CX's own is read from English and Spanish text with the
// value CX gives it, relative to a fixed day (Wednesday 11 June 2025); text without one is left alone.
func TestCXSysRecognisers(t *testing.T) {
	now := time.Date(2025, 6, 11, 15, 0, 0, 0, time.UTC)
	period := func(y1, m1, d1, y2, m2, d2 int) map[string]any {
		return map[string]any{"startDate": map[string]any{"year": float64(y1), "month": float64(m1), "day": float64(d1)},
			"endDate": map[string]any{"year": float64(y2), "month": float64(m2), "day": float64(d2)}}
	}
	for _, tc := range []struct {
		name, entity, lang, text string
		asked                    bool
		want                     any
		orig                     string
	}{
		{"city en", "@sys.geo-city", "en", "I'm flying to new york tomorrow", false, "New York", "new york"},
		{"city es exonym", "@sys.geo-city", "es", "quiero ir a Nueva York", false, "Nueva York", "Nueva York"},
		{"city es from english name", "@sys.geo-city", "es", "a London", false, "Londres", "London"},
		{"city unaccented", "@sys.geo-city", "es", "vuelo a bogota", false, "Bogotá", "bogota"},
		{"no city", "@sys.geo-city", "en", "somewhere warm", false, nil, ""},
		{"person intro en", "@sys.person", "en", "my name is John Smith", false, map[string]any{"name": "John Smith"}, "John Smith"},
		{"person intro stops at a common word", "@sys.person", "en", "I'm Ana and I need help", false, map[string]any{"name": "Ana"}, "Ana"},
		{"person intro es", "@sys.person", "es", "me llamo María José", false, map[string]any{"name": "María José"}, "María José"},
		{"person bare reply when asked", "@sys.person", "en", "Mark", true, map[string]any{"name": "Mark"}, "Mark"},
		{"person bare reply not asked", "@sys.person", "en", "Mark", false, nil, ""},
		{"common words are no person", "@sys.person", "en", "I'm done", true, nil, ""},
		{"yes is no person", "@sys.person", "es", "sí", true, nil, ""},
		{"next week", "@sys.date-period", "en", "sometime next week please", false, period(2025, 6, 16, 2025, 6, 22), "next week"},
		{"this month", "@sys.date-period", "en", "this month", false, period(2025, 6, 1, 2025, 6, 30), "this month"},
		{"last year", "@sys.date-period", "en", "last year", false, period(2024, 1, 1, 2024, 12, 31), "last year"},
		{"this weekend", "@sys.date-period", "en", "this weekend", false, period(2025, 6, 14, 2025, 6, 15), "this weekend"},
		{"month range en", "@sys.date-period", "en", "July 3-10", false, period(2025, 7, 3, 2025, 7, 10), "July 3-10"},
		{"semana que viene", "@sys.date-period", "es", "la semana que viene", false, period(2025, 6, 16, 2025, 6, 22), "la semana que viene"},
		{"el mes pasado", "@sys.date-period", "es", "el mes pasado", false, period(2025, 5, 1, 2025, 5, 31), "el mes pasado"},
		{"próximo mes", "@sys.date-period", "es", "el próximo mes", false, period(2025, 7, 1, 2025, 7, 31), "el próximo mes"},
		{"day range es, a past month is next year's", "@sys.date-period", "es", "del 3 al 10 de marzo", false, period(2026, 3, 3, 2026, 3, 10), "del 3 al 10 de marzo"},
		{"in a month es", "@sys.date-period", "es", "en agosto", false, period(2025, 8, 1, 2025, 8, 31), "en agosto"},
		{"a plain date is no period", "@sys.date-period", "en", "on March 3", false, nil, ""},
		{"address en", "@sys.address", "en", "send it to 221B Baker Street, London", false, "221B Baker Street, London", "221B Baker Street, London"},
		{"address en abbreviated", "@sys.address", "en", "1600 Main St.", false, "1600 Main St.", "1600 Main St."},
		{"address es", "@sys.address", "es", "vivo en la Calle Mayor 5, Madrid", false, "Calle Mayor 5, Madrid", "Calle Mayor 5, Madrid"},
		{"address es with nº", "@sys.address", "es", "Avenida de la Constitución nº 12", false, "Avenida de la Constitución nº 12", "Avenida de la Constitución nº 12"},
		{"no address", "@sys.address", "en", "my street", false, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, orig, ok := cxSysRecognisers[tc.entity](tc.lang, tc.text, now, tc.asked)
			if ok != (tc.want != nil) || !reflect.DeepEqual(v, tc.want) || orig != tc.orig {
				t.Errorf("%s %q: got %v %q %v, want %v %q", tc.entity, tc.text, v, orig, ok, tc.want, tc.orig)
			}
		})
	}
}

// TestCXEnglishFormOfOwnEntities: an English form fills a city and a composite entity (a number and a
// size of the agent's own), then a conditional response reads the composite's parts; an intent's
// @sys.geo-city parameter is read from the matched text.
func TestCXEnglishFormOfOwnEntities(t *testing.T) {
	m := miniCX()
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	m["entityTypes/size/size.json"] = file(`{"name":"e-size","displayName":"size","kind":"KIND_MAP"}`)
	m["entityTypes/size/entities/en.json"] = file(`{"entities":[{"value":"large","synonyms":["large","big","checked"]},{"value":"small","synonyms":["small","carry on"]}]}`)
	m["entityTypes/luggage/luggage.json"] = file(`{"name":"e-luggage","displayName":"luggage","kind":"KIND_MAP"}`)
	m["entityTypes/luggage/entities/en.json"] = file(`{"entities":[{"value":"bags","synonyms":["@sys.number:count @size:size bags","@sys.number:count @size:size bag"]}]}`)
	m["intents/order.status/order.status.json"] = file(`{"name":"i-1","displayName":"order.status","priority":500000,"parameters":[{"id":"city","entityType":"@sys.geo-city"}]}`)
	m["intents/order.status/trainingPhrases/en.json"] = file(`{"trainingPhrases":[{"id":"p1","parts":[{"text":"where is my order"}]},{"id":"p2","parts":[{"text":"where is my order in "},{"text":"Paris","parameterId":"city"}]}]}`)
	m["flows/Default Start Flow/pages/Order.json"] = file(`{"name":"p-order","displayName":"Order",
		"form":{"parameters":[
			{"displayName":"city","required":true,"entityType":"@sys.geo-city","fillBehavior":{"initialPromptFulfillment":{"messages":[{"text":{"text":["Which city?"]}}]}}},
			{"displayName":"luggage","required":true,"entityType":"@luggage","fillBehavior":{"initialPromptFulfillment":{"messages":[{"text":{"text":["How many bags?"]}}]}}}]},
		"transitionRoutes":[{"condition":"$page.params.status = \"FINAL\"","triggerFulfillment":{
			"messages":[{"text":{"text":["Shipping to $session.params.city."]}}],
			"conditionalCases":[{"cases":[
				{"condition":"$session.params.luggage.size = \"large\" AND $session.params.luggage.count > 1","caseContent":[{"message":{"text":{"text":["$session.params.luggage.count large bags cost extra."]}}}]},
				{"caseContent":[{"message":{"text":{"text":["Your bags travel free."]}}}]}]}]},
			"targetPage":"Done"}]}`)
	s := RunT(t, WithAgentFS(m))
	ctx := testCtx(t)
	say := func(session, text string) *cxpb.QueryResult {
		t.Helper()
		resp, err := s.detectCX(ctx, "grpc", cxText(cxAgent+"/sessions/"+session, text, "en"))
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetQueryResult()
	}
	texts := func(qr *cxpb.QueryResult) []string {
		var out []string
		for _, m := range qr.GetResponseMessages() {
			out = append(out, m.GetText().GetText()...)
		}
		return out
	}
	if got := texts(say("a", "where is my order")); !reflect.DeepEqual(got, []string{"Which city?"}) {
		t.Fatalf("entering the form: %q", got)
	}
	if got := texts(say("a", "to San Francisco")); !reflect.DeepEqual(got, []string{"How many bags?"}) {
		t.Fatalf("after the city: %q", got)
	}
	qr := say("a", "3 big bags")
	if got := texts(qr); !reflect.DeepEqual(got, []string{"Shipping to San Francisco.", "3 large bags cost extra.", "Anything else?"}) {
		t.Errorf("after the bags: %q", got)
	}
	if got := qr.GetParameters().AsMap()["luggage"]; !reflect.DeepEqual(got, map[string]any{"count": float64(3), "size": "large"}) {
		t.Errorf("luggage = %#v", got)
	}

	qr = say("b", "where is my order in london")
	if got := qr.GetParameters().AsMap()["city"]; got != "London" {
		t.Errorf("the intent's city = %#v", got)
	}
	if got := texts(qr); !reflect.DeepEqual(got, []string{"How many bags?"}) {
		t.Fatalf("the city came with the intent: %q", got)
	}
	if got := texts(say("b", "one small bag")); !reflect.DeepEqual(got, []string{"Shipping to London.", "Your bags travel free.", "Anything else?"}) {
		t.Errorf("one small bag: %q", got)
	}
}
