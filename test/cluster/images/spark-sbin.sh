#!/bin/bash
# Installed as $SPARK_HOME/sbin/{start,stop}-{master,worker}.sh (the pyspark distribution on PyPI ships
# spark-daemon.sh but not these wrappers). Same interface as Spark's:
#   start-master.sh [--host H] [--port 7077] [--webui-port 8080]
#   start-worker.sh spark://master:7077 [worker options]
# SPARK_NO_DAEMONIZE=1 keeps the process in the foreground (what a container wants).
set -e
SPARK_HOME=${SPARK_HOME:-$(cd "$(dirname "$0")/.." && pwd)}
. "$SPARK_HOME/sbin/spark-config.sh"
. "$SPARK_HOME/bin/load-spark-env.sh"
case "$(basename "$0")" in
  start-master.sh)
    exec "$SPARK_HOME/sbin/spark-daemon.sh" start org.apache.spark.deploy.master.Master 1 \
      --host "${SPARK_MASTER_HOST:-$(hostname -f 2>/dev/null || hostname)}" \
      --port "${SPARK_MASTER_PORT:-7077}" --webui-port "${SPARK_MASTER_WEBUI_PORT:-8080}" "$@" ;;
  stop-master.sh) exec "$SPARK_HOME/sbin/spark-daemon.sh" stop org.apache.spark.deploy.master.Master 1 ;;
  start-worker.sh|start-slave.sh)
    [ $# -ge 1 ] || { echo "usage: start-worker.sh spark://host:port [options]" >&2; exit 1; }
    master=$1; shift
    exec "$SPARK_HOME/sbin/spark-daemon.sh" start org.apache.spark.deploy.worker.Worker "${WORKER_NUM:-1}" \
      --webui-port "${SPARK_WORKER_WEBUI_PORT:-8081}" "$master" "$@" ;;
  stop-worker.sh|stop-slave.sh) exec "$SPARK_HOME/sbin/spark-daemon.sh" stop org.apache.spark.deploy.worker.Worker "${WORKER_NUM:-1}" ;;
  *) echo "unknown: $0" >&2; exit 1 ;;
esac
