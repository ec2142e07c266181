#!/bin/bash
# The devicemapper snapshotter's tests, run INSIDE the qemu guest by tests/dm/run.sh (one call per
# boot: `in-guest.sh boot1|boot2 REPO`). The store lives on its own disk that outlives the
# first boot, so boot2 sees what a reboot leaves. Prints "ok ..."/"FAIL ..." lines and ends with
# "guest tests: N passed, N failed" (run.sh adds both boots up).
set -uo pipefail
PHASE=$1
REPO=$2
CLI=$REPO/out/layerfs/layerfs
IMAGE=$REPO/examples/busybox/out
DISK=/mnt/dm-store
S=$DISK/store
MNT=/mnt/layerfs
POSIX_OPS=${POSIX_OPS:-$REPO/tests/views/posix_ops.py}
POSIX_OPS_COUNT=${POSIX_OPS_COUNT:-300}
export LAYERFS_DM_BASE_SIZE=1G   # a small base: mkfs.ext4 under emulation is slow; pool sizes stay docker's
passed=0 failed=0
T0=$(cut -d' ' -f1 /proc/uptime)

ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
note() { printf '[%7.1fs] %s\n' "$(echo "$(cut -d' ' -f1 /proc/uptime) - $T0" | bc)" "$*"; }
layerfs() { note "layerfs $*"; "$CLI" --store "$S" "$@"; }

# The layerfs command killed right after a given step of the tools it runs (see kill-after).
WRAP=/tmp/dm-wrappers
mkdir -p $WRAP
for t in dmsetup cp mkfs.ext4; do ln -sf "$REPO/tests/dm/kill-after" $WRAP/$t; done
killed_at() { # STEP NTH COMMAND...: runs layerfs with the kill armed; true if it was killed (137)
    local step=$1 nth=$2; shift 2
    rm -f /tmp/dm-kill-count
    note "layerfs $* (killed after '$step' #$nth)"
    PATH=$WRAP:$PATH DM_KILL_AT=$step DM_KILL_NTH=$nth "$CLI" --store "$S" "$@"
    [ $? -eq 137 ]
}

