using LayerFs.Mount.Tests.Support;
using Xunit;

namespace LayerFs.Mount.Tests.Views;

/// <summary>The daemon killed (SIGKILL) while a program writes in a view: what it fsync'd is there after umount and mount.</summary>
public sealed class ViewCrashTests
{
    [Fact]
    public void Everything_fsynced_before_the_daemon_is_killed_is_there_after_remount()
    {
        using var view = new ViewMount();
        var progress = view.Cli.Combine("synced");
        var writer = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("python3",
        [
            "-c",
            """
            import os, sys
            root, progress = sys.argv[1], sys.argv[2]
            i = 0
            try:
                while True:
                    p = os.path.join(root, 'tmp', f'f{i}')
                    fd = os.open(p, os.O_CREAT | os.O_WRONLY, 0o644)
                    os.write(fd, (f'record {i}\n' * 100).encode())
                    os.fsync(fd)
                    os.close(fd)
                    with open(os.path.join(root, 'etc/passwd'), 'a') as f:
                        f.write(f'u{i}:x:{i}:{i}::/:/bin/sh\n'); f.flush(); os.fsync(f.fileno())
                    with open(progress, 'w') as f:
                        f.write(str(i))
                    i += 1
            except OSError:
                pass
            """,
            view.Rootfs, progress,
        ]) { RedirectStandardError = true })!;
        try
        {
            Assert.True(CliMount.WaitFor(() => File.Exists(progress) && int.Parse(File.ReadAllText(progress) is { Length: > 0 } t ? t : "0", System.Globalization.CultureInfo.InvariantCulture) >= 20, TimeSpan.FromSeconds(60)), "the writer made no progress");
            var daemon = Assert.Single(CliMount.DaemonsFor(view.Cli.Mountpoint));
            System.Diagnostics.Process.GetProcessById(daemon).Kill();
            Assert.True(writer.WaitForExit(TimeSpan.FromSeconds(30)), "the writer did not notice the dead mount");
        }
        finally
        {
            if (!writer.HasExited)
                writer.Kill();
        }
        var synced = int.Parse(File.ReadAllText(progress), System.Globalization.CultureInfo.InvariantCulture);
        view.Cli.Run("umount", view.Cli.Mountpoint);
        view.Mount();
        var passwd = File.ReadAllText(view.In("etc/passwd"));
        for (var i = 0; i <= synced; i++)
        {
            Assert.Equal(string.Concat(Enumerable.Repeat($"record {i}\n", 100)), File.ReadAllText(view.In($"tmp/f{i}")));
            Assert.Contains($"u{i}:x:{i}:{i}::/:/bin/sh\n", passwd, StringComparison.Ordinal);
        }
    }
}
