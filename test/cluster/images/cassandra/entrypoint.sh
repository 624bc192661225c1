#!/bin/sh
# The member's main process (under tini): stays up while the config package runs Cassandra; on SIGTERM
# (pod deleted) stops Cassandra cleanly first, so its commit log is flushed before the container goes.
stop() {
  pid=$(cat /tmp/cassandra.pid 2>/dev/null)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 25 ]; do sleep 1; i=$((i + 1)); done
  fi
  exit 0
}
trap stop TERM INT
while :; do sleep 3600 & wait $!; done
