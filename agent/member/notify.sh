# kubectl-kd membership update (run by the agent over pods/exec as `sh -c LIMITED+SCRIPT kd-notify CID TIMEOUT [OP ROLE FQDNS]...`,
# limited.sh first; stdin: a tar with fresh etc/configmeta.json, etc/configmeta.env, etc/configcli.keys).
# Installs the new configmeta, then runs `startscript --addnodes|--delnodes --nodegroup 1 --role ROLE --fqdns FQDNS`
# for each triple (`startscript --reconnect` for OP reconnect), in order, stopping at the first failure; each may run TIMEOUT seconds (0: no limit),
# then it is killed (CODE `timeout`). Refuses to act for another container (the agent must then set the
# member up again). stdout: `@@kd notify I CODE` per command run; after a failure `@@kd stdout` and
# `@@kd stderr` with the tails of its output.
CID=$1 TIMEOUT=$2; shift 2
G=${KD_GUESTCONFIG_DIR:-/opt/guestconfig}
E=${KD_GUESTCONFIG_ETC:-/etc/guestconfig}
[ -f "$G/configure.status" ] || { G=/tmp/kd/guestconfig E=/tmp/kd/etc-guestconfig; }
export KD_CONFIGCLI_KEYS="$E/configcli.keys" KD_CONFIGMETA="$E/configmeta.json" KD_GUESTCONFIG_ETC="$E"
case $(cat "$G/configure.status" 2>/dev/null) in
  "$CID=0") ;;
  # read the agent's tar to its end first (see setup.sh: an unread stdin can lose the exec status)
  *) tar -t -f - >/dev/null 2>&1; echo "kd-notify: this container ($CID) is not configured" >&2; exit 4 ;;
esac
umask 077
S=$G/.kd-notify
rm -rf "$S" && mkdir -p "$S" && tar -x -f - -C "$S" || { tar -t -f - >/dev/null 2>&1; echo 'kd-notify: cannot unpack configmeta' >&2; exit 3; }
for f in configmeta.json configmeta.env configcli.keys; do
  [ -f "$S/etc/$f" ] && { cp "$S/etc/$f" "$E/$f.new" && mv -f "$E/$f.new" "$E/$f" || exit 3; }
done
rm -rf "$S"
SS=
for s in "$G"/*/startscript; do [ -f "$s" ] && { SS=$s; break; }; done
cd "$G" || exit 3
PATH=$G/bin:$PATH
export PATH
i=0
while [ $# -ge 3 ]; do
  if [ -n "$SS" ] && [ "$1" = reconnect ]; then
    # KubeDirector's `startscript --reconnect`: a connected cluster, ConfigMap or Secret changed
    limited "$G/notify" "$SS" --reconnect
    rc=$RC
  elif [ -n "$SS" ]; then
    limited "$G/notify" "$SS" "--$1" --nodegroup 1 --role "$2" --fqdns "$3"
    rc=$RC
  else
    rc=0
  fi
  echo "@@kd notify $i $rc"
  if [ "$rc" != 0 ]; then
    echo '@@kd stdout'; tail -c 2048 "$G/notify.stdout" 2>/dev/null
    echo '@@kd stderr'; tail -c 2048 "$G/notify.stderr" 2>/dev/null
    exit 5
  fi
  i=$((i + 1)); shift 3
done
exit 0