pool() { dmsetup ls | awk '/^layerfs-.*-pool/ {print $1}'; }
record_ids() { cat $S/devicemapper/devices/*.json 2>/dev/null | sed -n 's/.*"device_id": *\([0-9]*\).*/\1/p' | sort -n | tr '\n' ' '; }
# The thin ids the pool's metadata holds, read through a metadata snapshot while the pool is live.
pool_ids() {
    local p meta
    p=$(pool)
    meta=$(losetup -n -O NAME -j $S/devicemapper/metadata | head -1)
    dmsetup message "$p" 0 reserve_metadata_snap
    thin_dump -m "$meta" | sed -n 's/.*<device dev_id="\([0-9]*\)".*/\1/p' | sort -n | tr '\n' ' '
    dmsetup message "$p" 0 release_metadata_snap
}
# No leaked thin ids, no half-done transaction, no leftover private mounts.
consistent() {
    local r p
    r=$(record_ids); p=$(pool_ids)
    [ "$r" = "$p" ] || { echo "  records: $r / pool: $p"; return 1; }
    [ ! -e $S/devicemapper/transaction.json ] || { echo "  transaction.json left"; return 1; }
    ! findmnt -rn -o TARGET | grep -q "^$S/devicemapper/tmp" || { echo "  private mounts left"; return 1; }
}
active_thin_count() { dmsetup ls | grep -c '^layerfs-.*-[0-9]' || true; }
is_mounted() { findmnt -rn -o SOURCE "$1" | grep -q '^/dev/mapper/layerfs-'; }
# Entries with type, mode, owner, size, mtime (ns), links and symlink target, then content digests.
listing() {
    (cd "$1" && find . -mindepth 1 ! -type d -printf '%y %p %m %U:%G %s %T@ %n %l\n' | sort &&
        find . -mindepth 1 -type d -printf '%y %p %m %U:%G %T@\n' | sort &&
        find . -type f -exec sha256sum {} + | sort -k2)
}
same_tree() { diff <(listing "$1") <(listing "$2") >/tmp/tree.diff || { head -20 /tmp/tree.diff; return 1; }; }
deactivate_all() { # what a power cut leaves: nothing mounted, no device active
    findmnt -rn -o TARGET | grep "^$S/views/.*/rootfs$" | while read -r m; do umount "$m"; done
    for d in $(dmsetup ls | awk '/^layerfs-/ && !/-pool/ {print $1}'); do dmsetup remove "$d"; done
    for d in $(pool); do dmsetup remove "$d"; done
}
thin_check_clean() { deactivate_all; thin_check -q $S/devicemapper/metadata; }

mkdir -p $DISK $MNT
# The store disk is the last virtio disk (run.sh attaches no scratch disk, so it is /dev/vda).
STORE_DEV=$(ls /dev/vd? | tail -1)
mount "$STORE_DEV" $DISK || { echo "cannot mount $STORE_DEV"; exit 1; }

case $PHASE in
boot1)
    layerfs import "$IMAGE" --name busybox:latest >/dev/null || fail "import"

    # Crash points while the image's base device is made and filled (first view of the image).
    check "crash after create_thin of the base" killed_at "create_thin" 1 view create a --from busybox:latest --snapshotter devicemapper
    check "crash after the base is activated (record Filling)" killed_at "create layerfs-" 1 view create a --from busybox:latest --snapshotter devicemapper
    check "crash while copying the rootfs into the base (private FUSE and ext4 mounts up)" killed_at "cp -a" 1 view create a --from busybox:latest --snapshotter devicemapper
    check "view create after three crashes" layerfs view create a --from busybox:latest --snapshotter devicemapper
    check "recovered: no leaked ids, no open transaction, no private mounts" consistent
    check "view a mounted by the kernel at STORE/views/a/rootfs" is_mounted $S/views/a/rootfs
    check "one base and one view device: $(record_ids)" test "$(record_ids)" = "1 2 "

    "$CLI" --store $S mount $MNT || fail "layerfs mount"
    check "view a's rootfs is exactly the image's rootfs (attributes, links, content)" same_tree $MNT/images/busybox:latest/rootfs $S/views/a/rootfs

    # Crash points while a view's snapshot is made.
    check "crash after create_snap" killed_at "create_snap" 1 view create b --from busybox:latest --snapshotter devicemapper
    check "crash after the view's device is activated (before its row)" killed_at "create layerfs-" 1 view create b --from busybox:latest --snapshotter devicemapper
    check "view create b after two crashes" layerfs view create b --from busybox:latest --snapshotter devicemapper
    check "recovered: no leaked ids after the snapshot crashes: $(record_ids)" consistent

    A=$S/views/a/rootfs B=$S/views/b/rootfs
    echo "written in a" >$A/etc/only-a; mkdir -p $A/data/sub; echo x >$A/data/sub/f
    rm $A/bin/ls; chmod 700 $A/home; echo "appended in a" >>$A/etc/passwd
    echo "written in b" >$B/etc/only-b; rm -r $B/var
    sync
    check "a sees its own writes" grep -q "written in a" $A/etc/only-a
    check "b does not see a's new file" test ! -e $B/etc/only-a
    check "b still has what a deleted" test -e $B/bin/ls
    check "b's passwd is the image's" cmp -s $B/etc/passwd $MNT/images/busybox:latest/rootfs/etc/passwd
    check "a does not see b's new file, and keeps what b deleted" test ! -e $A/etc/only-b -a -d $A/var

    note "layerfs diff a"
    diff_out=$("$CLI" --store $S diff a 2>&1); rc=$?
    if [ $rc -eq 0 ]; then
        expected=$'C /bin\nD /bin/ls\nA /data\nA /data/sub\nA /data/sub/f\nC /etc\nA /etc/only-a\nC /etc/passwd\nC /home'
        check "diff a lists added, changed and deleted paths" test "$diff_out" = "$expected"
        [ "$diff_out" = "$expected" ] || echo "$diff_out"
    else
        echo "note: 'layerfs diff' is not in this build ($diff_out)"
    fi

    # Crash points while a view is removed, then a clean removal.
    check "crash after the view's device is deactivated" killed_at "remove layerfs-" 1 view rm b
    check "view create c (finishes b's removal)" layerfs view create c --from busybox:latest --snapshotter devicemapper
    check "b's device and directory are gone" test ! -e $S/views/b -a ! -e $S/devicemapper/devices/view-b.json
    check "crash after the delete message, before the transaction id" killed_at "delete" 1 view rm c
    check "view create d (finishes c's removal)" layerfs view create d --from busybox:latest --snapshotter devicemapper

    # A view removed while a process holds a file in it: unmounted lazily, device removed deferred.
    sleep 3600 <$S/views/d/rootfs/etc/passwd &
    holder=$!
    check "view rm d while a file in it is open" layerfs view rm d
    check "d's device stays until its last user leaves (record Removing)" \
        grep -q '"Removing"' $S/devicemapper/devices/view-d.json
    kill $holder; wait $holder 2>/dev/null
    used_before=$(dmsetup status "$(pool)" | awk '{print $6}')
    check "view create g (finishes d's deferred removal)" layerfs view create g --from busybox:latest --snapshotter devicemapper
    check "d's device, record and directory are gone" test ! -e $S/devicemapper/devices/view-d.json -a ! -e $S/views/d
    dd if=/dev/urandom of=$S/views/g/rootfs/blob bs=1M count=32 status=none; sync
    used_full=$(dmsetup status "$(pool)" | awk '{print $6}')
    check "view rm g" layerfs view rm g
    used_after=$(dmsetup status "$(pool)" | awk '{print $6}')
    check "view rm frees g's data blocks ($used_full -> $used_after, was $used_before)" test "${used_after%/*}" -lt "${used_full%/*}"
    check "view rm frees the device: no g device, mount or directory" \
        test "$(active_thin_count)" = 1 -a ! -e $S/views/g -a ! -e $S/devicemapper/devices/view-g.json
    check "recovered after the removal crashes: ids $(record_ids)" consistent
    check "a's writes are still there" grep -q "written in a" $A/etc/only-a

    # Differential POSIX operations (the views tests' engine) on a fresh view and a plain copy of it
    # on the store's disk, compared again after the reboot.
    if [ -f "$POSIX_OPS" ]; then
        check "view create p" layerfs view create p --from busybox:latest --snapshotter devicemapper
        cp -a $S/views/p/rootfs $DISK/ref-p
        note "posix_ops: $POSIX_OPS_COUNT operations"
        check "posix_ops: $POSIX_OPS_COUNT seeded operations on devicemapper view p agree with a plain directory" \
            python3 "$POSIX_OPS" --seed 7 --ops "$POSIX_OPS_COUNT" $S/views/p/rootfs $DISK/ref-p
    else
        echo "note: $POSIX_OPS is not in this tree: no differential operations"
    fi

    umount $MNT
    sync
    # boot2 starts from what a power cut leaves: view a's device active and mounted until the end.
    ;;
