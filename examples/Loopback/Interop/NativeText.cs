using System.Globalization;

namespace LayerFs.Examples.Loopback.Interop;

/// <summary>NUL-terminated byte strings for the libc calls, built in caller-provided (stack) buffers.</summary>
internal static class NativeText
{
    /// <summary>Room for "/proc/self/fd/2147483647/" and a NUL, without the name.</summary>
    public const int ProcPathSize = 32;

    private static ReadOnlySpan<byte> ProcFdPrefix => "/proc/self/fd/"u8;

    /// <summary>Copies s and a NUL into dest (which must hold s.Length + 1 bytes).</summary>
    public static void Terminate(ReadOnlySpan<byte> s, Span<byte> dest)
    {
        s.CopyTo(dest);
        dest[s.Length] = 0;
    }

    /// <summary>
    /// "/proc/self/fd/N" or "/proc/self/fd/N/name": reaches a file through a directory's O_PATH fd with
    /// calls that take only paths (the xattr calls). dest must hold ProcPathSize + name.Length bytes.
    /// </summary>
    public static void ProcFdPath(int fd, ReadOnlySpan<byte> name, Span<byte> dest)
    {
        ProcFdPrefix.CopyTo(dest);
        fd.TryFormat(dest[ProcFdPrefix.Length..], out var written, provider: CultureInfo.InvariantCulture);
        var end = ProcFdPrefix.Length + written;
        if (!name.IsEmpty)
        {
            dest[end++] = (byte)'/';
            name.CopyTo(dest[end..]);
            end += name.Length;
        }
        dest[end] = 0;
    }
}
