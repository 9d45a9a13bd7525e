import PVEMendCLI

await PVEMendCommand.main()
