/*
 * Prints the layout of every FUSE wire struct and the value of every protocol constant that
 * LayerFs.Fuse mirrors, as the system's <linux/fuse.h> defines them. The layout test
 * (tests/LayerFs.Fuse.Tests/StructLayoutTests.cs) compiles this with gcc, runs it and compares
 * each line with the C# definitions.
 *
 * Output lines:
 *   V <major> <minor>                       header protocol version
 *   S <struct> <sizeof>
 *   F <struct> <field> <offsetof> <sizeof>  (sizeof 0: flexible array member)
 *   C <family> <name> <value>
 *
 * Structs and fields newer than the installed header are printed from the documented layout
 * (fuse-protocol.md, include/uapi/linux/fuse.h of 7.40+) and marked by a trailing "documented";
 * static asserts check that they occupy what was reserved space in the older header.
 */
#include <errno.h>
#include <linux/fs.h>
#include <linux/fuse.h>
#include <linux/io_uring.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#define S(T) printf("S %s %zu\n", #T, sizeof(struct T))
#define F(T, f) printf("F %s %s %zu %zu\n", #T, #f, offsetof(struct T, f), sizeof(((struct T *)0)->f))
#define FLEX(T, f) printf("F %s %s %zu 0\n", #T, #f, offsetof(struct T, f))
#define DOC(T, f, off, size) printf("F %s %s %d %d documented\n", #T, #f, off, size)
#define C(family, name) printf("C %s %s %llu\n", family, #name, flag_value(name))

/* Flags are 32-bit fields on the wire: (1 << 31) is an int in the header and must not sign-extend. */
#if FUSE_KERNEL_MINOR_VERSION < 42
/* The FUSE io_uring structs appeared in 7.42 (Linux 6.14). */
#define FUSE_URING_IN_OUT_HEADER_SZ 128
#define FUSE_URING_OP_IN_OUT_SZ 128
struct fuse_uring_ent_in_out {
	uint64_t flags;
	uint64_t commit_id;
	uint32_t payload_sz;
	uint32_t padding;
	uint64_t reserved;
};
struct fuse_uring_req_header {
	char in_out[FUSE_URING_IN_OUT_HEADER_SZ];
	char op_in[FUSE_URING_OP_IN_OUT_SZ];
	struct fuse_uring_ent_in_out ring_ent_in_out;
};
enum fuse_uring_cmd {
	FUSE_IO_URING_CMD_INVALID = 0,
	FUSE_IO_URING_CMD_REGISTER = 1,
	FUSE_IO_URING_CMD_COMMIT_AND_FETCH = 2,
};
struct fuse_uring_cmd_req {
	uint64_t flags;
	uint64_t commit_id;
	uint16_t qid;
	uint8_t padding[6];
};
#define URING_DOCUMENTED " documented"
#else
#define URING_DOCUMENTED ""
#endif

/* A struct that may come from the documented layout above: its lines carry the mark. */
#define SU(T) printf("S %s %zu%s\n", #T, sizeof(struct T), URING_DOCUMENTED)
#define FU(T, f) printf("F %s %s %zu %zu%s\n", #T, #f, offsetof(struct T, f), sizeof(((struct T *)0)->f), URING_DOCUMENTED)

static unsigned long long flag_value(long long v)
{
	return v < 0 ? (unsigned long long)(uint32_t)v : (unsigned long long)v;
}

#if FUSE_KERNEL_MINOR_VERSION < 40
/* struct fuse_backing_map appeared in 7.40 (Linux 6.9). */
struct fuse_backing_map {
	int32_t fd;
	uint32_t flags;
	uint64_t padding;
};
#define FUSE_DEV_IOC_BACKING_OPEN _IOW(FUSE_DEV_IOC_MAGIC, 1, struct fuse_backing_map)
#define FUSE_DEV_IOC_BACKING_CLOSE _IOW(FUSE_DEV_IOC_MAGIC, 2, uint32_t)
#define FOPEN_PASSTHROUGH (1 << 7)
#define BACKING_MAP_DOCUMENTED " documented"
#else
#define BACKING_MAP_DOCUMENTED ""
#endif

