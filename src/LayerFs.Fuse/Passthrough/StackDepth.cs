using LayerFs.Fuse.Interop;
using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Passthrough;

/// <summary>
/// Chooses init_out.max_stack_depth. The kernel refuses a backing file (ELOOP) whose filesystem is
/// stacked as deep as this value, and then stacks the FUSE mount itself at this depth:
/// depth 1 takes backing files on plain filesystems and leaves the mount usable as an overlayfs lower;
/// depth 2 is needed when the backing files live on overlayfs (a store inside a container), and
/// then nothing can be stacked on the FUSE mount.
/// </summary>
internal static class StackDepth
{
    public static uint Choose(FuseMountOptions options)
    {
        if (options.PassthroughMaxStackDepth is >= 1 and <= FuseKernel.FilesystemMaxStackDepth)
            return (uint)options.PassthroughMaxStackDepth;
        return IsStacked(options.PassthroughBackingPath ?? "/") ? 2u : 1u;
    }

    /// <summary>Whether path lies on a stacking filesystem (overlayfs, ecryptfs).</summary>
    public static unsafe bool IsStacked(string path)
    {
        var buffer = stackalloc byte[256];
        if (Libc.Statfs(path, buffer) != 0)
            return false;
        var type = *(long*)buffer;
        return type is Libc.OVERLAYFS_SUPER_MAGIC or Libc.ECRYPTFS_SUPER_MAGIC;
    }
}
