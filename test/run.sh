#!/usr/bin/env bash
# The project's test runner: builds, runs the uvu suites and prints one closing line `N passed, N failed`.
#   bash test/run.sh          all tests (unit, then end-to-end on the local cluster, started if needed)
#   bash test/run.sh unit     unit tests only (no cluster)
#   bash test/run.sh e2e      end-to-end tests only
# KD_TEST_FILTER=regex narrows the test files.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
what=${1:-all}
filter=${KD_TEST_FILTER:-}
passed=0; failed=0; skipped=0; rc=0

run_uvu() { # dir time-limit-seconds
  local dir=$1 limit=$2 out clean t p s code
  [ -d "$dir" ] || return 0
  out=$(mktemp)
  # a hung suite must not hang CI: past the limit the run is stopped and counts as a failure
  timeout --signal=TERM --kill-after=30 "$limit" node --import tsx node_modules/uvu/bin.js "$dir" "${filter:-\\.test\\.ts$}" 2>&1 | tee "$out"
  code=${PIPESTATUS[0]}
  [ "$code" -eq 124 ] && echo "$dir: stopped after ${limit}s" >&2
  clean=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$out"); rm -f "$out"
  t=$(awk '/^ *Total:/{print $2}' <<<"$clean" | tail -1)
  p=$(awk '/^ *Passed:/{print $2}' <<<"$clean" | tail -1)
  s=$(awk '/^ *Skipped:/{print $2}' <<<"$clean" | tail -1)
  t=${t:-0}; p=${p:-0}; s=${s:-0}
  passed=$((passed + p)); failed=$((failed + t - p)); skipped=$((skipped + s))
  if [ "$code" -ne 0 ] && [ "$t" -eq "$p" ]; then failed=$((failed + 1)); echo "$dir: runner exited $code" >&2; fi
  [ "$code" -eq 0 ] || rc=1
}

npm run -s build || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

if [ "$what" = all ] || [ "$what" = unit ]; then
  run_uvu test/unit 900
fi
if [ "$what" = all ] || [ "$what" = e2e ]; then
  if bash test/cluster/up.sh; then
    # shellcheck disable=SC1091
    source test/cluster/env.sh
    if out=$(bash test/cluster/smoke.sh 2>&1); then echo "$out"; else echo "$out"; rc=1; fi
    sp=$(grep -Eo '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -1)
    if [ -n "$sp" ]; then
      passed=$((passed + ${sp%% *})); f=${sp#*, }; failed=$((failed + ${f%% *}))
    else failed=$((failed + 1)); fi
    run_uvu test/e2e "${KD_E2E_LIMIT:-3600}"
  else
    echo "the local cluster did not come up (see above); end-to-end tests not run" >&2
    failed=$((failed + 1)); rc=1
  fi
fi

total=$((passed + failed))
if [ "$total" -eq 0 ]; then echo "no test ran" >&2; rc=1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $rc
