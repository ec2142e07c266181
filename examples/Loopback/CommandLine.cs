using System.Globalization;

namespace LayerFs.Examples.Loopback;

/// <summary>
/// Loopback SOURCE MOUNTPOINT [--threads N] [--no-passthrough] [--no-uring] [--timeout SECONDS] [--max-stack-depth 1|2] [--readahead-kb KB] [--no-keep-cache] [--log-level LEVEL] [-f] [-o OPTS]
/// (-o takes mount.fuse3 style options: allow_other, ro, default_permissions, ...; unknown ones are ignored).
/// </summary>
internal sealed class CommandLine
{
    public string Source { get; private set; } = "";

    public string MountPoint { get; private set; } = "";

    public int Threads { get; private set; } = Environment.ProcessorCount;

    public bool Passthrough { get; private set; } = true;

    /// <summary>Use FUSE io_uring queues when the kernel offers them (fuse.enable_uring).</summary>
    public bool IoUring { get; private set; } = true;

    public bool Foreground { get; private set; }

    public double TimeoutSeconds { get; private set; } = TimeSpan.FromDays(1).TotalSeconds;

    public string LogLevel { get; private set; } = "information";

    /// <summary>max_stack_depth for passthrough (1 or 2); 0 picks it from where SOURCE lives.</summary>
    public int MaxStackDepth { get; private set; }

    /// <summary>Drop a file's cached pages at every open (reads then always reach the daemon or the backing file).</summary>
    public bool NoKeepCache { get; private set; }

    /// <summary>Readahead window in KiB (0: the kernel's default).</summary>
    public uint ReadaheadKb { get; private set; } = 1024;

    public bool AllowOther { get; private set; }

    public bool ReadOnly { get; private set; }

    /// <summary>Set by the parent when it re-runs itself in the background (no -f).</summary>
    public bool Daemonized { get; private set; }

    public const string Usage = "usage: Loopback SOURCE MOUNTPOINT [--threads N] [--no-passthrough] [--no-uring] [--timeout SECONDS] [--max-stack-depth 1|2] [--readahead-kb KB] [--no-keep-cache] [--log-level LEVEL] [-f] [-o OPTIONS]";

    public static CommandLine Parse(string[] args)
    {
        var cl = new CommandLine();
        var positional = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            switch (a)
            {
                case "-f":
                case "--foreground":
                    cl.Foreground = true;
                    break;
                case "--threads":
                    cl.Threads = int.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--no-passthrough":
                    cl.Passthrough = false;
                    break;
                case "--no-uring":
                    cl.IoUring = false;
                    break;
                case "--timeout":
                    cl.TimeoutSeconds = double.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--max-stack-depth":
                    cl.MaxStackDepth = int.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--no-keep-cache":
                    cl.NoKeepCache = true;
                    break;
                case "--readahead-kb":
                    cl.ReadaheadKb = uint.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--log-level":
                    cl.LogLevel = Next();
                    break;
                case "-d":
                case "--debug":
                    cl.LogLevel = "verbose";
                    break;
                case "--daemonized":
                    cl.Daemonized = true;
                    cl.Foreground = true;
                    break;
                case "-o":
                    cl.ApplyMountOptions(Next());
                    break;
                default:
                    if (a.StartsWith('-'))
                        throw new ArgumentException("unknown option " + a);
                    positional.Add(a);
                    break;
            }
        }
        if (positional.Count != 2)
            throw new ArgumentException("SOURCE and MOUNTPOINT are required");
        cl.Source = positional[0];
        cl.MountPoint = positional[1];
        return cl;
    }

    private void ApplyMountOptions(string options)
    {
        foreach (var o in options.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (o)
            {
                case "allow_other":
                    AllowOther = true;
                    break;
                case "ro":
                    ReadOnly = true;
                    break;
                case "rw":
                    ReadOnly = false;
                    break;
            }
        }
    }
}
