import ArgumentParser
import Foundation
import Planning

/// Reading plan files: `PlanFile` owns the format; bad input exits 2 with one line, as `show` does.
enum PlanLoading {
  static func load(_ path: String, command: String) throws -> (Plan, Data) {
    do {
      let data = try CLIFiles.read(path)
      return (try PlanFile.decode(data, file: path), data)
    } catch {
      CLIFiles.standardError("pvemend \(command): \(error)\n")
      throw ExitCode(ExitStatus.badInput)
    }
  }
}
