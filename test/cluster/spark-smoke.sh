#!/bin/bash
# Checks the Spark image and the host Spark distribution against the running local cluster:
# real spark-submit (KD_SPARK_HOME, host JDK) in cluster mode -> driver + executor pods from
# KD_SPARK_IMAGE run SparkPi (JVM) and pi.py (PySpark); Spark standalone master + worker start from
# the same image. Prints "N passed, N failed"; cleans up its namespace. ~1 min.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$KD_CLUSTER_DIR/env.sh"
K="$KD_KUBECTL --kubeconfig $KD_LOCAL/kubeconfig"
NS=kd-spark-smoke-$$
PASS=0 FAIL=0
pass() { PASS=$((PASS+1)); echo "ok   - $*"; }
fail() { FAIL=$((FAIL+1)); echo "FAIL - $*"; }
check() { local name=$1; shift; if out=$("$@" 2>&1); then pass "$name"; else fail "$name: $(echo "$out" | tail -5)"; fi; }
trap '$K delete ns "$NS" --wait=false >/dev/null 2>&1' EXIT
$K create ns "$NS" >/dev/null && $K -n "$NS" create sa spark >/dev/null \
  && $K -n "$NS" create rolebinding spark --clusterrole=edit --serviceaccount="$NS:spark" >/dev/null
submit() { # name app-resource [args]
  local name=$1 log; shift; log=$(mktemp)
  ( cd "$(mktemp -d)" && timeout 600 "$KD_SPARK_HOME/bin/spark-submit" --master "k8s://$KD_API_SERVER" --deploy-mode cluster \
    --name "$name" --conf spark.kubernetes.namespace="$NS" --conf spark.kubernetes.container.image="$KD_SPARK_IMAGE" \
    --conf spark.kubernetes.authenticate.driver.serviceAccountName=spark --conf spark.executor.instances=1 \
    --driver-memory 512m --executor-memory 512m \
    --conf spark.kubernetes.driver.request.cores=200m --conf spark.kubernetes.executor.request.cores=200m "$@" ) > "$log" 2>&1 || { grep -E 'Exception|ERROR|phase|exit code' "$log" | tail -8; rm -f "$log"; return 1; }
  rm -f "$log"
  $K -n "$NS" logs "$($K -n "$NS" get pods -l spark-role=driver,spark-app-name="$name" -o name | head -1)" | grep '^Pi is roughly 3\.1'
}
check "spark-submit SparkPi (JVM, cluster mode)" submit pi --class org.apache.spark.examples.SparkPi \
  "local:///opt/spark/examples/jars/spark-examples_2.12-$KD_SPARK_VERSION.jar" 4
check "spark-submit pi.py (PySpark, cluster mode)" submit pypi "local:///opt/spark/examples/src/main/python/pi.py" 2
check "driver log has no ERROR lines" bash -c "! $K -n $NS logs \$($K -n $NS get pods -l spark-app-name=pi,spark-role=driver -o name) | grep -q ' ERROR '"
$K -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata: {name: sm}
spec: {clusterIP: None, selector: {app: master}, ports: [{port: 7077}]}
---
apiVersion: v1
kind: Pod
metadata: {name: master, labels: {app: master}}
spec:
  hostname: master
  subdomain: sm
  containers:
  - {name: m, image: $KD_SPARK_IMAGE, args: [/opt/spark/sbin/start-master.sh, --host, 0.0.0.0], env: [{name: SPARK_NO_DAEMONIZE, value: "1"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: worker}
spec:
  containers:
  - name: w
    image: $KD_SPARK_IMAGE
    args: [/opt/spark/sbin/start-worker.sh, "spark://master.sm.$NS.svc.cluster.local:7077", --memory, 512m, --cores, "1"]
    env: [{name: SPARK_NO_DAEMONIZE, value: "1"}]
YAML
check "standalone worker registers with the master" bash -c "for i in \$(seq 240); do $K -n $NS logs master 2>/dev/null | grep -q 'Registering worker' && exit 0; sleep 1; done; exit 1"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
