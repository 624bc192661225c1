# kubectl-kd file injection (run by the agent over pods/exec as `sh -c SCRIPT kd-inject DESTDIR NAME MODE OWNER GROUP`
# before the member's setup; stdin: a tar holding the one file NAME, fetched by the agent from the role's
# fileInjections[].srcURL). KubeDirector's contract: the file lands in DESTDIR (created if missing), then
# gets MODE (octal), OWNER and GROUP when given (empty: left as they are). Exit 3 with one stderr line
# when the member cannot take it (not writable, unknown owner): the agent reports that as a config error.
DEST=$1 NAME=$2 MODE=$3 OWNER=$4 GROUP=$5
drain() { tar -t -f - >/dev/null 2>&1; }
mkdir -p "$DEST" 2>/dev/null || { drain; echo "kd-inject: cannot create $DEST" >&2; exit 3; }
T=$DEST/.kd-inject.$$
mkdir -p "$T" && tar -x -f - -C "$T" 2>/dev/null || { rm -rf "$T"; drain; echo "kd-inject: cannot write $DEST/$NAME" >&2; exit 3; }
mv -f "$T/$NAME" "$DEST/$NAME" && rm -rf "$T" || { rm -rf "$T"; echo "kd-inject: cannot write $DEST/$NAME" >&2; exit 3; }
F=$DEST/$NAME
[ -z "$MODE" ] || chmod "$MODE" "$F" || { echo "kd-inject: chmod $MODE $F failed" >&2; exit 3; }
[ -z "$OWNER" ] || chown "$OWNER" "$F" 2>/dev/null || { echo "kd-inject: chown $OWNER $F failed (unknown user, or the member may not change owners)" >&2; exit 3; }
[ -z "$GROUP" ] || chgrp "$GROUP" "$F" 2>/dev/null || { echo "kd-inject: chgrp $GROUP $F failed (unknown group, or the member may not change groups)" >&2; exit 3; }
exit 0
