using Serilog;

namespace LayerFs.Fuse.Mount;

/// <summary>Chooses how to get a mounted /dev/fuse connection for a mountpoint.</summary>
internal static class Mounter
{
    public static MountedConnection Mount(string mountPoint, FuseMountOptions options, ILogger log)
    {
        if (DevFdMountpoint.TryParse(mountPoint, out var fd))
        {
            log.Debug("fuse: serving the already mounted /dev/fd/{Fd}", fd);
            return DevFdMountpoint.Adopt(fd);
        }
        var path = MountTable.Normalize(mountPoint);
        if (options.Method != FuseMountMethod.Fusermount && (Privileges.IsRoot || options.Method == FuseMountMethod.Direct))
        {
            var direct = DirectMount.TryMount(path, options);
            if (direct is not null)
            {
                log.Debug("fuse: mounted {MountPoint} with mount(2)", path);
                return direct;
            }
            if (options.Method == FuseMountMethod.Direct)
                throw new FuseException($"mount {path}: permission denied (mount(2) needs CAP_SYS_ADMIN)", Errno.EPERM);
            log.Debug("fuse: mount(2) refused (EPERM); trying fusermount3");
        }
        else if (MountPointInfo.StatErrno(path) == Errno.ENOTCONN)
        {
            throw new FuseException($"{path} is a stale FUSE mount left by a daemon that died (Transport endpoint is not connected); unmount it first", Errno.ENOTCONN);
        }
        var viaHelper = FusermountMount.Mount(path, options);
        log.Debug("fuse: mounted {MountPoint} with fusermount3", path);
        return viaHelper;
    }
}
