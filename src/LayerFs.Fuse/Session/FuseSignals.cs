using System.Runtime.InteropServices;

namespace LayerFs.Fuse;

/// <summary>Ends a session cleanly on SIGINT and SIGTERM instead of dying with the mount left stale.</summary>
public static class FuseSignals
{
    /// <summary>
    /// Until disposed, SIGINT and SIGTERM stop the session (unmount, then the readers end and
    /// WaitForExit returns) rather than terminate the process.
    /// </summary>
    public static IDisposable StopOnTermination(FuseSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        void Handler(PosixSignalContext context)
        {
            context.Cancel = true;
            // Stop waits for the reader threads; do not do that on the signal thread.
            ThreadPool.UnsafeQueueUserWorkItem(_ => session.Stop(), null);
        }
        return new Registrations(
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler));
    }

    private sealed class Registrations(params PosixSignalRegistration[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var r in registrations)
                r.Dispose();
        }
    }
}
