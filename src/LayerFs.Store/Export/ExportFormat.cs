namespace LayerFs.Store.Export;

/// <summary>The archive `layerfs export` writes.</summary>
public enum ExportFormat
{
    /// <summary>oci-archive: a tar of an OCI image layout (oci-layout, index.json, blobs/sha256/).</summary>
    Oci,

    /// <summary>docker-archive: what `docker save` writes (manifest.json, config, one layer.tar per layer, repositories).</summary>
    Docker,
}
