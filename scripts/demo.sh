#!/usr/bin/env bash
# npm run demo: builds the plugin, brings up the embedded local Kubernetes (built from source the first
# time, cached after), then runs the main jobs a user runs: a Spark app cluster from the KubeDirector
# catalog (spark221e2, with the project's Spark 3.5 image and package), and a Spark job.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; }

npm run -s build
bash test/cluster/up.sh
# shellcheck disable=SC1091
source test/cluster/env.sh
kd() { step "kubectl kd $*"; bin/kubectl-kd "$@"; }

NS=kd-demo
"$KD_KUBECTL" create namespace "$NS" --dry-run=client -o yaml | "$KD_KUBECTL" apply -f - >/dev/null
# the demo's own kubeconfig (the local cluster's, with namespace kd-demo), so the shared one is unchanged
cp "$KD_KUBECONFIG" "$KD_LOCAL/kubeconfig-demo"
export KUBECONFIG=$KD_LOCAL/kubeconfig-demo
"$KD_KUBECTL" config set-context --current --namespace "$NS" >/dev/null

kd app list
bin/kubectl-kd delete spark221e2 --wait >/dev/null 2>&1 || true
kd create spark221e2 --members worker=2 --memory controller=3Gi --memory worker=2Gi \
  --image controller="$KD_SPARK_IMAGE" --image worker="$KD_SPARK_IMAGE" \
  --package controller=bundled://spark35 --package worker=bundled://spark35 \
  --wait --timeout 10m
# "to start another application, e.g. Cassandra": a ring with cassandra311's roles on Cassandra 5.0.
# (cassandra311 itself, with --image/--package as spark221e2 above, also asks for the capabilities
# SYS_RESOURCE and IPC_LOCK, which this machine's container runtime cannot grant.)
bin/kubectl-kd delete cassandra50 --wait >/dev/null 2>&1 || true
kd create cassandra50 --members worker=1 --memory seed=1536Mi --memory worker=1536Mi --cpu seed=2 --cpu worker=2 \
  --wait --timeout 20m
kd get
kd status spark221e2
kd status cassandra50
step "kubectl exec cassandra50-seed-0 -- nodetool status"
"$KD_KUBECTL" exec cassandra50-seed-0 -c app -- nodetool status
kd submit --cluster spark221e2 --driver-memory 512m --executor-memory 512m --class org.apache.spark.examples.SparkPi "local:///opt/spark/examples/jars/spark-examples_2.12-$KD_SPARK_VERSION.jar" 20
bin/kubectl-kd delete job spark-pi >/dev/null 2>&1 || true
# this node has 2 CPUs: ask for a fraction of one per pod
kd submit --name spark-pi --image "$KD_SPARK_IMAGE" --num-executors 2 --create-service-account --wait \
  --driver-memory 512m --executor-memory 512m \
  --conf spark.kubernetes.driver.request.cores=200m --conf spark.kubernetes.executor.request.cores=200m \
  --class org.apache.spark.examples.SparkPi "local:///opt/spark/examples/jars/spark-examples_2.12-$KD_SPARK_VERSION.jar" 100
kd get jobs
step "kubectl kd logs spark-pi | grep 'Pi is roughly'"
bin/kubectl-kd logs spark-pi | grep 'Pi is roughly'
printf '\nThe cluster keeps running: export KUBECONFIG=%s; kubectl kd get -n %s\n' "$KUBECONFIG" "$NS" >&2
