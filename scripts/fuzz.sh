#!/usr/bin/env bash
# Runs every fuzz target of parley for FUZZTIME each (default 3s), one after the other, and stops at the
# first failure (its crasher is kept under the package's testdata/fuzz/ for `go test` to replay).
#   scripts/fuzz.sh            every target, 3s each (what `make test` runs)
#   FUZZTIME=10m scripts/fuzz.sh   the long run (`make fuzz`)
#   scripts/fuzz.sh ./pii FuzzFind one target
#   FUZZSET=short scripts/fuzz.sh  the targets that parse what crosses the mocks (what `make test` runs,
#                                  about 50s at 3s each)
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-3s}
# Workers per target: the machine has 2 cores shared with everything else.
FUZZPAR=${FUZZPAR:-2}

targets=(
	"./mocks/whatsapp FuzzSendDecoder"
	"./mocks/whatsapp FuzzRoutes"
	"./mocks/whatsapp FuzzWebhookRoundTrip"
	"./mocks/dialogflow FuzzRESTDetectIntent"
	"./mocks/dialogflow FuzzLoadAgent"
	"./mocks/dlp FuzzRESTDecode"
	"./pii FuzzFind"
	"./journal FuzzReadJSONL"
	"./steps FuzzLintFile"
)
# The auditor and the reference assistant are fuzzed in the long run only.
if [ "${FUZZSET:-all}" != short ]; then
	targets+=(
		"./steps FuzzStepDuration"
		"./audit FuzzRun"
		"./bots/reference FuzzRecognise"
		"./bots/reference FuzzWebhook"
	)
fi
if [ $# -eq 2 ]; then
	targets=("$1 $2")
fi

start=$(date +%s)
for t in "${targets[@]}"; do
	set -- $t
	echo "fuzz: $1 $2 for $FUZZTIME"
	# Progress lines are dropped but the last, which carries the number of executions.
	$GO test -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" -parallel "$FUZZPAR" "$1" 2>&1 |
		awk '/^fuzz: elapsed/ {last = $0; next} {if (last != "") {print last; last = ""} print} END {if (last != "") print last}' || {
		echo "fuzz: $1 $2 FAILED; the crasher is under $1/testdata/fuzz/$2/ (replay: go test -run '$2' $1)"
		exit 1
	}
done
echo "fuzz: ${#targets[@]} targets, $FUZZTIME each, $(( $(date +%s) - start ))s in all"
