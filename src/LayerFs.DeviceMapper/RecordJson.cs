using System.Text.Json.Serialization;

namespace LayerFs.DeviceMapper;

/// <summary>
/// Compile-time JSON contracts for the records (the CLI is compiled ahead of time, where
/// reflection-based serialization is off).
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(DeviceRecord))]
[JsonSerializable(typeof(OpenTransaction))]
[JsonSerializable(typeof(PoolConfig))]
internal sealed partial class RecordJson : JsonSerializerContext
{
}
