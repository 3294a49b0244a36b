# shellcheck shell=bash
# Sourced by scripts/dev: the container image of deploy/Dockerfile, built with podman on a Debian base
# made here, since no registry can be pulled.

IMAGE=${ORDERLY_IMAGE:-localhost/orderly:dev}
# The bases as podman resolves the Dockerfile's `FROM debian:bookworm` and `FROM debian:bookworm-slim`.
IMAGE_BASE=docker.io/library/debian:bookworm
IMAGE_BASE_SLIM=docker.io/library/debian:bookworm-slim

# Points podman at a containers.conf this machine allows (found by trying): runc, since crun fails in
# this sandbox; no network namespace unless a command asks for one (--network=host); ulimits within
# the sandbox's own. A CONTAINERS_CONF already set is left alone.
podman_env() {
  [ -z "${CONTAINERS_CONF:-}" ] || return 0
  local conf="$BUILD_DIR/podman/containers.conf" text
  text='[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
netns = "none"

[engine]
runtime = "runc"'
  mkdir -p "$(dirname "$conf")"
  [ -f "$conf" ] && [ "$(cat "$conf")" = "$text" ] || printf '%s\n' "$text" >"$conf"
  export CONTAINERS_CONF=$conf
}

# The host's Debian 12 apt sources (main, updates, security) as sources.list lines, from what apt
# already uses; ORDERLY_DEBIAN_MIRROR replaces them with one mirror.
debian_sources() {
  if [ -n "${ORDERLY_DEBIAN_MIRROR:-}" ]; then
    echo "deb $ORDERLY_DEBIAN_MIRROR bookworm main"
    return
  fi
  # shellcheck disable=SC2016  # apt's own $(FIELD) placeholders
  apt-get indextargets --format '$(REPO_URI) $(CODENAME)' 'Identifier: Packages' 'Origin: Debian' 2>/dev/null |
    awk '$2 ~ /^bookworm(-updates|-security)?$/ {print "deb " $1 " " $2 " main"}' | sort -u
}

# Imports root filesystem $1 as image $2, configured as Debian's own images are.
import_rootfs() {
  tar -C "$1" -c . | podman import --message "debootstrap --variant=minbase bookworm (scripts/dev image)" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["bash"]' \
    - "$2" >/dev/null
}

# Makes the Debian 12 bases once: a minbase debootstrap from the host's mirror, imported as
# debian:bookworm, then trimmed as Debian's slim image is (no docs, man pages or locales, and dpkg told
# to keep them out) and imported as debian:bookworm-slim.
image_base() {
  if podman image exists "$IMAGE_BASE" && podman image exists "$IMAGE_BASE_SLIM"; then return 0; fi
  local sources mirror root
  sources=$(debian_sources)
  mirror=$(awk '$3 == "bookworm" {print $2; exit}' <<<"$sources")
  [ -n "$mirror" ] || die "apt uses no Debian 12 (bookworm) mirror here; set ORDERLY_DEBIAN_MIRROR, e.g. http://deb.debian.org/debian"
  root=$(mktemp -d "${TMPDIR:-/var/tmp}/orderly-rootfs.XXXXXX")
  log "making the Debian 12 base images (once): debootstrap --variant=minbase bookworm from $mirror"
  if ! nice -n 19 ionice -c3 -t debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1; then
    tail -n 20 "$root.log" >&2
    rm -rf "$root"
    die "debootstrap failed; its log: $root.log"
  fi
  printf '%s\n' "$sources" >"$root/etc/apt/sources.list"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  import_rootfs "$root" "$IMAGE_BASE"
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/groff/*' 'path-exclude /usr/share/info/*' \
    'path-exclude /usr/share/lintian/*' 'path-exclude /usr/share/linda/*' 'path-exclude /usr/share/locale/*' \
    'path-include /usr/share/locale/locale.alias' >"$root/etc/dpkg/dpkg.cfg.d/slim"
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/{man,groff,info,lintian,linda}/*
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  import_rootfs "$root" "$IMAGE_BASE_SLIM"
  rm -rf "$root" "$root.log"
  log "base images: $IMAGE_BASE, $IMAGE_BASE_SLIM"
}

# Builds $IMAGE incrementally: unchanged layers come from podman's layer cache. The build stage
# compiles at the paths of this checkout and build directory with the host's ccache directory mounted,
# so what `scripts/dev build` compiled is not compiled again (and the other way round). The image this
# replaces is removed unless a container still uses it.
cmd_image() {
  cmd_deps
  podman_env
  image_base
  local before after start=$SECONDS ccache_dir args locale="" var
  # ccache keys hold the compile command, its directory and the locale: all three as on the host.
  for var in LANG LC_ALL LC_CTYPE LC_MESSAGES; do [ -z "${!var+set}" ] || locale+="$var=${!var} "; done
  args=(--build-arg "ORDERLY_SRC=$ROOT" --build-arg "ORDERLY_BUILD=$BUILD_DIR" --build-arg "ORDERLY_LOCALE=$locale")
  ccache_dir=$(ccache --get-config cache_dir)
  mkdir -p "$ccache_dir"
  args+=(--volume "$ccache_dir:/host-ccache" --build-arg CCACHE_DIR=/host-ccache)
  before=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
  log "building $IMAGE from deploy/Dockerfile (ccache: $ccache_dir)"
  nice -n 19 ionice -c3 -t podman build --pull=never --network=host --format docker --layers "${args[@]}" \
    -f "$ROOT/deploy/Dockerfile" -t "$IMAGE" "$ROOT"
  after=$(podman image inspect --format '{{.Id}}' "$IMAGE")
  if [ -n "$before" ] && [ "$before" != "$after" ]; then podman rmi "$before" >/dev/null 2>&1 || true; fi
  log "built $IMAGE (${after:0:12}) in $((SECONDS - start)) s"
}
