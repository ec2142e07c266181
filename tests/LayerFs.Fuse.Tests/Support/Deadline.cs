namespace LayerFs.Fuse.Tests.Support;

/// <summary>
/// Runs test I/O on a pool thread with a time limit, so a hung filesystem fails the test instead of
/// hanging the run (the mount's cleanup then ends the daemon, which releases the stuck thread).
/// </summary>
public static class Deadline
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(60);

    public static void Run(Action action, TimeSpan? limit = null) => Run<object?>(() =>
    {
        action();
        return null;
    }, limit);

    public static T Run<T>(Func<T> action, TimeSpan? limit = null)
    {
        var task = Task.Run(action);
        var timeout = limit ?? Default;
        if (Task.WaitAny([task], timeout) < 0)
            throw new TimeoutException($"filesystem operation did not finish within {timeout.TotalSeconds} s");
        return task.GetAwaiter().GetResult(); // the operation's own exception, not an AggregateException
    }
}
