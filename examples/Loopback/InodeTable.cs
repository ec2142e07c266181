using System.Collections.Concurrent;
using LayerFs.Examples.Loopback.Interop;

namespace LayerFs.Examples.Loopback;

/// <summary>
/// Node ids to inodes, and (st_dev, st_ino) to the one inode of that file. Node ids are never
/// reused (a 64-bit counter), so every node can use generation 0.
/// Reads by node id are lock-free; changing lookup counts and names takes the table lock, because a
/// lookup racing with the last forget of the same file must either revive the node or make a new one.
/// </summary>
internal sealed class InodeTable : IDisposable
{
    public const ulong RootId = 1;

    private readonly Lock gate = new();
    private readonly ConcurrentDictionary<ulong, Inode> byId = new();
    private readonly Dictionary<(ulong Device, ulong Inode), Inode> byFile = [];
    private ulong nextId = RootId + 1;

    public InodeTable(int rootFd, ulong device, ulong inodeNumber)
    {
        Root = new Inode(RootId, rootFd, device, inodeNumber, FileTypes.Directory) { LookupCount = 1 };
        byId[RootId] = Root;
        byFile[(device, inodeNumber)] = Root;
    }

    public Inode Root { get; }

    public int Count => byId.Count;

    public Inode? Get(ulong nodeId) => byId.GetValueOrDefault(nodeId);

    /// <summary>
    /// Counts one lookup of the file (device, inode) found as parent/name: the known inode if there is
    /// one, else a new one. A directory comes with its O_PATH fd, which this call takes over (and closes
    /// if the directory already has a node).
    /// </summary>
    public Inode Remember(ulong device, ulong inodeNumber, uint fileType, int directoryFd, ulong parent, ReadOnlySpan<byte> name)
    {
        Inode? existing;
        lock (gate)
        {
            if (byFile.TryGetValue((device, inodeNumber), out existing) && existing.FileType == fileType)
            {
                existing.LookupCount++;
                if (!existing.IsDirectory)
                    AddLocationLocked(existing, parent, name);
            }
            else
            {
                var inode = new Inode(nextId++, directoryFd, device, inodeNumber, fileType) { LookupCount = 1 };
                if (!inode.IsDirectory)
                    inode.Locations = [Location.Of(parent, name)];
                byId[inode.NodeId] = inode;
                byFile[(device, inodeNumber)] = inode;
                return inode;
            }
        }
        if (directoryFd >= 0)
            Libc.Close(directoryFd);
        return existing;
    }

    /// <summary>One more lookup of a node the kernel already holds (LINK answers with the same node).</summary>
    public void AddLookup(Inode inode)
    {
        lock (gate)
            inode.LookupCount++;
    }

    /// <summary>The file (device, inode) got the name parent/name (a new hard link).</summary>
    public void AddName(Inode inode, ulong parent, ReadOnlySpan<byte> name)
    {
        if (inode.IsDirectory)
            return;
        lock (gate)
            AddLocationLocked(inode, parent, name);
    }

    /// <summary>The name parent/name of the file (device, inode) is gone (unlink, or replaced by a rename).</summary>
    public void RemoveName(ulong device, ulong inodeNumber, ulong parent, ReadOnlySpan<byte> name)
    {
        lock (gate)
        {
            if (byFile.TryGetValue((device, inodeNumber), out var inode) && !inode.IsDirectory)
            {
                var kept = new List<Location>(inode.Locations.Length);
                foreach (var l in inode.Locations)
                    if (!l.Is(parent, name))
                        kept.Add(l);
                if (kept.Count != inode.Locations.Length)
                    inode.Locations = [.. kept];
            }
        }
    }

    /// <summary>The file (device, inode) moved from one name to another (rename).</summary>
    public void MoveName(ulong device, ulong inodeNumber, ulong fromParent, ReadOnlySpan<byte> fromName, ulong toParent, ReadOnlySpan<byte> toName)
    {
        lock (gate)
        {
            if (!byFile.TryGetValue((device, inodeNumber), out var inode) || inode.IsDirectory)
                return;
            var kept = new List<Location>(inode.Locations.Length + 1);
            foreach (var l in inode.Locations)
                if (!l.Is(fromParent, fromName) && !l.Is(toParent, toName))
                    kept.Add(l);
            kept.Add(Location.Of(toParent, toName));
            inode.Locations = [.. kept];
        }
    }

    public void Forget(ulong nodeId, ulong count)
    {
        if (nodeId == RootId)
            return;
        Inode? dropped = null;
        lock (gate)
        {
            if (!byId.TryGetValue(nodeId, out var inode))
                return;
            inode.LookupCount = inode.LookupCount > count ? inode.LookupCount - count : 0;
            if (inode.LookupCount == 0)
            {
                byId.TryRemove(nodeId, out _);
                if (byFile.TryGetValue((inode.Device, inode.InodeNumber), out var current) && current == inode)
                    byFile.Remove((inode.Device, inode.InodeNumber));
                dropped = inode;
            }
        }
        if (dropped is { IsDirectory: true })
            Libc.Close(dropped.Fd);
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var inode in byId.Values)
                if (inode.IsDirectory)
                    Libc.Close(inode.Fd);
            byId.Clear();
            byFile.Clear();
        }
    }

    private static void AddLocationLocked(Inode inode, ulong parent, ReadOnlySpan<byte> name)
    {
        var current = inode.Locations;
        foreach (var l in current)
            if (l.Is(parent, name))
                return;
        inode.Locations = [.. current, Location.Of(parent, name)];
    }
}
