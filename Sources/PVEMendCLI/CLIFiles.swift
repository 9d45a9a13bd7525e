import Foundation
import PVEModel

/// Reading input files and writing to the terminal for `audit`, `plan` and `show`.
enum CLIFiles {
  /// The bytes of a file, or of standard input for `-`.
  static func read(_ path: String) throws(CLIFileError) -> Data {
    if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw .unreadable(file: path, reason: "no such file")
    }
    guard !isDirectory.boolValue else { throw .unreadable(file: path, reason: "it is a directory") }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .unreadable(file: path, reason: "permission denied or unreadable")
    }
    return data
  }

  /// A file's text (UTF-8).
  static func text(_ path: String) throws(CLIFileError) -> String {
    guard let text = String(data: try read(path), encoding: .utf8) else {
      throw .notText(file: path)
    }
    return text
  }

  static func standardOutput(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
  /// Messages quote file names and values from the input: `DisplayText` keeps them inert.
  static func standardError(_ text: String) {
    FileHandle.standardError.write(Data(DisplayText.sanitize(text, keepNewlines: true).utf8))
  }
}

/// Why an input file could not be read.
enum CLIFileError: Error, CustomStringConvertible {
  /// The file cannot be opened.
  case unreadable(file: String, reason: String)
  /// Not UTF-8 text.
  case notText(file: String)

  /// One line: the file name is what the user typed, and may hold anything.
  var description: String { DisplayText.oneLine(message, limit: .max) }

  private var message: String {
    switch self {
    case .unreadable(let file, let reason):
      return "\(file): cannot read it (\(reason)); check the path"
    case .notText(let file): return "\(file): not UTF-8 text; save the playbook as UTF-8 YAML"
    }
  }
}
