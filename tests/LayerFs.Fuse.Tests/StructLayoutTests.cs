using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LayerFs.Fuse.Protocol;
using LayerFs.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace LayerFs.Fuse.Tests;

/// <summary>
/// The wire structs and protocol constants against the kernel header: native/fuse_layout.c is
/// compiled with gcc against the system's &lt;linux/fuse.h&gt; and prints every size, offset and value;
/// each must equal the C# definition. A struct layout mistake here would corrupt every request.
/// </summary>
public sealed class StructLayoutTests
{
    private static readonly Lazy<HeaderFacts> Facts = new(HeaderFacts.Load);
    private readonly ITestOutputHelper output;

    public StructLayoutTests(ITestOutputHelper output) => this.output = output;

    public static TheoryData<string> WireStructs()
    {
        var data = new TheoryData<string>();
        foreach (var t in WireTypes())
            data.Add(t.GetCustomAttribute<WireStructAttribute>()!.CName);
        return data;
    }

    [Fact]
    public void Every_wire_struct_is_checked_and_every_header_struct_has_a_mirror()
    {
        var mirrored = WireTypes().Select(t => t.GetCustomAttribute<WireStructAttribute>()!.CName).ToHashSet();
        Assert.Equal(Facts.Value.Sizes.Keys.Order(), mirrored.Order());
        output.WriteLine($"<linux/fuse.h> is protocol 7.{Facts.Value.HeaderMinor}; {Facts.Value.Documented.Count} field(s) newer than it were checked against the documented layout: {string.Join(", ", Facts.Value.Documented)}");
    }

    [Theory]
    [MemberData(nameof(WireStructs))]
    public void Struct_matches_the_kernel_header(string cName)
    {
        var facts = Facts.Value;
        var type = WireTypes().Single(t => t.GetCustomAttribute<WireStructAttribute>()!.CName == cName);
        var size = facts.Sizes[cName];
        Assert.Equal(size, Marshal.SizeOf(type));
        Assert.Equal(size, UnsafeSizeOf(type));

        var cFields = facts.Fields[cName];
        var csFields = type.GetFields(BindingFlags.Public | BindingFlags.Instance);
        foreach (var c in cFields)
        {
            if (c.Size == 0)
            {
                // A flexible array member (fuse_dirent.name): the C# struct stops where it starts.
                Assert.Equal(c.Offset, Marshal.SizeOf(type));
                continue;
            }
            var f = csFields.SingleOrDefault(f => Normalize(f.Name) == Normalize(c.Name));
            Assert.True(f is not null, $"{cName}.{c.Name} has no C# field in {type.Name}");
            Assert.True(c.Offset == (int)Marshal.OffsetOf(type, f!.Name), $"{cName}.{c.Name}: offset {c.Offset} in C, {Marshal.OffsetOf(type, f.Name)} in C#");
            Assert.True(c.Size == FieldSize(f), $"{cName}.{c.Name}: size {c.Size} in C, {FieldSize(f)} in C#");
        }
        foreach (var f in csFields)
            Assert.True(cFields.Any(c => Normalize(c.Name) == Normalize(f.Name)), $"{type.Name}.{f.Name} is not a field of {cName}");
    }

    [Theory]
    [InlineData("opcode", typeof(FuseOpcode), "FUSE_")]
    [InlineData("notify", typeof(FuseNotifyCode), "FUSE_NOTIFY_")]
    [InlineData("init", typeof(FuseInitFlags), "FUSE_")]
    [InlineData("fopen", typeof(FuseOpenFlags), "FOPEN_")]
    [InlineData("fattr", typeof(FuseSetAttrValid), "FATTR_")]
    [InlineData("rename", typeof(FuseRenameFlags), "RENAME_")]
    public void Enum_values_match_the_kernel_header(string family, Type enumType, string prefix)
    {
        var header = Facts.Value.Constants[family];
        var values = Enum.GetNames(enumType).Where(n => n != "None")
            .ToDictionary(Normalize, n => Convert.ToUInt64(Enum.Parse(enumType, n), CultureInfo.InvariantCulture));
        foreach (var (name, value) in header)
        {
            var key = Normalize(name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name);
            Assert.True(values.TryGetValue(key, out var ours), $"{name} has no member in {enumType.Name}");
            Assert.True(value == ours, $"{name} = {value} in C, {ours} in {enumType.Name}");
        }
        // Members newer than the installed header cannot be checked here; say which.
        var unchecked_ = values.Keys.Except(header.Keys.Select(n => Normalize(n.StartsWith(prefix, StringComparison.Ordinal) ? n[prefix.Length..] : n))).ToList();
        output.WriteLine($"{enumType.Name}: {header.Count} checked; newer than the header: {string.Join(", ", unchecked_)}");
    }

