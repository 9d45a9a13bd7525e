#!/usr/bin/env python3
"""Writes the input files of the CLI test cases (snapshot.json, playbook.yaml, expect.json).

Each case is a small cluster written out below as Python data: one base cluster and, per case,
the one odd-but-real thing that makes it interesting. Run it from anywhere; it rewrites only the
inputs of the cases it defines (never the goldens, which `PVEMEND_RECORD=1 swift test --filter
CLITests` records). Malformed inputs that cannot be expressed as data (truncated JSON, YAML typos)
are written verbatim.

    python3 Tests/CLITests/Cases/make-cases.py
"""
import copy
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
GIB = 1024**3
MIB = 1024**2

# --- building blocks -------------------------------------------------------------------------

def version(v):
    major, minor = v.split(".")[:2]
    return {"release": f"{major}.{minor}", "repoid": "1a2b3c4d5e6f7a8b", "version": v}


class Cluster:
    """A small cluster, rendered to the API responses `pvesh get` prints."""

    def __init__(self, name="lab", pve="8.4.14"):
        self.name = name
        self.pve = pve
        self.nodes = []      # dicts: name, cores, mem, online, ip
        self.storage = []    # /storage entries
        self.usage = {}      # storage id -> (total, used, active)
        self.guests = []     # dicts: kind, vmid, node, name, status, config, resource extras
        self.ha = []         # /cluster/ha/resources entries
        self.groups = []     # /cluster/ha/groups entries or None
        self.rules = None    # /cluster/ha/rules entries or None
        self.backup = []
        self.options = {"keyboard": "en-us"}
        self.clustered = True
        self.extra = {}      # api path -> response, set last (overrides)

    def node(self, name, cores=8, mem_gib=32, online=True):
        self.nodes.append({"name": name, "cores": cores, "mem": mem_gib * GIB - 300 * MIB,
                           "online": online, "ip": f"10.0.0.{11 + len(self.nodes)}"})

    def store(self, sid, stype, content, total, used, shared=False, active=True, **extra):
        entry = {"storage": sid, "type": stype, "content": content,
                 "digest": "5aa336efa7af38297763bcd20d90e4af455be10f"}
        if shared:
            entry["shared"] = 1
        entry.update(extra)
        self.storage.append(entry)
        self.usage[sid] = (total, used, active)

    def vm(self, vmid, node, name, status="running", sockets=1, cores=2, memory=2048, disks=None,
           onboot=1, tags=None, pool=None, **config):
        cfg = {"name": name, "sockets": sockets, "cores": cores, "memory": str(memory),
               "onboot": onboot, "ostype": "l26", "scsihw": "virtio-scsi-single",
               "net0": "virtio=BC:24:11:00:00:%02X,bridge=vmbr0" % (vmid % 256),
               "digest": "6c29cffa3ff0b2e1dda35e98999be01cd5a7b9e9"}
        for key, vol in (disks or {"scsi0": f"local-lvm:vm-{vmid}-disk-0,size=32G"}).items():
            cfg[key] = vol
        if tags:
            cfg["tags"] = tags
        cfg.update(config)
        self.guests.append({"kind": "qemu", "vmid": vmid, "node": node, "name": name,
                            "status": status, "config": cfg, "pool": pool,
                            "maxcpu": sockets * cores if isinstance(sockets, int) and isinstance(cores, int) else 1,
                            "maxmem": memory * MIB if isinstance(memory, int) else 2 * GIB})
        return cfg

    def ct(self, vmid, node, name, status="running", cores=1, memory=512, rootfs=None, onboot=1,
           tags=None, pool=None, **config):
        cfg = {"hostname": name, "memory": memory, "swap": 512, "onboot": onboot,
               "arch": "amd64", "ostype": "debian", "unprivileged": 1,
               "rootfs": rootfs or f"local-lvm:vm-{vmid}-disk-0,size=8G",
               "net0": "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:01:%02X,ip=dhcp,type=veth" % (vmid % 256),
               "digest": "2ab99873b48ad7c837d29bc5254abda3d99a9276"}
        if cores is not None:
            cfg["cores"] = cores
        if tags:
            cfg["tags"] = tags
        cfg.update(config)
        self.guests.append({"kind": "lxc", "vmid": vmid, "node": node, "name": name,
                            "status": status, "config": cfg, "pool": pool,
                            "maxcpu": cores if isinstance(cores, int) else 1,
                            "maxmem": memory * MIB if isinstance(memory, int) else 512 * MIB})
        return cfg

    def ha_resource(self, sid, state="started", **extra):
        entry = {"sid": sid, "state": state, "type": sid.split(":")[0],
                 "digest": "7fedfb87eaa8f6af1a7138c14ea252bbbaf7ccc6"}
        entry.update(extra)
        self.ha.append(entry)

    def job(self, jid, **fields):
        entry = {"id": jid, "type": "vzdump", "enabled": 1, "mode": "snapshot",
                 "compress": "zstd", "schedule": "21:00", "storage": "nas",
                 "prune-backups": {"keep-daily": "7"}}
        entry.update(fields)
        self.backup.append(entry)

    # --- rendering --------------------------------------------------------------------------

    def api(self):
        api = {}
        api["/version"] = version(self.pve)
        status = []
        online = [n for n in self.nodes if n["online"]]
        if self.clustered:
            status.append({"id": "cluster", "name": self.name, "nodes": len(self.nodes),
                           "quorate": 1 if len(online) * 2 > len(self.nodes) else 0,
                           "type": "cluster", "version": 7})
        for i, n in enumerate(self.nodes):
            entry = {"id": f"node/{n['name']}", "ip": n["ip"], "level": "", "local": int(i == 0),
                     "name": n["name"], "nodeid": i + 1, "online": int(n["online"]), "type": "node"}
            status.append(entry)
        api["/cluster/status"] = status
        resources = []
        for n in self.nodes:
            if n["online"]:
                resources.append({"id": f"node/{n['name']}", "node": n["name"], "type": "node",
                                  "status": "online", "maxcpu": n["cores"], "maxmem": n["mem"],
                                  "mem": n["mem"] // 4, "cpu": 0.07, "uptime": 864000,
                                  "level": "", "hastate": "online", "disk": 5 * GIB,
                                  "maxdisk": 100 * GIB})
            else:
                resources.append({"id": f"node/{n['name']}", "node": n["name"], "type": "node",
                                  "status": "offline", "level": ""})
        hastate = {e["sid"]: e["state"] for e in self.ha}
        node_online = {n["name"]: n["online"] for n in self.nodes}
        for g in self.guests:
            sid = ("vm:" if g["kind"] == "qemu" else "ct:") + str(g["vmid"])
            if node_online.get(g["node"], True):
                entry = {"id": f"{g['kind']}/{g['vmid']}", "vmid": g["vmid"], "node": g["node"],
                         "type": g["kind"], "name": g["name"], "status": g["status"],
                         "template": 0, "maxcpu": g["maxcpu"], "maxmem": g["maxmem"],
                         "mem": g["maxmem"] // 3 if g["status"] == "running" else 0,
                         "maxdisk": 8 * GIB, "disk": 0, "cpu": 0.01,
                         "uptime": 86400 if g["status"] == "running" else 0}
                if "tags" in g["config"]:
                    entry["tags"] = g["config"]["tags"]
                if g["pool"]:
                    entry["pool"] = g["pool"]
                if sid in hastate:
                    entry["hastate"] = hastate[sid]
            else:
                # What /cluster/resources shows for guests of an offline node.
                entry = {"id": f"{g['kind']}/{g['vmid']}", "vmid": g["vmid"], "node": g["node"],
                         "type": g["kind"], "status": "unknown"}
                if "tags" in g["config"]:
                    entry["tags"] = g["config"]["tags"]
            resources.append(entry)
        for n in self.nodes:
            if not n["online"]:
                continue
            for s in self.storage:
                if "nodes" in s and n["name"] not in s["nodes"].split(","):
                    continue
                total, used, active = self.usage[s["storage"]]
                resources.append({"id": f"storage/{n['name']}/{s['storage']}",
                                  "storage": s["storage"], "node": n["name"], "type": "storage",
                                  "plugintype": s["type"], "shared": s.get("shared", 0),
                                  "content": s["content"],
                                  "status": "available" if active else "unknown",
                                  "maxdisk": total, "disk": used})
        api["/cluster/resources"] = resources
        api["/cluster/ha/resources"] = self.ha
        current = [{"id": "quorum", "node": self.nodes[0]["name"] if self.nodes else "pve1",
                    "quorate": 1, "status": "OK", "type": "quorum"}]
        if self.ha:
            master = online[0]["name"] if online else self.nodes[0]["name"]
            current.append({"id": "master", "node": master, "type": "master",
                            "status": f"{master} (active, Sun Nov  9 09:59:57 2025)",
                            "timestamp": 1762682397})
            for n in self.nodes:
                current.append({"id": f"lrm:{n['name']}", "node": n["name"], "type": "lrm",
                                "status": f"{n['name']} (active, Sun Nov  9 09:59:58 2025)",
                                "timestamp": 1762682398})
            guest_node = {("vm:" if g["kind"] == "qemu" else "ct:") + str(g["vmid"]): g["node"]
                          for g in self.guests}
            for e in sorted(self.ha, key=lambda e: e["sid"]):
                where = guest_node.get(e["sid"])
                current.append({"id": f"service:{e['sid']}", "sid": e["sid"], "type": "service",
                                "node": where, "state": e["state"],
                                "crm_state": e["state"], "request_state": e["state"],
                                "max_restart": 1, "max_relocate": 1,
                                "status": f"{e['sid']} ({where or '---'}, {e['state']})"})
        api["/cluster/ha/status/current"] = current
        if self.groups is not None:
            api["/cluster/ha/groups"] = self.groups
        if self.rules is not None:
            api["/cluster/ha/rules"] = self.rules
        api["/cluster/backup"] = self.backup
        api["/storage"] = self.storage
        api["/cluster/options"] = self.options
        major = self.pve.split(".")[0]
        for n in self.nodes:
            if not n["online"]:
                continue
            name = n["name"]
            api[f"/nodes/{name}/status"] = {
                "cpu": 0.07, "cpuinfo": {"cpus": n["cores"], "cores": n["cores"], "sockets": 1,
                                          "model": "Intel(R) Core(TM) i5-8500T CPU @ 2.10GHz"},
                "memory": {"total": n["mem"], "used": n["mem"] // 4, "free": n["mem"] * 3 // 4},
                "pveversion": f"pve-manager/{self.pve}/1a2b3c4d5e6f7a8b",
                "kversion": "Linux 6.8.12-13-pve", "uptime": 864000, "loadavg": ["0.5", "0.4", "0.3"]}
            storage = []
            for s in self.storage:
                if "nodes" in s and name not in s["nodes"].split(","):
                    continue
                total, used, active = self.usage[s["storage"]]
                entry = {"storage": s["storage"], "type": s["type"], "content": s["content"],
                         "shared": s.get("shared", 0), "active": int(active), "enabled": 1,
                         "total": total, "used": used, "avail": max(total - used, 0)}
                if total:
                    entry["used_fraction"] = used / total
                storage.append(entry)
            api[f"/nodes/{name}/storage"] = storage
            for g in self.guests:
                if g["node"] == name:
                    api[f"/nodes/{name}/{g['kind']}/{g['vmid']}/config"] = g["config"]
        api.update(self.extra)
        return api

    def snapshot(self, collected="2025-11-09T10:00:00Z", source="pvemend CLI test case"):
        return {"format": "pvemend-snapshot/1", "collectedAt": collected, "source": source,
                "api": self.api()}


def base(pve="8.4.14", nodes=(("pve1", 8, 32), ("pve2", 8, 32), ("pve3", 4, 16))):
    """Three nodes (8, 8 and 4 cores), local-lvm on each, one NFS share, a few guests, one HA
    resource, one nightly backup job that covers everything."""
    c = Cluster(pve=pve)
    for name, cores, mem in nodes:
        c.node(name, cores, mem)
    c.store("local", "dir", "iso,vztmpl,backup", 100 * GIB, 20 * GIB, path="/var/lib/vz")
    c.store("local-lvm", "lvmthin", "images,rootdir", 400 * GIB, 120 * GIB, thinpool="data",
            vgname="pve")
    c.store("nas", "nfs", "images,rootdir,backup", 4000 * 10**9, 1500 * 10**9, shared=True,
            server="10.0.0.50", export="/mnt/tank/pve", path="/mnt/pve/nas")
    names = [n[0] for n in nodes]
    first = names[0]
    second = names[1 % len(names)]
    last = names[-1]
    c.ct(100, first, "adguard", cores=1, memory=512, tags="critical;dns")
    c.vm(101, first, "traefik", cores=2, memory=2048,
         disks={"scsi0": "nas:101/vm-101-disk-0.qcow2,size=32G"}, tags="critical")
    c.vm(102, second, "postgres", cores=4, memory=8192,
         disks={"scsi0": "local-lvm:vm-102-disk-0,size=64G"})
    c.ct(103, last, "web", cores=2, memory=1024)
    c.vm(104, second, "nextcloud", status="stopped", cores=2, memory=4096, onboot=0,
         disks={"scsi0": "nas:104/vm-104-disk-0.qcow2,size=100G", "ide2": "none,media=cdrom"})
    c.ha_resource("vm:101")
    c.job("backup-nightly", all=1)
    return c


# --- the cases ---------------------------------------------------------------------------------

CASES = {}


def case(name, about, expect=None, playbook=None):
    def register(fn):
        CASES[name] = (about, fn, expect, playbook)
        return fn
    return register


@case("baseline", "the base cluster itself: three nodes, NFS, one HA resource, one backup job")
def _():
    return base().snapshot()


@case("standalone-node", "a single node outside any cluster: no 'cluster' entry in /cluster/status")
def _():
    c = base(nodes=(("pve", 8, 32),))
    c.clustered = False
    c.groups = []
    c.ha = []
    return c.snapshot()


@case("single-node-cluster", "a cluster of one node ('pvecm create', never joined): HA cannot restart anything elsewhere",
      expect={"forbidden": [
          {"argv": ["ha-manager"], "why": "a single node: HA has no other node to restart a guest on"},
          {"argv": ["pct", "move-volume"], "why": "a single node: moving volumes to shared storage for HA is downtime for nothing"},
          {"argv": ["qm", "disk", "move"], "why": "a single node: moving volumes to shared storage for HA is downtime for nothing"},
      ]})
def _():
    c = base(nodes=(("pve", 8, 32),))
    c.ha = []
    return c.snapshot()


@case("two-node", "two nodes: quorum is fragile, losing either loses it")
def _():
    c = base(nodes=(("pve1", 8, 32), ("pve2", 8, 32)))
    return c.snapshot()


@case("node-offline", "three nodes, pve3 offline: no status/storage/config paths for it, its guests 'unknown'")
def _():
    c = base()
    c.nodes[2]["online"] = False
    c.ct(105, "pve3", "dns2", cores=1, memory=256, tags="dns")
    return c.snapshot()


@case("no-shared-storage", "only node-local storage: HA prerequisites cannot be met, backups go to 'local'")
def _():
    c = base()
    c.storage = [s for s in c.storage if s["storage"] != "nas"]
    del c.usage["nas"]
    for g in c.guests:
        for k, v in list(g["config"].items()):
            if isinstance(v, str) and v.startswith("nas:"):
                g["config"][k] = v.replace("nas:%d/" % g["vmid"], "local-lvm:").replace(".qcow2", "")
    c.backup = []
    return c.snapshot()


@case("pve9-migrated", "PVE 9 after the HA group migration: no /cluster/ha/groups, rules present")
def _():
    c = base(pve="9.1.7")
    c.groups = None
    c.rules = [
        {"rule": "ha-group-web", "type": "node-affinity", "nodes": "pve1:2,pve2:1",
         "resources": "vm:101", "strict": 0, "order": 1,
         "comment": "Generated from HA group 'web'.",
         "digest": "2fd3489a055c8c8a3906742778e5d69cbbd0263b"},
    ]
    c.ha[0]["failback"] = 1
    return c.snapshot()


@case("pve9-mid-migration", "PVE 9 nodes with groups not yet migrated (groups non-empty, rules empty)")
def _():
    c = base(pve="9.0.10")
    c.groups = [{"group": "web", "nodes": "pve1:2,pve2:1", "type": "group",
                 "digest": "5ae1ad9e52a956bcbbc30af6046b0425651486ec"}]
    c.rules = []
    c.ha[0]["group"] = "web"
    return c.snapshot()


@case("ha-restricted-group", "PVE 8 groups: adguard in a restricted group of pve1 only, traefik preferring pve1 then pve2 (restricted), web unrestricted")
def _():
    c = base()
    c.groups = [
        {"group": "dns-only", "nodes": "pve1", "restricted": 1, "type": "group",
         "digest": "5ae1ad9e52a956bcbbc30af6046b0425651486ec"},
        {"group": "web", "nodes": "pve1:2,pve2:1", "restricted": 1, "type": "group",
         "digest": "5ae1ad9e52a956bcbbc30af6046b0425651486ec"},
        {"group": "loose", "nodes": "pve3", "nofailback": 1, "type": "group",
         "digest": "5ae1ad9e52a956bcbbc30af6046b0425651486ec"},
    ]
    c.ha[0]["group"] = "web"
    c.ct(105, "pve1", "adguard-2", cores=1, memory=512,
         rootfs="nas:subvol-105-disk-0,size=8G", tags="dns")
    c.ha_resource("ct:105", group="dns-only")
    c.ct(106, "pve3", "static-web", cores=1, memory=1024,
         rootfs="nas:subvol-106-disk-0,size=8G")
    c.ha_resource("ct:106", group="loose")
    return c.snapshot()


@case("pve9-static-rules", "PVE 9.2 with crs ha=static: a strict node-affinity rule, a negative resource-affinity pair, running non-HA guests counted")
def _():
    c = base(pve="9.2.1")
    c.groups = None
    c.options["crs"] = {"ha": "static"}
    c.ct(105, "pve2", "adguard-2", cores=1, memory=512,
         rootfs="nas:subvol-105-disk-0,size=8G", tags="dns")
    c.ct(106, "pve1", "adguard", cores=1, memory=512,
         rootfs="nas:subvol-106-disk-0,size=8G", tags="dns")
    c.ha_resource("ct:105")
    c.ha_resource("ct:106")
    c.rules = [
        {"rule": "web-on-big-nodes", "type": "node-affinity", "nodes": "pve1:2,pve2:1",
         "resources": "vm:101", "strict": 1, "order": 1,
         "digest": "2fd3489a055c8c8a3906742778e5d69cbbd0263b"},
        {"rule": "keep-dns-apart", "type": "resource-affinity", "affinity": "negative",
         "resources": "ct:105,ct:106", "order": 2,
         "digest": "2fd3489a055c8c8a3906742778e5d69cbbd0263b"},
    ]
    return c.snapshot()


@case("mixed-versions", "a rolling upgrade: pve1 on 9.1, pve2 and pve3 still on 8.4, groups in use")
def _():
    c = base()
    c.groups = [{"group": "web", "nodes": "pve1,pve2", "type": "group",
                 "digest": "5ae1ad9e52a956bcbbc30af6046b0425651486ec"}]
    c.ha[0]["group"] = "web"
    snap = c.snapshot()
    snap["api"]["/nodes/pve1/status"]["pveversion"] = "pve-manager/9.1.7/7f3c0e1a9b2d4c58"
    snap["api"]["/version"] = version("9.1.7")
    return snap


HOSTILE = [
    "x'; rm -rf / #",
    "$(reboot)",
    "`reboot`",
    "dns\nrm -rf /",
    "ÜberDNS-🚀-日本",
    "a\"b\\c|d;e&f>g<h",
    "-rf",
    "",
]


@case("hostile-names", "guest names, tags and a pool that are shell, markdown and terminal hostile")
def _():
    c = base()
    c.guests[0]["config"]["hostname"] = HOSTILE[0]
    c.guests[0]["name"] = HOSTILE[0]
    c.guests[1]["config"]["name"] = HOSTILE[1]
    c.guests[1]["name"] = HOSTILE[1]
    c.guests[2]["config"]["name"] = HOSTILE[3]
    c.guests[2]["name"] = HOSTILE[3]
    c.guests[3]["config"]["hostname"] = HOSTILE[4]
    c.guests[3]["name"] = HOSTILE[4]
    c.guests[4]["config"]["name"] = HOSTILE[5]
    c.guests[4]["name"] = HOSTILE[5]
    c.guests[3]["config"]["tags"] = "critical;$(reboot);`id`"
    c.guests[2]["config"]["tags"] = "critical;x' #"
    c.ct(106, "pve3", HOSTILE[6], tags="critical", pool="$(reboot)")
    c.ct(107, "pve2", "\x1b[31mred\x1b[0m\r\t|col|", tags="critical")
    c.ct(108, "pve1", HOSTILE[7], tags="critical")
    c.guests[-1]["name"] = ""
    c.job("backup-nightly-2", all=0, vmid="100,101", comment="x'; rm -rf / # $(reboot)")
    return c.snapshot()


@case("hostile-canary", "names that touch a canary file if a script ever evaluates them (the export is run)",
      playbook="critical:\n  - { name: \"*\", level: critical, purpose: everything }\n")
def _():
    c = base()
    canaries = ["$(touch canary1)", "x'; touch canary2 #", "`touch canary3`", "a\ntouch canary4",
                "\"; touch canary5; \"", "${IFS}touch${IFS}canary6"]
    for g, name in zip(c.guests, canaries):
        key = "name" if g["kind"] == "qemu" else "hostname"
        g["config"][key] = name
        g["name"] = name
    c.ct(106, "pve1", canaries[5], tags="critical")
    c.backup = []
    return c.snapshot()


@case("hostile-cluster-name", "a cluster name, source and collectedAt that would run commands if a script or a terminal took them as code")
def _():
    c = base()
    c.name = "lab'; touch canary7 #\n$(touch canary8)`touch canary9`"
    return c.snapshot(collected="2025-11-09T10:00:00Z'\n$(touch canary10)",
                      source="x\u001b]0;pwned\u0007\n\"; touch canary11; \"")


@case("too-many-vcpus", "a VM with sockets x cores above every node's cores (QEMU would refuse to start it)")
def _():
    c = base()
    c.vm(110, "pve1", "bigvm", sockets=2, cores=16, memory=16384, tags="critical",
         disks={"scsi0": "nas:110/vm-110-disk-0.qcow2,size=80G"})
    return c.snapshot()


@case("ct-without-cores", "containers without 'cores' in their config: they may use all host cores")
def _():
    c = base()
    c.ct(111, "pve3", "pihole", cores=None, memory=256, tags="critical")
    c.ct(112, "pve1", "unbound", cores=None, memory=256)
    return c.snapshot()


@case("storage-nodes", "shared storage restricted to some nodes ('nodes' in /storage)")
def _():
    c = base()
    c.storage[2]["nodes"] = "pve1,pve2"
    c.ct(113, "pve3", "dns-local", cores=1, memory=256, tags="critical")
    return c.snapshot()


@case("backup-jobs", "a job pinned to a node, a disabled job, a pool job with exclude, no all-job")
def _():
    c = base()
    c.backup = []
    c.job("pinned-pve1", all=1, node="pve1", schedule="sun 01:00")
    c.job("disabled", all=1, enabled=0, schedule="sat 02:00")
    c.job("prod-pool", pool="prod", exclude="102", schedule="mon..fri 22:00")
    c.guests[2]["pool"] = "prod"
    c.guests[3]["pool"] = "prod"
    return c.snapshot()


@case("ha-orphan", "an HA resource whose guest does not exist, and one in error state",
      expect={"forbidden": [
          {"argv": ["ha-manager", "set", "ct:100", "--state", "stopped"], "why": "ct:100 is in HA state error: 'ha-manager set' fails with \"service 'ct:100' in error state, must be disabled and fixed first\" unless --state disabled"},
          {"argv": ["ha-manager", "set", "ct:100", "--state", "started"], "why": "ct:100 is in HA state error: 'ha-manager set' fails with \"service 'ct:100' in error state, must be disabled and fixed first\" unless --state disabled"},
      ]})
def _():
    c = base()
    c.ha_resource("vm:999")
    c.ha_resource("ct:100", state="started")
    snap = c.snapshot()
    for e in snap["api"]["/cluster/ha/status/current"]:
        if e.get("sid") == "ct:100":
            e["state"] = "error"
            e["status"] = "ct:100 (pve1, error)"
    return snap


@case("guest-unknown-node", "a guest listed on a node /cluster/status does not know")
def _():
    c = base()
    snap = c.snapshot()
    snap["api"]["/cluster/resources"].append(
        {"id": "qemu/120", "vmid": 120, "node": "ghost", "type": "qemu", "name": "lost",
         "status": "running", "maxcpu": 2, "maxmem": 2 * GIB, "mem": GIB, "template": 0})
    return snap


@case("empty-cluster", "three nodes and no guests at all")
def _():
    c = base()
    c.guests = []
    c.ha = []
    c.backup = []
    return c.snapshot()


@case("inactive-pbs", "a PBS storage that is inactive and reports 0 bytes, used by the only backup job")
def _():
    c = base()
    c.store("pbs01", "pbs", "backup", 0, 0, shared=True, active=False, server="10.0.0.60",
            datastore="store1", username="backup@pbs")
    c.backup = []
    c.job("to-pbs", all=1, storage="pbs01")
    return c.snapshot()


@case("huge-numbers", "numbers far beyond real hardware: PiB of memory, exabyte storage, 2^63-1, 1e300")
def _():
    c = base()
    c.nodes[0]["cores"] = 1_000_000
    c.nodes[0]["mem"] = 2**62
    c.usage["nas"] = (2**63 - 1, 2**62, True)
    c.vm(130, "pve2", "bigmem", cores=2, memory=2**50, tags="critical",
         disks={"scsi0": "nas:130/vm-130-disk-0.qcow2,size=999999999T",
                "scsi1": "local-lvm:vm-130-disk-1,size=8E"})
    c.ct(131, "pve3", "bigct", cores=2**40, memory=2**45, tags="critical",
         rootfs="local-lvm:vm-131-disk-0,size=99999999999999999999G")
    c.vm(132, "pve1", "overflow", sockets=2**32, cores=2**32, memory=8192)
    snap = c.snapshot()
    api = snap["api"]
    api["/nodes/pve3/status"]["memory"]["total"] = 1e300
    api["/nodes/pve3/storage"][1]["total"] = 18446744073709551615
    api["/nodes/pve3/storage"][1]["avail"] = -5
    for e in api["/cluster/resources"]:
        if e.get("vmid") == 130:
            e["maxmem"] = 2**63 - 1
            e["mem"] = 1e19
    return snap


@case("strings-everywhere", "every number and boolean as a string, as some Proxmox paths send them")
def _():
    c = base()
    snap = c.snapshot()

    def stringify(v, key=None):
        if isinstance(v, bool):
            return "1" if v else "0"
        if isinstance(v, (int, float)):
            return str(v)
        if isinstance(v, list):
            return [stringify(x) for x in v]
        if isinstance(v, dict):
            return {k: stringify(x, k) for k, x in v.items()}
        return v
    snap["api"] = {k: stringify(v) for k, v in snap["api"].items()}
    return snap


@case("nulls", "null where fields are usually absent (and where lists are usually empty)")
def _():
    c = base()
    snap = c.snapshot()
    api = snap["api"]
    for e in api["/cluster/resources"]:
        for k in ("tags", "pool", "hastate", "lock", "template", "name"):
            e.setdefault(k, None)
        if e.get("vmid") == 103:
            e["maxcpu"] = None
            e["maxmem"] = None
    api["/cluster/ha/resources"][0]["group"] = None
    api["/cluster/ha/resources"][0]["comment"] = None
    api["/cluster/backup"][0].update({"exclude": None, "pool": None, "node": None,
                                     "vmid": None, "prune-backups": None})
    api["/nodes/pve1/qemu/101/config"]["sockets"] = None
    api["/nodes/pve1/qemu/101/config"]["tags"] = None
    api["/nodes/pve1/lxc/100/config"]["cores"] = None
    api["/nodes/pve3/storage"][0]["total"] = None
    api["/nodes/pve2/status"]["cpuinfo"] = None
    api["/cluster/ha/groups"] = None
    api["/cluster/options"] = {"keyboard": None, "crs": None}
    return snap


@case("odd-values", "negative and zero figures, odd sizes, duplicate VMIDs across kinds, float cores")
def _():
    c = base()
    c.vm(140, "pve1", "neg", cores=-4, memory=-1024, disks={"scsi0": "local-lvm:vm-140-disk-0,size=-5G"})
    c.ct(141, "pve2", "zero", cores=0, memory=0, rootfs="local-lvm:vm-141-disk-0,size=0")
    c.vm(142, "pve3", "floaty", cores=2, memory=2048)
    snap = c.snapshot()
    api = snap["api"]
    api["/nodes/pve3/qemu/142/config"]["cores"] = 2.5
    api["/nodes/pve3/qemu/142/config"]["memory"] = "2048.7"
    api["/nodes/pve3/status"]["cpuinfo"]["cpus"] = 0
    api["/nodes/pve2/storage"][1]["total"] = 0
    api["/nodes/pve2/storage"][1]["used"] = 5 * GIB
    return snap


@case("big-flat", "a 64-core node with 60 guests (12 critical, all on local storage) next to a 4-core one")
def _():
    c = base(nodes=(("pve1", 64, 512), ("pve2", 4, 8)))
    c.guests = []
    c.ha = []
    for i in range(60):
        vmid = 1000 + i
        if i % 2:
            c.ct(vmid, "pve1", f"svc-{i:03d}", cores=1 + i % 4, memory=256 * (1 + i % 8),
                 tags="critical" if i % 5 == 0 else None)
        else:
            c.vm(vmid, "pve1", f"vm-{i:03d}", cores=1 + i % 8, memory=512 * (1 + i % 8),
                 tags="critical" if i % 5 == 0 else None,
                 disks={"scsi0": f"local-lvm:vm-{vmid}-disk-0,size={8 + i % 50}G"})
    return c.snapshot()


@case("playbook-extremes", "a valid playbook at the edges: zero reserves and tolerances, no moves, 0.5 vCPU per core",
      playbook="""name: extremes
critical:
  - { name: "*", level: critical, purpose: everything }
ha: { max_restart: 0, max_relocate: 0, levels: [critical, high, medium, low] }
capacity:
  vcpu_per_core: 0.5
  memory_reserve: 0
  local_storage_reserve: 100%
  share_tolerance: 0
  storage_warn: 0
  storage_critical: 0
migration: { max_moves: 0, max_parallel_per_node: 1, timeout: 1s }
backup: { retention: { keep-daily: 1 } }
""")
def _():
    return base().snapshot()


@case("playbook-hostile-text", "a playbook whose name and purposes are long, multi-line and shell-hostile",
      playbook="name: \"x'; rm -rf / # $(reboot)\"\n"
      "description: \"line one\\nline two\"\n"
      "critical:\n"
      "  - { tag: critical, level: critical, purpose: \"" + "very long purpose " * 300 + "\" }\n"
      "  - { name: \"post*\", level: high, purpose: \"semi; `reboot` $(id) 'q' \\\"dq\\\"\" }\n")
def _():
    c = base()
    c.backup = []
    return c.snapshot()


@case("unmovable-guests", "guests that cannot migrate: PCI/USB passthrough, a raw host disk, a bind mount, a lock, a template",
      expect={"forbidden": [
          {"argv": ["qm", "migrate", "150"], "why": "vm:150 has hostpci0: Proxmox refuses 'can't migrate VM which uses local devices: hostpci0'"},
          {"argv": ["qm", "migrate", "151"], "why": "vm:151 has usb0 (host=…): Proxmox refuses 'can't migrate VM which uses local devices: usb0'"},
          {"argv": ["ha-manager", "add", "vm:150"], "why": "vm:150 has hostpci0: HA cannot start it on any other node"},
          {"argv": ["ha-manager", "add", "vm:151"], "why": "vm:151 has usb0 (host=…): HA cannot start it on any other node"},
          {"argv": ["qm", "migrate", "154"], "why": "vm:154 is locked (backup): Proxmox refuses 'VM is locked (backup)'"},
          {"argv": ["qm", "disk", "move", "154"], "why": "vm:154 is locked (backup): Proxmox refuses 'VM is locked (backup)'"},
      ]},
      playbook="""name: unmovable
critical:
  - { name: "*", level: critical, purpose: everything }
capacity: { vcpu_per_core: 1 }
""")
def _():
    c = base()
    # pve3 (4 cores) is overloaded with guests that cannot leave it.
    c.vm(150, "pve3", "gpu-worker", cores=4, memory=4096, hostpci0="0000:01:00.0,pcie=1",
         disks={"scsi0": "local-lvm:vm-150-disk-0,size=32G"})
    c.vm(151, "pve3", "usb-dongle", cores=2, memory=1024, usb0="host=1a86:7523",
         disks={"scsi0": "nas:151/vm-151-disk-0.qcow2,size=16G"})
    c.vm(152, "pve3", "raw-disk", cores=2, memory=1024,
         disks={"scsi0": "nas:152/vm-152-disk-0.qcow2,size=16G",
                "scsi1": "/dev/disk/by-id/ata-WDC_WD40EFRX-68N32N0_WD-WCC7K0000001,size=3726G"})
    c.ct(153, "pve3", "bind-mount", cores=2, memory=512, rootfs="nas:subvol-153-disk-0,size=8G",
         mp0="/srv/media,mp=/media")
    c.vm(154, "pve3", "locked", cores=2, memory=1024, lock="backup",
         disks={"scsi0": "nas:154/vm-154-disk-0.qcow2,size=16G"})
    c.vm(155, "pve3", "template", cores=2, memory=1024, template=1, status="stopped",
         disks={"scsi0": "nas:base-155-disk-0,size=16G"})
    snap = c.snapshot()
    for e in snap["api"]["/cluster/resources"]:
        if e.get("vmid") == 154:
            e["lock"] = "backup"
        if e.get("vmid") == 155:
            e["template"] = 1
    return snap


@case("node-maintenance", "pve2 in HA maintenance mode: nothing may be moved onto it",
      expect={"forbidden": [
          {"argv": ["qm", "migrate", "*", "pve2"], "why": "pve2 is in HA maintenance mode (its admin is about to take it down)"},
          {"argv": ["pct", "migrate", "*", "pve2"], "why": "pve2 is in HA maintenance mode (its admin is about to take it down)"},
          {"argv": ["ha-manager", "migrate", "*", "pve2"], "why": "pve2 is in HA maintenance mode: the CRM will not place services there"},
      ]},
      playbook="""name: maintenance
capacity: { vcpu_per_core: 1 }
""")
def _():
    c = base()
    c.vm(160, "pve3", "busy-1", cores=4, memory=2048, disks={"scsi0": "nas:160/vm-160-disk-0.qcow2,size=8G"})
    c.vm(161, "pve3", "busy-2", cores=4, memory=2048, disks={"scsi0": "nas:161/vm-161-disk-0.qcow2,size=8G"})
    snap = c.snapshot()
    for e in snap["api"]["/cluster/resources"]:
        if e.get("id") == "node/pve2":
            e["hastate"] = "maintenance"
    for e in snap["api"]["/cluster/ha/status/current"]:
        if e.get("id") == "lrm:pve2":
            e["status"] = "pve2 (maintenance mode, Sun Nov  9 09:59:58 2025)"
    return snap


@case("quorum-lost", "two of three nodes offline: the cluster is not quorate",
      expect={"forbidden": [
          {"argv": ["*"], "why": "without quorum /etc/pve is read-only: ha-manager add needs quorum (check_cfs_quorum), pct move-volume and every config change fail; only advice can help"},
      ]})
def _():
    c = base()
    c.nodes[1]["online"] = False
    c.nodes[2]["online"] = False
    snap = c.snapshot()
    for e in snap["api"]["/cluster/ha/status/current"]:
        if e.get("type") == "quorum":
            e["quorate"] = 0
            e["status"] = "No quorum on node 'pve1'!"
    return snap


@case("pve7", "a PVE 7.4 cluster (still in the field): groups, old version strings")
def _():
    c = base(pve="7.4.17")
    snap = c.snapshot()
    for k, v in snap["api"].items():
        if k.endswith("/status") and isinstance(v, dict) and "pveversion" in v:
            v["pveversion"] = "pve-manager/7.4-17/513c62be"
    return snap


@case("no-cluster-status", "an empty /cluster/status (pmxcfs hiccup): nodes known only from /cluster/resources")
def _():
    c = base()
    snap = c.snapshot()
    snap["api"]["/cluster/status"] = []
    return snap


@case("duplicates-and-mismatches", "a guest listed twice, an HA resource typed vm: for a container, a VMID used by a VM and a CT, unknown resource types")
def _():
    c = base()
    c.ha_resource("vm:103")
    snap = c.snapshot()
    res = snap["api"]["/cluster/resources"]
    dup = [e for e in res if e.get("vmid") == 102][0]
    res.append(dict(dup))
    res.append({"id": "lxc/101", "vmid": 101, "node": "pve3", "type": "lxc", "name": "twin",
                "status": "running", "maxcpu": 1, "maxmem": 512 * MIB, "mem": 100 * MIB})
    res.append({"id": "network/pve1/vmbr0", "type": "network", "node": "pve1", "network": "vmbr0"})
    res.append({"id": "sdn/pve1/localnetwork", "type": "sdn", "node": "pve1", "sdn": "localnetwork", "status": "ok"})
    res.append({"id": "pool/prod", "type": "pool", "pool": "prod"})
    snap["api"]["/nodes/pve3/lxc/101/config"] = {"hostname": "twin", "cores": 1, "memory": 512,
                                                  "rootfs": "local-lvm:vm-101-disk-0,size=4G"}
    snap["api"]["/storage"].append(dict(snap["api"]["/storage"][0]))
    return snap


# --- malformed inputs (exit 2) -----------------------------------------------------------------

def bad(name, about, stderr, files, args=None):
    CASES[name] = (about, files, {"exit": 2, "stderr": stderr, **({"args": args} if args else {})}, None)


def base_text():
    return json.dumps(base().snapshot(), indent=1, sort_keys=True)


def truncated():
    text = base_text()
    return {"snapshot.json": text[: len(text) * 2 // 3]}


bad("bad-truncated-json", "the snapshot file cut off two thirds through",
    ["snapshot.json", "$.api", "line"], truncated)
bad("bad-wrong-format", "a 'format' other than pvemend-snapshot/1",
    ["snapshot.json", "pvemend-snapshot/2", "pvemend-snapshot/1"],
    lambda: {"snapshot.json": base_text().replace("pvemend-snapshot/1", "pvemend-snapshot/2")})


def missing_path():
    snap = base().snapshot()
    del snap["api"]["/cluster/resources"]
    return {"snapshot.json": json.dumps(snap, sort_keys=True)}


bad("bad-missing-path", "the snapshot lacks /cluster/resources",
    ["snapshot.json", "/cluster/resources", "pvesh get"], missing_path)


def missing_node_status():
    snap = base().snapshot()
    del snap["api"]["/nodes/pve2/status"]
    return {"snapshot.json": json.dumps(snap, sort_keys=True)}


bad("bad-missing-node-status", "an online node's /nodes/<node>/status is absent",
    ["snapshot.json", "/nodes/pve2/status", "pvesh get"], missing_node_status)


def wrong_shape():
    snap = base().snapshot()
    snap["api"]["/cluster/resources"] = {"data": []}
    return {"snapshot.json": json.dumps(snap, sort_keys=True)}


bad("bad-wrong-shape", "a response of the wrong shape (an object where pvesh prints an array)",
    ["snapshot.json", "/cluster/resources"], wrong_shape)


def not_json():
    return {"snapshot.json": "format: pvemend-snapshot/1\napi: {}\n"}


bad("bad-not-json", "YAML handed in as the snapshot", ["snapshot.json", "line 1"], not_json)


def empty_file():
    return {"snapshot.json": ""}


bad("bad-empty-file", "a 0-byte snapshot file", ["snapshot.json"], empty_file)


def binary_file():
    return {"snapshot.json": bytes(range(256)) * 4}


bad("bad-binary-file", "random bytes instead of JSON", ["snapshot.json"], binary_file)


def with_playbook(text):
    return lambda: {"snapshot.json": json.dumps(base().snapshot(), sort_keys=True),
                    "playbook.yaml": text}


bad("bad-yaml-typo", "a misspelt key in the playbook",
    ["playbook.yaml:3", "max_restarts", "max_restart"],
    with_playbook("name: typo\nha:\n  max_restarts: 3\n"))
bad("bad-yaml-wrong-type", "a string where the playbook wants an integer",
    ["playbook.yaml:4", "max_restart", "integer"],
    with_playbook("name: wrong-type\nha:\n  state: started\n  max_restart: three\n"))
bad("bad-yaml-syntax", "a YAML syntax error (unclosed flow mapping)",
    ["playbook.yaml:", "yaml syntax"],
    with_playbook("name: syntax\ncritical: [ { name: traefik, level: critical\n"))
bad("bad-yaml-unknown-rule", "an unknown rule id under actions",
    ["playbook.yaml:3", "ha.unprotectd", "ha.unprotected"],
    with_playbook("name: unknown-rule\nactions:\n  ha.unprotectd: advise\n"))
bad("bad-yaml-not-mapping", "a playbook whose top level is a list",
    ["playbook.yaml:1"],
    with_playbook("- name: list\n- critical: []\n"))
bad("bad-yaml-huge-ratio", "vcpu_per_core far beyond any hardware",
    ["playbook.yaml:3", "vcpu_per_core"],
    with_playbook("name: huge\ncapacity:\n  vcpu_per_core: 1e300\n"))
bad("bad-yaml-huge-reserve", "a memory reserve of exabytes",
    ["playbook.yaml:3", "memory_reserve"],
    with_playbook("name: huge\ncapacity:\n  memory_reserve: 8000000T\n"))
bad("bad-yaml-huge-duration", "a migration timeout that overflows when read",
    ["playbook.yaml:3", "timeout"],
    with_playbook("name: huge\nmigration:\n  timeout: 99999999999999999h\n"))
bad("bad-yaml-multiline-purpose", "a purpose with a line feed (it would end up in a Proxmox comment)",
    ["playbook.yaml:3", "purpose", "one line"],
    with_playbook("name: ml\ncritical:\n  - { tag: critical, level: critical, purpose: \"two\\nlines\" }\n"))
bad("bad-missing-file", "the snapshot file does not exist",
    ["nonexistent.json", "no such file"], lambda: {}, args={"snapshot": "nonexistent.json"})


# --- writing ---------------------------------------------------------------------------------

def write(path, content):
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
        f.write(content)


def main():
    for name, (about, fn, expect, playbook) in CASES.items():
        folder = os.path.join(HERE, name)
        os.makedirs(folder, exist_ok=True)
        for stale in ("snapshot.json", "playbook.yaml", "expect.json"):
            if os.path.exists(os.path.join(folder, stale)):
                os.remove(os.path.join(folder, stale))
        result = fn()
        meta = {"about": about}
        if expect:
            meta.update(expect)
        if isinstance(result, dict) and "format" in result and "api" in result:
            write(os.path.join(folder, "snapshot.json"),
                  json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        else:
            for fname, content in result.items():
                write(os.path.join(folder, fname), content)
        if playbook:
            write(os.path.join(folder, "playbook.yaml"), playbook)
        write(os.path.join(folder, "expect.json"), json.dumps(meta, indent=1, sort_keys=True) + "\n")
    print(f"{len(CASES)} cases written under {HERE}")


if __name__ == "__main__":
    main()
