using Serilog;
using Serilog.Core;
using Serilog.Events;
using Xunit.Abstractions;

namespace LayerFs.Fuse.Tests.Support;

/// <summary>The session's log in the test's output, so a failing test shows what the binding did.</summary>
public sealed class TestOutputSink : ILogEventSink
{
    private readonly ITestOutputHelper output;

    public TestOutputSink(ITestOutputHelper output) => this.output = output;

    public static ILogger Logger(ITestOutputHelper output, LogEventLevel level = LogEventLevel.Debug) =>
        new LoggerConfiguration().MinimumLevel.Is(level).WriteTo.Sink(new TestOutputSink(output)).CreateLogger();

    public void Emit(LogEvent logEvent)
    {
        try
        {
            output.WriteLine($"{logEvent.Timestamp:HH:mm:ss.fff} {logEvent.Level} {logEvent.RenderMessage()}{(logEvent.Exception is null ? "" : "\n" + logEvent.Exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; its output is closed.
        }
    }
}
