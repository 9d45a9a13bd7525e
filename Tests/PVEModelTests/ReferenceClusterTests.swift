import PVEModel
import Testing

/// `examples/homelab-cluster.json` reproduces the seed audit report (`../shared/seed`).
@Suite struct ReferenceClusterTests {
  let cluster: Cluster

  init() throws { cluster = try Loading.cluster("homelab-cluster.json") }

  @Test func clusterAndQuorum() {
    #expect(cluster.name == "homelab-cluster")
    #expect(cluster.collectedAt == "2025-11-09T10:00:00Z")
    #expect(cluster.quorum == Quorum(quorate: true, nodes: 3, online: 3, configVersion: 6))
    #expect(cluster.version == PVEVersion(major: 8, minor: 4, patch: 14))
    #expect(cluster.pveMajor == 8)
    #expect(cluster.haGroups == [])
    #expect(cluster.haRules == nil)
    #expect(!cluster.usesHARules)
    #expect(cluster.backupJobs.isEmpty)
    #expect(cluster.haManager.master == "proxmox3")
    #expect(cluster.haManager.quorate == true)
  }

  @Test func nodes() {
    #expect(cluster.nodes.map(\.name) == ["proxmox", "proxmox2", "proxmox3"])
    #expect(cluster.nodes.map(\.cores) == [4, 8, 8])
    #expect(cluster.nodes.allSatisfy { $0.online && $0.memoryTotal == 33_285_996_544 })
    #expect(cluster.nodes.allSatisfy { $0.version == PVEVersion(major: 8, minor: 4, patch: 14) })
    #expect(cluster.nodes.allSatisfy { $0.uptime / 86_400 == 3 })
    let cpu = cluster.nodes.map { ($0.cpuUsage * 1000).rounded() / 10 }
    #expect(cpu == [18.7, 6.6, 7.9])
    let memory = cluster.nodes.map {
      (Double($0.memoryUsed) / Double($0.memoryTotal) * 100).rounded()
    }
    #expect(memory == [16, 19, 20])
  }

