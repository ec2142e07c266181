using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Text;
using LayerFs.Mount.Interop;

namespace LayerFs.Mount.Daemon;

/// <summary>
/// `layerfs mount` without -f. .NET cannot fork, so the command starts itself again
/// (Environment.ProcessPath) in foreground mode with an internal option naming a pipe, and
/// waits for the daemon's one line on it: exit 0 once the mount is ready, or print the daemon's
/// error and exit 1. The daemon detaches (setsid, stdio to /dev/null) and outlives the command.
/// </summary>
public static class BackgroundLauncher
{
    /// <summary>The hidden option that makes `mount` a daemon reporting on the given pipe fd.</summary>
    public const string ReadyFdOption = "--daemon-ready-fd";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Starts the daemon with these `layerfs` arguments; returns null once it is ready, else what
    /// went wrong. <paramref name="inheritFd"/> is an fd the daemon needs besides stdio (the FUSE fd
    /// of a /dev/fd/N mountpoint).
    /// </summary>
    public static string? Start(IReadOnlyList<string> arguments, int? inheritFd = null)
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        KeepFromDaemon(int.Parse(pipe.GetClientHandleAsString(), System.Globalization.CultureInfo.InvariantCulture), inheritFd);
        var start = new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell where the layerfs executable is"))
        {
            UseShellExecute = false,
            // Not the caller's directory: a daemon must not keep a filesystem busy.
            WorkingDirectory = "/",
        };
        foreach (var arg in arguments)
            start.ArgumentList.Add(arg);
        start.ArgumentList.Add(ReadyFdOption);
        start.ArgumentList.Add(pipe.GetClientHandleAsString());
        using var daemon = Process.Start(start) ?? throw new InvalidOperationException("cannot start the mount daemon");
        pipe.DisposeLocalCopyOfClientHandle();

        var line = ReadLine(pipe);
        if (line == "ready")
            return null;
        if (line is not null && line.StartsWith("error: ", StringComparison.Ordinal))
            return line["error: ".Length..];
        if (!daemon.HasExited)
        {
            daemon.Kill();
            return "the mount daemon did not report readiness in time";
        }
        return $"the mount daemon exited ({daemon.ExitCode}) before the mount was ready";
    }

    /// <summary>
    /// Marks every fd the command inherited (beyond stdio and what the daemon needs) close-on-exec.
    /// .NET opens its own files that way, but a caller may have passed others (a build tool's
    /// output pipe, the caller's own stdout duplicated): a daemon holding them would keep that
    /// caller waiting for end-of-file for as long as the mount lives.
    /// </summary>
    private static void KeepFromDaemon(int readyFd, int? inheritFd)
    {
        foreach (var entry in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var fd) || fd <= 2 || fd == readyFd || fd == inheritFd)
                continue;
            var flags = Libc.Fcntl(fd, Libc.F_GETFD, 0);
            if (flags >= 0 && (flags & Libc.FD_CLOEXEC) == 0)
                Libc.Fcntl(fd, Libc.F_SETFD, flags | Libc.FD_CLOEXEC);
        }
    }

    /// <summary>
    /// The daemon's line, or null if none came within <see cref="ReadyTimeout"/>. Waits with poll(2)
    /// on the calling thread: a Task would start the thread pool, which costs the command more than
    /// a millisecond of the time `layerfs mount` takes.
    /// </summary>
    private static unsafe string? ReadLine(AnonymousPipeServerStream pipe)
    {
        var deadline = Environment.TickCount64 + (long)ReadyTimeout.TotalMilliseconds;
        var fd = new Libc.PollFd { Fd = (int)pipe.SafePipeHandle.DangerousGetHandle(), Events = Libc.POLLIN };
        while (true)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0)
                return null;
            var n = Libc.Poll(&fd, 1, (int)left);
            if (n > 0)
                break; // a line, or the daemon's end (POLLHUP): either way ReadLine returns
            if (n < 0 && Marshal.GetLastPInvokeError() != Fuse.Errno.EINTR)
                return null;
        }
        using var reader = new StreamReader(pipe, Encoding.UTF8, leaveOpen: true);
        return reader.ReadLine();
    }

    /// <summary>
    /// Called first thing in the daemon: leave the caller's session (its terminal's signals) and
    /// let go of its stdio, whose pipes might otherwise keep a caller waiting for EOF for ever.
    /// Every fd that refers to what stdin, stdout or stderr refer to is pointed at /dev/null,
    /// since .NET has already duplicated them for its Console streams by the time a command runs.
    /// </summary>
    public static void Detach()
    {
        Libc.Setsid();
        var stdio = new HashSet<string>(StringComparer.Ordinal);
        for (var fd = 0; fd <= 2; fd++)
            if (Target(fd) is { } target)
                stdio.Add(target);
        using var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite);
        var nullFd = (int)devNull.DangerousGetHandle();
        foreach (var entry in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var fd) && fd != nullFd && (fd <= 2 || (Target(fd) is { } target && stdio.Contains(target))))
                Libc.Dup2(nullFd, fd);
        }
    }

    /// <summary>What an open fd refers to ("pipe:[1234]", "/dev/pts/0", a path), from /proc.</summary>
    private static string? Target(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
