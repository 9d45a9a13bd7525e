import PVEModel
import Planning

/// What `pvemend --version` prints: the tool (as plans record it) and the file formats it reads
/// and writes. The journal (`PLAN.journal.jsonl`) has no format version of its own; its
/// `run-start` entry records the tool.
enum PVEMendVersion {
  static let text = """
    \(Planner.tool)
    snapshot format: \(Snapshot.formatVersion)
    plan format: \(Plan.formatVersion)
    """
}
