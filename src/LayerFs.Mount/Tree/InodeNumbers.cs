using System.IO.Hashing;
using System.Text;
using LayerFs.Store;

namespace LayerFs.Mount.Tree;

/// <summary>
/// st_ino numbers. The kernel takes st_ino from the attributes, not from the node id, so node
/// ids are handed out as nodes come and go while st_ino stays the same across lookups,
/// readdirplus and remounts: it is derived from the index entry id, in a namespace per tree.
/// <code>
///   st_ino = namespace &lt;&lt; 36 | entry id        (entry ids below 2^36)
///   namespace 0                 generated nodes (root, images/, json files ...): a hash of what they are
///   namespace 1 .. 2^27-1       a chain's rootfs (from the chain id), or a view (from its name and creation)
///   namespace 2^27 .. 2^28-1    a layer's diff/ (from the diff_id)
/// </code>
/// The same entry thus has one number in every view of the same stack (images/T/rootfs and
/// layers/CHAIN/rootfs), and different numbers in different stacks, so that tools which treat
/// an equal st_ino as one file (cp -a, tar, rsync -H, du) do not link files across images.
/// All names of a hard-link group share their group's number.
/// </summary>
internal static class InodeNumbers
{
    private const int EntryBits = 36;
    private const ulong EntryMask = (1UL << EntryBits) - 1;
    private const uint StackNamespaces = (1u << 27) - 1;

    public const ulong Root = 1;

    public static ulong Entry(uint space, long entryId) => ((ulong)space << EntryBits) | ((ulong)entryId & EntryMask);

    public static uint StackNamespace(Digest chainId) => 1 + (Leading32(chainId) % StackNamespaces);

    /// <summary>A stack namespace from a hash of a string that says what the stack is (a view: "view:NAME@CREATED").</summary>
    public static uint StackNamespace(string what) => 1 + (uint)(StableHash(what) % StackNamespaces);

    public static uint DiffNamespace(Digest diffId) => (1u << 27) | (Leading32(diffId) & ((1u << 27) - 1));

    /// <summary>A generated node's number: a hash of a string that says what it is (e.g. "image-json:busybox:latest").</summary>
    public static ulong Generated(string what)
    {
        var value = StableHash(what) & EntryMask;
        return value < 16 ? value + 16 : value;
    }

    /// <summary>
    /// A hash that is the same in every process and version (string.GetHashCode is seeded per process).
    /// Not SHA-256: the first use of a cryptographic hash loads OpenSSL (libssl, libcrypto and its
    /// configuration), some 15 ms on a cold cache, and the first lookup after a mount would wait on it.
    /// </summary>
    private static ulong StableHash(string what) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(what));

    private static uint Leading32(Digest digest) => Convert.ToUInt32(digest.Hex[..8], 16);
}
