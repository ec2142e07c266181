using LayerFs.Fuse;
using LayerFs.Mount.Interop;
using LayerFs.Mount.Stack;
using LayerFs.Mount.Tree;
using LayerFs.Store.Model;

namespace LayerFs.Mount.Views;

/// <summary>
/// Copy-up: an image entry becomes the view's own, prepared in work/ and renamed into upper/
/// (see <see cref="UpperLayout"/>). The parent directory's times are put back afterwards: a
/// copy-up is no change the view's user made.
/// </summary>
internal sealed partial class ViewState
{
    /// <summary>Makes sure a directory has its upper directory (copying up its parents first).</summary>
    public int EnsureUpper(TreeContext tree, ViewDirNode dir)
    {
        if (DirFd(dir) >= 0)
            return 0;
        if (dir.Removed || dir.Parent is null)
            return Errno.ENOENT;
        var rc = EnsureUpper(tree, dir.Parent);
        if (rc != 0)
            return rc;
        if (dir.LowerAttributes is not { } id || tree.Reader.Tree.Get(id) is not { } row)
            return Errno.EIO;
        var temp = TempName();
        rc = Host.MkDir(_workFd, temp, 0b111_000_000);
        if (rc != 0)
            return rc;
        rc = CopyMetadata(tree, row, Host.ProcPath(_workFd, temp), _workFd, temp, isDirectory: true);
        if (rc == 0)
            rc = PlaceKeepingTimes(dir.Parent, () => Host.Rename(_workFd, temp, DirFd(dir.Parent), dir.Name));
        if (rc != 0)
            Host.Unlink(_workFd, temp, directory: true);
        return rc;
    }

    /// <summary>Runs a change to a directory that its user did not make (a copy-up), and puts its times back.</summary>
    private int PlaceKeepingTimes(ViewDirNode parent, Func<int> change)
    {
        var parentFd = DirFd(parent);
        var saved = Host.StatFd(parentFd, out var st);
        var rc = change();
        if (rc == 0 && saved == 0)
            Host.SetTimes(Libc.AT_FDCWD, Host.ProcPath(parentFd).AsSpan()[..^1], Host.Time(st.AtimeSec, st.AtimeNsec), Host.Time(st.MtimeSec, st.MtimeNsec), 0);
        Touched(parent);
        return rc;
    }

    /// <summary>
    /// Copies an image file up: metadata always, content too if <paramref name="withData"/> (else the
    /// table remembers its object: a metacopy). Every name of its hard-link group that the view
    /// shows becomes a name of the one upper inode, so the group stays one file (one st_ino, the
    /// right st_nlink, a write seen through every name), as it is in an unpacked image.
    /// </summary>
    public int CopyUp(TreeContext tree, ViewFileNode file, bool withData)
    {
        if (file.Lower is not { } lower)
            return withData ? FillData(tree, file) : 0;
        var names = GroupNames(tree, file, lower);
        foreach (var (dir, _) in names)
        {
            var rc0 = EnsureUpper(tree, dir);
            if (rc0 != 0)
                return rc0;
        }
        var row = lower.Attributes;
        var temp = TempName();
        var rc = MakeCopy(tree, row, temp, withData, out var metacopy);
        if (rc != 0)
        {
            Host.Unlink(_workFd, temp);
            return rc;
        }
        Host.Stat(_workFd, temp, out var st);
        Table.Put(new UpperRow((long)st.Ino, Host.BirthNs(st), lower.GroupId, metacopy ? Convert.ToHexStringLower(row.Object!) : null, row.Size));
        var (firstDir, firstName) = names[0];
        rc = PlaceKeepingTimes(firstDir, () => Host.Rename(_workFd, temp, DirFd(firstDir), firstName));
        if (rc != 0)
        {
            Host.Unlink(_workFd, temp);
            return rc;
        }
        foreach (var (dir, name) in names.Skip(1))
        {
            rc = PlaceKeepingTimes(dir, () => Host.Link(DirFd(firstDir), firstName, DirFd(dir), name));
            if (rc != 0)
                return rc;
        }
        file.Lower = null;
        if (!names.Any(n => file.IsPrimary(n.Dir, n.Name)))
            file.Attach(firstDir, firstName);
        return 0;
    }

