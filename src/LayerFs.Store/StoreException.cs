namespace LayerFs.Store;

/// <summary>
/// A failure the user caused or can act on (bad input, unknown reference, store in use).
/// Message is one line, printed as is by the CLI; the command that threw left the store as it was.
/// </summary>
public class StoreException : Exception
{
    public StoreException(string message) : base(message) { }
    public StoreException(string message, Exception inner) : base(message, inner) { }
    public StoreException() { }
}

/// <summary>Input that is not a valid image: corrupt, truncated, hostile or of an unknown kind.</summary>
public sealed class InvalidImageException : StoreException
{
    public InvalidImageException(string message) : base(message) { }
    public InvalidImageException(string message, Exception inner) : base(message, inner) { }
    public InvalidImageException() { }
}
