namespace LayerFs.Fuse;

/// <summary>A mount, unmount or session failure, with the errno that caused it (0 when none did).</summary>
public sealed class FuseException : IOException
{
    public FuseException(string message, int errno = 0)
        : base(message)
    {
        Errno = errno;
    }

    public FuseException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public FuseException()
    {
    }

    public FuseException(string message)
        : base(message)
    {
    }

    public int Errno { get; }
}
