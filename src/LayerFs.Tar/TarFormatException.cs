namespace LayerFs.Tar;

/// <summary>The stream is not a valid tar archive; Message is one line fit for a user, naming the entry and what is wrong.</summary>
public sealed class TarFormatException : Exception
{
    public TarFormatException(string message) : base(message) { }
    public TarFormatException(string message, Exception inner) : base(message, inner) { }
    public TarFormatException() { }
}
