import PVEModel

/// The HA stack: resources (`/cluster/ha/resources`), the CRM's view (`/cluster/ha/status/current`,
/// `hastate` in `/cluster/resources`), and the queued moves the CRM completes later.
extension ClusterState {
  static let haResourcesPath = "/cluster/ha/resources"
  static let haStatusPath = "/cluster/ha/status/current"

  package func haResource(_ sid: String) -> [String: JSONValue]? {
    list(Self.haResourcesPath).first { $0["sid"]?.stringValue == sid }
  }

  /// Configured and not `ignored` (`ignored` counts as unmanaged everywhere).
  package func isHAManaged(_ sid: String) -> Bool {
    guard let r = haResource(sid) else { return false }
    return r["state"]?.stringValue != "ignored"
  }

  /// The guest an HA resource id names (`vm:114` → VM 114), if the type matches.
  package func guest(sid: String) -> GuestRecord? {
    guard let (kind, vmid) = Cluster.parseSID(sid), let g = guest(vmid: vmid), g.kind == kind
    else { return nil }
    return g
  }

  func service(_ sid: String) -> [String: JSONValue]? {
    list(Self.haStatusPath).first {
      $0["type"]?.stringValue == "service" && $0["sid"]?.stringValue == sid
    }
  }

  /// Rewrites an HA service entry and its `status` text (`vm:114 (pve1, started)`).
  func updateService(_ sid: String, _ change: (inout [String: JSONValue]) -> Void) {
    updateList(
      Self.haStatusPath,
      where: { $0["type"]?.stringValue == "service" && $0["sid"]?.stringValue == sid }
    ) { e in
      change(&e)
      let node = e["node"]?.stringValue ?? "---"
      let state = e["state"]?.stringValue ?? "unknown"
      e["status"] = .string("\(sid) (\(node), \(state))")
    }
  }

  /// Sets the CRM state of a service everywhere it shows: the status entry and `hastate`.
  func setServiceState(_ sid: String, _ state: String, crmState: String? = nil) {
    updateService(sid) { e in
      e["state"] = .string(state)
      if let crmState {
        e["crm_state"] = .string(crmState)
      } else {
        e["crm_state"] = .string(state)
      }
    }
    if let (_, vmid) = Cluster.parseSID(sid) {
      updateGuest(vmid) { $0["hastate"] = .string(state) }
    }
  }

  /// The service entry for a newly managed resource, in the shape of the snapshot's entries.
  func serviceEntry(sid: String, resource: [String: JSONValue], node: String) -> [String: JSONValue]
  {
    var e: [String: JSONValue] = [
      "id": .string("service:\(sid)"), "type": .string("service"), "sid": .string(sid),
      "node": .string(node),
      "max_restart": .int(resource["max_restart"]?.intValue ?? 1),
      "max_relocate": .int(resource["max_relocate"]?.intValue ?? 1),
    ]
    if let comment = resource["comment"] { e["comment"] = comment }
    if clusterMajor >= 9 {
      e["failback"] = .int(resource["failback"]?.boolValue == false ? 0 : 1)
    } else if let group = resource["group"] {
      e["group"] = group
    }
    return e
  }

  /// Adds or replaces a service entry, keeping quorum/master/lrm first and services sorted by sid.
  func putService(_ entry: [String: JSONValue]) {
    guard let sid = entry["sid"]?.stringValue else { return }
    var items = list(Self.haStatusPath).filter {
      !($0["type"]?.stringValue == "service" && $0["sid"]?.stringValue == sid)
    }
    items.append(entry)
    setList(Self.haStatusPath, Self.ordered(items))
  }

  func removeService(_ sid: String) {
    let items = list(Self.haStatusPath).filter {
      !($0["type"]?.stringValue == "service" && $0["sid"]?.stringValue == sid)
    }
    setList(Self.haStatusPath, items)
    if let (_, vmid) = Cluster.parseSID(sid) { updateGuest(vmid) { $0["hastate"] = nil } }
  }

  static func ordered(_ items: [[String: JSONValue]]) -> [[String: JSONValue]] {
    let others = items.filter { $0["type"]?.stringValue != "service" }
    let services = items.filter { $0["type"]?.stringValue == "service" }.sorted {
      ($0["sid"]?.stringValue ?? "").utf8.lexicographicallyPrecedes(
        ($1["sid"]?.stringValue ?? "").utf8)
    }
    return others + services
  }

  /// Writes the resources list back with one fresh digest for all entries (the file's digest).
  func setHAResources(_ items: [[String: JSONValue]]) {
    let plain = items.map { item -> [String: JSONValue] in
      var i = item
      i["digest"] = nil
      return i
    }
    let digest = ConfigDigest.of(.array(plain.map { .object($0) }))
    setList(
      Self.haResourcesPath,
      plain.map { item in
        var i = item
        i["digest"] = .string(digest)
        return i
      })
  }

  /// The CRM acting on a requested state: `started` starts the guest, `stopped` and `disabled`
  /// stop it, `ignored` leaves it alone. Updates the service entry and `hastate`.
  func applyRequestedState(_ sid: String, _ requested: String) {
    let state = requested == "enabled" ? "started" : requested
    if let g = guest(sid: sid) {
      switch state {
      case "started": start(g)
      case "stopped", "disabled": stop(g)
      default: break
      }
    }
    updateService(sid) { e in
      e["request_state"] = .string(state)
      e["state"] = .string(state)
      if state == "ignored" {
        e["crm_state"] = nil
      } else {
        e["crm_state"] = .string(state == "disabled" ? "stopped" : state)
      }
    }
    if let (_, vmid) = Cluster.parseSID(sid) {
      updateGuest(vmid) { $0["hastate"] = .string(state) }
    }
  }

  /// Queues a CRM command; the service shows `migrate`/`relocate` until it completes.
  func queueMove(sid: String, target: String, command: String, due: Double) {
    pending.append(PendingHAMove(sid: sid, target: target, command: command, due: due))
    setServiceState(sid, command)
  }

  /// Completes every queued move whose time has come, as the CRM would: the guest moves (its
  /// memory, local volumes and node with it) unless the target cannot take it, then the service
  /// returns to its requested state. Returns whether anything was due.
  @discardableResult
  package func completeDueMoves(now: Double) -> Bool {
    let due = pending.filter { $0.due <= now }.sorted { $0.due < $1.due }
    guard !due.isEmpty else { return false }
    pending.removeAll { $0.due <= now }
    for request in due {
      let requested = haResource(request.sid)?["state"]?.stringValue ?? "started"
      if let g = guest(sid: request.sid), g.node != request.target, isOnline(request.target),
        moveRefusal(g, to: request.target, storageMap: [:]) == nil
      {
        self.move(g, to: request.target)
      }
      guard haResource(request.sid) != nil else { continue }
      let state = requested == "enabled" ? "started" : requested
      setServiceState(request.sid, state, crmState: state == "disabled" ? "stopped" : state)
    }
    return true
  }
}
