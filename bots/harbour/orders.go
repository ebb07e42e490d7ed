package harbour

// order is one order of Harbour Books' staging backend.
type order struct {
	waID, title, state string
}

// testOrders is the staging backend's order book, which the assistant's profile declares as its test
// data: each order answers only to its own customer's number.
func testOrders() map[string]order {
	return map[string]order{
		"HB-50017": {waID: "447700900417", title: "The Lighthouse Keeper's Atlas", state: "shipped"},
		"HB-50022": {waID: "34611000422", title: "Mareas del Cantábrico", state: "preparing"},
	}
}

func (o order) status(lang string) string {
	states := map[string][2]string{
		"shipped":   {"on its way, dispatched with Royal Mail", "en camino, enviado por Correos"},
		"preparing": {"being packed in our shop", "preparándose en la librería"},
	}
	s, ok := states[o.state]
	if !ok {
		return o.state
	}
	if lang == "es" {
		return s[1]
	}
	return s[0]
}
