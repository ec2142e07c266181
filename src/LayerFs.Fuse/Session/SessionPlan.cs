using System.Globalization;
using LayerFs.Fuse.Mount;
using LayerFs.Fuse.Passthrough;
using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Session;

/// <summary>
/// What the session will ask for at INIT and how big its buffers are, decided before the kernel's
/// offer arrives (the buffers must already exist to read INIT).
/// </summary>
internal sealed class SessionPlan
{
    private const int XattrSizeMax = 64 * 1024; // XATTR_SIZE_MAX: the largest SETXATTR value / GETXATTR reply
    private const int HeaderRoom = 4096;        // for in_header + the largest fixed struct + a name

    public SessionPlan(FuseMountOptions options, FuseFileSystem fs)
    {
        var pageSize = Environment.SystemPageSize;
        var pagesLimit = ReadMaxPagesLimit();
        MaxWrite = (uint)Math.Clamp((long)options.MaxWrite, 4096, (long)pagesLimit * pageSize);
        MaxPages = (int)Math.Clamp((MaxWrite + pageSize - 1) / pageSize, 1, pagesLimit);
        RequestCapacity = Math.Max(FuseKernel.MinReadBuffer, Math.Max((int)MaxWrite, XattrSizeMax) + HeaderRoom);
        ReplyCapacity = Math.Max(MaxPages * pageSize, XattrSizeMax) + HeaderRoom;
        WantReadDirPlus = Overrides(fs, nameof(FuseFileSystem.ReadDirPlus));
        WantPassthrough = options.Passthrough && Privileges.HasSysAdmin();
        MaxStackDepth = WantPassthrough ? StackDepth.Choose(options) : 0;
        Threads = Math.Clamp(options.Threads, 1, 256);
    }

    public uint MaxWrite { get; }

    public int MaxPages { get; }

    /// <summary>Bytes per read of /dev/fuse: the largest WRITE (or SETXATTR) plus header room.</summary>
    public int RequestCapacity { get; }

    /// <summary>Bytes per reply: header plus the largest READ, READDIR or GETXATTR answer.</summary>
    public int ReplyCapacity { get; }

    /// <summary>READDIRPLUS is asked for only when the filesystem implements it.</summary>
    public bool WantReadDirPlus { get; }

    /// <summary>Passthrough is asked for only when enabled and the process holds CAP_SYS_ADMIN.</summary>
    public bool WantPassthrough { get; }

    public uint MaxStackDepth { get; }

    public int Threads { get; }

    private static int ReadMaxPagesLimit()
    {
        try
        {
            var text = File.ReadAllText("/proc/sys/fs/fuse/max_pages_limit").Trim();
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0)
                return limit;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return FuseKernel.DefaultMaxPagesLimit;
    }

    /// <summary>
    /// Whether fs's class overrides FuseFileSystem's <paramref name="method"/>: the most derived
    /// public method of that name, if it overrides ours, is declared elsewhere. Looked up by name:
    /// listing every method (GetMethods) costs a mount half a millisecond of reflection, more on a
    /// cold cache, where the first stat after `layerfs mount` waits for it.
    /// </summary>
    private static bool Overrides(FuseFileSystem fs, string method) =>
        fs.GetType().GetMethod(method, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance) is { } m
        && m.DeclaringType != typeof(FuseFileSystem) && m.GetBaseDefinition().DeclaringType == typeof(FuseFileSystem);
}
