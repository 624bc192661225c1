# Source me:  . test/cluster/env.sh
# Stable names other parts of the project use to reach the local test cluster (see README.md).
_kd_dir=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)
. "$_kd_dir/versions.sh"
export KD_CACHE=${KD_CACHE:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache/kubectl-kd}
export KD_LOCAL=$KD_CACHE/local
export KD_KUBECONFIG=$KD_LOCAL/kubeconfig
export KUBECONFIG=$KD_KUBECONFIG
export KD_CONTEXT=kd-local
export KD_NODE_NAME=kd-node
export KD_KUBECTL=$KD_CACHE/bin/kubectl
export KD_KWOK=$KD_CACHE/bin/kwok
export KD_K8S_VERSION KD_SPARK_VERSION KD_NODE_VERSION
export KD_SPARK_HOME=$KD_CACHE/spark/$KD_SPARK_VERSION
export KD_SPARK_IMAGE=localhost/kubectl-kd/spark:$KD_SPARK_VERSION
export KD_SPARK4_VERSION KD_SPARK4_HOME=$KD_CACHE/spark/$KD_SPARK4_VERSION KD_SPARK4_IMAGE=localhost/kubectl-kd/spark:$KD_SPARK4_VERSION
export KD_SHELL_IMAGE=localhost/kubectl-kd/shell:1
export KD_NODE_IMAGE=localhost/kubectl-kd/node:24
export KD_AGENT_IMAGE=docker.io/library/node:24-slim
export KD_PAUSE_IMAGE=registry.k8s.io/pause:$KD_PAUSE_TAG
export KD_API_SERVER=https://127.0.0.1:6443
case ":$PATH:" in *":$KD_CACHE/bin:"*) ;; *) export PATH=$KD_CACHE/bin:$PATH ;; esac
unset _kd_dir
