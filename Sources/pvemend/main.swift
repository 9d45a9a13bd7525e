import PVEMendCLI

/// Runs the command line; inside an async function so the async `main()` is chosen.
func start() async { await PVEMendCommand.main() }
await start()
