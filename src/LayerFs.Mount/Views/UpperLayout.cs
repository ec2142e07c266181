using LayerFs.Store;

namespace LayerFs.Mount.Views;

/// <summary>
/// Where a userspace view keeps its state inside the store, and how:
/// <code>
///   STORE/views/NAME/upper/      the view's own entries, as overlayfs keeps an upper directory
///   STORE/views/NAME/work/       entries being prepared (copy-ups, whiteouts), renamed into upper/ when complete
///   STORE/views/NAME/inodes.db   SQLite: per copied-up upper inode, its origin and (metacopy) its object
/// </code>
/// In upper/, an entry shadows the image's entry of the same path. Bookkeeping never goes into
/// host xattrs (a view's user may set any xattr, trusted.* included):
/// <list type="bullet">
/// <item>a whiteout (a deleted or renamed image entry) is a character device 0:0 of the same name,
/// as overlayfs makes them (any user may create one since Linux 5.8); unlike ".wh.NAME" files it
/// works for names of any length. Users cannot make a 0:0 device in a view (EPERM).</item>
/// <item>an opaque directory (removed and made again: nothing of the image shows through) holds
/// an empty file named ".wh..wh..opq", as in an OCI layer. Names starting with ".wh." are
/// refused in views (EINVAL): a layer could not hold them anyway, and the marker stays hidden.</item>
/// <item>a metadata-only copy-up (chmod, chown, utimes, xattrs, rename or link of an image file)
/// makes an upper file with the new metadata and the right size but no data (sparse);
/// inodes.db names the object its content still comes from, keyed by upper inode number
/// (renames and hard links keep it) and birth time (so a reused number never matches). The first
/// write copies the data in place and clears the object.</item>
/// <item>the same table keeps each copied-up inode's origin (its image entry), so that st_ino
/// stays what it was before the copy-up; entries made in the view take st_ino from their upper
/// inode number.</item>
/// </list>
/// A copy-up is prepared in work/ (content, owner, mode, xattrs, times; fsync'd), recorded in
/// inodes.db, then renamed into place: a crash leaves either the image's entry or the complete
/// copy, and at worst a stray file in work/, which the next mount clears.
/// </summary>
public sealed record UpperLayout(string Root, string Upper, string Work)
{
    public string Table => Path.Combine(Root, "inodes.db");

    public static UpperLayout Of(ImageStore store, string viewName) => Of(store.ViewDirectory(viewName));

    public static UpperLayout Of(string root) => new(root, Path.Combine(root, "upper"), Path.Combine(root, "work"));
}
