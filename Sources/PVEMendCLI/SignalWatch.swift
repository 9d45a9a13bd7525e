import Execution
import Foundation

/// Ctrl-C: the first asks the executor to stop after the running commands; the second exits.
final class SignalWatch: @unchecked Sendable {
  private let source: any DispatchSourceSignal

  private init(source: any DispatchSourceSignal) { self.source = source }

  static func install(_ interruption: Interruption) -> SignalWatch {
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler {
      if interruption.trigger() {
        printError(
          "\npvemend: interrupt: finishing the running steps' commands, then stopping (Ctrl-C again to quit now)"
        )
      } else {
        printError("pvemend: interrupted again: exiting; the journal shows where it stopped")
        exit(ExitStatus.interrupted)
      }
    }
    source.resume()
    return SignalWatch(source: source)
  }

  func cancel() {
    source.cancel()
    signal(SIGINT, SIG_DFL)
  }
}
