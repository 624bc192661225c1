# Config files and start/wait functions of every component (sourced by up.sh and restart.sh).
# Each start_<name> writes its config (if any), starts the process detached with a pid file under
# $KD_RUN and a log under $KD_LOG; wait_<name> blocks until it is healthy.

write_configs() {
  local ip=$1
  mkdir -p "$KD_ETC/cni/net.d" "$KD_STATE_RUN" "$KD_CTRD_ROOT" "$KD_KUBELET_DIR" "$KD_ETCD_DIR"
  cat > "$KD_ETC/containerd.toml" <<EOT
version = 2
root = "$KD_CTRD_ROOT"
state = "$KD_STATE_RUN/containerd"
[grpc]
  address = "$CONTAINERD_ADDRESS"
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:$KD_PAUSE_TAG"
    # CAP_SYS_RESOURCE is not in this machine's bounding set: oom_score_adj cannot go below 0
    restrict_oom_score_adj = true
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = "$KD_STATE_RUN/runc"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$KD_ETC/cni/net.d"
      max_conf_num = 1
EOT
  # bridge CNI, no masquerading: pod traffic never leaves the machine (kube-proxy masquerades
  # only what it must for Service hairpin traffic)
  cat > "$KD_ETC/cni/net.d/10-kd-bridge.conflist" <<EOT
{
  "cniVersion": "0.4.0",
  "name": "kd-pod-network",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$KD_NODE_POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "loopback"}
  ]
}
EOT
  cat > "$KD_ETC/kube-scheduler.yaml" <<EOT
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection: {kubeconfig: $KD_PKI/scheduler.kubeconfig}
leaderElection: {leaderElect: false}
EOT
  cat > "$KD_ETC/kubelet.yaml" <<EOT
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix://$CONTAINERD_ADDRESS
cgroupDriver: cgroupfs
cgroupsPerQOS: true
failSwapOn: false
oomScoreAdj: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $KD_PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $KD_PKI/kubelet-serving.crt
tlsPrivateKeyFile: $KD_PKI/kubelet-serving.key
address: 0.0.0.0
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
clusterDomain: cluster.local
clusterDNS: [$KD_DNS_IP]
resolvConf: /etc/resolv.conf
staticPodPath: ""
registerNode: true
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "50Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%", imagefs.inodesFree: "1%"}
evictionPressureTransitionPeriod: 10s
maxPods: 300
podPidsLimit: -1
rotateCertificates: false
serverTLSBootstrap: false
nodeStatusReportFrequency: 10s
EOT
  cat > "$KD_ETC/kube-proxy.yaml" <<EOT
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $KD_PKI/kube-proxy.kubeconfig}
hostnameOverride: $KD_NODE_NAME
mode: iptables
clusterCIDR: $KD_POD_CIDR
oomScoreAdj: 0
bindAddress: 0.0.0.0
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {syncPeriod: 10s, minSyncPeriod: 0s}
EOT
}

start_containerd() {
  command -v containerd >/dev/null || die "containerd missing"
  mkdir -p "$KD_STATE_RUN"
  start_proc containerd "$(command -v containerd)" --config "$KD_ETC/containerd.toml"
}
wait_containerd() { wait_for "containerd" 30 containerd ctr version; }

