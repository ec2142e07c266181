using System.CommandLine;
using LayerFs.Cli;
using LayerFs.Cli.Commands;
using LayerFs.Cli.Output;
using LayerFs.Store;
using Serilog;

return LayerFsProgram.Run(args);

namespace LayerFs.Cli
{
    internal static class LayerFsProgram
    {
        public static int Run(string[] args)
        {
            if (LayerFs.Mount.Daemon.MountHelperArguments.StartedAsHelper())
                args = LayerFs.Mount.Daemon.MountHelperArguments.Translate(args);
            var root = new RootCommand("LayerFs: container images as plain directories (a FUSE filesystem over a local image store)")
            {
                CommonOptions.Store,
                CommonOptions.LogLevel,
                ImportCommand.Create(),
                ImagesCommand.Create(),
                LayersCommand.Create(),
                InspectCommand.Create(),
                HistoryCommand.Create(),
                TagCommand.Create(),
                RmiCommand.Create(),
                VerifyCommand.Create(),
                DuCommand.Create(),
                PruneCommand.Create(),
                ViewCommand.Create(),
                DiffCommand.Create(),
                CommitCommand.Create(),
                ExportCommand.Create(),
                MountCommand.Create(), UmountCommand.Create(),
            };

            var parsed = root.Parse(args);
            Logging.Configure(parsed.GetValue(CommonOptions.LogLevel) ?? Environment.GetEnvironmentVariable("LAYERFS_LOG"));
            try
            {
                if (parsed.Errors.Count > 0)
                {
                    Terminal.Fail(parsed.Errors[0].Message + " (see 'layerfs --help')");
                    return 2;
                }
                return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
            }
            catch (UsageException e)
            {
                Terminal.Fail(e.Message);
                return 2;
            }
            catch (StoreException e)
            {
                Terminal.Fail(e.Message);
                return 1;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.Debug(e, "command failed");
                Terminal.Fail(e.Message);
                return 1;
            }
            catch (Exception e)
            {
                // A bug, not bad input: still one line for the user, the stack trace at debug level.
                Log.Debug(e, "internal error");
                Terminal.Fail($"internal error: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} (run with --log-level debug for details)");
                return 70;
            }
            finally
            {
                Log.CloseAndFlush();
            }
        }
    }
}
