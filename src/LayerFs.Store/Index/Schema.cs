namespace LayerFs.Store.Index;

/// <summary>
/// The index schema. Entries are keyed by (parent entry, name) as ratarmount does, never by
/// full path strings; every layer has its own root entry, so a layer's tree is the subtree
/// under layers.root_entry. Bump <see cref="Version"/> and add a step to
/// <see cref="StoreDatabase"/>'s migrations whenever this changes.
/// </summary>
internal static class Schema
{
    public const int Version = 2;

    public const string Create = """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        -- One row per image: the config blob's digest is the image id.
        CREATE TABLE images (
            id                  TEXT PRIMARY KEY,       -- sha256:... of the config
            manifest_digest     TEXT NOT NULL,
            manifest_media_type TEXT NOT NULL,
            config_size         INTEGER NOT NULL,
            created             TEXT,                   -- from the config, RFC 3339
            os                  TEXT,
            architecture        TEXT,
            top_chain           TEXT,                   -- chain id of the top layer (NULL for an image with no layers)
            imported_at         INTEGER NOT NULL        -- unix seconds
        ) WITHOUT ROWID;

        -- The layers of an image in order, bottom first, with the blob the manifest names.
        CREATE TABLE image_layers (
            image_id    TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
            position    INTEGER NOT NULL,
            chain_id    TEXT NOT NULL,
            blob_digest TEXT NOT NULL,
            media_type  TEXT NOT NULL,
            blob_size   INTEGER NOT NULL,
            PRIMARY KEY (image_id, position)
        ) WITHOUT ROWID;

        CREATE TABLE tags (
            name     TEXT PRIMARY KEY,                  -- repository:tag
            image_id TEXT NOT NULL REFERENCES images(id)
        ) WITHOUT ROWID;
        CREATE INDEX tags_by_image ON tags(image_id);

        -- One row per distinct uncompressed layer (diff_id).
        CREATE TABLE layers (
            id          INTEGER PRIMARY KEY,
            diff_id     TEXT NOT NULL UNIQUE,
            tar_size    INTEGER NOT NULL,               -- bytes of the uncompressed tar
            entry_count INTEGER NOT NULL,               -- tar records
            root_entry  INTEGER NOT NULL,
            trailer     BLOB NOT NULL                   -- bytes after the last entry (end-of-archive and padding)
        );

        -- Compressed forms of a layer that the store keeps as blobs.
        CREATE TABLE layer_blobs (
            blob_digest TEXT PRIMARY KEY,
            diff_id     TEXT NOT NULL,
            media_type  TEXT NOT NULL,
            size        INTEGER NOT NULL,
            stored      INTEGER NOT NULL                -- 1: in blobs/; 0: the blob is the uncompressed tar itself, rebuilt on demand
        ) WITHOUT ROWID;

        -- chain_id = diff_id of the bottom layer; above it sha256(parent chain + " " + diff_id) (OCI).
        CREATE TABLE chains (
            chain_id TEXT PRIMARY KEY,
            parent   TEXT,
            diff_id  TEXT NOT NULL,
            depth    INTEGER NOT NULL                   -- 0 for a bottom layer
        ) WITHOUT ROWID;
        CREATE INDEX chains_by_parent ON chains(parent);

        -- Every tar record of every layer, plus implicit parent directories (tar_seq NULL).
        CREATE TABLE entries (
            id        INTEGER PRIMARY KEY,
            layer_id  INTEGER NOT NULL,
            parent    INTEGER,                          -- NULL only for a layer's root
            name      BLOB NOT NULL,                    -- one path component, raw bytes
            kind      INTEGER NOT NULL,                 -- EntryKind
            mode      INTEGER NOT NULL,                 -- permission bits incl. suid/sgid/sticky
            uid       INTEGER NOT NULL,
            gid       INTEGER NOT NULL,
            size      INTEGER NOT NULL,
            mtime     INTEGER NOT NULL,
            mtime_ns  INTEGER NOT NULL,
            rdev_major INTEGER NOT NULL,
            rdev_minor INTEGER NOT NULL,
            link      BLOB,                             -- symlink target, or hard-link target path as stored
            object    BLOB,                             -- sha256 of the content (regular files and links to them)
            hardlink  INTEGER,                          -- entry id of the hard-link group's first member
            flags     INTEGER NOT NULL,                 -- EntryFlags
            tar_seq   INTEGER,                          -- position in the layer tar; NULL for implicit directories
            tar_raw   BLOB                              -- the bytes before this entry's data (tar-split)
        );
        CREATE UNIQUE INDEX entries_by_name ON entries(parent, name);
        CREATE INDEX entries_by_layer ON entries(layer_id, tar_seq);
        CREATE INDEX entries_by_object ON entries(object) WHERE object IS NOT NULL;
        CREATE INDEX entries_by_hardlink ON entries(hardlink) WHERE hardlink IS NOT NULL;

        CREATE TABLE xattrs (
            entry INTEGER NOT NULL,
            name  TEXT NOT NULL,
            value BLOB NOT NULL,
            seq   INTEGER NOT NULL,
            PRIMARY KEY (entry, name)
        ) WITHOUT ROWID;

        -- Regular-file contents held in objects/, with their sizes (for du and prune).
        CREATE TABLE objects (
            hash BLOB PRIMARY KEY,
            size INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- Blobs that the index owns besides layer blobs: manifests, configs, indexes.
        CREATE TABLE image_blobs (
            image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
            digest   TEXT NOT NULL,
            role     TEXT NOT NULL,                     -- manifest | config
            PRIMARY KEY (image_id, digest)
        ) WITHOUT ROWID;
        CREATE INDEX image_blobs_by_digest ON image_blobs(digest);
        """;

    /// <summary>Added in version 2: writable views (their storage belongs to the named snapshotter).</summary>
    public const string CreateViews = """
        CREATE TABLE views (
            name        TEXT PRIMARY KEY,
            image_id    TEXT NOT NULL REFERENCES images(id),   -- no cascade: rmi refuses while a view uses the image
            snapshotter TEXT NOT NULL,                         -- userspace | devicemapper
            created_at  INTEGER NOT NULL                       -- unix seconds
        ) WITHOUT ROWID;
        CREATE INDEX views_by_image ON views(image_id);
        """;
}
