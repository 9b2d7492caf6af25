#!/usr/bin/env bash
# Builds, without any registry, the images that Lichen's compose file needs besides its own services,
# from binaries already installed on this machine:
#
#   lichen/node-base:local    busybox-static + the host's node and the libraries it links (base for services)
#   lichen/nats:local         + the host's nats-server                        (apt-get install nats-server)
#   lichen/redis:local        + the host's redis-server and redis-cli         (apt-get install redis-server)
#   lichen/prometheus:local   + the host's prometheus                         (apt-get install prometheus)
#
# For machines that cannot pull from a registry (offline industrial PCs, CI here). An image that already
# exists is kept; --force rebuilds them all. Needs busybox-static, node and a running Docker engine.
#
# Usage: scripts/docker/import-base-images.sh [--force] [node-base|nats|redis|prometheus ...]
set -euo pipefail

force=0
wanted=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    node-base | nats | redis | prometheus) wanted+=("$arg") ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done
[ ${#wanted[@]} -gt 0 ] || wanted=(node-base nats redis prometheus)

prefix=${LICHEN_LOCAL_IMAGE_PREFIX:-lichen}
tag=${LICHEN_LOCAL_IMAGE_TAG:-local}
base_image="$prefix/node-base:$tag"
# A uid/gid that exists in no distribution's /etc/passwd; the services' Dockerfiles say USER 10001.
app_uid=10001

work=$(mktemp -d "${TMPDIR:-/tmp}/lichen-images.XXXXXX")
trap 'rm -rf "$work"' EXIT

say() { echo "import-base-images: $*" >&2; }
die() { say "$*"; exit 1; }

need_command() {
  command -v "$1" >/dev/null 2>&1 || die "$1 not found: apt-get install $2"
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# Copies a file into the root filesystem $1 at the same path (following symlinks), then every shared
# library `ldd` lists for it. The dynamic loader finds them in the standard directories, so no ld.so.cache.
copy_with_libs() {
  local root=$1 source=$2 target=${3:-$2}
  mkdir -p "$root$(dirname "$target")"
  cp -L "$source" "$root$target"
  local lib
  # "libfoo.so.1 => /lib/.../libfoo.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
  for lib in $(ldd "$source" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' || true); do
    if [ ! -e "$root$lib" ]; then
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    fi
  done
}

# The host's copy of a shared library given by file name, wherever this distribution keeps it.
find_lib() {
  local name=$1 dir
  for dir in /lib/*-linux-gnu* /usr/lib/*-linux-gnu* /lib64 /usr/lib64 /lib /usr/lib; do
    if [ -e "$dir/$name" ]; then echo "$dir/$name"; return 0; fi
  done
  return 1
}

build_node_base() {
  need_command busybox busybox-static
  need_command node nodejs
  local busybox
  busybox=$(command -v busybox)
  if ldd "$busybox" >/dev/null 2>&1; then
    die "$busybox is linked dynamically: apt-get install busybox-static"
  fi

  local root="$work/node-base"
  mkdir -p "$root"/{bin,etc,tmp,root,home,var/run} "$root/usr/local/bin"
  chmod 1777 "$root/tmp"
  cp -L "$busybox" "$root/bin/busybox"
  local applet
  for applet in $("$busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done

  copy_with_libs "$root" "$(command -v node)" /usr/local/bin/node

  # Name lookups (users, hosts, DNS for compose service names) go through glibc's NSS modules.
  local nss path
  for nss in libnss_files.so.2 libnss_dns.so.2 libresolv.so.2; do
    path=$(find_lib "$nss") || die "$nss not found on this machine"
    mkdir -p "$root$(dirname "$path")"
    cp -L "$path" "$root$path"
  done

  cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
lichen:x:$app_uid:$app_uid:lichen:/home/lichen:/bin/false
EOF
  cat >"$root/etc/group" <<EOF
root:x:0:
nogroup:x:65534:
lichen:x:$app_uid:
EOF
  mkdir -p "$root/home/lichen"
  cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
networks: files
EOF
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    mkdir -p "$root/etc/ssl/certs"
    cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  else
    say "no /etc/ssl/certs/ca-certificates.crt (apt-get install ca-certificates); node's own CA list still works"
  fi

  # Owned by root, whoever runs this script.
  tar --numeric-owner --owner=0 --group=0 -C "$root" -c . |
    docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
      --change 'WORKDIR /' \
      --change 'CMD ["/bin/sh"]' \
      --message "busybox-static + node $(node --version) from $(hostname)" \
      - "$base_image" >/dev/null
}

# Builds $prefix/<name>:$tag FROM the base with the files under $work/<name>/rootfs and the Dockerfile
# body given on standard input.
build_on_base() {
  local name=$1 context="$work/$1"
  mkdir -p "$context/rootfs"
  {
    echo "ARG BASE_IMAGE"
    echo "FROM \${BASE_IMAGE}"
    echo "COPY rootfs/ /"
    cat
  } >"$context/Dockerfile"
  # The classic builder needs no buildx; its deprecation notice is shown only with a failure.
  if ! DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE_IMAGE=$base_image" -t "$prefix/$name:$tag" "$context" \
    >"$work/$name.log" 2>&1; then
    cat "$work/$name.log" >&2
    die "building $prefix/$name:$tag failed"
  fi
}

build_nats() {
  need_command nats-server nats-server
  copy_with_libs "$work/nats/rootfs" "$(command -v nats-server)" /usr/local/bin/nats-server
  # Same program path, ports and data folder as the official nats image, so compose needs no variant.
  build_on_base nats <<EOF
RUN mkdir -p /data && chown $app_uid:$app_uid /data
USER $app_uid
VOLUME /data
EXPOSE 4222 6222 8222
CMD ["nats-server", "--jetstream", "--store_dir", "/data", "--http_port", "8222"]
EOF
}

build_redis() {
  need_command redis-server redis-server
  need_command redis-cli redis-tools
  copy_with_libs "$work/redis/rootfs" "$(command -v redis-server)" /usr/local/bin/redis-server
  copy_with_libs "$work/redis/rootfs" "$(command -v redis-cli)" /usr/local/bin/redis-cli
  # Debian's redis-server refuses outside clients unless told otherwise; the official image is built so.
  build_on_base redis <<EOF
RUN mkdir -p /data && chown $app_uid:$app_uid /data
USER $app_uid
WORKDIR /data
VOLUME /data
EXPOSE 6379
CMD ["redis-server", "--protected-mode", "no"]
EOF
}

build_prometheus() {
  need_command prometheus prometheus
  copy_with_libs "$work/prometheus/rootfs" "$(command -v prometheus)" /bin/prometheus
  mkdir -p "$work/prometheus/rootfs/etc/prometheus"
  cat >"$work/prometheus/rootfs/etc/prometheus/prometheus.yml" <<'EOF'
# Replaced by compose/prometheus/prometheus.yml when run with Lichen's compose file.
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:9090']
EOF
  # Entry point, config path, data folder and user as in the official prom/prometheus image.
  build_on_base prometheus <<'EOF'
RUN mkdir -p /prometheus && chown 65534:65534 /prometheus
USER 65534
WORKDIR /prometheus
VOLUME /prometheus
EXPOSE 9090
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
EOF
}

need_command docker docker.io
docker info >/dev/null 2>&1 || die "the Docker engine is not reachable (is dockerd running?)"

# Every other image is built FROM the base, so it is made first whenever one of them is wanted.
if [[ " ${wanted[*]} " != *" node-base "* ]] && ! image_exists "$base_image"; then
  wanted=(node-base "${wanted[@]}")
fi
for name in "${wanted[@]}"; do
  image="$prefix/$name:$tag"
  if [ "$force" = 0 ] && image_exists "$image"; then
    say "$image exists (--force rebuilds it)"
    continue
  fi
  say "building $image"
  "build_${name//-/_}"
done
