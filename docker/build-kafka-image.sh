#!/usr/bin/env bash
# Builds a local stand-in for the official apache/kafka image from Debian packages and the Maven
# Central jars only (no image registry needed):
#   1. base   kafka-pair/debian-jre:<suite>  debootstrap minbase + openjdk-17-jre-headless, `docker import`
#   2. kafka  kafka-pair/kafka:<version>     FROM the base: jars, bin/ scripts, the env→properties entrypoint
# Each image carries a label with the hash of its inputs; an image whose label matches is kept, so a
# second run takes seconds. Prints the Kafka image name on its last line.
#   KAFKA_IMAGE=...   name of the Kafka image (default kafka-pair/kafka:<version>)
#   FORCE=1           rebuild both images
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
base_image=kafka-pair/debian-jre:$suite
cache=${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-pair}
log() { echo "[kafka-image] $*" >&2; }

command -v docker >/dev/null || { log "no docker CLI"; exit 1; }
docker info >/dev/null 2>&1 || { log "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-default})"; exit 1; }

version=$(sed -n 's/^export const KAFKA_VERSION = "\(.*\)";$/\1/p' "$repo"/scripts/kafka/*.ts | head -1)
[[ -n "$version" ]] || { log "KAFKA_VERSION not found in scripts/kafka"; exit 1; }
image=${KAFKA_IMAGE:-kafka-pair/kafka:$version}
libs=$cache/kafka-$version/libs

label_of() { docker image inspect --format '{{ index .Config.Labels "org.kafka-pair.inputs" }}' "$1" 2>/dev/null || true; }

# ---- 1. base: Debian + JRE
base_inputs=$(printf '%s\n' "$suite" openjdk-17-jre-headless appuser:1000 | sha256sum | cut -c1-16)
if [[ "${FORCE-}" != 1 && "$(label_of "$base_image")" == "$base_inputs" ]]; then
  log "base $base_image is current"
else
  command -v debootstrap >/dev/null || { log "debootstrap missing (apt-get install debootstrap)"; exit 1; }
  t0=$SECONDS
  rootfs=$(mktemp -d /tmp/kafka-pair-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$cache/debootstrap"
  log "debootstrap $suite + openjdk-17-jre-headless into $rootfs (packages cached in $cache/debootstrap)"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless --cache-dir="$cache/debootstrap" \
    "$suite" "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  chroot "$rootfs" useradd --uid 1000 --create-home --shell /bin/bash appuser
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc \
    "$rootfs"/usr/share/man "$rootfs"/usr/share/locale
  tar -C "$rootfs" -c . | docker import --change "LABEL org.kafka-pair.inputs=$base_inputs" \
    --change 'CMD ["/bin/bash"]' - "$base_image" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  log "base $base_image built in $((SECONDS - t0)) s"
fi

# ---- 2. Kafka on top
if [[ ! -d "$libs" ]]; then
  log "resolving Kafka $version from Maven Central (npm run kafka:fetch)"
  (cd "$repo" && npx tsx scripts/kafka/cli.ts fetch >&2)
fi
kafka_inputs=$(
  {
    docker image inspect --format '{{.Id}}' "$base_image"
    (cd "$libs" && ls -l --time-style=+ -- *.jar | awk '{print $5, $NF}')
    cat "$here"/kafka/*
  } | sha256sum | cut -c1-16
)
if [[ "${FORCE-}" != 1 && "$(label_of "$image")" == "$kafka_inputs" ]]; then
  log "$image is current (inputs $kafka_inputs)"
  echo "$image"
  exit 0
fi
t0=$SECONDS
ctx=$(mktemp -d /tmp/kafka-pair-image.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/bin" "$ctx/config"
cp -r "$libs" "$ctx/libs"
cp "$here"/kafka/{Dockerfile,run} "$ctx/"
cp "$here"/kafka/*log4j2.properties "$ctx/config/"
cp "$here"/kafka/{kafka-run-class.sh,kafka-server-start.sh} "$ctx/bin/"
while IFS=$'\t' read -r script class; do
  [[ -z "$script" || "$script" == \#* || -e "$ctx/bin/$script" ]] && continue
  printf '#!/usr/bin/env bash\nexec /opt/kafka/bin/kafka-run-class.sh %s "$@"\n' "$class" >"$ctx/bin/$script"
done <"$here/kafka/tools.tsv"
chmod +x "$ctx"/bin/* "$ctx/run"
# The legacy builder: COPY-only Dockerfile, and it needs no buildx plugin.
DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE_IMAGE=$base_image" \
  --label "org.kafka-pair.inputs=$kafka_inputs" -t "$image" "$ctx" >/dev/null
log "$image built in $((SECONDS - t0)) s (inputs $kafka_inputs)"
echo "$image"
