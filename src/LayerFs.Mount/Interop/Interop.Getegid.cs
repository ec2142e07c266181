using System.Runtime.InteropServices;

namespace LayerFs.Mount.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "getegid")]
    private static partial uint Getegid();

    public static uint GetEffectiveGroupId() => Getegid();
}
