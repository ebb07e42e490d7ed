package dialogflow

import (
	"context"
	"fmt"
	"testing"

	dialogflow "cloud.google.com/go/dialogflow/apiv2"
)

var benchTexts = []string{
	"¿Dónde está mi pedido 12345?",
	"hola, kiero saber donde esta mi pedio",
	"por favor dejad de mandarme mensajes",
	"cuál es la capital de Francia",
}

func benchDetect(b *testing.B, c *dialogflow.SessionsClient) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		sess := fmt.Sprintf("projects/parley-demo/agent/sessions/bench-%d", i%64)
		if _, err := c.DetectIntent(ctx, textReq(sess, benchTexts[i%len(benchTexts)], "es")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectIntentGRPC: one detectIntent through the official gRPC client, end to end.
func BenchmarkDetectIntentGRPC(b *testing.B) {
	s := RunT(b)
	c, err := dialogflow.NewSessionsClient(context.Background(), grpcOpts(s)...)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	benchDetect(b, c)
}

// BenchmarkDetectIntentREST: the same through the official REST client.
func BenchmarkDetectIntentREST(b *testing.B) {
	s := RunT(b)
	c, err := dialogflow.NewSessionsRESTClient(context.Background(), restOpts(s)...)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	benchDetect(b, c)
}

// BenchmarkMatch: the matcher alone over the fixture agent, to see what the transports add.
func BenchmarkMatch(b *testing.B) {
	a := fixtureAgent(b)
	m := newMatcher(a)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.best(m.newQuery("es", benchTexts[i%len(benchTexts)], testNow), nil, a.MLMinConfidence)
	}
}

// BenchmarkMatchPooled: the matcher as detectIntent uses it, giving each query back to the pool.
func BenchmarkMatchPooled(b *testing.B) {
	a := fixtureAgent(b)
	m := newMatcher(a)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		q := m.newQuery("es", benchTexts[i%len(benchTexts)], testNow)
		m.best(q, nil, a.MLMinConfidence)
		q.release()
	}
}
