using Serilog;

namespace LayerFs.DeviceMapper;

/// <summary>
/// Thin devices with their records, changed in transactions as docker's deviceset did, so that the
/// pool's transaction id is the truth after a crash:
/// <list type="number">
/// <item>transaction.json names the next transaction id, the device and the operation;</item>
/// <item>the pool is told (create_thin, create_snap or delete);</item>
/// <item>the device's record is written (stamped with the new id) or removed;</item>
/// <item>set_transaction_id commits, and transaction.json goes.</item>
/// </list>
/// <see cref="Recover"/>: a transaction the pool committed is finished; one it did not is undone if it
/// created a device (the device and its record go) and done again if it deleted one.
/// </summary>
internal sealed class DeviceSet
{
    /// <summary>Thin device ids are 24 bits in dm-thin's metadata.</summary>
    public const int MaxDeviceId = 0xffffff;

    public DeviceSet(ThinPool pool, RecordStore records)
    {
        Pool = pool;
        Records = records;
    }

    public ThinPool Pool { get; }
    public RecordStore Records { get; }

    public void Recover()
    {
        if (Records.Transaction() is { } open)
        {
            var committed = open.OpenTransactionId <= Pool.TransactionId;
            Log.Information("finishing an interrupted {Operation} of thin device {Id} ({Key}): the pool {State}", open.Operation, open.DeviceId, open.Key,
                committed ? "committed it" : "had not committed it");
            if (!committed)
                Pool.Delete(open.DeviceId, mayBeGone: true);
            if ((open.Operation == "delete" || !committed) && Records.Get(open.Key) is { } record && record.DeviceId == open.DeviceId)
                Records.Delete(open.Key);
            Records.Close();
        }
        foreach (var record in Records.All().Where(r => r.TransactionId > Pool.TransactionId))
        {
            Log.Warning("dropping the record of thin device {Id} ({Key}): the pool never committed it", record.DeviceId, record.Key);
            Pool.Delete(record.DeviceId, mayBeGone: true);
            Records.Delete(record.Key);
        }
    }

    /// <summary>
    /// A new thin device (a snapshot of <paramref name="origin"/> if given, its origin suspended
    /// around create_snap if active) with its record, committed. Ids the pool has without a record
    /// (lost by an older version or by hand) are skipped.
    /// </summary>
    public DeviceRecord Create(string key, DeviceRecord? origin, DeviceRecord template)
    {
        var used = Records.All().Select(r => r.DeviceId).ToHashSet();
        for (var id = 1; id <= MaxDeviceId; id++)
        {
            if (used.Contains(id))
                continue;
            var transaction = new OpenTransaction { OpenTransactionId = Pool.TransactionId + 1, Key = key, DeviceId = id, Operation = "create" };
            Records.Open(transaction);
            if (!(origin is null ? Pool.CreateThin(id) : Snapshot(id, origin)))
            {
                Log.Warning("thin device id {Id} is taken in the pool without a record: trying the next", id);
                Records.Close();
                continue;
            }
            template.Key = key;
            template.DeviceId = id;
            template.OriginId = origin?.DeviceId;
            template.TransactionId = transaction.OpenTransactionId;
            Records.Save(template);
            Pool.CommitTransaction(transaction.OpenTransactionId);
            Records.Close();
            Log.Information("created thin device {Id} for {Key}", id, key);
            return template;
        }
        throw new DeviceMapperException($"thin pool {Pool.PoolName}: all {MaxDeviceId} device ids are in use");
    }

    private bool Snapshot(int id, DeviceRecord origin)
    {
        var originName = Pool.DeviceName(origin.DeviceId);
        var active = Dmsetup.Status(originName) is not null;
        if (active)
            Dmsetup.Suspend(originName);
        try
        {
            return Pool.CreateSnapshot(id, origin.DeviceId);
        }
        finally
        {
            if (active)
                Dmsetup.Resume(originName);
        }
    }

    /// <summary>Deletes an inactive device and its record, committed.</summary>
    public void Delete(DeviceRecord record)
    {
        var transaction = new OpenTransaction { OpenTransactionId = Pool.TransactionId + 1, Key = record.Key, DeviceId = record.DeviceId, Operation = "delete" };
        Records.Open(transaction);
        Pool.Delete(record.DeviceId, mayBeGone: false);
        Records.Delete(record.Key);
        Pool.CommitTransaction(transaction.OpenTransactionId);
        Records.Close();
        Log.Information("deleted thin device {Id} of {Key}", record.DeviceId, record.Key);
    }
}
