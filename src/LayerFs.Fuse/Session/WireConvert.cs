using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Session;

/// <summary>From the filesystem API's structs to the wire structs.</summary>
internal static class WireConvert
{
    private const long NanosecondsPerTick = 100;

    public static void ToWire(in FuseAttr attr, ref Attr wire)
    {
        wire.Ino = attr.Ino;
        wire.Size = attr.Size;
        wire.Blocks = attr.Blocks;
        wire.Atime = (ulong)attr.ATime;
        wire.Mtime = (ulong)attr.MTime;
        wire.Ctime = (ulong)attr.CTime;
        wire.AtimeNsec = attr.ATimeNsec;
        wire.MtimeNsec = attr.MTimeNsec;
        wire.CtimeNsec = attr.CTimeNsec;
        wire.Mode = attr.Mode;
        wire.Nlink = attr.NLink;
        wire.Uid = attr.Uid;
        wire.Gid = attr.Gid;
        wire.Rdev = attr.RDev;
        wire.Blksize = attr.BlkSize;
        wire.Flags = 0;
    }

    public static void ToWire(in FuseEntry entry, ref EntryOut wire)
    {
        wire.NodeId = entry.NodeId;
        wire.Generation = entry.Generation;
        SplitTimeout(entry.EntryTimeout, out wire.EntryValid, out wire.EntryValidNsec);
        SplitTimeout(entry.AttrTimeout, out wire.AttrValid, out wire.AttrValidNsec);
        ToWire(entry.Attr, ref wire.Attr);
    }

    public static void ToWire(in FuseAttr attr, TimeSpan timeout, ref AttrOut wire)
    {
        SplitTimeout(timeout, out wire.AttrValid, out wire.AttrValidNsec);
        wire.Dummy = 0;
        ToWire(attr, ref wire.Attr);
    }

    /// <summary>A cache timeout as the kernel wants it: whole seconds plus nanoseconds; negative means none.</summary>
    public static void SplitTimeout(TimeSpan timeout, out ulong seconds, out uint nanoseconds)
    {
        if (timeout <= TimeSpan.Zero)
        {
            seconds = 0;
            nanoseconds = 0;
            return;
        }
        seconds = (ulong)(timeout.Ticks / TimeSpan.TicksPerSecond);
        nanoseconds = (uint)(timeout.Ticks % TimeSpan.TicksPerSecond * NanosecondsPerTick);
    }

    public static FuseSetAttr FromWire(in SetAttrIn wire) => new()
    {
        Valid = (FuseSetAttrValid)wire.Valid,
        Fh = wire.Fh,
        Size = wire.Size,
        ATime = (long)wire.Atime,
        MTime = (long)wire.Mtime,
        CTime = (long)wire.Ctime,
        ATimeNsec = wire.AtimeNsec,
        MTimeNsec = wire.MtimeNsec,
        CTimeNsec = wire.CtimeNsec,
        Mode = wire.Mode,
        Uid = wire.Uid,
        Gid = wire.Gid,
    };

    public static void ToWire(in FuseStatFs stat, ref KStatFs wire)
    {
        wire.Blocks = stat.Blocks;
        wire.Bfree = stat.BlocksFree;
        wire.Bavail = stat.BlocksAvailable;
        wire.Files = stat.Files;
        wire.Ffree = stat.FilesFree;
        wire.Bsize = stat.BlockSize;
        wire.NameLen = stat.NameLength;
        wire.Frsize = stat.FragmentSize;
        wire.Padding = 0;
    }
}
