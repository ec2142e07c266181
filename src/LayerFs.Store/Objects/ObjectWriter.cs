using System.Buffers;
using System.Collections.Concurrent;

namespace LayerFs.Store.Objects;

/// <summary>
/// Hashes and writes small file contents on worker threads while the importing thread goes on
/// decompressing and parsing the tar: the two halves of an import then use both cores. The
/// in-flight bytes are bounded, so a layer of huge files cannot exhaust memory.
/// </summary>
internal sealed class ObjectWriter : IDisposable
{
    private const long MaxInFlightBytes = 64L << 20;

    private readonly ObjectStore _store;
    private readonly StoreChanges _changes;
    private readonly BlockingCollection<Work> _queue = new(boundedCapacity: 1024);
    private readonly Task[] _workers;
    private readonly object _budgetLock = new(); // a Monitor, not a Lock: it is waited on
    private long _inFlight;
    private readonly ConcurrentQueue<Exception> _errors = new();

    private readonly record struct Work(byte[] Buffer, int Length, Action<byte[]> Done);

    public ObjectWriter(ObjectStore store, StoreChanges changes, int workers)
    {
        _store = store;
        _changes = changes;
        _workers = Enumerable.Range(0, Math.Max(1, workers)).Select(_ => Task.Factory.StartNew(Run, TaskCreationOptions.LongRunning)).ToArray();
    }

    /// <summary>Largest content handed to the workers; bigger files are streamed by the caller.</summary>
    public static int MaxQueuedSize => 1 << 20;

    /// <summary>Reads exactly length bytes from data and stores them later; done gets the sha256.</summary>
    public void Enqueue(Stream data, int length, Action<byte[]> done)
    {
        ThrowIfFailed();
        Reserve(length);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            data.ReadExactly(buffer, 0, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Release(length);
            throw;
        }
        _queue.Add(new Work(buffer, length, done));
    }

    /// <summary>Blocks (without spinning) while the queued bytes are over budget.</summary>
    private void Reserve(int length)
    {
        lock (_budgetLock)
        {
            while (_inFlight > 0 && _inFlight + length > MaxInFlightBytes)
                Monitor.Wait(_budgetLock);
            _inFlight += length;
        }
    }

    private void Release(int length)
    {
        lock (_budgetLock)
        {
            _inFlight -= length;
            Monitor.PulseAll(_budgetLock);
        }
    }

    private void Run()
    {
        foreach (var work in _queue.GetConsumingEnumerable())
        {
            try
            {
                if (_errors.IsEmpty)
                    work.Done(_store.PutBytes(work.Buffer.AsSpan(0, work.Length), _changes));
            }
            catch (Exception e)
            {
                _errors.Enqueue(e);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(work.Buffer);
                Release(work.Length);
            }
        }
    }

    /// <summary>Waits until every queued content is stored; rethrows the first failure.</summary>
    public void Complete()
    {
        _queue.CompleteAdding();
        Task.WaitAll(_workers);
        ThrowIfFailed();
    }

    private void ThrowIfFailed()
    {
        if (_errors.TryPeek(out var e))
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();
    }

    public void Dispose()
    {
        if (!_queue.IsAddingCompleted)
        {
            _queue.CompleteAdding();
            try
            {
                Task.WaitAll(_workers);
            }
            catch (AggregateException)
            {
                // Already failing: the caller reports its own error.
            }
        }
        _queue.Dispose();
    }
}
