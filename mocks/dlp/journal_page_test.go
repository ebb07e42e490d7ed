package dlp_test

import (
	"testing"

	"github.com/parley-dev/parley/internal/gcp/gcptest"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dlp"
)

func TestJournalPage(t *testing.T) {
	j := journal.New(nil)
	s := dlp.RunT(t, dlp.WithJournal(j))
	gcptest.JournalPage(t, s.URL(), j, dlp.NewControlClient(s.URL()).JournalAfter)
}
