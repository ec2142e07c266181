using LayerFs.Mount.Interop;

namespace LayerFs.Mount.Views;

/// <summary>
/// Whole-tree host operations done with directory fds, never with full paths: a view's upper
/// directory may hold paths near PATH_MAX, which its host path (STORE/views/NAME/upper/...) would
/// exceed.
/// </summary>
public static class HostTree
{
    /// <summary>Removes NAME in an open directory, recursively; a missing name is not an error.</summary>
    internal static void Remove(int dirFd, byte[] name)
    {
        if (Host.Unlink(dirFd, name) is 0 or Fuse.Errno.ENOENT)
            return;
        if (Host.Open(dirFd, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW, 0, out var fd) != 0)
            return;
        var entries = new List<Host.DirEntry>();
        Host.ReadDirectory(fd, entries);
        foreach (var entry in entries)
            Remove(fd, entry.Name);
        Host.Close(fd);
        Host.Unlink(dirFd, name, directory: true);
    }

    /// <summary>Deletes a directory tree however deep it goes (a view's directory, on view rm).</summary>
    public static void Delete(string path)
    {
        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full)!;
        if (Host.Open(Libc.AT_FDCWD, System.Text.Encoding.UTF8.GetBytes(parent), Libc.O_PATH | Libc.O_DIRECTORY, 0, out var fd) != 0)
            return;
        try
        {
            Remove(fd, System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(full)));
        }
        finally
        {
            Host.Close(fd);
        }
        if (Directory.Exists(full))
            throw new IOException($"could not remove {full}");
    }
}