static void structs(void)
{
	S(fuse_in_header);
	F(fuse_in_header, len); F(fuse_in_header, opcode); F(fuse_in_header, unique); F(fuse_in_header, nodeid);
	F(fuse_in_header, uid); F(fuse_in_header, gid); F(fuse_in_header, pid);
	F(fuse_in_header, total_extlen); F(fuse_in_header, padding);

	S(fuse_out_header);
	F(fuse_out_header, len); F(fuse_out_header, error); F(fuse_out_header, unique);

	S(fuse_attr);
	F(fuse_attr, ino); F(fuse_attr, size); F(fuse_attr, blocks); F(fuse_attr, atime); F(fuse_attr, mtime);
	F(fuse_attr, ctime); F(fuse_attr, atimensec); F(fuse_attr, mtimensec); F(fuse_attr, ctimensec);
	F(fuse_attr, mode); F(fuse_attr, nlink); F(fuse_attr, uid); F(fuse_attr, gid); F(fuse_attr, rdev);
	F(fuse_attr, blksize); F(fuse_attr, flags);

	S(fuse_entry_out);
	F(fuse_entry_out, nodeid); F(fuse_entry_out, generation); F(fuse_entry_out, entry_valid);
	F(fuse_entry_out, attr_valid); F(fuse_entry_out, entry_valid_nsec); F(fuse_entry_out, attr_valid_nsec);
	F(fuse_entry_out, attr);

	S(fuse_attr_out);
	F(fuse_attr_out, attr_valid); F(fuse_attr_out, attr_valid_nsec); F(fuse_attr_out, dummy); F(fuse_attr_out, attr);

	S(fuse_getattr_in);
	F(fuse_getattr_in, getattr_flags); F(fuse_getattr_in, dummy); F(fuse_getattr_in, fh);

	S(fuse_setattr_in);
	F(fuse_setattr_in, valid); F(fuse_setattr_in, padding); F(fuse_setattr_in, fh); F(fuse_setattr_in, size);
	F(fuse_setattr_in, lock_owner); F(fuse_setattr_in, atime); F(fuse_setattr_in, mtime); F(fuse_setattr_in, ctime);
	F(fuse_setattr_in, atimensec); F(fuse_setattr_in, mtimensec); F(fuse_setattr_in, ctimensec);
	F(fuse_setattr_in, mode); F(fuse_setattr_in, unused4); F(fuse_setattr_in, uid); F(fuse_setattr_in, gid);
	F(fuse_setattr_in, unused5);

	S(fuse_forget_in); F(fuse_forget_in, nlookup);
	S(fuse_forget_one); F(fuse_forget_one, nodeid); F(fuse_forget_one, nlookup);
	S(fuse_batch_forget_in); F(fuse_batch_forget_in, count); F(fuse_batch_forget_in, dummy);
	S(fuse_mknod_in); F(fuse_mknod_in, mode); F(fuse_mknod_in, rdev); F(fuse_mknod_in, umask); F(fuse_mknod_in, padding);
	S(fuse_mkdir_in); F(fuse_mkdir_in, mode); F(fuse_mkdir_in, umask);
	S(fuse_rename_in); F(fuse_rename_in, newdir);
	S(fuse_rename2_in); F(fuse_rename2_in, newdir); F(fuse_rename2_in, flags); F(fuse_rename2_in, padding);
	S(fuse_link_in); F(fuse_link_in, oldnodeid);
	S(fuse_access_in); F(fuse_access_in, mask); F(fuse_access_in, padding);
	S(fuse_interrupt_in); F(fuse_interrupt_in, unique);

	S(fuse_open_in); F(fuse_open_in, flags); F(fuse_open_in, open_flags);
	S(fuse_create_in); F(fuse_create_in, flags); F(fuse_create_in, mode); F(fuse_create_in, umask); F(fuse_create_in, open_flags);
	S(fuse_open_out); F(fuse_open_out, fh); F(fuse_open_out, open_flags);
#if FUSE_KERNEL_MINOR_VERSION >= 40
	F(fuse_open_out, backing_id);
#else
	/* 7.40 named the trailing padding backing_id. */
	_Static_assert(offsetof(struct fuse_open_out, padding) == 12, "open_out padding");
	DOC(fuse_open_out, backing_id, 12, 4);
#endif
	S(fuse_release_in); F(fuse_release_in, fh); F(fuse_release_in, flags); F(fuse_release_in, release_flags); F(fuse_release_in, lock_owner);
	S(fuse_flush_in); F(fuse_flush_in, fh); F(fuse_flush_in, unused); F(fuse_flush_in, padding); F(fuse_flush_in, lock_owner);
	S(fuse_read_in);
	F(fuse_read_in, fh); F(fuse_read_in, offset); F(fuse_read_in, size); F(fuse_read_in, read_flags);
	F(fuse_read_in, lock_owner); F(fuse_read_in, flags); F(fuse_read_in, padding);
	S(fuse_write_in);
	F(fuse_write_in, fh); F(fuse_write_in, offset); F(fuse_write_in, size); F(fuse_write_in, write_flags);
	F(fuse_write_in, lock_owner); F(fuse_write_in, flags); F(fuse_write_in, padding);
	S(fuse_write_out); F(fuse_write_out, size); F(fuse_write_out, padding);
	S(fuse_fsync_in); F(fuse_fsync_in, fh); F(fuse_fsync_in, fsync_flags); F(fuse_fsync_in, padding);
	S(fuse_fallocate_in);
	F(fuse_fallocate_in, fh); F(fuse_fallocate_in, offset); F(fuse_fallocate_in, length); F(fuse_fallocate_in, mode); F(fuse_fallocate_in, padding);
	S(fuse_lseek_in); F(fuse_lseek_in, fh); F(fuse_lseek_in, offset); F(fuse_lseek_in, whence); F(fuse_lseek_in, padding);
	S(fuse_lseek_out); F(fuse_lseek_out, offset);

	S(fuse_setxattr_in); F(fuse_setxattr_in, size); F(fuse_setxattr_in, flags); F(fuse_setxattr_in, setxattr_flags); F(fuse_setxattr_in, padding);
	S(fuse_getxattr_in); F(fuse_getxattr_in, size); F(fuse_getxattr_in, padding);
	S(fuse_getxattr_out); F(fuse_getxattr_out, size); F(fuse_getxattr_out, padding);

	S(fuse_dirent); F(fuse_dirent, ino); F(fuse_dirent, off); F(fuse_dirent, namelen); F(fuse_dirent, type); FLEX(fuse_dirent, name);
	S(fuse_direntplus); F(fuse_direntplus, entry_out); F(fuse_direntplus, dirent);

	S(fuse_kstatfs);
	F(fuse_kstatfs, blocks); F(fuse_kstatfs, bfree); F(fuse_kstatfs, bavail); F(fuse_kstatfs, files); F(fuse_kstatfs, ffree);
	F(fuse_kstatfs, bsize); F(fuse_kstatfs, namelen); F(fuse_kstatfs, frsize); F(fuse_kstatfs, padding); F(fuse_kstatfs, spare);
	S(fuse_statfs_out); F(fuse_statfs_out, st);

	S(fuse_init_in);
	F(fuse_init_in, major); F(fuse_init_in, minor); F(fuse_init_in, max_readahead); F(fuse_init_in, flags);
	F(fuse_init_in, flags2); F(fuse_init_in, unused);
	S(fuse_init_out);
	F(fuse_init_out, major); F(fuse_init_out, minor); F(fuse_init_out, max_readahead); F(fuse_init_out, flags);
	F(fuse_init_out, max_background); F(fuse_init_out, congestion_threshold); F(fuse_init_out, max_write);
	F(fuse_init_out, time_gran); F(fuse_init_out, max_pages); F(fuse_init_out, map_alignment); F(fuse_init_out, flags2);
#if FUSE_KERNEL_MINOR_VERSION >= 43
	F(fuse_init_out, max_stack_depth); F(fuse_init_out, request_timeout); F(fuse_init_out, unused);
#elif FUSE_KERNEL_MINOR_VERSION >= 40
	F(fuse_init_out, max_stack_depth);
	_Static_assert(offsetof(struct fuse_init_out, unused) == 40, "init_out unused");
	DOC(fuse_init_out, request_timeout, 40, 2); DOC(fuse_init_out, unused, 42, 22);
#else
	/* max_stack_depth (7.40) and request_timeout (7.43) were carved out of unused[7]. */
	_Static_assert(offsetof(struct fuse_init_out, unused) == 36, "init_out unused");
	_Static_assert(sizeof(struct fuse_init_out) == 64, "init_out size");
	DOC(fuse_init_out, max_stack_depth, 36, 4); DOC(fuse_init_out, request_timeout, 40, 2); DOC(fuse_init_out, unused, 42, 22);
#endif

	S(fuse_notify_inval_inode_out);
	F(fuse_notify_inval_inode_out, ino); F(fuse_notify_inval_inode_out, off); F(fuse_notify_inval_inode_out, len);
	S(fuse_notify_inval_entry_out);
	F(fuse_notify_inval_entry_out, parent); F(fuse_notify_inval_entry_out, namelen); F(fuse_notify_inval_entry_out, flags);
	S(fuse_notify_delete_out);
	F(fuse_notify_delete_out, parent); F(fuse_notify_delete_out, child); F(fuse_notify_delete_out, namelen); F(fuse_notify_delete_out, padding);

	SU(fuse_uring_ent_in_out);
	FU(fuse_uring_ent_in_out, flags); FU(fuse_uring_ent_in_out, commit_id); FU(fuse_uring_ent_in_out, payload_sz);
	FU(fuse_uring_ent_in_out, padding); FU(fuse_uring_ent_in_out, reserved);
	SU(fuse_uring_req_header);
	FU(fuse_uring_req_header, in_out); FU(fuse_uring_req_header, op_in); FU(fuse_uring_req_header, ring_ent_in_out);
	SU(fuse_uring_cmd_req);
	FU(fuse_uring_cmd_req, flags); FU(fuse_uring_cmd_req, commit_id); FU(fuse_uring_cmd_req, qid); FU(fuse_uring_cmd_req, padding);

	/* io_uring (<linux/io_uring.h>): the rings FUSE over io_uring runs on. */
	S(io_uring_params);
	F(io_uring_params, sq_entries); F(io_uring_params, cq_entries); F(io_uring_params, flags);
	F(io_uring_params, sq_thread_cpu); F(io_uring_params, sq_thread_idle); F(io_uring_params, features);
	F(io_uring_params, wq_fd); F(io_uring_params, resv); F(io_uring_params, sq_off); F(io_uring_params, cq_off);
	S(io_sqring_offsets);
	F(io_sqring_offsets, head); F(io_sqring_offsets, tail); F(io_sqring_offsets, ring_mask); F(io_sqring_offsets, ring_entries);
	F(io_sqring_offsets, flags); F(io_sqring_offsets, dropped); F(io_sqring_offsets, array); F(io_sqring_offsets, resv1);
	F(io_sqring_offsets, resv2);
	S(io_cqring_offsets);
	F(io_cqring_offsets, head); F(io_cqring_offsets, tail); F(io_cqring_offsets, ring_mask); F(io_cqring_offsets, ring_entries);
	F(io_cqring_offsets, overflow); F(io_cqring_offsets, cqes); F(io_cqring_offsets, flags); F(io_cqring_offsets, resv1);
	F(io_cqring_offsets, resv2);
	S(io_uring_sqe);
	F(io_uring_sqe, opcode); F(io_uring_sqe, flags); F(io_uring_sqe, ioprio); F(io_uring_sqe, fd); F(io_uring_sqe, off);
	F(io_uring_sqe, addr); F(io_uring_sqe, len); F(io_uring_sqe, rw_flags); F(io_uring_sqe, user_data);
	F(io_uring_sqe, buf_index); F(io_uring_sqe, personality); F(io_uring_sqe, splice_fd_in); F(io_uring_sqe, addr3);
	F(io_uring_sqe, __pad2);
	S(io_uring_cqe);
	F(io_uring_cqe, user_data); F(io_uring_cqe, res); F(io_uring_cqe, flags); FLEX(io_uring_cqe, big_cqe);

	printf("S fuse_backing_map %zu%s\n", sizeof(struct fuse_backing_map), BACKING_MAP_DOCUMENTED);
	printf("F fuse_backing_map fd %zu %zu%s\n", offsetof(struct fuse_backing_map, fd), sizeof(int32_t), BACKING_MAP_DOCUMENTED);
	printf("F fuse_backing_map flags %zu %zu%s\n", offsetof(struct fuse_backing_map, flags), sizeof(uint32_t), BACKING_MAP_DOCUMENTED);
	printf("F fuse_backing_map padding %zu %zu%s\n", offsetof(struct fuse_backing_map, padding), sizeof(uint64_t), BACKING_MAP_DOCUMENTED);
}

