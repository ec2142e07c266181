#!/usr/bin/env python3
"""Plays a supervisor such as mount.fuse3 with drop_privileges: opens /dev/fuse, mounts it
itself with mount(2), then runs the filesystem with the mountpoint "/dev/fd/N".

Usage: devfd_mount.py MOUNTPOINT COMMAND... ("{fd}" in COMMAND is replaced by N)."""
import ctypes
import os
import subprocess
import sys

MS_NOSUID, MS_NODEV = 2, 4
mountpoint, command = sys.argv[1], sys.argv[2:]
fd = os.open("/dev/fuse", os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
data = "fd=%d,rootmode=40000,user_id=0,group_id=0,default_permissions" % fd
if libc.mount(b"devfd-test", mountpoint.encode(), b"fuse.layerfs", MS_NOSUID | MS_NODEV, data.encode()) != 0:
    sys.exit("mount: " + os.strerror(ctypes.get_errno()))
result = subprocess.run([a.replace("{fd}", str(fd)) for a in command], pass_fds=[fd])
os.close(fd)
sys.exit(result.returncode)
