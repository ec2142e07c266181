using System.IO.Pipes;
using System.Text;

namespace LayerFs.Mount.Daemon;

/// <summary>
/// The daemon's side of the readiness pipe: one line, "ready" or "error: MESSAGE", then the
/// pipe is closed. The parent (<see cref="BackgroundLauncher"/>) exits with it.
/// </summary>
public sealed class Readiness : IDisposable
{
    private readonly AnonymousPipeClientStream? _pipe;
    private bool _sent;

    private Readiness(AnonymousPipeClientStream? pipe) => _pipe = pipe;

    /// <summary>The pipe whose fd the parent passed, or a no-op for a daemon in the foreground.</summary>
    public static Readiness FromFd(string? fd) => new(fd is null ? null : new AnonymousPipeClientStream(PipeDirection.Out, fd));

    public void Ready() => Send("ready");

    public void Failed(string message) => Send("error: " + message.ReplaceLineEndings(" "));

    /// <summary>Only the first line counts: a failure after "ready" has nobody left to tell.</summary>
    private void Send(string line)
    {
        if (_pipe is null || _sent)
            return;
        _sent = true;
        if (!_pipe.IsConnected)
            return;
        try
        {
            _pipe.Write(Encoding.UTF8.GetBytes(line + "\n"));
            _pipe.Flush();
        }
        catch (IOException)
        {
            // The parent is gone: nobody to tell.
        }
        _pipe.Dispose();
    }

    public void Dispose() => _pipe?.Dispose();
}
