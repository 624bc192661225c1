#!/bin/bash
# Captures what the real spark-submit of a Spark distribution sends in cluster mode, for the goldens:
#   bash test/unit/spark-golden/capture.sh SPARK_HOME VERSION [CASE...]
# writes spark-submit-<VERSION>-<case>.json (Pod POST, Service and ConfigMap(s) server-side applies).
# The cases' arguments must stay those of CASES in ../spark-render.test.ts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sh=$1 v=$2; shift 2
scala=2.12; [[ $v == 4.* ]] && scala=2.13
ex=local:///opt/spark/examples/jars/spark-examples_$scala-$v.jar
img=localhost/kubectl-kd/spark:$v
port=$((18000 + RANDOM % 1000))
out=$(mktemp -d)
node "$here/record-apiserver.mjs" "$out/rec" $port > /dev/null & srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$out"' EXIT
sleep 1
submit() { # case args...
  local c=$1; shift
  rm -rf "$out/rec"; mkdir -p "$out/rec"
  SPARK_USER=root "$sh/bin/spark-submit" --master k8s://http://127.0.0.1:$port --deploy-mode cluster \
    --conf spark.kubernetes.namespace=default --conf spark.kubernetes.submission.waitAppCompletion=false \
    --conf spark.kubernetes.container.image=$img "$@" > "$out/$c.log" 2>&1 || { tail -30 "$out/$c.log" >&2; return 1; }
  node -e '
    const fs = require("fs"), dir = process.argv[1], o = {}
    for (const f of fs.readdirSync(dir).sort()) {
      const r = JSON.parse(fs.readFileSync(dir + "/" + f, "utf8"))
      if (!r.body || typeof r.body !== "object" || !r.body.kind) continue
      const k = r.body.kind === "ConfigMap" && /podspec/.test(r.body.metadata.name) ? "PodTemplateConfigMap" : r.body.kind
      o[k] = {method: r.method, url: r.url, body: r.body}
    }
    // the checkout path (in a template file name) as <REPO>: goldens hold for any checkout
    fs.writeFileSync(process.argv[2], JSON.stringify(o, null, 2).replaceAll(process.argv[3], "<REPO>") + "\n")' "$out/rec" "$here/spark-submit-$v-$c.json" "$(cd "$here/../../.." && pwd)"
  echo "captured spark-submit-$v-$c.json"
}
cases=${*:-java python full template proxy}
for c in $cases; do
  case $c in
    java) submit java --name spark-pi --class org.apache.spark.examples.SparkPi --conf spark.executor.instances=2 $ex 100 ;;
    python) submit python --name pypi --py-files local:///opt/spark/work-dir/dep.py local:///opt/spark/examples/src/main/python/pi.py 10 ;;
    full) submit full --class org.apache.spark.examples.SparkPi --driver-memory 2g --driver-cores 2 --executor-memory 3g --executor-cores 2 \
      --num-executors 3 --jars local:///a.jar,local:///b.jar \
      --conf spark.kubernetes.authenticate.driver.serviceAccountName=spark --conf spark.kubernetes.driver.label.team=data \
      --conf 'spark.kubernetes.driver.annotation.a=b-{{APP_ID}}' --conf spark.kubernetes.driverEnv.FOO=bar \
      --conf spark.kubernetes.driver.limit.cores=2 --conf spark.kubernetes.driver.request.cores=500m \
      --conf spark.kubernetes.node.selector.disk=ssd --conf spark.kubernetes.driver.service.annotation.s=t \
      --conf 'spark.driver.extraJavaOptions=-Da=b -Dc=d' --conf spark.kubernetes.driver.secrets.mysecret=/etc/secret \
      --conf spark.kubernetes.container.image.pullSecrets=regcred --conf spark.pyspark.python=python3 \
      --conf 'spark.kd.unicode=é ü:x' $ex 10 a=b ;;
    template) submit template --name tpl --class org.apache.spark.examples.SparkPi \
      --conf spark.kubernetes.driver.podTemplateFile=$here/templates/driver.yaml --conf spark.kubernetes.driver.podTemplateContainerName=spark \
      --conf spark.kubernetes.executor.podTemplateFile=$here/templates/executor.yaml --conf spark.kubernetes.executor.podTemplateContainerName=spark \
      --conf spark.kubernetes.driver.label.role=tpl $ex 5 ;;
    proxy) submit proxy --name px --proxy-user alice --files local:///etc/hosts --archives 'local:///opt/a.zip#env' \
      --driver-java-options '-Dx=1' --driver-class-path /opt/extra/* --driver-library-path /opt/native \
      --conf spark.kubernetes.driver.pod.name=px-driver local:///opt/spark/examples/src/main/python/pi.py 3 ;;
    volumes) submit volumes --name vol --class org.apache.spark.examples.SparkPi \
      --conf spark.kubernetes.driver.volumes.hostPath.hp.mount.path=/host --conf spark.kubernetes.driver.volumes.hostPath.hp.options.path=/tmp/h \
      --conf spark.kubernetes.driver.volumes.emptyDir.scratch.mount.path=/scratch --conf spark.kubernetes.driver.volumes.emptyDir.scratch.options.medium=Memory \
      --conf spark.kubernetes.driver.volumes.emptyDir.scratch.options.sizeLimit=100Mi --conf spark.kubernetes.driver.volumes.emptyDir.scratch.mount.subPath=sub \
      --conf spark.kubernetes.driver.volumes.persistentVolumeClaim.data.mount.path=/data --conf spark.kubernetes.driver.volumes.persistentVolumeClaim.data.options.claimName=my-claim \
      --conf spark.kubernetes.driver.volumes.persistentVolumeClaim.data.mount.readOnly=true \
      --conf spark.kubernetes.driver.volumes.nfs.share.mount.path=/share --conf spark.kubernetes.driver.volumes.nfs.share.options.server=nfs.example --conf spark.kubernetes.driver.volumes.nfs.share.options.path=/exports \
      --conf spark.kubernetes.driver.secrets.s1=/etc/s1 $ex 1 ;;
    *) echo "unknown case $c" >&2; exit 1 ;;
  esac
done
