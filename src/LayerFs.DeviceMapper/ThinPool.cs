using System.Globalization;
using Serilog;

namespace LayerFs.DeviceMapper;

/// <summary>
/// The thin pool: its sparse files, their loop devices, the pool device and its messages. Table as
/// docker's loop-lvm mode: `thin-pool META DATA BLOCK_SECTORS LOW_WATER 1 skip_block_zeroing`.
/// Every device is named layerfs-ID-… with the pool's own random id, so two stores never collide.
/// </summary>
internal sealed class ThinPool
{
    private const string NoData = "No data available";
    private readonly PoolLayout _layout;
    private string? _poolNumber;

    private ThinPool(PoolLayout layout, PoolConfig config)
    {
        _layout = layout;
        Config = config;
    }

    public PoolConfig Config { get; }

    public string Prefix => "layerfs-" + Config.Id + "-";

    public string PoolName => Prefix + "pool";

    /// <summary>The pool's committed transaction id: what the records are checked against.</summary>
    public long TransactionId { get; private set; }

    public string DeviceName(int deviceId) => Prefix + deviceId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Makes the pool on first use, and activates it if it is not (after a reboot).</summary>
    public static ThinPool Activate(PoolLayout layout)
    {
        var config = RecordStore.Read(layout.PoolFile, RecordJson.Default.PoolConfig) ?? Make(layout);
        var pool = new ThinPool(layout, config);
        if (Dmsetup.Status(pool.PoolName) is null)
            pool.Start();
        pool.TransactionId = pool.ReadTransactionId();
        return pool;
    }

    /// <summary>New sparse files (metadata zeroed, as dm-thin requires of a new pool), then pool.json: a crash before it starts over.</summary>
    private static PoolConfig Make(PoolLayout layout)
    {
        var options = PoolOptions.FromEnvironment();
        Directory.CreateDirectory(layout.Root);
        foreach (var (file, size) in new[] { (layout.DataFile, options.DataSize), (layout.MetadataFile, options.MetadataSize) })
        {
            using var stream = new FileStream(file, FileMode.Create, FileAccess.Write);
            stream.SetLength(size);
            stream.Flush(flushToDisk: true);
        }
        var config = new PoolConfig { Id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)), Options = options };
        RecordStore.Write(layout.PoolFile, config, RecordJson.Default.PoolConfig);
        Log.Information("made a thin pool in {Dir}: {Data} bytes of data, {Metadata} of metadata, {Block}-byte blocks", layout.Root, options.DataSize, options.MetadataSize, options.BlockSize);
        return config;
    }

    private void Start()
    {
        if (!Tool.Run("dmsetup", ["targets"]).Output.Contains("thin-pool", StringComparison.Ordinal))
            Tool.Run("modprobe", ["dm_thin_pool"]);
        var metadata = LoopDevice.Attach(_layout.MetadataFile);
        var data = LoopDevice.Attach(_layout.DataFile);
        var sectors = new FileInfo(_layout.DataFile).Length / 512;
        var blockSectors = Config.Options.BlockSize / 512;
        var lowWater = Math.Min(32768, sectors / blockSectors / 10);
        Dmsetup.Create(PoolName, string.Create(CultureInfo.InvariantCulture,
            $"0 {sectors} thin-pool {metadata} {data} {blockSectors} {lowWater} 1 skip_block_zeroing"));
        LoopDevice.DetachWhenUnused(metadata);
        LoopDevice.DetachWhenUnused(data);
        Log.Information("activated thin pool {Pool}", PoolName);
    }

    /// <summary>`dmsetup status`: "0 LEN thin-pool TRANSACTION_ID USED/TOTAL-META USED/TOTAL-DATA …".</summary>
    private long ReadTransactionId()
    {
        var status = Dmsetup.Status(PoolName) ?? throw new DeviceMapperException($"thin pool {PoolName} is not active");
        var fields = status.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 4 || fields[2] != "thin-pool" || !long.TryParse(fields[3], CultureInfo.InvariantCulture, out var id))
            throw new DeviceMapperException($"thin pool {PoolName}: unexpected status '{status}' (is it read-only or failed? check it with thin_check)");
        return id;
    }

    public string PoolNumber => _poolNumber ??= Dmsetup.DeviceNumber(PoolName);

    public string ThinTable(int deviceId, long size) =>
        string.Create(CultureInfo.InvariantCulture, $"0 {size / 512} thin {PoolNumber} {deviceId}");

    /// <summary>create_thin; false if the pool has that id already (a device the records lost).</summary>
    public bool CreateThin(int deviceId) => Created(Dmsetup.Message(PoolName, $"create_thin {deviceId}"), deviceId);

    /// <summary>create_snap of an inactive (or suspended) origin; false if the pool has that id already.</summary>
    public bool CreateSnapshot(int deviceId, int originId) => Created(Dmsetup.Message(PoolName, $"create_snap {deviceId} {originId}"), deviceId);

    private bool Created(Tool.Result result, int deviceId)
    {
        if (result.Ok)
            return true;
        if (result.Error.Contains("File exists", StringComparison.Ordinal))
            return false;
        throw new DeviceMapperException($"creating thin device {deviceId} in {PoolName}: {result.FirstErrorLine}");
    }

    /// <summary>Deletes a thin device (inactive); <paramref name="mayBeGone"/>: an id the pool may not have (an undone transaction).</summary>
    public void Delete(int deviceId, bool mayBeGone)
    {
        var result = Dmsetup.Message(PoolName, $"delete {deviceId}");
        if (!result.Ok && !(mayBeGone && result.Error.Contains(NoData, StringComparison.Ordinal)))
            throw new DeviceMapperException($"deleting thin device {deviceId} from {PoolName}: {result.FirstErrorLine}");
    }

    /// <summary>Commits: the pool's transaction id moves to <paramref name="next"/>.</summary>
    public void CommitTransaction(long next)
    {
        var result = Dmsetup.Message(PoolName, string.Create(CultureInfo.InvariantCulture, $"set_transaction_id {TransactionId} {next}"));
        if (!result.Ok)
            throw new DeviceMapperException($"setting the transaction id of {PoolName} to {next}: {result.FirstErrorLine}");
        TransactionId = next;
    }

    /// <summary>Every active device of this pool except the pool itself.</summary>
    public HashSet<string> ActiveDevices()
    {
        var names = Dmsetup.ActiveNames(Prefix);
        names.Remove(PoolName);
        return names;
    }
}
