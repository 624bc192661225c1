# kubectl-kd member setup (run by the agent over pods/exec as `sh -c LIMITED+SCRIPT kd-setup CID PKG CONFIGURE SPEC TIMEOUT`,
# limited.sh first; stdin: an uncompressed tar from the agent). Idempotent and restart-safe, following KubeDirector's
# contract: /opt/guestconfig/configure.status holds `<containerID>=<exit code>`; `<containerID>=` alone
# means configure was started for this container and has not finished. So a second run for the same
# container never starts configure again: it only waits for the running one (or reports the finished one).
# The one exception: a configure that failed (or timed out) runs again, for the same container, when the
# agent brings another SPEC (a changed package or timeout); a successful one never runs twice.
#   CID        the app container's ID (from the pod status)
#   PKG        stream (package files are in the tar under pkg/) | none | file:///path/in/image.tgz
#   CONFIGURE  1: run `startscript --configure`; 0: eventList has no configure, mark done without running it
#   SPEC       what this setup installs (package URL with its content hash, timeout), kept in configure.spec
#   TIMEOUT    seconds configure may run (0: no limit); then its process group gets TERM, 5 s later KILL,
#              and the status code is `timeout`
# stdout: `@@kd status` then the status line, `@@kd spec` then the SPEC configure ran with; on failure
# also `@@kd stdout`/`@@kd stderr` with the tails.
CID=$1 PKG=$2 CONFIGURE=$3 SPEC=${4:-} TIMEOUT=${5:-0}
G=${KD_GUESTCONFIG_DIR:-/opt/guestconfig}
E=${KD_GUESTCONFIG_ETC:-/etc/guestconfig}
# images whose user cannot write /etc and /opt (no volumes mounted there): fall back to /tmp/kd
if ! { mkdir -p "$G" "$E" 2>/dev/null && [ -w "$G" ] && [ -w "$E" ]; }; then G=/tmp/kd/guestconfig E=/tmp/kd/etc-guestconfig; fi
export KD_CONFIGCLI_KEYS="$E/configcli.keys" KD_CONFIGMETA="$E/configmeta.json" KD_GUESTCONFIG_ETC="$E"
TAILBYTES=${KD_TAIL_BYTES:-2048}

# stdin (the agent's tar) is always read to its end before exiting: a process that exits with stdin
# unread makes the kubelet's exec proxy fail with a broken pipe and the exec status can get lost.
# `tar -t` stops at the archive's end marker, so this works without a stdin EOF (v4 exec protocol) too.
DRAINED=0
drain() { [ "$DRAINED" = 1 ] || { tar -t -f - >/dev/null 2>&1; DRAINED=1; }; }
fail() { drain; echo "kd-setup: $*" >&2; exit 3; }
has_code() { case $(cat "$G/configure.status" 2>/dev/null) in "$CID="?*) return 0 ;; esac; return 1; }
succeeded() { [ "$(cat "$G/configure.status" 2>/dev/null)" = "$CID=0" ]; }
started() { case $(cat "$G/configure.status" 2>/dev/null) in "$CID="*) return 0 ;; esac; return 1; }
tailof() { tail -c "$TAILBYTES" "$1" 2>/dev/null; }
report() {
  echo '@@kd status'
  cat "$G/configure.status"; echo
  echo '@@kd spec'
  cat "$G/configure.spec" 2>/dev/null; echo
  case $(cat "$G/configure.status") in
    "$CID=0") ;;
    *) echo '@@kd stdout'; tailof "$G/configure.stdout"; echo '@@kd stderr'; tailof "$G/configure.stderr" ;;
  esac
  exit 0
}

umask 077
mkdir -p "$G" "$E" 2>/dev/null || fail "cannot create $G and $E as uid $(id -u 2>/dev/null): mount writable volumes there or run as a user that can write them"
[ -w "$G" ] && [ -w "$E" ] || fail "$G or $E is not writable as uid $(id -u 2>/dev/null)"

# a configure that failed for this container with another spec (package or timeout) runs again
if started && has_code && ! succeeded && [ "$(cat "$G/configure.spec" 2>/dev/null)" != "$SPEC" ]; then
  rm -f "$G/configure.status"
fi

if started; then
  # configure was already launched for this container (agent restart or reconnect): never run it twice
  drain
  has_code && report
  pid=$(cat "$G/configure.pid" 2>/dev/null)
  while ! has_code; do
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
      has_code || printf 'interrupted' >>"$G/configure.status"
      break
    fi
    sleep 0.2 2>/dev/null || sleep 1
  done
  report
fi

# fresh setup for this container
S=$G/.kd-stage
rm -rf "$S" && mkdir -p "$S" || fail "cannot create $S"
tar -x -f - -C "$S" || fail 'cannot unpack the setup archive streamed by the agent (is tar installed?)'
DRAINED=1
for f in configmeta.json configmeta.env configcli.keys; do
  [ -f "$S/etc/$f" ] && { cp "$S/etc/$f" "$E/$f.new" && mv -f "$E/$f.new" "$E/$f" || fail "cannot write $E/$f"; }
done
chmod 600 "$E/configmeta.json" "$E/configmeta.env" "$E/configcli.keys" 2>/dev/null
mkdir -p "$G/bin" && cp "$S/bin/configcli" "$G/bin/configcli" && chmod 755 "$G/bin/configcli" || fail 'cannot install configcli'
for n in bdvcli bd_vcli ccli; do ln -sf configcli "$G/bin/$n"; done
for d in /usr/local/bin /usr/bin; do
  if [ -w "$d" ]; then for n in configcli bdvcli bd_vcli ccli; do [ -e "$d/$n" ] || ln -s "$G/bin/configcli" "$d/$n" 2>/dev/null; done; fi
done

# install the package: drop an earlier install, keep our own files
for old in "$G"/*; do
  case ${old##*/} in bin|configure.*|'*') ;; *) rm -rf "$old" ;; esac
done
case $PKG in
  stream)
    if [ -d "$S/pkg" ]; then
      for p in "$S/pkg"/* "$S/pkg"/.[!.]*; do
        [ -e "$p" ] || continue
        mv "$p" "$G/" || fail 'cannot install the package'
      done
    fi
    ;;
  file://*) tar -x -z -f "${PKG#file://}" -C "$G" || fail "cannot unpack ${PKG#file://} (needs tar with gzip support)" ;;
  none) ;;
  *) fail "unknown package source $PKG" ;;
esac
rm -rf "$S"
SS=
for s in "$G"/*/startscript; do [ -f "$s" ] && { SS=$s; break; }; done
[ "$PKG" = none ] || [ -n "$SS" ] || fail "the config package has no */startscript"
[ -n "$SS" ] && chmod u+x "$SS"

rm -f "$G"/configure.*
printf '%s' "$SPEC" >"$G/configure.spec"
if [ "$CONFIGURE" != 1 ] || [ -z "$SS" ]; then
  printf '%s=0' "$CID" >"$G/configure.status"
  report
fi
printf '%s=' "$CID" >"$G/configure.status"
(
  trap '' HUP PIPE
  cd "$G" || exit 1
  PATH=$G/bin:$PATH
  export PATH
  limited "$G/configure" "$SS" --configure
  printf '%s' "$RC" >>"$G/configure.status"
) </dev/null >/dev/null 2>&1 &
echo $! >"$G/configure.pid"
wait $!
report