boot2)
    A=$S/views/a/rootfs
    check "nothing active after the reboot" test -z "$(pool)"
    "$CLI" --store $S mount $MNT || fail "layerfs mount"
    check "layerfs mount re-activated and mounted view a" is_mounted $A
    check "view a keeps its writes across the reboot" grep -q "written in a" $A/etc/only-a
    check "view a keeps its deletion across the reboot" test ! -e $A/bin/ls
    if [ -d $S/views/p ]; then
        check "view p still agrees with its plain copy after the reboot" python3 "$POSIX_OPS" --compare $S/views/p/rootfs $DISK/ref-p
    fi
    umount $MNT
    check "thin_check: pool metadata clean" thin_check_clean
    check "view create e re-activates the pool and mounts view a again" layerfs view create e --from busybox:latest --snapshotter devicemapper
    check "view a mounted again" is_mounted $A
    check "e is the image's rootfs, a keeps its file" test ! -e $S/views/e/rootfs/etc/only-a -a -e $A/etc/only-a
    check "view rm a e $([ -d $S/views/p ] && echo p)" layerfs view rm a e $([ -d $S/views/p ] && echo p)
    check "only the base device is left: $(record_ids)" test "$(record_ids)" = "1 "
    check "consistent after removing every view" consistent
    check "thin_check: pool metadata clean at the end" thin_check_clean
    ;;
esac

note "done"
umount $DISK 2>/dev/null
echo "guest tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
