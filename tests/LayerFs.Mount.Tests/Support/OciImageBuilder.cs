using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LayerFs.Mount.Tests.Support;

/// <summary>Writes an OCI image layout (one image, uncompressed layers, ref.name "latest") from layer specs.</summary>
public static class OciImageBuilder
{
    public static string Write(string dir, params LayerSpec[] layers)
    {
        var blobs = Path.Combine(dir, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        string Put(byte[] data)
        {
            var hex = Convert.ToHexStringLower(SHA256.HashData(data));
            File.WriteAllBytes(Path.Combine(blobs, hex), data);
            return "sha256:" + hex;
        }

        var layerDescriptors = new List<object>();
        var diffIds = new List<string>();
        var history = new List<object>();
        for (var i = 0; i < layers.Length; i++)
        {
            var tar = layers[i].ToTar();
            var digest = Put(tar);
            diffIds.Add(digest);
            layerDescriptors.Add(new Dictionary<string, object> { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar", ["digest"] = digest, ["size"] = tar.Length });
            history.Add(new Dictionary<string, object> { ["created_by"] = $"layer {i}", ["created"] = "2023-11-14T22:13:20Z" });
        }
        var config = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["created"] = "2023-11-14T22:13:20Z",
            ["rootfs"] = new Dictionary<string, object> { ["type"] = "layers", ["diff_ids"] = diffIds },
            ["history"] = history,
        });
        var configDigest = Put(config);
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new Dictionary<string, object> { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = config.Length },
            ["layers"] = layerDescriptors,
        });
        var manifestDigest = Put(manifest);
        File.WriteAllText(Path.Combine(dir, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        File.WriteAllBytes(Path.Combine(dir, "index.json"), JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                    ["digest"] = manifestDigest,
                    ["size"] = manifest.Length,
                    ["annotations"] = new Dictionary<string, string> { ["org.opencontainers.image.ref.name"] = "latest" },
                },
            },
        }));
        return dir;
    }
}