  @Test func guestDistribution() {
    #expect(cluster.guests.count == 37)
    struct Row: Equatable {
      var total, running, stopped: Int
      var allocated: Int64
    }
    let rows = cluster.nodes.map { node -> Row in
      let guests = cluster.guests(on: node.name)
      let running = guests.filter(\.isRunning).count
      return Row(
        total: guests.count, running: running, stopped: guests.count - running,
        allocated: guests.reduce(0) { $0 + $1.memory })
    }
    #expect(
      rows == [
        Row(total: 17, running: 15, stopped: 2, allocated: 25 * ByteSize.gib),
        Row(total: 10, running: 9, stopped: 1, allocated: 13 * ByteSize.gib),
        Row(total: 10, running: 9, stopped: 1, allocated: 26 * ByteSize.gib),
      ])
  }

  @Test func haResourcesMatchTheSeed() {
    let ha = cluster.haResources.map { "\($0.vmid)" }
    #expect(ha == ["100", "113", "116", "122", "130", "131", "1250"])
    #expect(cluster.haResources.allSatisfy { $0.state == "started" })
    let expected: [Int: (String, String)] = [
      100: ("influxdb", "proxmox"), 113: ("postgresql", "proxmox3"), 116: ("adguard-2", "proxmox"),
      122: ("zigbee2mqtt", "proxmox3"), 130: ("mqtt-prod", "proxmox3"), 131: ("netbox", "proxmox"),
      1250: ("adguard", "proxmox3"),
    ]
    for (vmid, (name, node)) in expected {
      let guest = cluster.guest(vmid: vmid)
      #expect(guest?.name == name)
      #expect(guest?.node == node)
      #expect(guest?.haState == "started")
    }
    // HA split 3-0-4; running non-HA guests 12-9-5.
    let split = cluster.nodes.map { n in
      cluster.guests(on: n.name).filter { $0.haState != nil }.count
    }
    #expect(split == [3, 0, 4])
    let nonHA = cluster.nodes.map { n in
      cluster.guests(on: n.name).filter { $0.haState == nil && $0.isRunning }.count
    }
    #expect(nonHA == [12, 9, 5])
  }

  @Test func namedServicesWithoutHA() {
    let expected: [Int: (String, String, GuestKind?)] = [
      110: ("traefik", "proxmox", .lxc), 121: ("traefik-2", "proxmox", .lxc),
      101: ("grafana", "proxmox", .lxc), 132: ("uptime-kuma", "proxmox", .lxc),
      114: ("homeassistant", "proxmox2", .qemu), 112: ("wikijs", "proxmox3", nil),
      109: ("esphome", "proxmox3", nil), 133: ("kea-dhcp-1", "proxmox", nil),
      134: ("kea-dhcp-2", "proxmox2", nil), 128: ("dev", "proxmox", .lxc),
    ]
    for (vmid, (name, node, kind)) in expected {
      let guest = cluster.guest(vmid: vmid)
      #expect(guest?.name == name)
      #expect(guest?.node == node)
      #expect(guest?.haState == nil)
      if let kind { #expect(guest?.kind == kind) }
    }
    #expect(cluster.guest(vmid: 114)?.memory == 8 * ByteSize.gib)
    #expect(cluster.guest(vmid: 128)?.disks.first?.size == 50 * ByteSize.gib)
  }

  @Test func storageMatchesTheSeed() {
    let gb: Int64 = 1_000_000_000
    #expect(cluster.storages.map(\.id) == ["TrueNas_NVMe", "Truenas_jbod", "local-lvm"])
    let nvme = cluster.storage("TrueNas_NVMe")
    #expect(nvme?.shared == true && nvme?.type == "nfs" && nvme?.server == "192.168.1.98")
    #expect(nvme?.total == 899 * gb && nvme?.used == 179 * gb)
    let jbod = cluster.storage("Truenas_jbod")
    #expect(jbod?.total == 1_540 * gb && jbod?.used == 557 * gb)
    #expect(jbod?.content.contains("backup") == true)
    #expect(jbod?.server == "192.168.1.98")
    let lvm = cluster.storage("local-lvm")
    #expect(lvm?.shared == false)
    #expect(lvm?.perNode.map(\.total) == [349 * gb, 816 * gb, 816 * gb])
    #expect(lvm?.perNode.map(\.used) == [64 * gb, 18 * gb, 28 * gb])
  }

  @Test func traps() throws {
    // Running + onboot vCPUs: about 22 on 4 cores, 14 and 27 on 8 cores.
    let claimed = cluster.nodes.map { n in
      cluster.guests(on: n.name).filter(\.claimsCapacity).reduce(0) { $0 + $1.vcpus }
    }
    #expect(claimed == [22, 14, 27])
    // Critical guests and HA guests on node-local storage.
    for vmid in [110, 114, 133, 134, 100, 131] {
      #expect(cluster.guest(vmid: vmid)?.disks.contains { $0.storage == "local-lvm" } == true)
    }
    // A VM on proxmox3 too big for the 4-core node.
    #expect(cluster.guests(on: "proxmox3").contains { $0.kind == .qemu && $0.vcpus == 6 })
    #expect(cluster.guests.contains { !$0.isRunning && $0.onboot && !$0.template })
    #expect(cluster.guests.filter(\.template).count == 1)
    #expect(cluster.guests.contains { $0.lock != nil })
    #expect(
      cluster.guests.contains { g in
        g.kind == .lxc && g.disks.contains { $0.key == "mp0" && $0.storage == "Truenas_jbod" }
      })
    let windows = try #require(cluster.guests.first { g in g.disks.contains { $0.isUnused } })
    #expect(windows.kind == .qemu)
    #expect(!windows.disks.contains { $0.key == "ide2" })
  }
}