static void opcodes(void)
{
	const char *o = "opcode";
	C(o, FUSE_LOOKUP); C(o, FUSE_FORGET); C(o, FUSE_GETATTR); C(o, FUSE_SETATTR); C(o, FUSE_READLINK);
	C(o, FUSE_SYMLINK); C(o, FUSE_MKNOD); C(o, FUSE_MKDIR); C(o, FUSE_UNLINK); C(o, FUSE_RMDIR);
	C(o, FUSE_RENAME); C(o, FUSE_LINK); C(o, FUSE_OPEN); C(o, FUSE_READ); C(o, FUSE_WRITE); C(o, FUSE_STATFS);
	C(o, FUSE_RELEASE); C(o, FUSE_FSYNC); C(o, FUSE_SETXATTR); C(o, FUSE_GETXATTR); C(o, FUSE_LISTXATTR);
	C(o, FUSE_REMOVEXATTR); C(o, FUSE_FLUSH); C(o, FUSE_INIT); C(o, FUSE_OPENDIR); C(o, FUSE_READDIR);
	C(o, FUSE_RELEASEDIR); C(o, FUSE_FSYNCDIR); C(o, FUSE_GETLK); C(o, FUSE_SETLK); C(o, FUSE_SETLKW);
	C(o, FUSE_ACCESS); C(o, FUSE_CREATE); C(o, FUSE_INTERRUPT); C(o, FUSE_BMAP); C(o, FUSE_DESTROY);
	C(o, FUSE_IOCTL); C(o, FUSE_POLL); C(o, FUSE_NOTIFY_REPLY); C(o, FUSE_BATCH_FORGET); C(o, FUSE_FALLOCATE);
	C(o, FUSE_READDIRPLUS); C(o, FUSE_RENAME2); C(o, FUSE_LSEEK); C(o, FUSE_COPY_FILE_RANGE);
	C(o, FUSE_SETUPMAPPING); C(o, FUSE_REMOVEMAPPING); C(o, FUSE_SYNCFS); C(o, FUSE_TMPFILE); C(o, CUSE_INIT);
#if FUSE_KERNEL_MINOR_VERSION >= 39
	C(o, FUSE_STATX);
#endif
#if FUSE_KERNEL_MINOR_VERSION >= 45
	C(o, FUSE_COPY_FILE_RANGE_64);
#endif

	const char *n = "notify";
	C(n, FUSE_NOTIFY_POLL); C(n, FUSE_NOTIFY_INVAL_INODE); C(n, FUSE_NOTIFY_INVAL_ENTRY);
	C(n, FUSE_NOTIFY_STORE); C(n, FUSE_NOTIFY_RETRIEVE); C(n, FUSE_NOTIFY_DELETE);
#if FUSE_KERNEL_MINOR_VERSION >= 40
	C(n, FUSE_NOTIFY_RESEND);
#endif
#if FUSE_KERNEL_MINOR_VERSION >= 44
	C(n, FUSE_NOTIFY_INC_EPOCH);
#endif
#if FUSE_KERNEL_MINOR_VERSION >= 45
	C(n, FUSE_NOTIFY_PRUNE);
#endif
}

