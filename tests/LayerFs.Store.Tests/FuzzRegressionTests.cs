using LayerFs.Fuzz;
using LayerFs.TestSupport;
using Xunit;

namespace LayerFs.Store.Tests;

/// <summary>Every input a fuzzer ever crashed a target with (tests/fuzz/crashes/TARGET) is replayed, and must not crash.</summary>
public sealed class FuzzRegressionTests
{
    public static TheoryData<string> Targets => new(FuzzTargets.All.Keys);

    [Theory]
    [MemberData(nameof(Targets))]
    public void Crashes_found_by_fuzzing_stay_fixed(string target)
    {
        var dir = Path.Combine(Repo.Root, "tests", "fuzz", "crashes", target);
        var inputs = Directory.Exists(dir) ? Directory.GetFiles(dir) : [];
        foreach (var input in inputs)
        {
            using var stream = File.OpenRead(input);
            FuzzTargets.All[target](stream);
        }
    }

    [Fact]
    public void Targets_refuse_garbage_only_with_their_documented_exception()
    {
        var random = new Random(1234);
        foreach (var (name, target) in FuzzTargets.All)
            for (var i = 0; i < 200; i++)
            {
                var data = new byte[random.Next(0, 3000)];
                random.NextBytes(data);
                if (name != "tar" && data.Length > 0)
                    data[0] = (byte)'{';
                target(new MemoryStream(data));
            }
    }
}
