import Foundation
import PVEModel

/// Backup jobs (`/cluster/backup`, jobs.cfg): created, updated and deleted with the checks of
/// `POST /cluster/backup` and `verify_vzdump_parameters`, stored as `GET /cluster/backup` lists them
/// (`prune-backups`, `fleecing` and `performance` as objects, booleans as 0/1).
enum BackupJobs {
  static let path = "/cluster/backup"
  /// Options that shape the output, not the job.
  static let outputOptions: Set<String> = ["output-format", "noproxy", "delete", "id"]
  static let objectOptions: [String: String?] = [
    "prune-backups": nil, "fleecing": "enabled", "performance": nil,
  ]

  static func create(_ options: [String: String], _ ctx: Context) throws(CommandFailure) {
    let state = ctx.state
    let id = options["id"] ?? generatedID(options, now: ctx.now)
    var jobs = state.list(path)
    if jobs.contains(where: { $0["id"]?.stringValue == id }) {
      throw CommandFailure("create job failed: Job '\(id)' already exists")
    }
    if options["schedule"] == nil && options["starttime"] == nil {
      throw CommandFailure("neither 'starttime' nor 'schedule' were set")
    }
    try verifySelection(options, checkMissing: true)
    try verifyReferences(options, ctx)
    var job = try encode(options, ctx)
    job["id"] = .string(id)
    job["type"] = .string("vzdump")
    if job["enabled"] == nil { job["enabled"] = .int(1) }
    if job["schedule"] == nil, let start = options["starttime"] {
      job["schedule"] = .string([options["dow"], start].compactMap { $0 }.joined(separator: " "))
    }
    stampNextRun(&job, now: ctx.now)
    jobs.append(job)
    state.setList(path, sorted(jobs))
  }

  static func update(id: String, _ options: [String: String], _ ctx: Context) throws(CommandFailure)
  {
    let state = ctx.state
    var jobs = state.list(path)
    guard let index = jobs.firstIndex(where: { $0["id"]?.stringValue == id }) else {
      throw CommandFailure("update job failed: job '\(id)' does not exist")
    }
    var merged: [String: String] = [:]
    for (k, v) in jobs[index] where !["id", "type", "next-run"].contains(k) {
      merged[k] = v.objectValue.map(propertyString) ?? v.stringValue
    }
    for (k, v) in options { merged[k] = v }
    for key in (options["delete"] ?? "").split(separator: ",").map(String.init) {
      merged[key] = nil
    }
    try verifySelection(merged, checkMissing: true)
    try verifyReferences(options, ctx)
    var job = try encode(merged, ctx)
    job["id"] = .string(id)
    job["type"] = .string("vzdump")
    stampNextRun(&job, now: ctx.now)
    jobs[index] = job
    state.setList(path, sorted(jobs))
  }

  static func delete(id: String, _ ctx: Context) throws(CommandFailure) {
    let jobs = ctx.state.list(path)
    guard jobs.contains(where: { $0["id"]?.stringValue == id }) else {
      throw CommandFailure("delete job failed: job '\(id)' does not exist")
    }
    ctx.state.setList(path, jobs.filter { $0["id"]?.stringValue != id })
  }

  /// `verify_vzdump_parameters`: all/exclude/pool conflict with vmid; one selection is required.
  static func verifySelection(_ o: [String: String], checkMissing: Bool) throws(CommandFailure) {
    let usage = "pvesh create <api_path> [OPTIONS] [FORMAT_OPTIONS]"
    let hasVMID = !(o["vmid"] ?? "").isEmpty
    var errors: [String: String] = [:]
    if o["all"] == "1" && hasVMID { errors["all"] = "option conflicts with option 'vmid'" }
    if o["exclude"] != nil && hasVMID { errors["exclude"] = "option conflicts with option 'vmid'" }
    if o["pool"] != nil && hasVMID { errors["pool"] = "option conflicts with option 'vmid'" }
    if !errors.isEmpty { throw CommandFailure.parameters(errors, usage: usage) }
    let all = o["all"] == "1" || (o["exclude"] != nil && o["pool"] == nil)
    if checkMissing && !all && o["pool"] == nil && o["stop"] != "1" && !hasVMID {
      throw CommandFailure.parameters(["vmid": "property is missing"], usage: usage)
    }
  }

