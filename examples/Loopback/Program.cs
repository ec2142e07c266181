using System.Diagnostics;
using LayerFs.Examples.Loopback;
using LayerFs.Examples.Loopback.Interop;
using LayerFs.Fuse;
using Serilog;
using Serilog.Events;

// A loopback filesystem on LayerFs.Fuse: mirrors SOURCE at MOUNTPOINT.
CommandLine cl;
try
{
    cl = CommandLine.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine("Loopback: " + ex.Message);
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Is(ParseLevel(cl.LogLevel))
    .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}")
    .CreateLogger();

if (!cl.Foreground)
    return Daemonize(args);
if (cl.Daemonized)
    _ = Libc.Setsid();

// The kernel already applied the caller's umask to every mode it sends.
_ = Libc.Umask(0);
RaiseOpenFileLimit();

try
{
    var mountPoint = cl.MountPoint;
    if (!mountPoint.StartsWith("/dev/fd/", StringComparison.Ordinal) && FuseMounts.IsStale(mountPoint))
    {
        Log.Warning("{MountPoint} was left mounted by a daemon that died; unmounting it", mountPoint);
        FuseMounts.Unmount(mountPoint, lazy: true);
    }
    using var fs = new LoopbackFileSystem(cl.Source, new LoopbackOptions
    {
        Timeout = TimeSpan.FromSeconds(cl.TimeoutSeconds),
        Passthrough = cl.Passthrough,
        KeepCache = !cl.NoKeepCache,
    });
    using var session = FuseSession.Mount(mountPoint, fs, new FuseMountOptions
    {
        FsName = Path.GetFullPath(cl.Source),
        Subtype = "loopback",
        Threads = cl.Threads,
        Passthrough = cl.Passthrough,
        IoUring = cl.IoUring,
        PassthroughBackingPath = cl.Source,
        PassthroughMaxStackDepth = cl.MaxStackDepth,
        MaxReadahead = cl.ReadaheadKb * 1024,
        AllowOther = cl.AllowOther,
        ReadOnly = cl.ReadOnly,
    });
    session.Start();
    using var signals = FuseSignals.StopOnTermination(session);
    Log.Information("mounted {Source} on {MountPoint} (protocol 7.{Minor}, {Threads} threads, {Queues} io_uring queues, passthrough {Passthrough})",
        cl.Source, mountPoint, session.Connection.ProtocolMinor, session.Connection.ReaderThreads, session.Connection.IoUringQueues,
        session.Connection.PassthroughEnabled ? "on" : "off");
    if (cl.Daemonized)
    {
        // Tell the waiting parent that the mount is up, then let go of its pipe.
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        Console.Out.Close();
    }
    session.WaitForExit();
    Log.Information("unmounted {MountPoint}", mountPoint);
    return 0;
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
{
    Log.Error("Loopback: {Error}", ex.Message);
    return 1;
}
finally
{
    Log.CloseAndFlush();
}

// Without -f: run again in the background (a .NET process cannot fork) and return once it has mounted.
static int Daemonize(string[] args)
{
    var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
    var psi = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = true };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        psi.ArgumentList.Add(typeof(CommandLine).Assembly.Location);
    foreach (var a in args)
        psi.ArgumentList.Add(a);
    psi.ArgumentList.Add("--daemonized");
    using var child = Process.Start(psi)!;
    var line = child.StandardOutput.ReadLine();
    if (line == "ready")
        return 0;
    child.WaitForExit();
    return child.ExitCode == 0 ? 1 : child.ExitCode;
}

// One O_PATH fd per node the kernel holds: a tree walk needs as many fds as files.
static unsafe void RaiseOpenFileLimit()
{
    Rlimit limit;
    if (Libc.Getrlimit(Libc.RLIMIT_NOFILE, &limit) != 0)
        return;
    ulong wanted = 1 << 20;
    if (File.Exists("/proc/sys/fs/nr_open") && ulong.TryParse(File.ReadAllText("/proc/sys/fs/nr_open").Trim(), out var nrOpen))
        wanted = nrOpen;
    var raised = new Rlimit { Current = wanted, Maximum = Math.Max(wanted, limit.Maximum) };
    if (Libc.Setrlimit(Libc.RLIMIT_NOFILE, &raised) != 0)
    {
        // Not privileged: the soft limit can still go up to the hard one.
        raised = new Rlimit { Current = limit.Maximum, Maximum = limit.Maximum };
        Libc.Setrlimit(Libc.RLIMIT_NOFILE, &raised);
    }
}

static LogEventLevel ParseLevel(string level) => level.ToLowerInvariant() switch
{
    "verbose" or "trace" => LogEventLevel.Verbose,
    "debug" => LogEventLevel.Debug,
    "warning" or "warn" => LogEventLevel.Warning,
    "error" => LogEventLevel.Error,
    _ => LogEventLevel.Information,
};
