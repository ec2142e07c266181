using System.Globalization;
using System.Text;
using LayerFs.Fuse.Protocol;
using Serilog;

namespace LayerFs.Fuse.Session;

/// <summary>
/// The Verbose request log, in go-fuse's grep-friendly form:
/// <c>rx 2: LOOKUP i1 ["name"] p5874</c> / <c>tx 2: OK {i3 g0 tE=1s tA=1s M0100644 SZ=12 L=1 0:0}</c> /
/// <c>tx 4: 2=ENOENT</c>. Built only when Verbose is on.
/// </summary>
internal static unsafe class RequestLog
{
    public static void Received(ILogger log, ref Request req)
    {
        var sb = new StringBuilder();
        sb.Append(FuseOpcodes.Name(req.Opcode)).Append(" i").Append(req.NodeId);
        DescribeArguments(sb, ref req);
        sb.Append(" p").Append(req.Header->Pid);
        log.Verbose("rx {Unique}: {Request}", req.Unique, sb.ToString());
    }

    public static void SentOk(ILogger log, ref Request req, int payloadLength)
    {
        var sb = new StringBuilder("OK");
        DescribeReply(sb, req.Opcode, req.Worker.ReplyPayload, payloadLength);
        log.Verbose("tx {Unique}: {Reply}", req.Unique, sb.ToString());
    }

    public static void SentError(ILogger log, ulong unique, int errno) =>
        log.Verbose("tx {Unique}: {Errno}={Name}", unique, errno, ErrnoName(errno));

