package dialogflow_test

import (
	"testing"

	"github.com/parley-dev/parley/internal/gcp/gcptest"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
)

func TestJournalPage(t *testing.T) {
	j := journal.New(nil)
	s := dialogflow.RunT(t, dialogflow.WithJournal(j))
	gcptest.JournalPage(t, s.URL(), j, dialogflow.NewControlClient(s.URL()).JournalAfter)
}
