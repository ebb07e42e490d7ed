// Package parleycontainer runs parley's mocks of the WhatsApp Business Cloud API, Dialogflow and Cloud DLP
// in a container for another project's Go tests, in the style of the testcontainers-go modules
// (LocalStack, fake-gcs-server): one call, Run, and a handle with the endpoints to give the assistant under
// test and a control client to play its customers.
//
//	c, err := parleycontainer.Run(ctx) // ports on loopback only (WithAllInterfaces for a remote engine)
//	defer c.Terminate(ctx)
//	os.Setenv("WHATSAPP_API_URL", c.WhatsAppURL()) // … or c.BotContract() for the whole bot contract
//	c.Control().SetWebhook(ctx, parleycontainer.HostURL(8080, "/webhook"))
//	c.Control().SendFromCustomer(ctx, "34600111222", whatsapp.CustomerMessage{Text: "Hola"})
//	res := harness.Play(ctx, c.Environment(), journey) // simulated customers, then the audit
//
// It is a Go module of its own (github.com/parley-dev/parley/parleycontainer), as testcontainers-go's
// modules are: importing it brings testcontainers and parley's mocks, not the step library, godog or
// Google's client libraries.
//
// The image (parley.local/parley) is built from parley's source, the version the project requires, by
// the Go toolchain and Docker's classic builder FROM scratch: nothing is pulled, so it works offline. It
// is built once, under a tag named after the binary it holds (bin-<hash>), and reused while that binary
// is unchanged; no other tag is moved and no other image removed, so projects and processes using other
// versions on the same engine are left alone. Control() is the same whatsapp.Control interface the
// in-process mock implements, over the /_parley/ routes, with the run's control token.
//
// What it does not do: start the assistant (run it on the host, reachable from the container at
// host.docker.internal, see HostURL). Ryuk is not used (it is an image to pull): Terminate removes the
// container and its network, and containers.RemoveLeftovers (package harness/containers) removes what a
// killed test process left, by label.
package parleycontainer
