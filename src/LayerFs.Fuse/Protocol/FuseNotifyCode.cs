namespace LayerFs.Fuse.Protocol;

/// <summary>enum fuse_notify_code: sent in fuse_out_header.error (positive) with unique = 0.</summary>
internal enum FuseNotifyCode
{
    Poll = 1,
    InvalInode = 2,
    InvalEntry = 3,
    Store = 4,
    Retrieve = 5,
    Delete = 6,
    Resend = 7,
    IncEpoch = 8,
    Prune = 9,
}
