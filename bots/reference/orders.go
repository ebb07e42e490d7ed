package reference

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/parley-dev/parley/fixtures"
)

type order struct {
	Number   string `json:"number"`
	WaID     string `json:"wa_id"`
	Placed   string `json:"placed"`
	Status   string `json:"status"`
	Items    string `json:"items"`
	Carrier  string `json:"carrier,omitempty"`
	Tracking string `json:"tracking,omitempty"`
}

type ticket struct {
	Number string `json:"number"`
	WaID   string `json:"wa_id"`
	Date   string `json:"date"`
	Store  string `json:"store"`
	Items  string `json:"items"`
	Total  string `json:"total"`
}

// orderBook is the read-only seed store of orders and purchase tickets (fixtures/orders).
type orderBook struct {
	orders  map[string]order
	byOwner map[string][]order
	tickets map[string][]ticket
}

func loadOrders() (*orderBook, error) {
	raw, err := fixtures.Orders.ReadFile("orders/orders.json")
	if err != nil {
		return nil, fmt.Errorf("seed store: %w", err)
	}
	var doc struct {
		Version string   `json:"version"`
		Orders  []order  `json:"orders"`
		Tickets []ticket `json:"tickets"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("seed store orders/orders.json: %w", err)
	}
	ob := &orderBook{orders: map[string]order{}, byOwner: map[string][]order{}, tickets: map[string][]ticket{}}
	for _, o := range doc.Orders {
		ob.orders[strings.ToUpper(o.Number)] = o
		ob.byOwner[o.WaID] = append(ob.byOwner[o.WaID], o)
	}
	for _, t := range doc.Tickets {
		ob.tickets[t.WaID] = append(ob.tickets[t.WaID], t)
	}
	return ob, nil
}

var orderNumberPattern = regexp.MustCompile(`(?i)\bTE[- ]?(\d{3,8})\b`)

// orderNumberIn finds an order number such as TE-1001 in text.
func orderNumberIn(text string) string {
	m := orderNumberPattern.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return "TE-" + m[1]
}

var statusWords = map[string][2]string{
	"processing": {"en preparación", "being prepared"},
	"shipped":    {"enviado", "shipped"},
	"delivered":  {"entregado", "delivered"},
	"cancelled":  {"cancelado", "cancelled"},
}

func (o order) describe(lang string) string {
	t := text(lang)
	i := 0
	if lang == "en" {
		i = 1
	}
	status := statusWords[o.Status][i]
	if status == "" {
		status = o.Status
	}
	extra := ""
	if o.Carrier != "" {
		if lang == "en" {
			extra = "Carrier " + o.Carrier + ", tracking " + o.Tracking + "."
		} else {
			extra = "Transportista " + o.Carrier + ", seguimiento " + o.Tracking + "."
		}
	}
	return strings.TrimSpace(fmt.Sprintf(t.orderLine, o.Number, o.Items, status, extra))
}
