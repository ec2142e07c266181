using LayerFs.Store.Import;

namespace LayerFs.Cli.Output;

/// <summary>
/// A one-line progress bar on stderr, redrawn at most ten times a second, and only when stderr
/// is a terminal (never in logs or pipes).
/// </summary>
internal sealed class ProgressBar : IProgress<ImportProgress>, IDisposable
{
    private readonly string _label;
    private readonly Lock _lock = new();
    private long _lastDraw;
    private bool _drawn;

    public ProgressBar(string label) => _label = label;

    public void Report(ImportProgress value)
    {
        if (!Terminal.ErrorIsTerminal || value.BytesTotal <= 0)
            return;
        lock (_lock)
        {
            var now = Environment.TickCount64;
            if (now - _lastDraw < 100 && value.BytesDone < value.BytesTotal)
                return;
            _lastDraw = now;
            var fraction = Math.Clamp((double)value.BytesDone / value.BytesTotal, 0, 1);
            const int Width = 30;
            var filled = (int)(fraction * Width);
            Terminal.Error.Write($"\r{_label} [{new string('#', filled)}{new string('.', Width - filled)}] {fraction,4:P0} {Units.Bytes(value.BytesDone)}/{Units.Bytes(value.BytesTotal)}   ");
            _drawn = true;
        }
    }

    public void Dispose()
    {
        lock (_lock)
            if (_drawn)
                Terminal.Error.Write("\r\u001b[K");
    }
}
