# kubectl-kd: limited(), prepended by the agent to setup.sh and notify.sh (one definition for both).
# limited OUT CMD ARGS...: runs CMD in its own process group (setsid; without it only the script itself
# can be killed), output to $1.stdout|stderr; after TIMEOUT s the group gets TERM, then KILL. RC: the exit
# code or `timeout`. The watchdog polls the script every second, so it ends with it.
limited() {
  out=$1; shift
  rm -f "$out.timedout"
  if command -v setsid >/dev/null 2>&1; then setsid "$@" >"$out.stdout" 2>"$out.stderr" </dev/null &
  else "$@" >"$out.stdout" 2>"$out.stderr" </dev/null &
  fi
  pid=$!
  wd=
  if [ "${TIMEOUT:-0}" -gt 0 ] 2>/dev/null; then
    (
      end=$(($(date +%s) + TIMEOUT))
      while kill -0 "$pid" 2>/dev/null; do
        if [ "$(date +%s)" -ge "$end" ]; then
          : >"$out.timedout"
          kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
          sleep 5; kill -KILL "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
          break
        fi
        sleep 1
      done
    ) </dev/null >/dev/null 2>&1 &
    wd=$!
  fi
  wait "$pid"; RC=$?
  [ -n "$wd" ] && kill "$wd" 2>/dev/null
  if [ -f "$out.timedout" ]; then
    RC=timeout
    # what ignored TERM goes now
    kill -KILL "-$pid" 2>/dev/null
    rm -f "$out.timedout"
  fi
}
