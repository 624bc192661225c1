#!/bin/bash
# The host's PySpark Connect client for the e2e tests: PyPI pyspark-client $KD_SPARK_CLIENT_VERSION (pure Python,
# with pandas, pyarrow and grpcio wheels) in a venv cached at $KD_CACHE/venv/pyspark-client-<v>, made once
# (~1 min). Prints the venv's python.
#   bash test/cluster/spark-client.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
v=$KD_SPARK_CLIENT_VERSION
venv=$KD_CACHE/venv/pyspark-client-$v
if [ ! -f "$venv/.ok" ]; then
  log "creating the PySpark Connect client venv (pyspark-client $v from PyPI; first time: ~1 min)"
  # a venv's scripts carry its path, so it is made in place; .ok marks it whole (a partial one is made again)
  rm -rf "$venv"; mkdir -p "$KD_CACHE/venv"
  python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$venv/bin/pip" install -q --disable-pip-version-check "pyspark-client==$v" >"$venv.log" 2>&1 \
    || { tail -20 "$venv.log" >&2; die "pip install pyspark-client==$v failed (log $venv.log)"; }
  "$venv/bin/python" -c 'import pyspark.sql, grpc, pyarrow, pandas' || die "pyspark-client $v does not import"
  touch "$venv/.ok"
fi
echo "$venv/bin/python"
