import ArgumentParser

/// `pvemend`: find what is wrong with a Proxmox VE cluster and fix it safely.
package struct PVEMendCommand: AsyncParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "pvemend",
    abstract: "Find what is wrong with a Proxmox VE cluster and fix it safely.",
    version: PVEMendVersion.text,
    subcommands: [
      AuditCommand.self, PlanCommand.self, ShowCommand.self, ApplyCommand.self,
      ExportCommand.self, UndoCommand.self, CollectCommand.self, SynthCommand.self,
      CheckCommand.self, RehearseCommand.self, RestoreTestCommand.self, RunbookCommand.self,
      EvacuateCommand.self,
    ])

  package init() {}
}
