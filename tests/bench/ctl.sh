#!/usr/bin/env bash
# ctl.sh ACTION [CONTENDER DATASET] — the harness's untimed steps between timed
# runs; hyperfine calls it as --prepare.  Reads the environment run.sh exports.
#   drop                   sync and drop the page cache, dentries and inodes
#   cold C DS              unmount C's mount of DS, drop caches, mount again
#   unmount-drop C DS      unmount C's mount of DS, drop caches (W1 then times the mount)
#   reset-dir DIR          remove DIR and flush (W7's destination)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
source "$here/lib/oci.sh"
source "$here/lib/data.sh"
source "$here/lib/contenders.sh"

case ${1:-} in
  drop) drop_caches ;;
  cold)
    contender_unmount "$2" "$3"
    drop_caches
    contender_mount "$2" "$3" ;;
  unmount-drop)
    contender_unmount "$2" "$3"
    drop_caches ;;
  reset-dir)
    [[ $2 == "$BENCH_CACHE"/scratch/* ]] || bench_die "reset-dir: $2 is not under the cache's scratch directory"
    rm -rf "$2"
    sync ;;
  *) echo "usage: $0 drop | cold C DS | unmount-drop C DS | reset-dir DIR" >&2; exit 2 ;;
esac