    private static void DescribeArguments(StringBuilder sb, ref Request req)
    {
        switch ((FuseOpcode)req.Opcode)
        {
            case FuseOpcode.Lookup:
            case FuseOpcode.Unlink:
            case FuseOpcode.RmDir:
            case FuseOpcode.RemoveXattr:
                AppendName(sb, ref req, 0);
                break;
            case FuseOpcode.Symlink:
                if (req.TryName(0, out var linkName, out var next) && req.TryName(next, out var target, out _))
                    sb.Append(' ').Append(Quote(linkName)).Append(" -> ").Append(Quote(target));
                break;
            case FuseOpcode.MkDir:
                sb.Append(CultureInfo.InvariantCulture, $" {{0{Convert.ToString(req.In<MkDirIn>().Mode, 8)} umask 0{Convert.ToString(req.In<MkDirIn>().Umask, 8)}}}");
                AppendName(sb, ref req, sizeof(MkDirIn));
                break;
            case FuseOpcode.MkNod:
                sb.Append(CultureInfo.InvariantCulture, $" {{0{Convert.ToString(req.In<MkNodIn>().Mode, 8)} rdev {req.In<MkNodIn>().Rdev}}}");
                AppendName(sb, ref req, sizeof(MkNodIn));
                break;
            case FuseOpcode.Rename:
                AppendRename(sb, ref req, req.In<RenameIn>().NewDir, 0, sizeof(RenameIn));
                break;
            case FuseOpcode.Rename2:
                AppendRename(sb, ref req, req.In<Rename2In>().NewDir, req.In<Rename2In>().Flags, sizeof(Rename2In));
                break;
            case FuseOpcode.Link:
                sb.Append(" i").Append(req.In<LinkIn>().OldNodeId).Append(" ->");
                AppendName(sb, ref req, sizeof(LinkIn));
                break;
            case FuseOpcode.Create:
                sb.Append(CultureInfo.InvariantCulture, $" {{flags 0x{req.In<CreateIn>().Flags:x} 0{Convert.ToString(req.In<CreateIn>().Mode, 8)}}}");
                AppendName(sb, ref req, sizeof(CreateIn));
                break;
            case FuseOpcode.Open:
            case FuseOpcode.OpenDir:
                sb.Append(CultureInfo.InvariantCulture, $" {{flags 0x{req.In<OpenIn>().Flags:x}}}");
                break;
            case FuseOpcode.Read:
            case FuseOpcode.ReadDir:
            case FuseOpcode.ReadDirPlus:
                sb.Append(CultureInfo.InvariantCulture, $" {{Fh {req.In<ReadIn>().Fh} [{req.In<ReadIn>().Offset} +{req.In<ReadIn>().Size})}}");
                break;
            case FuseOpcode.Write:
                sb.Append(CultureInfo.InvariantCulture, $" {{Fh {req.In<WriteIn>().Fh} [{req.In<WriteIn>().Offset} +{req.In<WriteIn>().Size})}}");
                break;
            case FuseOpcode.Release:
            case FuseOpcode.ReleaseDir:
                sb.Append(CultureInfo.InvariantCulture, $" {{Fh {req.In<ReleaseIn>().Fh}}}");
                break;
            case FuseOpcode.Flush:
                sb.Append(CultureInfo.InvariantCulture, $" {{Fh {req.In<FlushIn>().Fh}}}");
                break;
            case FuseOpcode.Fsync:
            case FuseOpcode.FsyncDir:
                sb.Append(CultureInfo.InvariantCulture, $" {{Fh {req.In<FsyncIn>().Fh} flags {req.In<FsyncIn>().FsyncFlags}}}");
                break;
            case FuseOpcode.GetAttr:
                if ((req.In<GetAttrIn>().GetattrFlags & FuseGetAttrFlags.Fh) != 0)
                    sb.Append(" {Fh ").Append(req.In<GetAttrIn>().Fh).Append('}');
                break;
            case FuseOpcode.SetAttr:
                sb.Append(CultureInfo.InvariantCulture, $" {{valid 0x{req.In<SetAttrIn>().Valid:x} SZ={req.In<SetAttrIn>().Size} M0{Convert.ToString(req.In<SetAttrIn>().Mode, 8)}}}");
                break;
            case FuseOpcode.GetXattr:
                sb.Append(" {size ").Append(req.In<GetXattrIn>().Size).Append('}');
                AppendName(sb, ref req, sizeof(GetXattrIn));
                break;
            case FuseOpcode.ListXattr:
                sb.Append(" {size ").Append(req.In<GetXattrIn>().Size).Append('}');
                break;
            case FuseOpcode.SetXattr:
                sb.Append(" {size ").Append(req.In<SetXattrIn>().Size).Append('}');
                AppendName(sb, ref req, SetXattrIn.CompatSize);
                break;
            case FuseOpcode.Forget:
                sb.Append(" {nlookup ").Append(req.In<ForgetIn>().Nlookup).Append('}');
                break;
            case FuseOpcode.BatchForget:
                sb.Append(" {count ").Append(req.In<BatchForgetIn>().Count).Append('}');
                break;
            case FuseOpcode.Interrupt:
                sb.Append(" {unique ").Append(req.In<InterruptIn>().Unique).Append('}');
                break;
            case FuseOpcode.Access:
                sb.Append(" {mask ").Append(req.In<AccessIn>().Mask).Append('}');
                break;
            case FuseOpcode.Lseek:
                sb.Append(CultureInfo.InvariantCulture, $" {{Fh {req.In<LseekIn>().Fh} off {req.In<LseekIn>().Offset} whence {req.In<LseekIn>().Whence}}}");
                break;
            case FuseOpcode.Fallocate:
                sb.Append(CultureInfo.InvariantCulture, $" {{Fh {req.In<FallocateIn>().Fh} [{req.In<FallocateIn>().Offset} +{req.In<FallocateIn>().Length}) mode {req.In<FallocateIn>().Mode}}}");
                break;
        }
    }

    private static void DescribeReply(StringBuilder sb, uint opcode, byte* payload, int length)
    {
        switch ((FuseOpcode)opcode)
        {
            case FuseOpcode.Lookup:
            case FuseOpcode.MkDir:
            case FuseOpcode.MkNod:
            case FuseOpcode.Symlink:
            case FuseOpcode.Link:
                AppendEntry(sb, (EntryOut*)payload);
                break;
            case FuseOpcode.Create:
                AppendEntry(sb, (EntryOut*)payload);
                AppendOpen(sb, (OpenOut*)(payload + sizeof(EntryOut)));
                break;
            case FuseOpcode.GetAttr:
            case FuseOpcode.SetAttr:
                var a = (AttrOut*)payload;
                sb.Append(" {tA=").Append(Seconds(a->AttrValid, a->AttrValidNsec)).Append(' ');
                AppendAttr(sb, &a->Attr);
                sb.Append('}');
                break;
            case FuseOpcode.Open:
            case FuseOpcode.OpenDir:
                AppendOpen(sb, (OpenOut*)payload);
                break;
            case FuseOpcode.Write:
                sb.Append(" {written ").Append(((WriteOut*)payload)->Size).Append('}');
                break;
            case FuseOpcode.Lseek:
                sb.Append(" {offset ").Append(((LseekOut*)payload)->Offset).Append('}');
                break;
            default:
                if (length > 0)
                    sb.Append(" {").Append(length).Append(" bytes}");
                break;
        }
    }

