#!/bin/sh
# configcli for kubectl-kd members (also installed as bdvcli, bd_vcli, ccli): answers KubeDirector's
# `--get KEY` and node/nodegroup macros from the key file the agent precomputes from configmeta.json
# (KEY<TAB>VALUE lines, bdvlibrefkey indirections already resolved). Needs only a POSIX sh.
# setup.sh falls back to /tmp/kd when the image's user cannot write /etc/guestconfig (e.g. Spark's uid 185)
KEYS=${KD_CONFIGCLI_KEYS:-}
if [ -z "$KEYS" ]; then
  for KEYS in /etc/guestconfig/configcli.keys /tmp/kd/etc-guestconfig/configcli.keys; do [ -r "$KEYS" ] && break; done
fi
TAB=$(printf '\t')

# grep (when the image has it) narrows the file to candidate lines first: a sh read loop over a
# large cluster's keys costs about a second per call; the loop then matches the key exactly
candidates() {
  if command -v grep >/dev/null 2>&1; then grep -F -e "$1$TAB" "$KEYS"; else cat "$KEYS"; fi
}

lookup() {
  [ -r "$KEYS" ] || { echo "configcli: $KEYS not readable" >&2; exit 2; }
  candidates "$1" | {
    while IFS= read -r line; do
      case $line in
        "$1$TAB"*) printf '%b\n' "${line#*"$TAB"}"; exit 0 ;;
      esac
    done
    exit 1
  }
}

get() {
  key=$1
  key=${key#.}
  lookup "$key" && exit 0
  echo "KeyError: $key" >&2
  exit 1
}

usage() {
  cat >&2 <<'USAGE'
usage: configcli --get KEY | -g KEY | namespace NS [KEY]
       configcli --get_self_index | --get_self_id | --get_index FQDN | --get_id FQDN
       configcli --num_nodegroups | --get_local_group_fqdns | --get_nodegroup_fqdns ID | --get_all_fqdns
KEY is dot-separated over the namespaces node, cluster, services, nodegroups, distros, version, connections.
USAGE
  exit 2
}

[ $# -gt 0 ] || usage
# instruction forms: `namespace node role_id`, `macro node --get_self_index`
case $1 in
  namespace) [ $# -ge 2 ] || usage; if [ -n "$3" ]; then get "$2.$3"; else get "$2"; fi ;;
  macro) shift; [ $# -ge 2 ] && shift ;;
esac
case $1 in
  -g|--get) [ $# -ge 2 ] || usage; get "$2" ;;
  --get=*) get "${1#--get=}" ;;
  --get_self_index) get '%self_index' ;;
  --get_self_id) get '%self_id' ;;
  --get_index) [ $# -ge 2 ] || usage; get "%index.$2" ;;
  --get_index=*) get "%index.${1#*=}" ;;
  --get_id) [ $# -ge 2 ] || usage; get "%id.$2" ;;
  --get_id=*) get "%id.${1#*=}" ;;
  --num_nodegroups) get '%num_nodegroups' ;;
  --get_local_group_fqdns) get '%local_group_fqdns' ;;
  --get_nodegroup_fqdns) [ $# -ge 2 ] || usage; get "%nodegroup_fqdns.$2" ;;
  --get_nodegroup_fqdns=*) get "%nodegroup_fqdns.${1#*=}" ;;
  --get_all_fqdns) get '%all_fqdns' ;;
  -v|--version) echo 'configcli (kubectl-kd, sh) 1'; exit 0 ;;
  -h|--help) usage ;;
  *) echo "configcli: unsupported option $1" >&2; usage ;;
esac
