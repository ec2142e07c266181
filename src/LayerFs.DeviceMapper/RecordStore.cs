using System.Text.Json;
using LayerFs.Store;

namespace LayerFs.DeviceMapper;

/// <summary>
/// The records under STORE/devicemapper/: one JSON file per device and the open transaction. Every
/// write goes to a temporary file, is fsynced and renamed over the old one, and the directory is
/// fsynced, so a crash leaves either the old record or the new one.
/// </summary>
internal sealed class RecordStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly PoolLayout _layout;

    public RecordStore(PoolLayout layout)
    {
        _layout = layout;
        Directory.CreateDirectory(layout.DevicesDir);
    }

    public List<DeviceRecord> All()
    {
        var records = new List<DeviceRecord>();
        foreach (var file in Directory.EnumerateFiles(_layout.DevicesDir, "*.json"))
            if (Read<DeviceRecord>(file) is { } record)
                records.Add(record);
        return records;
    }

    public DeviceRecord? Get(string key) => Read<DeviceRecord>(_layout.RecordFile(key));

    public void Save(DeviceRecord record) => Write(_layout.RecordFile(record.Key), record);

    public void Delete(string key) => DeleteFile(_layout.RecordFile(key));

    public OpenTransaction? Transaction() => Read<OpenTransaction>(_layout.TransactionFile);

    public void Open(OpenTransaction transaction) => Write(_layout.TransactionFile, transaction);

    public void Close() => DeleteFile(_layout.TransactionFile);

    public static T? Read<T>(string path) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Json)
                ?? throw new DeviceMapperException($"{path}: empty record");
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new DeviceMapperException($"{path}: unreadable record ({e.Message})", e);
        }
    }

    public static void Write<T>(string path, T value)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, value, Json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        Posix.FsyncDirectory(Path.GetDirectoryName(path)!);
    }

    private static void DeleteFile(string path)
    {
        if (!File.Exists(path))
            return;
        File.Delete(path);
        Posix.FsyncDirectory(Path.GetDirectoryName(path)!);
    }
}
