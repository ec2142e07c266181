using System.Runtime.InteropServices;
using System.Text;
using LayerFs.Store.Interop;
using Microsoft.Win32.SafeHandles;

namespace LayerFs.Store.Leases;

/// <summary>
/// The store's leases/ directory: one file per lease, flock()ed shared by the process that
/// holds it and listing, one per line, what it keeps (<see cref="LeaseKey"/>). A mount holds a
/// lease on every chain and blob that a node the kernel still knows reads from, so that
/// `rmi` and `prune` remove nothing a program is using (as containerd's and buildkit's leases
/// do). No index row is involved: a lease lives exactly as long as its holder's open file, which
/// a crash cannot leave behind.
///
/// A lease protects from every collection that starts after it was taken: the file appears
/// (by rename, complete) before the holder reads anything it protects, and the collector reads
/// the leases before it decides what to remove.
/// </summary>
public sealed class LeaseDirectory
{
    private const string PendingPrefix = ".new-";
    private const int EWOULDBLOCK = 11;

    private readonly StoreLayout _layout;

    public LeaseDirectory(StoreLayout layout) => _layout = layout;

    /// <summary>Takes a lease on the keys. Throws IOException if the store cannot be written.</summary>
    public Lease Take(IReadOnlyList<LeaseKey> keys)
    {
        var dir = _layout.LeasesDir;
        if (!Directory.Exists(dir))
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var name = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        var pending = Path.Combine(dir, PendingPrefix + name);
        var path = Path.Combine(dir, name);
        var handle = OpenFile(pending, Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL);
        try
        {
            if (Libc.Flock((int)handle.DangerousGetHandle(), Libc.LOCK_SH | Libc.LOCK_NB) != 0)
                throw new IOException($"cannot lock {pending}: {Marshal.GetLastPInvokeErrorMessage()}");
            var text = new StringBuilder();
            foreach (var key in keys)
                text.Append(key).Append('\n');
            RandomAccess.Write(handle, Encoding.ASCII.GetBytes(text.ToString()), 0);
            File.Move(pending, path);
        }
        catch
        {
            File.Delete(pending);
            handle.Dispose();
            throw;
        }
        return new Lease(path, handle, keys);
    }

    /// <summary>
    /// What the live leases protect. Dead ones (no process holds their flock: the holder died)
    /// are removed unless <paramref name="removeDead"/> is false.
    /// </summary>
    public LiveLeases Live(bool removeDead)
    {
        var live = new LiveLeases();
        if (!Directory.Exists(_layout.LeasesDir))
            return live;
        foreach (var path in Directory.EnumerateFiles(_layout.LeasesDir))
        {
            SafeFileHandle handle;
            try
            {
                handle = OpenFile(path, Libc.O_RDONLY);
            }
            catch (IOException)
            {
                continue; // its holder let go and removed it in the meantime
            }
            using (handle)
            {
                if (Libc.Flock((int)handle.DangerousGetHandle(), Libc.LOCK_EX | Libc.LOCK_NB) == 0)
                {
                    // We got the lock, so no process holds the lease: it is dead.
                    if (removeDead)
                        File.Delete(path);
                    continue;
                }
                if (Marshal.GetLastPInvokeError() != EWOULDBLOCK)
                    throw new IOException($"cannot lock {path}: {Marshal.GetLastPInvokeErrorMessage()}");
                if (Path.GetFileName(path).StartsWith(PendingPrefix, StringComparison.Ordinal))
                    continue; // still being written: it protects from collections after its rename
                live.Count++;
                foreach (var line in ReadAll(handle).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    if (LeaseKey.TryParse(line, out var key))
                        (key.Kind == LeaseKind.Chain ? live.Chains : live.Blobs).Add(key.Digest.ToString());
            }
        }
        return live;
    }

    private static string ReadAll(SafeFileHandle handle)
    {
        var bytes = new byte[RandomAccess.GetLength(handle)];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
            if (n <= 0)
                break;
            read += n;
        }
        return Encoding.ASCII.GetString(bytes, 0, read);
    }

    /// <summary>open(2), not File.OpenHandle: .NET flock()s the files it opens itself (see <see cref="StoreLock"/>).</summary>
    private static SafeFileHandle OpenFile(string path, int flags)
    {
        var fd = Libc.Open(path, flags | Libc.O_CLOEXEC, 0b110_000_000);
        if (fd < 0)
            throw new IOException($"cannot open {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }
}

/// <summary>What the live leases of a store protect, with digests spelt as the index spells them.</summary>
public sealed class LiveLeases
{
    /// <summary>How many live leases there are.</summary>
    public int Count { get; internal set; }

    public HashSet<string> Chains { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Blobs { get; } = new(StringComparer.Ordinal);
}
