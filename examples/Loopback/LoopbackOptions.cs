namespace LayerFs.Examples.Loopback;

/// <summary>Caching and I/O policy of the loopback filesystem.</summary>
internal sealed class LoopbackOptions
{
    /// <summary>
    /// Entry and attribute cache timeout. Long (a day, as passthrough_hp) when only this mount changes
    /// the source; 0 when the source also changes behind its back.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Offer backing fds for kernel passthrough of regular files.</summary>
    public bool Passthrough { get; init; } = true;

    /// <summary>Keep cached file pages across opens and cache directory listings (only with a timeout).</summary>
    public bool KeepCache { get; init; } = true;

    /// <summary>Whether opens really keep the cache: only when cached attributes are trusted at all.</summary>
    public bool KeepsCache => KeepCache && Timeout > TimeSpan.Zero;
}
