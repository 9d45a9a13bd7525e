import Execution
import Foundation
import PVEModel
import Planning
import Testing
import Transport

@Suite("Live progress (ProgressBoard, no terminal needed)")
struct ProgressBoardTests {
  static let move = Step(
    id: "move-ct-100", kind: .moveVolume, title: "Move ct:100 rootfs to nfs", reasons: [],
    after: [],
    commands: [
      RemoteCommand(
        node: "proxmox1", argv: ["pct", "move-volume", "100", "rootfs", "nfs"], mutating: true)
    ], preconditions: [], effects: [], detail: "")
  static let relocate = Step(
    id: "ha-migrate-vm-101", kind: .migrate, title: "Relocate vm:101 to proxmox2", reasons: [],
    after: [],
    commands: [
      RemoteCommand(
        node: "proxmox1", argv: ["ha-manager", "migrate", "vm:101", "proxmox2"], mutating: true)
    ], preconditions: [], effects: [],
    wait: Wait(kind: "ha-migrate", sid: "vm:101", node: "proxmox2", timeoutSeconds: 600),
    detail: "")

  static func output(_ line: String, step: String = "move-ct-100") -> ExecutionEvent {
    .output(step: step, node: "proxmox1", line: line, stderr: false)
  }

  @Test("elapsed times: seconds, then m:ss, then h:mm:ss")
  func elapsed() {
    #expect(ProgressBoard.elapsed(0) == "0 s")
    #expect(ProgressBoard.elapsed(59.9) == "59 s")
    #expect(ProgressBoard.elapsed(60) == "1:00")
    #expect(ProgressBoard.elapsed(605) == "10:05")
    #expect(ProgressBoard.elapsed(3725) == "1:02:05")
    #expect(ProgressBoard.elapsed(-3) == "0 s")
  }

