package reference

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"

	"github.com/parley-dev/parley/fixtures"
)

// Wording is what the reference assistant shows its customers that another assistant would word, title
// or number differently: a certification suite meant for any assistant must expect none of it.
type Wording struct {
	// Sentences are its messages, in Spanish and English, cut where it fills in a value (an order code,
	// a reference, a date).
	Sentences []string
	// Buttons are the titles of its reply buttons.
	Buttons []string
	// Keywords are the words it tells customers to write to reach a person. The opt-out words it
	// announces (BAJA, STOP) are left out: they are the messaging platforms' convention, which any
	// assistant must honour, so a customer may use them with any assistant.
	Keywords []string
	// Codes are the order and ticket codes of its seed store (fixtures/orders).
	Codes []string
}

// formatVerb is where a text of the assistant takes a value.
var formatVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

// CustomerWording returns the reference assistant's customer-visible texts.
func CustomerWording() (Wording, error) {
	var w Wording
	for _, t := range []*texts{&spanish, &english} {
		v := reflect.ValueOf(*t)
		for i := range v.NumField() {
			s := v.Field(i).String()
			if buttonTexts[v.Type().Field(i).Name] {
				w.Buttons = append(w.Buttons, s)
				continue
			}
			for _, part := range formatVerb.Split(s, -1) {
				if part != "" {
					w.Sentences = append(w.Sentences, part)
				}
			}
		}
	}
	w.Keywords = []string{"AGENTE", "AGENT"}
	codes, err := seedCodes()
	if err != nil {
		return Wording{}, err
	}
	w.Codes = codes
	return w, nil
}

// buttonTexts are the fields of texts that are button titles.
var buttonTexts = map[string]bool{"optInYesButton": true, "optInNoButton": true}

// seedCodes are the order and ticket numbers of the seed store.
func seedCodes() ([]string, error) {
	raw, err := fixtures.Orders.ReadFile("orders/orders.json")
	if err != nil {
		return nil, fmt.Errorf("seed store: %w", err)
	}
	var doc struct {
		Orders  []struct{ Number string } `json:"orders"`
		Tickets []struct{ Number string } `json:"tickets"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("seed store orders/orders.json: %w", err)
	}
	var codes []string
	for _, o := range doc.Orders {
		codes = append(codes, o.Number)
	}
	for _, t := range doc.Tickets {
		codes = append(codes, t.Number)
	}
	return codes, nil
}
