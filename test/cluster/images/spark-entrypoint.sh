#!/bin/bash
# /opt/entrypoint.sh of localhost/kubectl-kd/spark:<ver> -- Spark-on-Kubernetes image contract:
#   driver   [args...] -> spark-submit --deploy-mode client --conf spark.driver.bindAddress=$SPARK_DRIVER_BIND_ADDRESS args...
#   executor           -> java ... org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend (SPARK_EXECUTOR_* env)
#   anything else      -> run the command as given (e.g. spark-class org.apache.spark.deploy.master.Master)
# Every command runs under tini (-s: subreaper) so signals and zombies are handled.
set -e
uid=$(id -u); gid=$(id -g)
# Pods may run with an arbitrary uid: give it a passwd entry (the JVM / Hadoop login wants one).
if ! getent passwd "$uid" >/dev/null 2>&1; then
  if [ -w /etc/passwd ]; then
    echo "$uid:x:$uid:$gid:${SPARK_USER_NAME:-anonymous uid}:$SPARK_HOME:/bin/false" >> /etc/passwd
  else
    echo "entrypoint: no passwd entry for uid $uid and /etc/passwd is read-only" >&2
  fi
fi

SPARK_CLASSPATH="${SPARK_CLASSPATH:+$SPARK_CLASSPATH:}${SPARK_HOME}/jars/*"
[ -n "${SPARK_EXTRA_CLASSPATH:-}" ] && SPARK_CLASSPATH="$SPARK_CLASSPATH:$SPARK_EXTRA_CLASSPATH"
if [ -n "${HADOOP_HOME:-}" ] && [ -z "${SPARK_DIST_CLASSPATH:-}" ]; then
  SPARK_DIST_CLASSPATH="$("$HADOOP_HOME/bin/hadoop" classpath)"; export SPARK_DIST_CLASSPATH
fi
[ -n "${HADOOP_CONF_DIR:-}" ] && SPARK_CLASSPATH="$HADOOP_CONF_DIR:$SPARK_CLASSPATH"
if [ -n "${SPARK_CONF_DIR:-}" ]; then SPARK_CLASSPATH="$SPARK_CONF_DIR:$SPARK_CLASSPATH"
else SPARK_CLASSPATH="$SPARK_HOME/conf:$SPARK_CLASSPATH"; fi
[ -n "${PYSPARK_PYTHON:-}" ] && export PYSPARK_PYTHON
[ -n "${PYSPARK_DRIVER_PYTHON:-}" ] && export PYSPARK_DRIVER_PYTHON

# SPARK_JAVA_OPT_0, SPARK_JAVA_OPT_1, ... in numeric order (set by Spark on executor pods)
java_opts=()
while IFS= read -r line; do [ -n "$line" ] && java_opts+=("$line"); done < <(
  env | grep '^SPARK_JAVA_OPT_' | sort -t_ -k4 -n | sed 's/^[^=]*=//')

case "${1:-}" in
  driver)
    shift
    cmd=("$SPARK_HOME/bin/spark-submit" --conf "spark.driver.bindAddress=$SPARK_DRIVER_BIND_ADDRESS"
         --deploy-mode client "$@")
    ;;
  executor)
    shift
    cmd=("${JAVA_HOME}/bin/java" "${java_opts[@]}"
         "-Xms${SPARK_EXECUTOR_MEMORY}" "-Xmx${SPARK_EXECUTOR_MEMORY}"
         -cp "$SPARK_CLASSPATH:${SPARK_DIST_CLASSPATH:-}"
         org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend
         --driver-url "$SPARK_DRIVER_URL" --executor-id "$SPARK_EXECUTOR_ID"
         --cores "$SPARK_EXECUTOR_CORES" --app-id "$SPARK_APPLICATION_ID"
         --hostname "$SPARK_EXECUTOR_POD_IP" --resourceProfileId "${SPARK_RESOURCE_PROFILE_ID:-0}"
         --podName "$SPARK_EXECUTOR_POD_NAME")
    ;;
  *)
    echo "Non-spark-on-k8s command provided, proceeding in pass-through mode..." >&2
    cmd=("$@")
    ;;
esac
exec /usr/bin/tini -s -- "${cmd[@]}"
