#!/usr/bin/env bash
# Starts a throw-away single-node Ceph (one monitor, one memstore OSD, one RADOS Gateway) on
# loopback from Debian's packages, for the heavy S3 suite. Prints the S3 endpoint on success.
# Usage: scripts/ceph-rgw.sh start|stop   (state in ${CAIRN_CEPH_DIR:-/tmp/cairn-ceph})
# cephx is off (auth none): the cluster lives on 127.0.0.1 for the length of a test run, and the
# monitor's auth handshake is what failed in an earlier attempt with keyrings.
set -euo pipefail
DIR=${CAIRN_CEPH_DIR:-/tmp/cairn-ceph}
PORT=${CAIRN_RGW_PORT:-7480}
CONF=$DIR/ceph.conf

stop() {
  local pids=()
  for pidfile in "$DIR"/run/*.pid; do [ -f "$pidfile" ] && pids+=("$(cat "$pidfile")"); done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Wait until they are gone: a new monitor cannot bind the port an old one still holds.
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  done
  rm -rf "$DIR"
}

if [ "${1:-start}" = stop ]; then stop; exit 0; fi

if ! command -v ceph-mon >/dev/null || ! command -v radosgw >/dev/null || ! command -v ceph-osd >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ceph-mon ceph-osd ceph-mgr radosgw ceph-common uuid-runtime >/dev/null
fi

start() {
stop
mkdir -p "$DIR"/{mon,osd,run,log}
FSID=$(uuidgen)
cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon host = v1:127.0.0.1:6789
auth cluster required = none
auth service required = none
auth client required = none
osd objectstore = memstore
memstore device bytes = 1073741824
osd pool default size = 1
osd pool default min size = 1
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon allow pool delete = true
run dir = $DIR/run
log file = $DIR/log/\$name.log
pid file = $DIR/run/\$name.pid
[mon.a]
mon data = $DIR/mon
[osd.0]
osd data = $DIR/osd
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $DIR/rgw
CONF

monmaptool --create --add a v1:127.0.0.1:6789 --fsid "$FSID" "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap"
ceph-mon -c "$CONF" -i a
# The monitor may refuse commands for a moment after it starts (EPERM before it forms quorum).
for attempt in $(seq 1 30); do
  if timeout 20 ceph -c "$CONF" status >/dev/null 2>&1; then break; fi
  [ "$attempt" = 30 ] && { echo "ceph-rgw.sh: the monitor never answered (see $DIR/log)" >&2; exit 1; }
  sleep 1
done
OSD_UUID=$(uuidgen)
timeout 60 ceph -c "$CONF" osd new "$OSD_UUID" >/dev/null
ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" 2>/dev/null
ceph-osd -c "$CONF" -i 0
mkdir -p "$DIR/rgw"
radosgw -c "$CONF" -n client.rgw
for _ in $(seq 1 60); do
  if curl -fs "http://127.0.0.1:$PORT" >/dev/null 2>&1; then break; fi
  sleep 1
done
timeout 60 radosgw-admin -c "$CONF" user create --uid=cairn --display-name=cairn --access-key=cairn --secret-key=cairn-secret >/dev/null
}

# A start that fails half-way leaves no daemon behind, and is tried again: the daemons of a
# cluster just stopped sometimes still hold a port or write their last state for a moment.
for attempt in 1 2 3; do
  if (set -e; start) >"$DIR.start.log" 2>&1; then
    echo "http://127.0.0.1:$PORT"
    exit 0
  fi
  echo "ceph-rgw.sh: start attempt $attempt failed: $(tail -3 "$DIR.start.log" | tr '\n' ' ')" >&2
  stop
  sleep 3
done
exit 1