  /// The storage must exist and hold backups; a named node must exist.
  static func verifyReferences(_ o: [String: String], _ ctx: Context) throws(CommandFailure) {
    if let storage = o["storage"] {
      guard let config = ctx.state.storageConfig(storage) else {
        throw CommandFailure("storage '\(storage)' does not exist")
      }
      guard Cluster.list(config["content"]?.stringValue).contains("backup") else {
        throw CommandFailure("can't use storage '\(storage)' for backups - wrong content type")
      }
    }
    if let node = o["node"], !ctx.state.nodeExists(node) {
      throw CommandFailure.parameters(
        ["node": "no such cluster node '\(node)'"],
        usage: "pvesh create <api_path> [OPTIONS] [FORMAT_OPTIONS]")
    }
  }

  /// The job as GET /cluster/backup returns it: typed values, property strings as objects.
  static func encode(_ o: [String: String], _ ctx: Context) throws(CommandFailure) -> [String:
    JSONValue]
  {
    let schema = CommandSchemas.backupJob(major: ctx.major, update: true)
    var job: [String: JSONValue] = [:]
    for (key, value) in o where !outputOptions.contains(key) {
      if let defaultKey = objectOptions[key] {
        var fields: [String: JSONValue] = [:]
        for part in value.split(separator: ",") {
          let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
          if kv.count == 2 {
            fields[kv[0]] = .string(kv[1])
          } else if let defaultKey {
            fields[defaultKey] = .string(kv[0])
          }
        }
        job[key] = .object(fields)
        continue
      }
      switch schema.parameters[key]?.kind {
      case .boolean, .integer:
        job[key] = Int64(value).map(JSONValue.int) ?? .string(value)
      default:
        job[key] = .string(value)
      }
    }
    return job
  }

  static func propertyString(_ object: [String: JSONValue]) -> String {
    object.keys.sorted().map { "\($0)=\(object[$0]?.stringValue ?? "")" }.joined(separator: ",")
  }

  static func sorted(_ jobs: [[String: JSONValue]]) -> [[String: JSONValue]] {
    jobs.sorted { ($0["id"]?.stringValue ?? "") < ($1["id"]?.stringValue ?? "") }
  }

  /// The GUI's form of id: `backup-` and the first 13 characters of a UUID-like hex string.
  static func generatedID(_ options: [String: String], now: Double) -> String {
    var o = options.mapValues(JSONValue.string)
    o["now"] = .double(now)
    let hex = ConfigDigest.of(.object(o))
    return "backup-\(hex.prefix(8))-\(hex.dropFirst(8).prefix(4))"
  }

  /// `next-run` for enabled jobs whose schedule is a plain time of day (`21:00`, `daily`,
  /// `mon..fri 22:00`, `sat 03:00`), in UTC; other schedules get none.
  static func stampNextRun(_ job: inout [String: JSONValue], now: Double) {
    job["next-run"] = nil
    guard job["enabled"]?.boolValue ?? true, let schedule = job["schedule"]?.stringValue,
      let next = nextRun(schedule, after: now)
    else { return }
    job["next-run"] = .int(next)
  }

  static func nextRun(_ schedule: String, after now: Double) -> Int64? {
    let words = schedule.lowercased().split(separator: " ").map(String.init)
    let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    var days = Set(0..<7)
    var time = "00:00"
    for word in words {
      if word == "daily" { continue }
      if word.contains(":") {
        time = word
      } else if let d = dayNames.firstIndex(of: String(word.prefix(3))), !word.contains("..") {
        days = [d]
      } else if word.contains("..") {
        let ends = word.components(separatedBy: "..")
        guard let a = dayNames.firstIndex(of: ends[0]),
          let b = dayNames.firstIndex(of: ends.last ?? "")
        else { return nil }
        days = a <= b ? Set(a...b) : Set(a..<7).union(0...b)
      } else {
        return nil
      }
    }
    let hm = time.split(separator: ":").compactMap { Int($0) }
    guard hm.count == 2, hm[0] < 24, hm[1] < 60 else { return nil }
    let start = Int64(now)
    let midnight = start - start % 86400
    for dayOffset in 0...7 {
      let day = midnight + Int64(dayOffset) * 86400
      let weekday = Int((day / 86400 + 4) % 7)  // 1970-01-01 was a Thursday.
      let t = day + Int64(hm[0] * 3600 + hm[1] * 60)
      if t > start && days.contains(weekday) { return t }
    }
    return nil
  }
}
