package whatsapp

import (
	"testing"

	"github.com/onsi/ginkgo/v2"
)

// RunT takes the standard library's tests and benchmarks, and Ginkgo's GinkgoT().
var (
	_ TB = (*testing.T)(nil)
	_ TB = (*testing.B)(nil)
	_ TB = (*testing.F)(nil)
	_ TB = ginkgo.FullGinkgoTInterface(nil)
)
