#!/bin/bash
# Smoke test of the running local cluster (does not start it; run up.sh first):
# pod runs + logs, exec, StatefulSet pod reached by its headless-Service DNS name, the API reached
# through the `kubernetes` Service with the pod's ServiceAccount token (Node.js image), ClusterIP and
# NodePort Services, port-forward, garbage collection by ownerReferences. Cleans up its namespace.
# Prints "N passed, N failed"; exit 1 if anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$KD_CLUSTER_DIR/env.sh"
K="$KD_KUBECTL --kubeconfig $KD_LOCAL/kubeconfig"
[ -f "$KD_LOCAL/kubeconfig" ] || { echo "cluster is not up (no $KD_LOCAL/kubeconfig): run npm run cluster:up" >&2; echo "0 passed, 1 failed"; exit 1; }
NS=kd-smoke-$$
PASS=0 FAIL=0
pass() { PASS=$((PASS+1)); echo "ok   - $*"; }
fail() { FAIL=$((FAIL+1)); echo "FAIL - $*"; }
check() { local name=$1; shift; if out=$("$@" 2>&1); then pass "$name"; else fail "$name: $(echo "$out" | tail -5)"; fi; }
cleanup() { $K delete ns "$NS" --wait=true --timeout=90s >/dev/null 2>&1 || $K delete ns "$NS" --wait=false >/dev/null 2>&1; [ -n "${PF:-}" ] && kill "$PF" 2>/dev/null; }
trap cleanup EXIT
T0=$SECONDS

$K create ns "$NS" >/dev/null
$K -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: sh}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: sh
    image: $KD_SHELL_IMAGE
    command: ["/bin/sh", "-c", "echo hello-from-smoke; exec sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata: {name: node}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsUser: 1000, runAsNonRoot: true}
  containers:
  - name: node
    image: $KD_AGENT_IMAGE
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 8080}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: $KD_SHELL_IMAGE
        command: ["/bin/sh", "-c", "mkdir -p /tmp/www && hostname > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"]
        ports: [{containerPort: 8080}]
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web-clusterip}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-nodeport}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
YAML

check "pod sh Ready"  $K -n "$NS" wait --for=condition=Ready pod/sh --timeout=90s
check "pod logs"      bash -c "$K -n $NS logs sh | grep -qx hello-from-smoke"
check "exec"          bash -c "[ \"\$($K -n $NS exec sh -- sh -c 'echo \$((6*7))')\" = 42 ]"
check "statefulset web Ready (2 pods)" $K -n "$NS" rollout status sts/web --timeout=120s
FQDN=web-0.web.$NS.svc.cluster.local
check "DNS: $FQDN resolves in a pod" $K -n "$NS" exec sh -- nslookup "$FQDN"
check "pod reaches web-0 by headless DNS name" bash -c "$K -n $NS exec sh -- timeout 5 wget -qO- http://$FQDN:8080/ | grep -qx web-0"
check "ClusterIP Service by DNS name from a pod" bash -c "$K -n $NS exec sh -- timeout 5 wget -qO- http://web-clusterip/ | grep -q '^web-'"
CIP=$($K -n "$NS" get svc web-clusterip -o jsonpath='{.spec.clusterIP}')
check "ClusterIP Service $CIP from the node" bash -c "curl -fsS --max-time 5 http://$CIP/ | grep -q '^web-'"
NP=$($K -n "$NS" get svc web-nodeport -o jsonpath='{.spec.ports[0].nodePort}')
NIP=$(cat "$KD_LOCAL/node-ip")
check "NodePort $NIP:$NP from the node" bash -c "curl -fsS --max-time 5 http://$NIP:$NP/ | grep -q '^web-'"
check "NodePort from a pod" bash -c "$K -n $NS exec sh -- timeout 5 wget -qO- http://$NIP:$NP/ | grep -q '^web-'"

check "pod node (node:24-slim, uid 1000) Ready" $K -n "$NS" wait --for=condition=Ready pod/node --timeout=90s
JS='const d="/var/run/secrets/kubernetes.io/serviceaccount/";const fs=require("fs");
const h={Authorization:"Bearer "+fs.readFileSync(d+"token","utf8"),"Content-Type":"application/json"};
const u="https://"+process.env.KUBERNETES_SERVICE_HOST+":"+process.env.KUBERNETES_SERVICE_PORT;
fetch("https://kubernetes.default.svc/apis/authentication.k8s.io/v1/selfsubjectreviews",{method:"POST",headers:h,
 body:JSON.stringify({apiVersion:"authentication.k8s.io/v1",kind:"SelfSubjectReview"})})
.then(r=>r.json()).then(j=>{console.log(u+" "+j.status.userInfo.username)}).catch(e=>{console.error(e);process.exit(1)})'
check "pod reaches the API via the kubernetes Service with its SA token" bash -c \
  "$K -n $NS exec node -- env NODE_EXTRA_CA_CERTS=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt node -e '$JS' | grep -qx 'https://10.96.0.1:443 system:serviceaccount:$NS:default'"
check "node image: node 24, user node" bash -c "$K -n $NS exec node -- sh -c 'node --version; id -un' | tr '\n' ' ' | grep -q '^v24\..* node'"

PORTF=$((20000 + $$ % 10000))
$K -n "$NS" port-forward pod/web-1 "$PORTF:8080" >/dev/null 2>&1 & PF=$!
check "port-forward" bash -c "for i in \$(seq 50); do curl -fsS --max-time 2 http://127.0.0.1:$PORTF/ 2>/dev/null | grep -qx web-1 && exit 0; sleep 0.2; done; exit 1"
kill $PF 2>/dev/null; PF=

# readinessGates: Ready only once the custom condition is set through the status subresource
$K -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: gated}
spec:
  terminationGracePeriodSeconds: 1
  readinessGates: [{conditionType: kubectl-kd.io/ready}]
  containers: [{name: c, image: $KD_SHELL_IMAGE}]
YAML
check "readinessGates: containers ready, pod not Ready" bash -c "$K -n $NS wait --for=condition=ContainersReady pod/gated --timeout=60s >/dev/null &&
  [ \"\$($K -n $NS get pod gated -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}')\" = False ]"
$K -n "$NS" patch pod gated --subresource=status --type=strategic \
  -p '{"status":{"conditions":[{"type":"kubectl-kd.io/ready","status":"True"}]}}' >/dev/null 2>&1
check "readinessGates: Ready after the gate condition is set" $K -n "$NS" wait --for=condition=Ready pod/gated --timeout=30s

# garbage collector: a dependent with an ownerReference goes when its owner is deleted
$K -n "$NS" create configmap owner >/dev/null
OUID=$($K -n "$NS" get cm owner -o jsonpath='{.metadata.uid}')
$K -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: dependent
  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner, uid: "$OUID"}]
YAML
$K -n "$NS" delete cm owner >/dev/null
check "garbage collector removes dependents" $K -n "$NS" wait --for=delete cm/dependent --timeout=60s
check "events recorded" bash -c "$K -n $NS get events -o name | grep -q ."

echo "smoke: $((SECONDS-T0)) s"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
