using LayerFs.Store.Model;

namespace LayerFs.Store.Views;

/// <summary>
/// An image's stacked rootfs made visible as a host directory, exactly as the read-only tree shows
/// it (a private mount of the store); disposing takes it away. Snapshotters that keep views outside
/// the FUSE daemon (devicemapper) fill images from it and compare views against it.
/// </summary>
public interface IImageRootfs : IDisposable
{
    /// <summary>The rootfs directory.</summary>
    string Path { get; }
}

/// <summary>Shows <paramref name="image"/>'s rootfs by mounting the store at <paramref name="mountpoint"/> (an empty directory the caller owns).</summary>
public delegate IImageRootfs ImageRootfsOpener(ImageStore store, ImageInfo image, string mountpoint);
