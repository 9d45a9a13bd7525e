import PVEMendCLI

/// Inside an async function the async `main()` of AsyncParsableCommand is chosen; at top level the
/// synchronous one was, and it refuses an async root command.
func runPVEMend() async { await PVEMendCommand.main() }

await runPVEMend()
