package dialogflow_test

import (
	"context"
	"testing"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/gcp/gcptest"
)

func TestJournalPage(t *testing.T) {
	j := journal.New(nil)
	s := dialogflow.RunT(t, dialogflow.WithJournal(j))
	c := dialogflow.NewControlClient(s.URL())
	gcptest.JournalPage(t, s.URL(), j, func(ctx context.Context, after uint64) ([]journal.Event, error) {
		evs, _, err := c.JournalAfter(ctx, after)
		return evs, err
	})
}
