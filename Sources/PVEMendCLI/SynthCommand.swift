import ArgumentParser
import Foundation
import PVEModel
import Synth

/// `pvemend synth`: writes a deterministic synthetic cluster snapshot (for tests and benchmarks).
struct SynthCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "synth",
    abstract: "Write a deterministic synthetic cluster as a pvemend-snapshot/1 file.",
    discussion: """
      The same options always give the same bytes. Nodes are of mixed sizes, storage is shared \
      (Ceph RBD from 3 nodes on, NFS) and node-local, some guests are HA-managed (groups on PVE 8, \
      rules on PVE 9) and three backup jobs cover part of the cluster.
      """)

  @Option(help: "Number of nodes (1…10000).") var nodes: Int
  @Option(help: "Number of guests (0…1000000).") var guests: Int
  @Option(help: "Seed of the generator.") var seed: UInt64 = 1
  @Option(name: .customLong("pve"), help: "Proxmox VE major version: 8 or 9.") var pve: Int = 9
  @Option(help: "Output file ('-' for standard output).") var out: String
  @Flag(help: "Indent the JSON (larger file).") var pretty = false

  init() {}

  func validate() throws {
    guard (1...10_000).contains(nodes) else {
      throw ValidationError("--nodes must be between 1 and 10000, got \(nodes)")
    }
    guard (0...1_000_000).contains(guests) else {
      throw ValidationError("--guests must be between 0 and 1000000, got \(guests)")
    }
    guard pve == 8 || pve == 9 else { throw ValidationError("--pve must be 8 or 9, got \(pve)") }
  }

  func run() throws {
    let data = Synth.snapshot(nodes: nodes, guests: guests, seed: seed, pveMajor: pve)
      .encoded(pretty: pretty)
    if out == "-" {
      FileHandle.standardOutput.write(data)
      return
    }
    do {
      try data.write(to: URL(fileURLWithPath: out), options: .atomic)
    } catch {
      throw ValidationError(
        "cannot write \(out): \(error.localizedDescription); check the directory exists and is writable"
      )
    }
  }
}
