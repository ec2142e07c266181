using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LayerFs.Store;

namespace LayerFs.DeviceMapper;

/// <summary>
/// The records under STORE/devicemapper/: one JSON file per device and the open transaction. Every
/// write goes to a temporary file, is fsynced and renamed over the old one, and the directory is
/// fsynced, so a crash leaves either the old record or the new one.
/// </summary>
internal sealed class RecordStore
{
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
            if (Read(file, RecordJson.Default.DeviceRecord) is { } record)
                records.Add(record);
        return records;
    }

    public DeviceRecord? Get(string key) => Read(_layout.RecordFile(key), RecordJson.Default.DeviceRecord);

    public void Save(DeviceRecord record) => Write(_layout.RecordFile(record.Key), record, RecordJson.Default.DeviceRecord);

    public void Delete(string key) => DeleteFile(_layout.RecordFile(key));

    public OpenTransaction? Transaction() => Read(_layout.TransactionFile, RecordJson.Default.OpenTransaction);

    public void Open(OpenTransaction transaction) => Write(_layout.TransactionFile, transaction, RecordJson.Default.OpenTransaction);

    public void Close() => DeleteFile(_layout.TransactionFile);

    public static T? Read<T>(string path, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), type)
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

    public static void Write<T>(string path, T value, JsonTypeInfo<T> type)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, value, type);
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
