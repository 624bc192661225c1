#!/usr/bin/env bash
# Runs every benchmark in bench/ (`npm run bench`): each bench/*.bench.mjs, *.bench.ts and *.bench.sh, in
# name order, with the project's Node and the local cluster's environment when it is up. Each bench prints
# its own figures and ratios against a reference measured in the same run; a failing bench fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
# shellcheck disable=SC1091
[ -f test/cluster/env.sh ] && source test/cluster/env.sh
filter=${KD_BENCH_FILTER:-}
rc=0; n=0
shopt -s nullglob
for f in bench/*.bench.mjs bench/*.bench.ts bench/*.bench.sh; do
  [ -z "$filter" ] || [[ $f =~ $filter ]] || continue
  n=$((n + 1))
  echo "== $f"
  case $f in
    *.mjs) node "$f" ;;
    *.ts) node --import tsx "$f" ;;
    *.sh) bash "$f" ;;
  esac
  code=$?
  if [ "$code" -ne 0 ]; then echo "$f exited $code" >&2; rc=1; fi
done
[ "$n" -gt 0 ] || { echo "no bench found in bench/" >&2; exit 1; }
exit $rc
