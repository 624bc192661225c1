#!/bin/bash
# Removes the fake nodes (and any pod still bound to them) and stops KWOK. Safe to run twice.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC1091
. "$here/../env.sh"
state=$KD_LOCAL/kwok
"$KD_KUBECTL" delete nodes -l type=kwok --ignore-not-found --wait=false >/dev/null
# pods bound to a deleted fake node are garbage-collected by the controller-manager; force the stragglers
"$KD_KUBECTL" get pods -A --field-selector spec.nodeName!=kd-node -o jsonpath='{range .items[?(@.spec.nodeName)]}{.metadata.namespace} {.metadata.name} {.spec.nodeName}{"\n"}{end}' 2>/dev/null |
  awk '$3 ~ /^kd-kwok-/' | while read -r ns pod _; do "$KD_KUBECTL" -n "$ns" delete pod "$pod" --grace-period=0 --force --wait=false >/dev/null 2>&1; done
if [ -f "$state/pid" ]; then kill "$(cat "$state/pid")" 2>/dev/null; rm -f "$state/pid"; fi
echo "kwok: stopped, fake nodes removed"
