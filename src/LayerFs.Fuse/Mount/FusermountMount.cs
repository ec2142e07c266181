using System.Runtime.InteropServices;
using System.Text;
using LayerFs.Fuse.Interop;

namespace LayerFs.Fuse.Mount;

/// <summary>
/// The unprivileged path: fusermount3 (setuid root) opens /dev/fuse, mounts, and sends the fd
/// back over a socketpair as SCM_RIGHTS, the socket being named by _FUSE_COMMFD.
/// </summary>
internal static class FusermountMount
{
    public static unsafe MountedConnection Mount(string mountPoint, FuseMountOptions options)
    {
        var fds = stackalloc int[2];
        if (Libc.Socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM, 0, fds) != 0)
            throw Errors.Exception("socketpair", Marshal.GetLastPInvokeError());
        int ours = fds[0], theirs = fds[1];
        try
        {
            // Only the child's end may cross exec; .NET opens everything else close-on-exec.
            Libc.Fcntl(ours, Libc.F_SETFD, Libc.FD_CLOEXEC);
            using var helper = FusermountProgram.Start(["-o", BuildOptions(options), "--", mountPoint], theirs);
            Libc.Close(theirs);
            theirs = -1;
            var fd = ReceiveFd(ours);
            if (fd < 0)
            {
                // The helper closed the socket without an fd: it failed and says why on stderr.
                FusermountProgram.WaitSucceeded(helper, "mount " + mountPoint);
                throw new FuseException($"mount {mountPoint}: fusermount sent no /dev/fuse fd");
            }
            var device = new FuseDeviceHandle(fd);
            try
            {
                FusermountProgram.WaitSucceeded(helper, "mount " + mountPoint);
            }
            catch
            {
                device.Dispose();
                throw;
            }
            return new MountedConnection(device, mountPoint, mountedByUs: true, viaFusermount: true, MountedConnection.FindConnectionId(mountPoint));
        }
        finally
        {
            Libc.Close(ours);
            if (theirs >= 0)
                Libc.Close(theirs);
        }
    }

    /// <summary>Options as fusermount3 -o understands them (it adds fd, rootmode, user_id and group_id itself).</summary>
    internal static string BuildOptions(FuseMountOptions options)
    {
        var opts = new List<string>();
        if (!string.IsNullOrEmpty(options.FsName))
            opts.Add("fsname=" + Escape(options.FsName));
        if (!string.IsNullOrEmpty(options.Subtype))
            opts.Add("subtype=" + Escape(options.Subtype));
        if (options.DefaultPermissions)
            opts.Add("default_permissions");
        if (options.AllowOther)
            opts.Add("allow_other");
        opts.Add(options.ReadOnly ? "ro" : "rw");
        opts.Add(options.Suid ? "suid" : "nosuid");
        opts.Add(options.Dev ? "dev" : "nodev");
        if (options.NoExec)
            opts.Add("noexec");
        return string.Join(',', opts);
    }

    /// <summary>fusermount splits -o at commas; a backslash escapes one.</summary>
    private static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is ',' or '\\')
                sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>recvmsg one byte with one SCM_RIGHTS fd; -1 when the peer closed without sending.</summary>
    private static unsafe int ReceiveFd(int socket)
    {
        byte data;
        var iov = new IoVec(&data, 1);
        const int controlSize = 64; // CMSG_SPACE(sizeof(int)) is 24; room to spare
        var control = stackalloc byte[controlSize];
        while (true)
        {
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = controlSize };
            var n = Libc.Recvmsg(socket, &msg, Libc.MSG_CMSG_CLOEXEC);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                    continue;
                throw Errors.Exception("recvmsg from fusermount", errno);
            }
            if (n == 0 || msg.ControlLen < (nuint)sizeof(CmsgHdr) + sizeof(int))
                return -1;
            var cmsg = (CmsgHdr*)control;
            if (cmsg->Level != Libc.SOL_SOCKET || cmsg->Type != Libc.SCM_RIGHTS || cmsg->Len != (nuint)(sizeof(CmsgHdr) + sizeof(int)))
                throw new FuseException("fusermount sent an unexpected control message");
            return *(int*)(control + sizeof(CmsgHdr));
        }
    }
}
