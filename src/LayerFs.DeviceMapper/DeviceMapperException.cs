using LayerFs.Store;

namespace LayerFs.DeviceMapper;

/// <summary>A device-mapper step failed; the message is one line for the user, naming the step and the tool's own error.</summary>
public sealed class DeviceMapperException : StoreException
{
    public DeviceMapperException(string message) : base(message) { }
    public DeviceMapperException(string message, Exception inner) : base(message, inner) { }
    public DeviceMapperException() { }
}
