#!/bin/sh
# The nats container of Lichen's compose file and of the Helm chart's NATS pod: nats-server with the users file that
# Lichen writes, reloaded whenever Lichen changes it. Arguments go to nats-server. Runs on busybox (the nats alpine
# image, lichen/nats:local). The chart carries a copy, helm/lichen/files/run-nats.sh, kept identical by
# test/deploy/helm.e2e.spec.ts: a chart cannot read files outside its folder.
#
# Lichen (the lichen container, LICHEN_NATS_USERS_FILE) writes /etc/nats/users/users.conf, which nats.conf includes;
# this script sends nats-server SIGHUP when that file changes and Lichen sees the reload in /varz. Signalling from
# here needs no PID namespace shared with the lichen container: with docker-compose 1.29, `pid: service:nats` leaves
# the lichen container dead whenever the nats container is recreated (a new image), until it is recreated by hand.
# nats-server's output goes to the container's log and to /var/log/nats/nats.log, where Lichen counts permission
# violations and reads why a reload failed.
set -eu

users=/etc/nats/users/users.conf
log=/var/log/nats/nats.log

# nats-server refuses to start without the file it includes. Until Lichen writes the real one, a single user whose
# password nobody knows: no client gets in. A file Lichen wrote before is kept: its users log in again at once.
if [ ! -s "$users" ]; then
  (
    umask 077
    printf 'authorization { users = [ { user: "lichen-pending", password: "%s" } ] }\n' \
      "$(cat /proc/sys/kernel/random/uuid)" >"$users.tmp"
  )
  mv "$users.tmp" "$users"
fi
# The folder is Lichen's to write in; it runs as LICHEN_USER (root by default). Only root can hand it over: the Helm
# chart runs this script and Lichen as one non-root user, in a folder that user can already write.
if [ "$(id -u)" = 0 ]; then chown -R "${LICHEN_USER:-0:0}" "$(dirname "$users")"; fi

fifo=/tmp/nats-output
rm -f "$fifo"
mkfifo "$fifo"
tee -a "$log" <"$fifo" &
nats-server "$@" >"$fifo" 2>&1 &
nats=$!
trap 'kill -TERM "$nats" 2>/dev/null || true' TERM INT

seen=$(md5sum <"$users" 2>/dev/null || true)
while kill -0 "$nats" 2>/dev/null; do
  sleep 1
  now=$(md5sum <"$users" 2>/dev/null || true)
  if [ "$now" != "$seen" ]; then
    seen=$now
    kill -HUP "$nats" 2>/dev/null || true
  fi
  # Bounded: Lichen reads the log from where it was, and a shorter one from its start.
  if [ "$(wc -c <"$log")" -gt 16777216 ]; then : >"$log"; fi
done
wait "$nats"
