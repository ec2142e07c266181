#!/usr/bin/env bash
# demo.sh CLI_PATH — the `make demo` walkthrough.
#
# Imports the example busybox image into a throw-away store, lists and inspects
# it, mounts the store, looks around the mounted tree, chroots into the image's
# rootfs and unmounts.  Whatever happens (an error, Ctrl-C), the mount is
# released and the temporary store removed on exit.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 CLI_PATH" >&2; exit 2; }
cli=$(realpath "$1")
[ -x "$cli" ] || { echo "demo: $1 is not an executable (run make build first)" >&2; exit 1; }
repo=$(cd "$(dirname "$0")/.." && pwd)
image=$repo/examples/busybox/out
[ -f "$image/index.json" ] || { echo "demo: $image is missing (run make example first)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (mount -o suid,dev and chroot need it)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/layerfs-demo.XXXXXX)
export LAYERFS_STORE=$tmp/store
mnt=$tmp/mnt
mkdir -p "$mnt"

# Unmount (politely, then forcibly, then lazily) and remove the temporary store.
# Never removes anything while something is still mounted below $tmp.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if mountpoint -q "$mnt" 2>/dev/null; then
    "$cli" umount "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
  fi
  if mountpoint -q "$mnt" 2>/dev/null; then
    echo "demo: $mnt is still mounted; leaving $tmp in place" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bold=$(tput bold 2>/dev/null || true) plain=$(tput sgr0 2>/dev/null || true)
step() { echo; echo "${bold}==> $*${plain}"; }
# Echoes a command as the user would type it (with `layerfs` for the CLI path), then runs it.
run() {
  local arg line='$'
  for arg in "$@"; do
    if [ "$arg" = "$cli" ]; then arg=layerfs
    elif [[ ! $arg =~ ^[][A-Za-z0-9_./:,=+@%-]+$ ]]; then arg="'${arg//\'/\'\\\'\'}'"
    fi
    line+=" $arg"
  done
  echo "$line"
  "$@"
}

step "A fresh, empty store (LAYERFS_STORE=$LAYERFS_STORE)"
run "$cli" import "$image" --name busybox:latest

step "The store now holds one image"
run "$cli" images

step "Its manifest, config and layers"
run "$cli" inspect busybox:latest

step "Mount the store: every image and layer is a directory"
run "$cli" mount "$mnt" -o suid,dev
# The mount command returns once the filesystem answers; wait a little in case
# it hands over to a background daemon that is still starting.
for _ in $(seq 50); do mountpoint -q "$mnt" && break; sleep 0.1; done
mountpoint -q "$mnt" || { echo "demo: $mnt did not become a mount point" >&2; exit 1; }
run ls "$mnt/images/busybox:latest/"

step "The image's root filesystem, straight from the store (no unpacking)"
echo "\$ ls $mnt/images/busybox:latest/rootfs/bin | head"
# (listed first, then cut: `ls | head` would fail under pipefail when head exits early)
applets=$(ls "$mnt/images/busybox:latest/rootfs/bin")
head <<<"$applets"

step "chroot into it"
run chroot "$mnt/images/busybox:latest/rootfs" /bin/sh -c 'echo hello from busybox; uname -a'

step "Unmount"
run "$cli" umount "$mnt"

echo
echo "demo: done (the temporary store is removed on exit)"
