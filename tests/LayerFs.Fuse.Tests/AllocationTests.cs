using LayerFs.Fuse.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Fuse.Tests;

/// <summary>The request path allocates nothing per request: buffers, writers and tokens are per thread and reused.</summary>
public sealed class AllocationTests
{
    private readonly ITestOutputHelper output;

    public AllocationTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void Reads_served_by_the_binding_allocate_nothing_per_request()
    {
        var fs = new CountingReadFileSystem();
        using var mount = new InProcessMount(fs, output, o => o.Threads = 1);
        const int Reads = 3000;
        Deadline.Run(() =>
        {
            using var f = new FileStream(Path.Combine(mount.MountPoint, "file"), FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            var buffer = new byte[4096];
            for (var i = 0; i < Reads; i++)
            {
                f.Position = (i * 4096L) % CountingReadFileSystem.Size;
                f.ReadExactly(buffer);
            }
        });
        var (calls, bytes) = fs.Measured();
        output.WriteLine($"{calls} READ requests after warm-up, {bytes} bytes allocated on the reader thread");
        Assert.True(calls > Reads / 2, $"only {calls} READ requests reached the filesystem");
        Assert.True(bytes < 1024, $"{bytes} bytes allocated for {calls} requests");
    }

    /// <summary>Answers READ with a constant pattern and tracks the reader thread's allocations after a warm-up.</summary>
    private sealed class CountingReadFileSystem : FuseFileSystem
    {
        public const long Size = 16 * 1024 * 1024;
        private const int WarmUp = 200;
        private int calls;
        private long startBytes;
        private long lastBytes;

        public (int Calls, long Bytes) Measured() => (Math.Max(0, Volatile.Read(ref calls) - WarmUp), Volatile.Read(ref lastBytes) - Volatile.Read(ref startBytes));

        public override int Lookup(in FuseRequestContext ctx, ulong parent, ReadOnlySpan<byte> name, out FuseEntry entry)
        {
            entry = new FuseEntry { NodeId = 2, EntryTimeout = TimeSpan.FromMinutes(1), AttrTimeout = TimeSpan.FromMinutes(1), Attr = FileAttr };
            return name.SequenceEqual("file"u8) ? 0 : Errno.ENOENT;
        }

        public override int GetAttr(in FuseRequestContext ctx, ulong nodeId, ulong? fh, out FuseAttr attr, out TimeSpan attrTimeout)
        {
            attr = nodeId == 1 ? new FuseAttr { Ino = 1, Mode = 0x41ED, NLink = 2 } : FileAttr;
            attrTimeout = TimeSpan.FromMinutes(1);
            return 0;
        }

        public override int Open(in FuseRequestContext ctx, ulong nodeId, int flags, ref FuseOpenOut open)
        {
            // direct_io: every read(2) becomes one READ request.
            open.Flags = FuseOpenFlags.DirectIo;
            return 0;
        }

        public override int Read(in FuseRequestContext ctx, ulong nodeId, ulong fh, long offset, Span<byte> buffer, out int bytesRead)
        {
            buffer.Fill(0x5A);
            bytesRead = buffer.Length;
            var n = Interlocked.Increment(ref calls);
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            if (n == WarmUp)
                Volatile.Write(ref startBytes, allocated);
            else if (n > WarmUp)
                Volatile.Write(ref lastBytes, allocated);
            return 0;
        }

        private static FuseAttr FileAttr => new() { Ino = 2, Mode = 0x81A4, NLink = 1, Size = Size, Blocks = Size / 512 };
    }
}