static void flags(void)
{
	const char *i = "init";
	C(i, FUSE_ASYNC_READ); C(i, FUSE_POSIX_LOCKS); C(i, FUSE_FILE_OPS); C(i, FUSE_ATOMIC_O_TRUNC);
	C(i, FUSE_EXPORT_SUPPORT); C(i, FUSE_BIG_WRITES); C(i, FUSE_DONT_MASK); C(i, FUSE_SPLICE_WRITE);
	C(i, FUSE_SPLICE_MOVE); C(i, FUSE_SPLICE_READ); C(i, FUSE_FLOCK_LOCKS); C(i, FUSE_HAS_IOCTL_DIR);
	C(i, FUSE_AUTO_INVAL_DATA); C(i, FUSE_DO_READDIRPLUS); C(i, FUSE_READDIRPLUS_AUTO); C(i, FUSE_ASYNC_DIO);
	C(i, FUSE_WRITEBACK_CACHE); C(i, FUSE_NO_OPEN_SUPPORT); C(i, FUSE_PARALLEL_DIROPS); C(i, FUSE_HANDLE_KILLPRIV);
	C(i, FUSE_POSIX_ACL); C(i, FUSE_ABORT_ERROR); C(i, FUSE_MAX_PAGES); C(i, FUSE_CACHE_SYMLINKS);
	C(i, FUSE_NO_OPENDIR_SUPPORT); C(i, FUSE_EXPLICIT_INVAL_DATA); C(i, FUSE_MAP_ALIGNMENT); C(i, FUSE_SUBMOUNTS);
	C(i, FUSE_HANDLE_KILLPRIV_V2); C(i, FUSE_SETXATTR_EXT); C(i, FUSE_INIT_EXT); C(i, FUSE_INIT_RESERVED);
	C(i, FUSE_SECURITY_CTX); C(i, FUSE_HAS_INODE_DAX);
#ifdef FUSE_CREATE_SUPP_GROUP
	C(i, FUSE_CREATE_SUPP_GROUP);
#endif
#ifdef FUSE_HAS_EXPIRE_ONLY
	C(i, FUSE_HAS_EXPIRE_ONLY);
#endif
#ifdef FUSE_DIRECT_IO_ALLOW_MMAP
	C(i, FUSE_DIRECT_IO_ALLOW_MMAP);
#endif
#ifdef FUSE_PASSTHROUGH
	C(i, FUSE_PASSTHROUGH);
#endif
#ifdef FUSE_NO_EXPORT_SUPPORT
	C(i, FUSE_NO_EXPORT_SUPPORT);
#endif
#ifdef FUSE_HAS_RESEND
	C(i, FUSE_HAS_RESEND);
#endif
#ifdef FUSE_ALLOW_IDMAP
	C(i, FUSE_ALLOW_IDMAP);
#endif
#ifdef FUSE_OVER_IO_URING
	C(i, FUSE_OVER_IO_URING);
#endif
#ifdef FUSE_REQUEST_TIMEOUT
	C(i, FUSE_REQUEST_TIMEOUT);
#endif

	const char *f = "fopen";
	C(f, FOPEN_DIRECT_IO); C(f, FOPEN_KEEP_CACHE); C(f, FOPEN_NONSEEKABLE); C(f, FOPEN_CACHE_DIR);
	C(f, FOPEN_STREAM); C(f, FOPEN_NOFLUSH); C(f, FOPEN_PARALLEL_DIRECT_WRITES); C(f, FOPEN_PASSTHROUGH);

	const char *a = "fattr";
	C(a, FATTR_MODE); C(a, FATTR_UID); C(a, FATTR_GID); C(a, FATTR_SIZE); C(a, FATTR_ATIME); C(a, FATTR_MTIME);
	C(a, FATTR_FH); C(a, FATTR_ATIME_NOW); C(a, FATTR_MTIME_NOW); C(a, FATTR_LOCKOWNER); C(a, FATTR_CTIME);
	C(a, FATTR_KILL_SUIDGID);

	const char *r = "rename";
	C(r, RENAME_NOREPLACE); C(r, RENAME_EXCHANGE); C(r, RENAME_WHITEOUT);

	const char *m = "misc";
	C(m, FUSE_GETATTR_FH); C(m, FUSE_FSYNC_FDATASYNC); C(m, FUSE_RELEASE_FLUSH); C(m, FUSE_RELEASE_FLOCK_UNLOCK);
	C(m, FUSE_EXPIRE_ONLY); C(m, FUSE_MIN_READ_BUFFER);

	const char *u = "iouring";
	C(u, IORING_SETUP_SQE128); C(u, IORING_SETUP_SINGLE_ISSUER); C(u, IORING_SETUP_DEFER_TASKRUN);
	C(u, IORING_FEAT_SINGLE_MMAP); C(u, IORING_OFF_SQ_RING); C(u, IORING_OFF_CQ_RING); C(u, IORING_OFF_SQES);
	C(u, IORING_ENTER_GETEVENTS); C(u, IORING_OP_URING_CMD); C(u, __NR_io_uring_setup); C(u, __NR_io_uring_enter);
	C(u, FUSE_IO_URING_CMD_REGISTER); C(u, FUSE_IO_URING_CMD_COMMIT_AND_FETCH);
	C(u, FUSE_URING_IN_OUT_HEADER_SZ); C(u, FUSE_URING_OP_IN_OUT_SZ);

	const char *d = "ioctl";
	C(d, FUSE_DEV_IOC_CLONE); C(d, FUSE_DEV_IOC_BACKING_OPEN); C(d, FUSE_DEV_IOC_BACKING_CLOSE);

	const char *e = "errno";
	C(e, EPERM); C(e, ENOENT); C(e, EINTR); C(e, EIO); C(e, ENXIO); C(e, E2BIG); C(e, EBADF); C(e, EAGAIN);
	C(e, ENOMEM); C(e, EACCES); C(e, EFAULT); C(e, EBUSY); C(e, EEXIST); C(e, EXDEV); C(e, ENODEV);
	C(e, ENOTDIR); C(e, EISDIR); C(e, EINVAL); C(e, ENFILE); C(e, EMFILE); C(e, EFBIG); C(e, ENOSPC);
	C(e, ESPIPE); C(e, EROFS); C(e, EMLINK); C(e, ERANGE); C(e, ENAMETOOLONG); C(e, ENOSYS); C(e, ENOTEMPTY);
	C(e, ELOOP); C(e, ENODATA); C(e, EPROTO); C(e, EOVERFLOW); C(e, EOPNOTSUPP); C(e, ECONNABORTED);
	C(e, ENOTCONN); C(e, ESTALE); C(e, ECANCELED);
}

int main(void)
{
	printf("V %d %d\n", FUSE_KERNEL_VERSION, FUSE_KERNEL_MINOR_VERSION);
	structs();
	opcodes();
	flags();
	return 0;
}
