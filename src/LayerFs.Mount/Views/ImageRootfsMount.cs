using LayerFs.Mount.Daemon;
using LayerFs.Store;
using LayerFs.Store.Model;
using LayerFs.Store.Views;

namespace LayerFs.Mount.Views;

/// <summary>
/// An image's rootfs exactly as the read-only tree shows it, for snapshotters that copy or compare
/// it outside the daemon: the store mounted in this process, read-only, at a mountpoint the caller
/// owns, and its layers/&lt;top chain-id&gt;/rootfs (the image's layers stacked). Layer stacking
/// stays in one place.
/// </summary>
public sealed class ImageRootfsMount : IImageRootfs
{
    private readonly StoreMount _mount;

    private ImageRootfsMount(StoreMount mount, string path)
    {
        _mount = mount;
        Path = path;
    }

    public string Path { get; }

    /// <summary>An <see cref="ImageRootfsOpener"/>.</summary>
    public static IImageRootfs Open(ImageStore store, ImageInfo image, string mountpoint)
    {
        if (image.Layers.Count == 0)
            throw new StoreException($"image {image.Id.Hex[..12]} has no layers, so no rootfs to copy");
        var mount = StoreMount.Start(store.Layout.Root, mountpoint, new MountSettings { ReadOnly = true });
        return new ImageRootfsMount(mount, System.IO.Path.Combine(mountpoint, "layers", image.Layers[^1].ChainId.Hex, "rootfs"));
    }

    public void Dispose()
    {
        _mount.Stop();
        _mount.WaitForExit(TimeSpan.FromSeconds(30));
        _mount.Dispose();
    }
}
