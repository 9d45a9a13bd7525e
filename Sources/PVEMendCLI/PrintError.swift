import Foundation
import PVEModel

/// Writes a line to standard error; error text quotes names from the cluster, so it passes through
/// `DisplayText` (line breaks kept).
func printError(_ text: String) {
  FileHandle.standardError.write(Data((DisplayText.sanitize(text, keepNewlines: true) + "\n").utf8))
}
