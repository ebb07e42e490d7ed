package scenarios_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// The mocks' RunT takes GinkgoT(), as miniredis's does: a spec starts them in one line each and Ginkgo
// closes them when it ends.
var _ = Describe("the mocks started with RunT(GinkgoT())", Ordered, func() {
	var wa *whatsapp.Server
	It("serve during the spec", func() {
		wa = whatsapp.RunT(GinkgoT())
		df := dialogflow.RunT(GinkgoT())
		d := dlp.RunT(GinkgoT())
		for _, u := range []string{wa.URL(), df.URL(), d.URL()} {
			resp, err := http.Get(u + "/_parley/healthz")
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode/100).To(Equal(2), u)
		}
	})
	It("are closed once it ends", func() {
		Expect(wa).NotTo(BeNil(), "the first spec did not run")
		_, err := http.Get(wa.URL() + "/_parley/healthz")
		Expect(err).To(HaveOccurred())
	})
})