  @Test("terminal: one line per running step, updated in place; finished steps printed once")
  func terminal() {
    var board = ProgressBoard(live: true, mode: .execute, width: 200)
    _ = board.handle(.runStarted(total: 2), now: 0, wall: "w")
    var u = board.handle(.stepStarted(Self.move, index: 1, total: 2), now: 1, wall: "w")
    #expect(u.printed.isEmpty)
    #expect(u.board == ["[1/2] move-ct-100 proxmox1 0 s Move ct:100 rootfs to nfs"])
    u = board.handle(.stepStarted(Self.relocate, index: 2, total: 2), now: 2, wall: "w")
    #expect(u.board.count == 2)
    u = board.handle(
      Self.output("transferred 1.0 GiB of 8.0 GiB (12.50%)"), now: 31, wall: "w")
    #expect(u.printed.isEmpty)
    #expect(
      u.board[0]
        == "[1/2] move-ct-100 proxmox1 30 s Move ct:100 rootfs to nfs · transferred 1.0 GiB of 8.0 GiB (12.50%)"
    )
    // Time moves on between events: the board is redrawn with the new elapsed time.
    #expect(board.board(now: 66)[0].contains(" 1:05 "))
    u = board.handle(
      .waiting(step: Self.relocate.id, detail: "vm:101 on proxmox2 (on proxmox1)", elapsed: 12),
      now: 70, wall: "w")
    #expect(
      u.board[1].hasSuffix(
        "· waiting for HA to migrate vm:101 to proxmox2: vm:101 on proxmox2 (on proxmox1)"))
    u = board.handle(
      .stepFinished(step: Self.move.id, .succeeded, detail: nil, duration: 75), now: 76, wall: "w")
    #expect(u.printed == ["[1/2] ✓ move-ct-100 Move ct:100 rootfs to nfs: succeeded in 1:15"])
    #expect(u.board.count == 1)
    #expect(u.board[0].hasPrefix("[2/2] ha-migrate-vm-101 proxmox1 1:14 Relocate"))
    #expect(board.isBusy)
    u = board.handle(
      .stepFinished(step: Self.relocate.id, .failed, detail: "timed out", duration: 80), now: 82,
      wall: "w")
    #expect(u.board.isEmpty)
    #expect(!board.isBusy)
    #expect(u.printed[0].contains("✗ ha-migrate-vm-101") && u.printed[0].hasSuffix("(timed out)"))
  }

  @Test("waits say what they wait for: HA relocate, HA state, a node coming back")
  func waits() {
    var relocate = Self.relocate
    relocate.commands[0].argv[1] = "relocate"
    var board = ProgressBoard(live: true, mode: .execute, width: 300)
    _ = board.handle(.stepStarted(relocate, index: 1, total: 3), now: 0, wall: "w")
    var u = board.handle(
      .waiting(step: relocate.id, detail: "vm:101 on proxmox2 (on proxmox1)", elapsed: 5), now: 5,
      wall: "w")
    #expect(u.board[0].contains("· waiting for HA to relocate vm:101 to proxmox2: "))
    var start = Self.move
    start.id = "start-ct-100"
    start.wait = Wait(
      kind: "ha-state", sid: "ct:100", node: "proxmox1", timeoutSeconds: 60, state: "started")
    _ = board.handle(.stepStarted(start, index: 2, total: 3), now: 5, wall: "w")
    u = board.handle(
      .waiting(step: start.id, detail: "ct:100 in HA state started (HA state stopped)", elapsed: 1),
      now: 6, wall: "w")
    #expect(u.board[1].contains("· waiting for HA to bring ct:100 to started on proxmox1: "))
    var reboot = Self.move
    reboot.id = "node-back"
    _ = board.handle(.stepStarted(reboot, index: 3, total: 3), now: 6, wall: "w")
    u = board.handle(
      .waiting(step: reboot.id, detail: "node proxmox3 online (offline)", elapsed: 30), now: 36,
      wall: "w")
    #expect(
      u.board[2].hasSuffix("· waiting for the node to come back: node proxmox3 online (offline)"))
  }

  @Test("a carriage-return progress bar shows its last state; long lines are cut to the width")
  func carriageReturnsAndWidth() {
    var board = ProgressBoard(live: true, mode: .execute, width: 60)
    _ = board.handle(.stepStarted(Self.move, index: 1, total: 1), now: 0, wall: "w")
    let u = board.handle(
      Self.output("10%\r20%\rtransferred 2.0 GiB of 8.0 GiB (25.00%)\r"), now: 1, wall: "w")
    #expect(u.board[0].count == 59)
    #expect(u.board[0].hasSuffix("…"))
    #expect(!u.board[0].contains("\r"))
    var wide = ProgressBoard(live: true, mode: .execute, width: 300)
    _ = wide.handle(.stepStarted(Self.move, index: 1, total: 1), now: 0, wall: "w")
    let w = wide.handle(
      Self.output("10%\r20%\rtransferred 2.0 GiB of 8.0 GiB (25.00%)\r"), now: 1, wall: "w")
    #expect(w.board[0].hasSuffix("· transferred 2.0 GiB of 8.0 GiB (25.00%)"))
  }

  @Test("hostile guest names and output (ANSI, OSC title, bidi) never reach the terminal raw")
  func hostileText() {
    var step = Self.move
    step.title = "Move ct:100 (\u{1B}[2J\u{1B}]0;pwned\u{07}evil\u{202E}) to nfs"
    var all: [String] = []
    for live in [true, false] {
      var board = ProgressBoard(live: live, mode: .execute, width: 500)
      func feed(_ e: ExecutionEvent, _ t: Double) {
        let u = board.handle(e, now: t, wall: "2026-12-03T20:00:00Z")
        all += u.printed + u.board
      }
      feed(.stepStarted(step, index: 1, total: 1), 0)
      feed(.commandStarted(step: step.id, step.commands[0]), 0)
      feed(Self.output("ok \u{1B}[31mred\u{1B}[0m \u{1B}[1A\u{1B}[K overwritten"), 1)
      feed(.output(step: step.id, node: "proxmox1", line: "\u{9B}31m c1 csi", stderr: true), 2)
      feed(
        .commandFinished(
          step: step.id, step.commands[0],
          CommandResult(stdout: Data(), stderr: Data(), exitStatus: 1)), 3)
      feed(.waiting(step: step.id, detail: "x\u{1B}[8m hidden", elapsed: 3), 3)
      feed(.stepFinished(step: step.id, .failed, detail: "bad \u{1B}[5m", duration: 4), 4)
    }
    #expect(!all.isEmpty)
    for line in all {
      for scalar in line.unicodeScalars {
        #expect(
          scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80...0x9F).contains(scalar.value)
            && scalar.value != 0x202E, "raw control \(scalar.value) in \(line)")
      }
    }
    #expect(all.contains { $0.contains("\u{FFFD}[31mred") })
    #expect(all.contains { $0.contains("\u{FFFD}31m") })
  }

  @Test("not a terminal: timestamped lines, one per event; progress lines and waits throttled")
  func plain() {
    var board = ProgressBoard(live: false, mode: .execute, throttle: 10)
    var printed: [String] = []
    func feed(_ e: ExecutionEvent, _ t: Double) {
      let u = board.handle(e, now: t, wall: "T\(Int(t))")
      #expect(u.board.isEmpty)
      printed += u.printed
    }
    feed(.stepStarted(Self.move, index: 1, total: 1), 0)
    feed(.commandStarted(step: Self.move.id, Self.move.commands[0]), 0)
    for (t, pct) in [(1.0, "1"), (2, "2"), (3, "3"), (12, "12"), (13, "13")] {
      feed(Self.output("transferred \(pct) GiB of 100 GiB (\(pct).00%)"), t)
    }
    feed(Self.output("Logical volume \"vm-100-disk-0\" successfully removed."), 14)
    feed(.stepFinished(step: Self.move.id, .succeeded, detail: nil, duration: 15), 15)
    #expect(
      printed == [
        "T0 [1/1] move-ct-100 started on proxmox1: Move ct:100 rootfs to nfs",
        "T0 [1/1] move-ct-100 proxmox1$ pct move-volume 100 rootfs nfs",
        "T1 [1/1] move-ct-100 proxmox1: transferred 1 GiB of 100 GiB (1.00%)",
        "T12 [1/1] move-ct-100 proxmox1: transferred 12 GiB of 100 GiB (12.00%)",
        "T14 [1/1] move-ct-100 proxmox1: Logical volume \"vm-100-disk-0\" successfully removed.",
        "T15 [1/1] ✓ move-ct-100 Move ct:100 rootfs to nfs: succeeded in 15 s",
      ])
  }

  @Test("the terminal frame moves up over the old board, clears, prints, redraws")
  func frame() {
    #expect(ProgressBoard.frame(erasing: 0, printed: ["a"], board: ["b"]) == "a\nb\n")
    #expect(
      ProgressBoard.frame(erasing: 2, printed: [], board: ["b"]) == "\u{1B}[2A\r\u{1B}[Jb\n")
    #expect(ProgressBoard.frame(erasing: 1, printed: [], board: []) == "\u{1B}[1A\r\u{1B}[J")
  }

  @Test("lock events are printed; quiet renewals only off a terminal")
  func lockEvents() {
    var board = ProgressBoard(live: true, mode: .execute)
    let u = board.handle(
      .lock(.acquired(path: "/etc/pve/priv/lock/pvemend", node: "proxmox1", broken: nil)), now: 0,
      wall: "w")
    #expect(u.printed == ["pvemend: took the cluster lock /etc/pve/priv/lock/pvemend on proxmox1"])
    #expect(board.handle(.lock(.renewed), now: 1, wall: "w").printed.isEmpty)
  }
}
