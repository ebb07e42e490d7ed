// Package containers runs a parley environment with testcontainers-go (a harness.Environment): a network
// per run; one container of the parley image running `parley serve` (the three mocks in one process, so
// they share one journal and one clock, as embedded) under the aliases whatsapp, dialogflow and dlp, its
// control routes behind a token made for the run; and the assistant under test, either the reference
// assistant (`parley bot` in the same image), a vendor's image (BotImage, given the bot contract's
// environment) or a server on the host (BotURL, reached at host.docker.internal through Docker's
// host-gateway). The reference assistant's container starts at the same time as the mocks' and waits
// inside for them to listen (parley bot --await); a vendor's starts once the mocks are healthy. Each
// container is waited for (/_parley/healthz for the mocks, an answer on the assistant's port), failing
// at once when it exits; the webhook is verified with the hub.challenge
// handshake before the run; a failure names its cause and carries the container's last log lines. The
// journal is fetched over /_parley/journal and merged with the harness's own events (customers' ground
// truth, hook calls) in the order they happened, so journeys and steps run unchanged on the sim.World it
// returns. Settling: the reference assistant says when it is idle (its GET /parley/idle), so it settles
// as embedded does, with no wait for silence; any other assistant is judged from outside, the WhatsApp
// mock idle and the journal still for a quiet period (parley believes no vendor's word about itself).
//
// Factory starts all of that for every scenario. Shared starts it once for a run (parley certify --mode
// containers) and plays every scenario in it as an assistant by URL is played (harness/shared): each
// scenario on customers of its own, settled on their traffic (with the reference assistant, on rounds of
// its idle signal that bring none of their events, rather than on their part of the journal staying
// still), several at once, the whole run audited again at the end; a container that stops fails every
// scenario from then on.
//
// It is a package of its own so that the step library and the certification engine do not link Docker's
// client unless a program asks for containers.
//
// The image (parley.local/parley, see Dockerfile and BuildImage) is built here FROM scratch around the
// static binary, with Docker's classic builder, so nothing is pulled; it is reused while the binary is
// the same, under its own bin-<hash> tag. Ryuk, testcontainers' reaper, is an image too and is switched
// off (TESTCONTAINERS_RYUK_DISABLED=true unless set): everything parley creates carries the label
// dev.parley.managed=true, its run's dev.parley.run and its owner (the process's PID and host name);
// Close removes a run's containers and network even after a failure or a cancelled context, and every
// Start first removes what processes of this machine that are gone left (Clean; parley clean by hand).
// Every port is published on the Docker host's loopback only unless AllInterfaces: the assistant's hooks
// have no authentication. The harness's own requests (customers, the journal, settling, hooks) skip
// Docker's port proxy when this host reaches the containers at their addresses on the run's network
// (Linux with the engine on this machine), which a probe at start checks with the run's control token;
// otherwise, or with PublishedPortsOnly, they go to the published ports, the addresses given out either
// way (direct.go). A connection a container's address does not take within a second (the container died)
// is made to its published port instead, which answers at once.
// AsProduction (parley certify --as-production) runs a vendor's image unchanged, as it runs in
// production: its production host names resolve to the mocks' container, which answers for them
// (package mocks/production) with a CA and a Google service-account key made for the run and copied into
// both containers; the run's network is internal, so the assistant reaches nothing else; the harness
// reaches it through a relay in the mocks' container (production.go).
//
// Not modelled in containers: the TLS probe of the assistant's webhook (WA-SEC-02 is judged embedded).
package containers