    [Fact]
    public void Ioctls_and_flag_constants_match_the_kernel_header()
    {
        var mirrored = new (string Family, string Name, ulong Ours)[]
        {
            ("ioctl", "FUSE_DEV_IOC_CLONE", DeviceIoctl.Clone),
            ("ioctl", "FUSE_DEV_IOC_BACKING_OPEN", DeviceIoctl.BackingOpen),
            ("ioctl", "FUSE_DEV_IOC_BACKING_CLOSE", DeviceIoctl.BackingClose),
            ("misc", "FUSE_GETATTR_FH", FuseGetAttrFlags.Fh),
            ("misc", "FUSE_FSYNC_FDATASYNC", FuseFsyncFlags.FdataSync),
            ("misc", "FUSE_RELEASE_FLUSH", FuseReleaseFlags.Flush),
            ("misc", "FUSE_RELEASE_FLOCK_UNLOCK", FuseReleaseFlags.FlockUnlock),
            ("misc", "FUSE_EXPIRE_ONLY", FuseNotifyInvalEntryFlags.ExpireOnly),
            ("misc", "FUSE_MIN_READ_BUFFER", (ulong)FuseKernel.MinReadBuffer),
        };
        foreach (var (family, name, ours) in mirrored)
        {
            var header = Facts.Value.Constants[family][name];
            Assert.True(header == ours, $"{name} = {header} in C, {ours} in C#");
        }
    }

    [Fact]
    public void Errno_values_match_the_C_library()
    {
        var header = Facts.Value.Constants["errno"];
        var ours = typeof(Errno).GetFields(BindingFlags.Public | BindingFlags.Static).ToDictionary(f => f.Name, f => (ulong)(int)f.GetValue(null)!);
        foreach (var (name, value) in ours)
        {
            Assert.True(header.ContainsKey(name), $"Errno.{name} is not printed by fuse_layout.c");
            Assert.True(header[name] == value, $"{name} = {header[name]} in C, {value} in Errno");
        }
    }

    private static IEnumerable<Type> WireTypes() =>
        typeof(FuseSession).Assembly.GetTypes().Where(t => t.GetCustomAttribute<WireStructAttribute>() is not null);

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static int UnsafeSizeOf(Type t) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;

    private static int FieldSize(FieldInfo f) =>
        f.FieldType.IsEnum ? Marshal.SizeOf(Enum.GetUnderlyingType(f.FieldType)) : Marshal.SizeOf(f.FieldType);

    private sealed record CField(string Name, int Offset, int Size);

    /// <summary>What fuse_layout.c prints, parsed.</summary>
    private sealed class HeaderFacts
    {
        public int HeaderMinor { get; private set; }

        public Dictionary<string, int> Sizes { get; } = [];

        public Dictionary<string, List<CField>> Fields { get; } = [];

        public Dictionary<string, Dictionary<string, ulong>> Constants { get; } = [];

        public List<string> Documented { get; } = [];

        public static HeaderFacts Load()
        {
            using var dir = new TempDir("fuse-layout");
            var exe = dir.Combine("fuse_layout");
            var source = Path.Combine(Repo.Root, "native", "fuse_layout.c");
            ProcessRunner.Run("gcc", ["-Wall", "-Wextra", "-Werror", "-o", exe, source], TimeSpan.FromMinutes(2)).EnsureSuccess();
            var text = ProcessRunner.Run(exe, [], TimeSpan.FromMinutes(1)).EnsureSuccess().Stdout;
            var facts = new HeaderFacts();
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var p = line.Split(' ');
                int I(int i) => int.Parse(p[i], CultureInfo.InvariantCulture);
                switch (p[0])
                {
                    case "V":
                        facts.HeaderMinor = I(2);
                        break;
                    case "S":
                        facts.Sizes[p[1]] = I(2);
                        facts.Fields.TryAdd(p[1], []);
                        break;
                    case "F":
                        facts.Fields[p[1]].Add(new CField(p[2], I(3), I(4)));
                        if (p.Length > 5)
                            facts.Documented.Add($"{p[1]}.{p[2]}");
                        break;
                    case "C":
                        if (!facts.Constants.TryGetValue(p[1], out var family))
                            facts.Constants[p[1]] = family = [];
                        family[p[2]] = ulong.Parse(p[3], CultureInfo.InvariantCulture);
                        break;
                }
            }
            return facts;
        }
    }
}
