package parleycontainer_test

import (
	"context"
	"fmt"
	"log"

	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/parleycontainer"
)

// A vendor's test: the mocks in a container, the assistant under test on the host (listening on all
// interfaces, port 8080, configured with c.BotContract()), and a simulated customer saying hello.
func Example() {
	ctx := context.Background()
	c, err := parleycontainer.Run(ctx)
	if err != nil {
		log.Fatal(err) // e.g. no Docker engine
	}
	defer c.Terminate(ctx)

	// Start the assistant here with c.BotContract() as its environment (WHATSAPP_API_URL, …), then point
	// the mock's webhook at it: the hub.challenge handshake runs before the first message.
	if err := c.Control().SetWebhook(ctx, parleycontainer.HostURL(8080, "/webhook")); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Control().SendFromCustomer(ctx, "34600111222", whatsapp.CustomerMessage{Text: "Hola", Name: "Lucía"}); err != nil {
		log.Fatal(err)
	}
	inbox, err := c.Control().AwaitInbox(ctx, "34600111222", 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inbox[0].Text)
}
