using System.Diagnostics;
using System.Text.Json;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Cli.Tests;

/// <summary>What the crash harnesses check after a kill, and how they time one.</summary>
internal static class CrashChecks
{
    public static List<string> Tags(CliStore store)
    {
        using var json = JsonDocument.Parse(store.Ok("images", "--format", "json").Stdout);
        return json.RootElement.EnumerateArray().SelectMany(i => i.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)).ToList();
    }

    /// <summary>Every file under objects/ and blobs/ is one the index references; ingest/ is empty.</summary>
    public static void AssertNoUnreferencedFiles(CliStore store)
    {
        using var dryRun = JsonDocument.Parse(store.Ok("prune", "--dry-run", "--format", "json").Stdout);
        Assert.Equal(0, dryRun.RootElement.GetProperty("objects").GetInt32());
        Assert.Equal(0, dryRun.RootElement.GetProperty("blobs").GetArrayLength());
        Assert.Equal(0, dryRun.RootElement.GetProperty("chains").GetArrayLength());
        using var du = JsonDocument.Parse(store.Ok("du", "--format", "json").Stdout);
        var objectFiles = Directory.EnumerateFiles(Path.Combine(store.Root, "objects"), "*", SearchOption.AllDirectories).Count();
        Assert.Equal(du.RootElement.GetProperty("objects").GetProperty("count").GetInt64(), objectFiles);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(store.Root, "ingest")));
    }

    /// <summary>
    /// Whether some process holds a flock() on the file. When it is free, the probe holds the
    /// lock for microseconds; a command that finds it taken then waits its 20 ms retry, nothing worse.
    /// </summary>
    public static bool Locked(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        // The fd's own flock (not .NET's FileShare emulation): exclusive, non-blocking, dropped on close.
        return Interop.Libc.Flock((int)handle.DangerousGetHandle(), Interop.Libc.LOCK_EX | Interop.Libc.LOCK_NB) != 0;
    }

    private static Process Start(CliStore store, string[] args)
    {
        var psi = new ProcessStartInfo(Repo.Cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--store", store.Root, .. args])
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>Waits (polling hard) until the command holds the store lock; false if it exited first.</summary>
    private static bool WaitForLock(Process p, string lockPath)
    {
        while (!Locked(lockPath))
        {
            if (p.HasExited)
                return false;
            Thread.SpinWait(2000);
        }
        return true;
    }

    /// <summary>Runs the command to its end and returns how long it held the store lock.</summary>
    public static TimeSpan LockHeldTime(CliStore store, string[] args)
    {
        var lockPath = Path.Combine(store.Root, "lock");
        using var p = Start(store, args);
        if (!WaitForLock(p, lockPath))
            throw new InvalidOperationException($"layerfs {string.Join(' ', args)} ended before it was seen holding the lock");
        var clock = Stopwatch.StartNew();
        while (Locked(lockPath) && !p.HasExited)
            Thread.SpinWait(2000);
        var held = clock.Elapsed;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"layerfs {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
        return held;
    }

    /// <summary>Starts the command, SIGKILLs it the given time after it took the store lock; true if it was still running then.</summary>
    public static bool KillWhileLocked(CliStore store, string[] args, TimeSpan after)
    {
        var lockPath = Path.Combine(store.Root, "lock");
        using var p = Start(store, args);
        if (!WaitForLock(p, lockPath))
        {
            p.WaitForExit();
            return false;
        }
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < after && !p.HasExited)
            Thread.SpinWait(200);
        if (p.HasExited)
            return false;
        p.Kill(); // SIGKILL, by PID
        p.WaitForExit();
        return true;
    }
}
