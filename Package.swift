// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "pvemend",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "pvemend", targets: ["pvemend"]),
    .executable(name: "pve-standin", targets: ["pve-standin"]),
    .executable(name: "pvemend-bench", targets: ["pvemend-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
  ],
  targets: [
    // MARK: Pure core (no I/O, no clock, no randomness)

    /** Proxmox's words as Swift values: the snapshot document, its decoding, nodes, guests, storage, HA, backup jobs. */
    .target(name: "PVEModel", exclude: ["README.md"]),
    /** Proxmox's guest config file format (/etc/pve/.../<vmid>.conf): parse, pvesh's view, write. */
    .target(
      name: "PVEConfig",
      dependencies: ["PVEModel", .product(name: "Crypto", package: "swift-crypto")],
      exclude: ["README.md"]),
    /** The policy a playbook states: critical guests, HA settings, capacity, migration and backup policy. */
    .target(name: "Playbook", dependencies: ["PVEModel", "Yams"], exclude: ["README.md"]),
    /** Node failures played out as Proxmox's HA stack would: recovery, failures, survivors' load. */
    .target(name: "Rehearse", dependencies: ["PVEModel", "Playbook"], exclude: ["README.md"]),
    /** Findings from a snapshot: one rule per file, scores, and the audit report renderers. */
    .target(
      name: "Audit", dependencies: ["PVEModel", "Playbook", "Rehearse"], exclude: ["README.md"]),
    /** The planner and the plan document `pvemend-plan/1`, its conditions and its human views. */
    .target(
      name: "Planning",
      dependencies: [
        "PVEModel", "Playbook", "Audit", "Rehearse",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      exclude: ["README.md"]),
    /** Restore tests as a plan: newest backup to a scratch VMID, networks cut, start, agent, destroy. */
    .target(
      name: "RestoreTest", dependencies: ["PVEModel", "Playbook", "Planning"],
      exclude: ["README.md"]),
    /** The disaster-recovery runbook: per failure, what stops, what HA recovers, what to restore by hand. */
    .target(
      name: "Runbook", dependencies: ["PVEModel", "Playbook", "Rehearse"], exclude: ["README.md"]),
    /** Emptying a node for maintenance (`pvemend evacuate`): targets, guests that stay, rolling checks. */
    .target(
      name: "Evacuate", dependencies: ["Audit", "PVEModel", "Planning", "Playbook"],
      exclude: ["README.md"]),
    /** Plan exports: bash script, Ansible playbook, change-request markdown. */
    .target(
      name: "Export", dependencies: ["PVEModel", "Audit", "Planning"], exclude: ["README.md"]),
    /** Deterministic synthetic clusters (snapshots) of any size, for tests and benchmarks. */
    .target(name: "Synth", dependencies: ["PVEModel"], exclude: ["README.md"]),

    // MARK: Edges

    /** The transport interface: run an argv on a node; results; errors. No SSH here. */
    .target(name: "Transport", dependencies: ["PVEModel"], exclude: ["README.md"]),
    .systemLibrary(
      name: "CLibSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),
    /** libssh2 sessions, known_hosts, inventory: the live Transport. */
    .target(
      name: "SSHTransport",
      dependencies: [
        "PVEModel", "Transport", "CLibSSH2", "Yams",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      exclude: ["README.md"]),
    /** Collecting snapshots and applying plans over a Transport: dry run, execute, journal, resume. */
    .target(
      name: "Execution",
      dependencies: [
        "PVEModel", "PVEConfig", "Planning", "Transport",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      exclude: ["README.md"]),
    /** The simulated Proxmox node tools (pvesh, qm, pct, ha-manager, pveversion) behind the sandbox. */
    .target(
      name: "SandboxCore",
      dependencies: ["PVEModel", "PVEConfig", .product(name: "Crypto", package: "swift-crypto")],
      exclude: ["README.md"]),
    /** The command line: one file per subcommand; the one place live services are assembled. */
    .target(
      name: "PVEMendCLI",
      dependencies: [
        "PVEModel", "Playbook", "Audit", "Planning", "Export", "Synth", "Transport",
        "SSHTransport", "Execution", "Rehearse", "RestoreTest", "Runbook", "Evacuate",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      exclude: ["README.md"]),
    .executableTarget(name: "pvemend", dependencies: ["PVEMendCLI"]),
    .executableTarget(name: "pve-standin", dependencies: ["SandboxCore"]),
    .executableTarget(
      name: "pvemend-bench",
      dependencies: [
        "PVEModel", "Playbook", "Audit", "Planning", "Synth", "Transport", "SSHTransport",
        "Execution", "PVEMendTestSupport", "Rehearse", "Runbook", "Evacuate",
      ]),

    // MARK: Tests

    .target(
      name: "PVEMendTestSupport",
      dependencies: ["PVEModel", "PVEConfig", "Planning", "Playbook", "Transport"],
      path: "Tests/PVEMendTestSupport", exclude: ["README.md"]),
    .testTarget(name: "PVEModelTests", dependencies: ["PVEModel", "Synth", "PVEMendTestSupport"]),
    .testTarget(
      name: "PVEConfigTests",
      dependencies: [
        "PVEConfig", "PVEModel", "Synth", "PVEMendTestSupport",
        .product(name: "Crypto", package: "swift-crypto"),
      ]),
    .testTarget(
      name: "PlaybookTests", dependencies: ["Playbook", "PVEModel", "PVEMendTestSupport"]),
    .testTarget(
      name: "AuditTests",
      dependencies: ["Audit", "PVEModel", "Playbook", "Rehearse", "PVEMendTestSupport"],
      exclude: ["Golden"]),
    .testTarget(
      name: "PlanningTests",
      dependencies: [
        "Planning", "Audit", "PVEModel", "Playbook", "Rehearse", "Synth", "PVEMendTestSupport",
      ],
      exclude: ["Golden"]),
    .testTarget(
      name: "RehearseTests",
      dependencies: [
        "Rehearse", "Planning", "Audit", "PVEModel", "Playbook", "PVEMendTestSupport",
      ],
      exclude: ["Golden"]),
    .testTarget(
      name: "SSHTransportTests",
      dependencies: ["SSHTransport", "Transport", "PVEModel", "PVEMendTestSupport"]),
    .testTarget(
      name: "SandboxTests",
      dependencies: [
        "SandboxCore", "PVEModel", "PVEConfig", "SSHTransport", "Transport", "Execution", "Synth",
        "PVEMendTestSupport", .product(name: "Crypto", package: "swift-crypto"),
      ]),
    .testTarget(
      name: "EvacuateTests",
      dependencies: [
        "Evacuate", "Planning", "Playbook", "PVEModel", "Synth", "PVEMendTestSupport",
      ],
      exclude: ["Golden"]),
    .testTarget(
      name: "RestoreTestTests",
      dependencies: ["RestoreTest", "Planning", "PVEModel", "Playbook", "PVEMendTestSupport"],
      exclude: ["Golden"]),
    .testTarget(
      name: "RunbookTests",
      dependencies: ["Runbook", "PVEModel", "Playbook", "PVEMendTestSupport"],
      exclude: ["Golden"]),
    .testTarget(
      name: "CLITests",
      dependencies: [
        "PVEMendCLI", "Execution", "Transport", "PVEModel", "Synth", "PVEMendTestSupport",
      ],
      exclude: ["Cases", "RestoreTests"]),
    .testTarget(
      name: "ExecutionTests",
      dependencies: [
        "Execution", "Export", "Planning", "Audit", "Playbook", "PVEModel", "Transport",
        "SSHTransport", "PVEMendTestSupport", "PVEConfig", "Synth", "RestoreTest", "Evacuate",
      ],
      exclude: ["Golden"]),
    .testTarget(
      name: "ExportTests",
      dependencies: ["Export", "Planning", "Audit", "PVEModel", "PVEMendTestSupport"],
      exclude: ["Golden"]),
    .testTarget(name: "SynthTests", dependencies: ["Synth", "PVEModel"]),
  ],
  swiftLanguageModes: [.v6]
)
