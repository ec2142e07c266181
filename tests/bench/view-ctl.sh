#!/usr/bin/env bash
# view-ctl.sh ACTION CONTENDER — the untimed steps of W9 and W10 (hyperfine's --prepare):
#   fresh C     a new, empty writable layer over the Debian image for C, mounted at its W9 root
#               (layerfs: a new view; overlayfs, fuse-overlayfs: new upper and work directories;
#               native: an empty directory)
#   clear C     no writable layer of C's left (W10 then times making one)
# Reads the environment run.sh exports.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
source "$here/lib/oci.sh"
source "$here/lib/data.sh"
source "$here/lib/contenders.sh"
source "$here/lib/views.sh"

case ${1:-} in
  fresh) view_clear "$2"; view_make "$2"; sync ;;
  clear) view_clear "$2"; sync ;;
  *) echo "usage: $0 fresh|clear CONTENDER" >&2; exit 2 ;;
esac
