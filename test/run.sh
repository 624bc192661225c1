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

# One uvu run over the files of DIR matching PATTERN, its output kept in OUT (shown as it comes when
# TEE=1); tally OUT CODE adds its totals.
uvu_run() { # dir pattern time-limit-seconds out
  local dir=$1 pattern=$2 limit=$3 out=$4 code
  # a hung suite must not hang CI: past the limit the run is stopped and counts as a failure
  timeout --signal=TERM --kill-after=30 "$limit" node --import tsx node_modules/uvu/bin.js "$dir" "$pattern" >"$out" 2>&1
  code=$?
  [ "$code" -eq 124 ] && echo "$dir ($pattern): stopped after ${limit}s" >>"$out"
  return $code
}

tally() { # out code
  local clean t p s
  clean=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$1")
  t=$(awk '/^ *Total:/{print $2}' <<<"$clean" | tail -1)
  p=$(awk '/^ *Passed:/{print $2}' <<<"$clean" | tail -1)
  s=$(awk '/^ *Skipped:/{print $2}' <<<"$clean" | tail -1)
  t=${t:-0}; p=${p:-0}; s=${s:-0}
  passed=$((passed + p)); failed=$((failed + t - p)); skipped=$((skipped + s))
  if [ "$2" -ne 0 ] && [ "$t" -eq "$p" ]; then failed=$((failed + 1)); echo "$1: runner exited $2" >&2; fi
  [ "$2" -eq 0 ] || rc=1
}

run_uvu() { # dir pattern time-limit-seconds
  local out code
  [ -d "$1" ] || return 0
  out=$(mktemp)
  uvu_run "$1" "$2" "$3" "$out"; code=$?
  cat "$out"; tally "$out" "$code"; rm -f "$out"
}

npm run -s build || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

if [ "$what" = all ] || [ "$what" = unit ]; then
  run_uvu test/unit "${filter:-\\.test\\.ts$}" 900
fi
if [ "$what" = all ] || [ "$what" = e2e ]; then
  # a cluster already up keeps its images: build (cached by content, seconds when nothing changed) and
  # import the ones this checkout names
  if bash test/cluster/up.sh && bash test/cluster/build-images.sh build && bash test/cluster/build-images.sh import; then
    # shellcheck disable=SC1091
    source test/cluster/env.sh
    if out=$(bash test/cluster/smoke.sh 2>&1); then echo "$out"; else echo "$out"; rc=1; fi
    sp=$(grep -Eo '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -1)
    if [ -n "$sp" ]; then
      passed=$((passed + ${sp%% *})); f=${sp#*, }; failed=$((failed + ${f%% *}))
    else failed=$((failed + 1)); fi
    limit=${KD_E2E_LIMIT:-3600}
    if [ -n "$filter" ]; then run_uvu test/e2e "$filter" "$limit"
    else
      # two lanes side by side (most of an e2e suite waits on pods and JVMs, so two fit the 2 CPUs): the
      # Spark and Cassandra suites (with the README's Spark examples, the runner's RBAC runs and the convergence
      # suite, for balance) in one, the
      # rest (with the Spark job lifecycle, for balance) in the other; then, alone, the suites that restart
      # cluster components (the API server in agent-faults too) or add fake nodes, which would break
      # anything running beside them
      heavy='^(cassandra|spark-cli|spark-jobs|agent-spark|notebook|readme-spark-examples|runner-rbac|converge)\.test\.ts$'
      alone='^(faults-.*|agent-faults|scale-kwok)\.test\.ts$'
      a=$(mktemp); b=$(mktemp)
      uvu_run test/e2e "$heavy" "$limit" "$a" & pa=$!
      uvu_run test/e2e "^(?!(cassandra|spark-cli|spark-jobs|agent-spark|notebook|readme-spark-examples|runner-rbac|converge|faults-.*|agent-faults|scale-kwok)\.test\.ts$).*\.test\.ts$" "$limit" "$b" & pb=$!
      wait $pa; ca=$?; wait $pb; cb=$?
      cat "$a" "$b"; tally "$a" "$ca"; tally "$b" "$cb"; rm -f "$a" "$b"
      run_uvu test/e2e "$alone" "$limit"
    fi
  else
    echo "the local cluster did not come up (see above); end-to-end tests not run" >&2
    failed=$((failed + 1)); rc=1
  fi
fi

total=$((passed + failed))
if [ "$total" -eq 0 ]; then echo "no test ran" >&2; rc=1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $rc
