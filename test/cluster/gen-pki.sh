#!/bin/bash
# gen-pki.sh <dir> <node-name> <node-ip>
# One CA for everything (a throwaway test cluster), the ServiceAccount signing key pair, serving and
# client certificates and the component kubeconfigs. Reuses the CA and SA key when present; (re)issues
# leaf certificates when missing or when the node IP changed.
set -euo pipefail
D=$1 NODE=$2 NODE_IP=$3 SVC_IP=${SVC_IP:-10.96.0.1} SERVER=${SERVER:-https://127.0.0.1:6443}
mkdir -p "$D"; cd "$D"; umask 077
if [ ! -f ca.crt ] || [ ! -f ca.key ]; then
  openssl genrsa -out ca.key 2048 2>/dev/null
  openssl req -x509 -new -nodes -key ca.key -subj "/CN=kubectl-kd-local-ca" -days 3650 -out ca.crt \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
  rm -f *.stamp
fi
[ -f sa.key ] || { openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null; }
stamp="$NODE $NODE_IP $SVC_IP $SERVER v1"
[ -f leaf.stamp ] && [ "$(cat leaf.stamp)" = "$stamp" ] && exit 0
sign() { # name subject extendedKeyUsage [subjectAltName]
  local n=$1 subj=$2 eku=$3 san=${4:-}
  openssl genrsa -out "$n.key" 2048 2>/dev/null
  openssl req -new -key "$n.key" -subj "$subj" -out "$n.csr"
  { echo "basicConstraints=critical,CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"; [ -z "$san" ] || echo "subjectAltName=$san"; } > "$n.ext"
  openssl x509 -req -in "$n.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile "$n.ext" -out "$n.crt" 2>/dev/null
  rm -f "$n.csr" "$n.ext"
}
sign apiserver "/CN=kube-apiserver" serverAuth \
  "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,DNS:$NODE,IP:127.0.0.1,IP:$SVC_IP,IP:$NODE_IP"
sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
sign admin "/O=system:masters/CN=kubectl-kd-admin" clientAuth
sign controller-manager "/CN=system:kube-controller-manager" clientAuth
sign scheduler "/CN=system:kube-scheduler" clientAuth
sign kube-proxy "/CN=system:kube-proxy" clientAuth
sign kubelet-client "/O=system:nodes/CN=system:node:$NODE" clientAuth
sign kubelet-serving "/CN=$NODE" serverAuth "DNS:$NODE,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP"
sign front-proxy-client "/CN=front-proxy-client" clientAuth
kubeconfig() { # file user cert [context-name] [namespace]
  local ctx=${4:-$2@kd-local}
  cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: kd-local
  cluster:
    certificate-authority: $D/ca.crt
    server: $SERVER
users:
- name: $2
  user:
    client-certificate: $D/$3.crt
    client-key: $D/$3.key
contexts:
- name: $ctx
  context:
    cluster: kd-local
    user: $2${5:+
    namespace: $5}
current-context: $ctx
KC
}
kubeconfig admin.kubeconfig kd-admin admin kd-local default
kubeconfig controller-manager.kubeconfig system:kube-controller-manager controller-manager
kubeconfig scheduler.kubeconfig system:kube-scheduler scheduler
kubeconfig kube-proxy.kubeconfig system:kube-proxy kube-proxy
kubeconfig kubelet.kubeconfig "system:node:$NODE" kubelet-client
chmod 0644 ca.crt *.kubeconfig
echo "$stamp" > leaf.stamp
