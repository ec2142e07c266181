using System.Text.Json;
using LayerFs.TestSupport;

namespace LayerFs.Mount.Tests.Support;

/// <summary>
/// The independent reference: an image unpacked by umoci (as root), corrected where umoci
/// departs from the OCI layer rules (Tools/reference_fixups.py: whiteouts that umoci follows
/// through a symlink of their own layer). umoci 0.4.7 reads only gzip and plain tar layers, so
/// the image is first copied by skopeo with gzip compression (the diff_ids do not change).
/// </summary>
public static class ReferenceUnpack
{
    /// <summary>Unpacks a skopeo source ("oci:DIR:latest", "docker-archive:FILE") into work/; returns the rootfs path.</summary>
    public static string Unpack(string source, string work)
    {
        var oci = Path.Combine(work, "oci");
        Run("skopeo", ["copy", "--quiet", "--dest-compress-format", "gzip", source, $"oci:{oci}:latest"]);
        var bundle = Path.Combine(work, "bundle");
        Run("umoci", ["unpack", "--image", $"{oci}:latest", bundle]);
        var rootfs = Path.Combine(bundle, "rootfs");

        var fixups = Run("python3", [Path.Combine(AppContext.BaseDirectory, "Tools", "reference_fixups.py"), oci, "latest"]).Stdout;
        foreach (var fix in JsonSerializer.Deserialize<List<Fixup>>(fixups) ?? [])
        {
            var below = Path.Combine(work, "bundle-" + fix.tag);
            if (!Directory.Exists(below))
                Run("umoci", ["unpack", "--image", $"{oci}:{fix.tag}", below]);
            // Copy the path back, raw bytes and all, if umoci's tree lost it.
            var script = """
                import os, subprocess, sys
                rel = bytes.fromhex(sys.argv[3])
                src, dst = os.path.join(os.fsencode(sys.argv[1]), rel), os.path.join(os.fsencode(sys.argv[2]), rel)
                if os.path.lexists(src) and not os.path.lexists(dst):
                    parent = os.lstat(os.path.dirname(dst))
                    subprocess.run([b"cp", b"-a", b"--", src, dst], check=True)
                    # Putting the name back must not change its directory's mtime.
                    os.utime(os.path.dirname(dst), ns=(parent.st_atime_ns, parent.st_mtime_ns))
                """;
            Run("python3", ["-c", script, Path.Combine(below, "rootfs"), rootfs, fix.path]);
        }
        return rootfs;
    }

    private static ProcessResult Run(string file, string[] args) => ProcessRunner.Run(file, args, TimeSpan.FromMinutes(10)).EnsureSuccess();

#pragma warning disable IDE1006, CA1812 // JSON shape of reference_fixups.py
    private sealed record Fixup(int layer, string tag, string path);
#pragma warning restore IDE1006, CA1812
}