start_etcd() {
  start_proc etcd "$(readlink -f "$KD_BIN/etcd")" --name kd-local --data-dir "$KD_ETCD_DIR" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster kd-local=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
    --unsafe-no-fsync --quota-backend-bytes 8589934592 --auto-compaction-retention 1h
}
etcd_healthy() { curl -fsS --max-time 2 http://127.0.0.1:2379/health | grep -q '"health":"true"'; }
wait_etcd() { wait_for "etcd" 30 etcd etcd_healthy; }

start_kube-apiserver() {
  local ip; ip=$(cat "$KD_LOCAL/node-ip")
  start_proc kube-apiserver "$(readlink -f "$KD_BIN/kube-apiserver")" \
    --etcd-servers=http://127.0.0.1:2379 \
    --bind-address=0.0.0.0 --secure-port=6443 --advertise-address="$ip" \
    --tls-cert-file="$KD_PKI/apiserver.crt" --tls-private-key-file="$KD_PKI/apiserver.key" \
    --client-ca-file="$KD_PKI/ca.crt" \
    --kubelet-client-certificate="$KD_PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$KD_PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP,Hostname \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$KD_PKI/sa.pub" --service-account-signing-key-file="$KD_PKI/sa.key" \
    --service-cluster-ip-range="$KD_SVC_CIDR" \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true \
    --storage-media-type=application/vnd.kubernetes.protobuf \
    --profiling=false --v=1
}
apiserver_ready() { curl -fsS --max-time 3 --cacert "$KD_PKI/ca.crt" --cert "$KD_PKI/admin.crt" --key "$KD_PKI/admin.key" https://127.0.0.1:6443/readyz | grep -q ok; }
wait_kube-apiserver() { wait_for "kube-apiserver /readyz" 120 kube-apiserver apiserver_ready; }

start_kube-controller-manager() {
  start_proc kube-controller-manager "$(readlink -f "$KD_BIN/kube-controller-manager")" \
    --kubeconfig="$KD_PKI/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$KD_PKI/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$KD_PKI/controller-manager.kubeconfig" \
    --service-account-private-key-file="$KD_PKI/sa.key" --root-ca-file="$KD_PKI/ca.crt" \
    --cluster-signing-cert-file="$KD_PKI/ca.crt" --cluster-signing-key-file="$KD_PKI/ca.key" \
    --use-service-account-credentials=true --controllers='*,-nodeipam' --allocate-node-cidrs=false \
    --cluster-cidr="$KD_POD_CIDR" --service-cluster-ip-range="$KD_SVC_CIDR" \
    --leader-elect=false --bind-address=127.0.0.1 --profiling=false --v=1
}
kcm_healthy() { curl -fsSk --max-time 2 https://127.0.0.1:10257/healthz | grep -q ok; }
wait_kube-controller-manager() { wait_for "kube-controller-manager /healthz" 60 kube-controller-manager kcm_healthy; }

start_kube-scheduler() {
  start_proc kube-scheduler "$(readlink -f "$KD_BIN/kube-scheduler")" --config="$KD_ETC/kube-scheduler.yaml" \
    --authentication-kubeconfig="$KD_PKI/scheduler.kubeconfig" --authorization-kubeconfig="$KD_PKI/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --profiling=false --v=1
}
sched_healthy() { curl -fsSk --max-time 2 https://127.0.0.1:10259/healthz | grep -q ok; }
wait_kube-scheduler() { wait_for "kube-scheduler /healthz" 60 kube-scheduler sched_healthy; }

start_kubelet() {
  local ip; ip=$(cat "$KD_LOCAL/node-ip")
  start_proc kubelet "$(readlink -f "$KD_BIN/kubelet")" --config="$KD_ETC/kubelet.yaml" \
    --kubeconfig="$KD_PKI/kubelet.kubeconfig" --root-dir="$KD_KUBELET_DIR" \
    --hostname-override="$KD_NODE_NAME" --node-ip="$ip" --v=1
}
kubelet_healthy() { curl -fsS --max-time 2 http://127.0.0.1:10248/healthz | grep -q ok; }
node_ready() { [ "$(kc get node "$KD_NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]; }
wait_kubelet() { wait_for "kubelet /healthz" 60 kubelet kubelet_healthy; wait_for "node $KD_NODE_NAME Ready" 120 kubelet node_ready; }

start_kube-proxy() {
  start_proc kube-proxy "$(readlink -f "$KD_BIN/kube-proxy")" --config="$KD_ETC/kube-proxy.yaml" --v=1
}
proxy_healthy() { curl -fsS --max-time 2 http://127.0.0.1:10256/healthz >/dev/null; }
wait_kube-proxy() { wait_for "kube-proxy /healthz" 60 kube-proxy proxy_healthy; }

apply_coredns() {
  sed -e "s|@IMAGE@|localhost/kubectl-kd/coredns:$KD_COREDNS_VERSION|" -e "s|@DNS_IP@|$KD_DNS_IP|" \
    "$KD_CLUSTER_DIR/coredns.yaml" | kc apply -f - >/dev/null
}
coredns_ready() { [ "$(kc -n kube-system get deploy coredns -o 'jsonpath={.status.readyReplicas}' 2>/dev/null)" = 1 ]; }
wait_coredns() { wait_for "CoreDNS Ready" 120 "" coredns_ready; }
