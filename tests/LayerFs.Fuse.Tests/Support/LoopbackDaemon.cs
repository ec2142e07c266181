using System.Diagnostics;
using System.Reflection;
using System.Text;
using LayerFs.Fuse.Tests.Interop;

namespace LayerFs.Fuse.Tests.Support;

/// <summary>
/// The Loopback example run as a child process in the foreground (-f), mirroring Source at MountPoint.
/// Dispose ends it (SIGTERM, then SIGKILL) and makes sure nothing stays mounted.
/// </summary>
public sealed class LoopbackDaemon : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process process;
    private readonly StringBuilder log = new();
    private bool disposed;

    private LoopbackDaemon(string source, string mountPoint, Process process)
    {
        Source = source;
        MountPoint = mountPoint;
        this.process = process;
    }

    /// <summary>The built example, next to this test assembly's configuration.</summary>
    public static string Dll =>
        typeof(LoopbackDaemon).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LoopbackDll").Value!;

    public static string DotnetHost =>
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    public string Source { get; }

    public string MountPoint { get; }

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>Everything the daemon logged to stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (log)
                return log.ToString();
        }
    }

    /// <summary>Starts the daemon and waits until the mount is in the mount table.</summary>
    public static LoopbackDaemon Start(string source, string mountPoint, params string[] options)
    {
        var psi = new ProcessStartInfo(DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        psi.ArgumentList.Add(Dll);
        psi.ArgumentList.Add(source);
        psi.ArgumentList.Add(mountPoint);
        psi.ArgumentList.Add("-f");
        foreach (var o in options)
            psi.ArgumentList.Add(o);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start Loopback");
        var daemon = new LoopbackDaemon(source, mountPoint, p);
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (daemon.log)
                    daemon.log.AppendLine(e.Data);
        };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        try
        {
            MountWait.UntilMounted(mountPoint, StartTimeout, () => !p.HasExited);
            // Mounted is not yet initialised: wait for the daemon's "mounted SRC on MNT (protocol 7.N, ...)"
            // line (after INIT); over a stale mount the mountpoint is "mounted" before the new one is.
            var until = DateTime.UtcNow + StartTimeout;
            while (!daemon.Log.Contains("(protocol 7.", StringComparison.Ordinal) && DateTime.UtcNow < until && !p.HasExited)
                Thread.Sleep(20);
            if (p.HasExited)
                throw new InvalidOperationException("Loopback exited: " + daemon.Log);
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
        return daemon;
    }

    public void Signal(int signal) => Libc.Kill(process.Id, signal);

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
            return false;
        process.WaitForExit(); // drain the output readers
        return true;
    }

    /// <summary>Forgets an exited daemon without touching its mount (a test that wants the stale mount kept).</summary>
    public void Abandon()
    {
        if (!process.HasExited)
            throw new InvalidOperationException("the daemon is still running");
        disposed = true;
        process.Dispose();
    }

    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        try
        {
            if (!process.HasExited)
            {
                Signal(Libc.SIGTERM);
                if (!WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                }
            }
        }
        finally
        {
            MountWait.Cleanup(MountPoint);
            process.Dispose();
        }
    }
}
