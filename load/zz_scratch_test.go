package load

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

func TestZZScratch(t *testing.T) {
	ctx := context.Background()
	t0 := time.Now()
	env, _ := harness.StartEmbedded(ctx, harness.Options{WhatsApp: []whatsapp.Option{whatsapp.WithMPS(0)}, Bot: []reference.Option{reference.WithSendRate(0)}})
	fmt.Println("start", time.Since(t0))
	t0 = time.Now()
	tg := Target{World: env.World, Journal: env.Journal, Settle: env.Settle}
	Run(ctx, tg, Config{Customers: 1000})
	fmt.Println("run", time.Since(t0))
	t0 = time.Now()
	env.Settle(ctx)
	fmt.Println("settle", time.Since(t0))
	t0 = time.Now()
	audit.Run(env.Journal.Events(), audit.Options{})
	fmt.Println("audit", time.Since(t0))
	t0 = time.Now()
	env.Close()
	fmt.Println("close", time.Since(t0))
}
