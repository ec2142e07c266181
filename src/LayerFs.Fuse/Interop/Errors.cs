using System.Runtime.InteropServices;

namespace LayerFs.Fuse.Interop;

/// <summary>errno text for log lines and exceptions.</summary>
internal static class Errors
{
    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    public static FuseException Exception(string what, int errno) => new($"{what}: {Describe(errno)}", errno);
}
