namespace LayerFs.Fuse.Session;

/// <summary>
/// The request one reader thread is serving, so that a FUSE_INTERRUPT read by any thread can cancel it.
/// Lock-free on the request path: a volatile write when the request starts, one compare-exchange when
/// it ends. The CancellationTokenSource is reused until an interrupt actually fires, so requests
/// allocate nothing.
/// </summary>
internal sealed class InterruptSlot : IDisposable
{
    private const ulong Idle = 0;
    private const ulong Cancelling = ulong.MaxValue;

    private ulong current;
    private volatile CancellationTokenSource source = new();

    /// <summary>The token for the request being served (valid between Begin and End).</summary>
    public CancellationToken Token => source.Token;

    public void Begin(ulong unique) => Volatile.Write(ref current, unique);

    public void End(ulong unique)
    {
        // If an interrupt is cancelling this request right now, let it finish before the slot is reused.
        var spin = default(SpinWait);
        while (Interlocked.CompareExchange(ref current, Idle, unique) != unique)
            spin.SpinOnce(sleep1Threshold: -1);
        if (source.IsCancellationRequested)
        {
            source.Dispose();
            source = new CancellationTokenSource();
        }
    }

    /// <summary>Cancels the token if this slot is serving <paramref name="unique"/>.</summary>
    public bool TryInterrupt(ulong unique)
    {
        if (unique is Idle or Cancelling || Interlocked.CompareExchange(ref current, Cancelling, unique) != unique)
            return false;
        try
        {
            source.Cancel();
        }
        finally
        {
            Volatile.Write(ref current, unique);
        }
        return true;
    }

    public void Dispose() => source.Dispose();
}
