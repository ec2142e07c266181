using LayerFs.Fuse.Protocol;

namespace LayerFs.Fuse.Session;

/// <summary>
/// Which operations the filesystem answered ENOSYS: those are answered ENOSYS by the binding from
/// then on without calling the filesystem (the kernel itself remembers only some of them).
/// A plain bool per opcode: a racing reader may ask the filesystem once more, which is harmless.
/// </summary>
internal sealed class OperationSupport
{
    private readonly bool[] unsupported = new bool[FuseOpcodes.TableSize];

    public bool IsUnsupported(uint opcode) => opcode >= FuseOpcodes.TableSize || Volatile.Read(ref unsupported[opcode]);

    /// <summary>Returns true the first time an opcode is marked.</summary>
    public bool MarkUnsupported(uint opcode)
    {
        if (opcode >= FuseOpcodes.TableSize || unsupported[opcode])
            return false;
        Volatile.Write(ref unsupported[opcode], true);
        return true;
    }
}
