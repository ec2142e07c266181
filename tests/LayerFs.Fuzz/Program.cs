using LayerFs.Fuzz;
using SharpFuzz;

// Usage:
//   LayerFs.Fuzz TARGET                 run under afl-fuzz (SharpFuzz out-of-process mode)
//   LayerFs.Fuzz TARGET --replay PATH   run every file under PATH once; exit 1 on the first crash
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: LayerFs.Fuzz {{{string.Join('|', FuzzTargets.All.Keys)}}} [--replay PATH]");
    return 2;
}
if (args.Length == 3 && args[1] == "--replay")
{
    var files = Directory.Exists(args[2]) ? Directory.GetFiles(args[2], "*", SearchOption.AllDirectories) : [args[2]];
    foreach (var file in files.Order(StringComparer.Ordinal))
    {
        using var stream = File.OpenRead(file);
        try
        {
            target(stream);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{file}: {e}");
            return 1;
        }
    }
    Console.Out.WriteLine($"{files.Length} inputs replayed");
    return 0;
}
Fuzzer.OutOfProcess.Run(target);
return 0;