    /// <summary>Makes work/TEMP a copy of an image entry (a regular file's content only if asked).</summary>
    private int MakeCopy(TreeContext tree, EntryRow row, byte[] temp, bool withData, out bool metacopy)
    {
        metacopy = false;
        int rc;
        switch (row.Kind)
        {
            case EntryKind.Symlink:
                rc = Host.Symlink(row.Link ?? [], _workFd, temp);
                break;
            case EntryKind.Fifo or EntryKind.CharDevice or EntryKind.BlockDevice:
                var type = row.Kind switch { EntryKind.Fifo => 0x1000u, EntryKind.CharDevice => 0x2000u, _ => 0x6000u };
                var device = Host.DeviceFromFuse(Attributes.DeviceNumber(row.DevMajor, row.DevMinor));
                rc = Host.MkNod(_workFd, temp, type | 0b110_000_000, device);
                break;
            default:
                rc = Host.Open(_workFd, temp, Libc.O_CREAT | Libc.O_EXCL | Libc.O_RDWR, 0b110_000_000, out var fd);
                if (rc != 0)
                    return rc;
                try
                {
                    if (row.Object is null || row.Size == 0)
                        break;
                    if (!withData)
                    {
                        metacopy = true;
                        rc = Host.Truncate(fd, row.Size);
                        break;
                    }
                    rc = CopyObject(tree, row.Object, fd, row.Size);
                    if (rc == 0)
                        rc = Host.Fsync(fd);
                }
                finally
                {
                    Host.Close(fd);
                }
                break;
        }
        if (rc != 0)
            return rc;
        return CopyMetadata(tree, row, Host.ProcPath(_workFd, temp), _workFd, temp, isDirectory: false);
    }

    private static int CopyObject(TreeContext tree, byte[] obj, int to, long size)
    {
        var path = tree.Layout.ObjectPath(obj);
        if (Host.Open(Libc.AT_FDCWD, System.Text.Encoding.UTF8.GetBytes(path), Libc.O_RDONLY, 0, out var from) != 0)
        {
            Serilog.Log.Warning("copy-up: object {Object} is missing from the store", Convert.ToHexStringLower(obj));
            return Errno.EIO;
        }
        try
        {
            return Host.CopyRange(from, to, size);
        }
        finally
        {
            Host.Close(from);
        }
    }

    /// <summary>A metacopy's first write: its object's content goes into the upper inode, in place (every hard link sees it).</summary>
    public int FillData(TreeContext tree, ViewFileNode file)
    {
        var rc = file.StatUpper(out var st);
        if (rc != 0)
            return rc;
        if (file.Row(st) is not { Object: { } obj } row)
            return 0;
        rc = file.OpenUpper(Libc.O_RDWR, out var fd);
        if (rc != 0)
            return rc;
        try
        {
            rc = CopyObject(tree, Convert.FromHexString(obj), fd, row.Size);
            if (rc == 0)
                rc = Host.Fsync(fd);
        }
        finally
        {
            Host.Close(fd);
        }
        if (rc != 0)
            return rc;
        // Writing the content moved the times; they are still the image's.
        file.TimesUpper(Host.Time(st.AtimeSec, st.AtimeNsec), Host.Time(st.MtimeSec, st.MtimeNsec));
        Table.ClearObject(row.Ino);
        return 0;
    }

    /// <summary>The names (directory node, name) the view shows for a lower file: its hard-link group's, or its own.</summary>
    private List<(ViewDirNode Dir, byte[] Name)> GroupNames(TreeContext tree, ViewFileNode file, LinkTarget lower)
    {
        var own = (file.Parent!, file.Name);
        if (lower.GroupSize <= 1)
            return [own];
        var names = new List<(ViewDirNode Dir, byte[] Name)> { own };
        var members = new List<long> { lower.GroupId };
        members.AddRange(tree.Reader.LinksTo(lower.GroupId));
        foreach (var member in members)
        {
            var path = PathOf(tree, member);
            if (path is null || path.Count == 0)
                continue;
            var dir = Root;
            var reachable = true;
            foreach (var component in path.Take(path.Count - 1))
            {
                if (dir.Probe(tree, component, out var step) != 0 || !step.IsDirectory || dir.NodeFor(tree, component, step, out var next, out _) != 0)
                {
                    reachable = false;
                    break;
                }
                dir = (ViewDirNode)next;
            }
            var last = path[^1];
            if (!reachable || dir.Probe(tree, last, out var probe) != 0 || probe.Visible is not { IsDirectory: false } child)
                continue;
            if (HardLinks.Resolve(tree.Reader, child.Top).GroupId != lower.GroupId)
                continue;
            if (!names.Any(n => ReferenceEquals(n.Dir, dir) && n.Name.AsSpan().SequenceEqual(last)))
                names.Add((dir, last));
        }
        return names;
    }

    private static List<byte[]>? PathOf(TreeContext tree, long entryId)
    {
        var path = new List<byte[]>();
        var row = tree.Reader.Tree.Get(entryId);
        while (row is not null && row.Parent is { } parent)
        {
            path.Add(row.Name);
            row = tree.Reader.Tree.Get(parent);
        }
        if (row is null)
            return null;
        path.Reverse();
        return path;
    }
}