    private static void AppendEntry(StringBuilder sb, EntryOut* e)
    {
        sb.Append(" {i").Append(e->NodeId).Append(" g").Append(e->Generation)
          .Append(" tE=").Append(Seconds(e->EntryValid, e->EntryValidNsec))
          .Append(" tA=").Append(Seconds(e->AttrValid, e->AttrValidNsec)).Append(' ');
        AppendAttr(sb, &e->Attr);
        sb.Append('}');
    }

    private static void AppendAttr(StringBuilder sb, Attr* a) =>
        sb.Append(CultureInfo.InvariantCulture, $"M0{Convert.ToString(a->Mode, 8)} SZ={a->Size} L={a->Nlink} {a->Uid}:{a->Gid} ino={a->Ino}");

    private static void AppendOpen(StringBuilder sb, OpenOut* o)
    {
        sb.Append(CultureInfo.InvariantCulture, $" {{Fh {o->Fh} {(FuseOpenFlags)o->OpenFlags}");
        if (o->BackingId != 0)
            sb.Append(" backing ").Append(o->BackingId);
        sb.Append('}');
    }

    private static string Seconds(ulong seconds, uint nanoseconds) =>
        nanoseconds == 0 ? seconds.ToString(CultureInfo.InvariantCulture) + "s"
            : (seconds + nanoseconds / 1e9).ToString("0.###", CultureInfo.InvariantCulture) + "s";

    private static void AppendName(StringBuilder sb, ref Request req, int offset)
    {
        if (req.TryName(offset, out var name, out _))
            sb.Append(" [").Append(Quote(name)).Append(']');
    }

    private static void AppendRename(StringBuilder sb, ref Request req, ulong newDir, uint flags, int offset)
    {
        if (req.TryName(offset, out var oldName, out var next) && req.TryName(next, out var newName, out _))
            sb.Append(" [").Append(Quote(oldName)).Append("] -> i").Append(newDir).Append(" [").Append(Quote(newName)).Append(']');
        if (flags != 0)
            sb.Append(" {flags ").Append((FuseRenameFlags)flags).Append('}');
    }

    private static string Quote(ReadOnlySpan<byte> name) => "\"" + Encoding.UTF8.GetString(name).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string ErrnoName(int errno) => errno switch
    {
        Errno.EPERM => "EPERM",
        Errno.ENOENT => "ENOENT",
        Errno.EINTR => "EINTR",
        Errno.EIO => "EIO",
        Errno.EBADF => "EBADF",
        Errno.EAGAIN => "EAGAIN",
        Errno.EACCES => "EACCES",
        Errno.EEXIST => "EEXIST",
        Errno.EXDEV => "EXDEV",
        Errno.ENOTDIR => "ENOTDIR",
        Errno.EISDIR => "EISDIR",
        Errno.EINVAL => "EINVAL",
        Errno.ENOSPC => "ENOSPC",
        Errno.EROFS => "EROFS",
        Errno.ERANGE => "ERANGE",
        Errno.ENAMETOOLONG => "ENAMETOOLONG",
        Errno.ENOSYS => "ENOSYS",
        Errno.ENOTEMPTY => "ENOTEMPTY",
        Errno.ELOOP => "ELOOP",
        Errno.ENODATA => "ENODATA",
        Errno.EOPNOTSUPP => "EOPNOTSUPP",
        _ => "E" + errno.ToString(CultureInfo.InvariantCulture),
    };
}
