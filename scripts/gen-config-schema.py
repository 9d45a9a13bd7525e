#!/usr/bin/env python3
"""Generates Sources/PVEConfig/ConfigSchema+Generated.swift: the type of every guest config key.

Inputs (facts, no code is copied):
  * ../shared/pve-api/endpoints.json: the parameter schemas of PUT and POST
    /nodes/{node}/qemu/{vmid}/config and PUT /nodes/{node}/lxc/{vmid}/config, PVE 8.4 and 9.1
    (pve-docs api-viewer/apidata.js). A key's JSON type (boolean, integer, number, string) and whether
    it names a PVE `format` (qemu-server's check_type strips surrounding double quotes only from
    string values WITHOUT a format).
  * Keys the config API does not accept but the config file holds (qemu-server
    PVE::QemuServer::json_config_properties skips them unless $with_snapshot_info; pve-container
    PVE::LXC::Config::json_config_properties skips parent and snaptime), with their $confdesc types.
  * Index ranges of the indexed keys (net[n], scsi[n], ...): the "(n is 0 to N)" in the schema
    description where there is one, else the constants in qemu-server / pve-container (listed below
    with their source).
  * Optionally (--lxc-config PATH to pve-container src/PVE/LXC/Config.pm): the names in
    $valid_lxc_conf_keys (1 = valid, a string = the refusal Proxmox prints).

Usage: scripts/gen-config-schema.py [--endpoints PATH] [--lxc-config PATH] > Sources/PVEConfig/ConfigSchema+Generated.swift
       swift format -i Sources/PVEConfig/ConfigSchema+Generated.swift
"""
import argparse
import json
import re
import sys

# Parameters of the config API that are not config keys (request options).
API_ONLY = {"node", "vmid", "delete", "revert", "digest", "force", "skiplock", "background_delay",
            "import-working-storage"}

# Keys in the file but not in the set/create API (json_config_properties skips them).
# qemu-server src/PVE/QemuServer.pm $confdesc: parent (pve-snapshot-name, a format), snaptime
# (integer), vmstate (pve-volume-id), runningmachine (pve-qemu-machine), runningcpu (pattern only),
# running-nets-host-mtu (pattern only), meta (meta_info_fmt).
# pve-container src/PVE/LXC/Config.pm $confdesc: parent (pve-configid), snaptime (integer).
EXTRA = {
    "qemu": {"parent": ("string", True), "snaptime": ("integer", False), "vmstate": ("string", True),
             "runningmachine": ("string", True), "runningcpu": ("string", False),
             "running-nets-host-mtu": ("string", False), "meta": ("string", True)},
    "lxc": {"parent": ("string", True), "snaptime": ("integer", False)},
}

# Highest index + 1 of the indexed keys whose schema description does not say "(n is 0 to N)".
# qemu-server: $MAX_NETS = 32 (QemuServer.pm; net, ipconfig), $MAX_NUMA = 8 (QemuServer/Memory.pm),
# $MAX_VIRTIOFS = 10 (QemuServer/Virtiofs.pm), $MAX_HOSTPCI_DEVICES = 16 (QemuServer/PCI.pm),
# $MAX_USB_DEVICES = 14 (QemuServer/USB.pm), $MAX_UNUSED_DISKS = 256 (QemuServer/Drive.pm),
# $MAX_IDE_DISKS 4, $MAX_SCSI_DISKS 31, $MAX_VIRTIO_DISKS 16, $MAX_SATA_DISKS 6 (Drive.pm),
# $MAX_SERIAL_PORTS 4, $MAX_PARALLEL_PORTS 3 (QemuServer.pm).
# pve-container src/PVE/LXC/Config.pm: $MAX_MOUNT_POINTS = 256, $MAX_UNUSED_DISKS = 256,
# $MAX_DEVICES = 256, $MAX_LXC_NETWORKS = 32.
COUNTS = {
    "qemu": {"net": 32, "ipconfig": 32, "numa": 8, "virtiofs": 10, "hostpci": 16, "usb": 14,
             "unused": 256, "ide": 4, "scsi": 31, "virtio": 16, "sata": 6, "serial": 4,
             "parallel": 3},
    "lxc": {"mp": 256, "unused": 256, "dev": 256, "net": 32},
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoints", default="../shared/pve-api/endpoints.json")
    ap.add_argument("--lxc-config")
    args = ap.parse_args()
    data = json.load(open(args.endpoints))

    tables = {"qemu": {}, "lxc": {}}
    for ep in data["endpoints"]:
        m = re.fullmatch(r"/nodes/\{node\}/(qemu|lxc)/\{vmid\}/config", ep["path"])
        if not m or ep["method"] not in ("PUT", "POST"):
            continue
        kind = m.group(1)
        for version in ("pve8", "pve9"):
            block = ep.get(version)
            if not block:
                continue
            for name, prop in block["parameters"]["properties"].items():
                if name in API_ONLY:
                    continue
                typ = prop["type"]
                has_format = bool(prop.get("format"))
                indexed = name.endswith("[n]")
                base = name  # "numa" (boolean) and "numa[n]" (NUMA nodes) are different keys
                count = None
                if indexed:
                    d = prop.get("description", "")
                    mm = re.search(r"\(n is 0 to (\d+)", d)
                    stem = name[:-3]
                    count = int(mm.group(1)) + 1 if mm else COUNTS[kind][stem]
                    if mm and stem in COUNTS[kind] and COUNTS[kind][stem] != count:
                        # The description may state the default maximum; the source constant wins.
                        count = max(count, COUNTS[kind][stem])
                entry = (typ, has_format, count, version)
                old = tables[kind].get(base)
                if old and (old[0], old[1], old[2]) != (typ, has_format, count):
                    print(f"note: {kind} {base}: {old} vs {entry}", file=sys.stderr)
                if not old or version == "pve9":
                    since = old[3] if old else version
                    tables[kind][base] = (typ, has_format, count, since)
        for base, (typ, fmt) in EXTRA[kind].items():
            tables[kind].setdefault(base, (typ, fmt, None, "source"))

    lxc_keys = {}
    if args.lxc_config:
        text = open(args.lxc_config).read()
        block = re.search(r"my \$valid_lxc_conf_keys = \{(.*?)\n\};", text, re.S).group(1)
        for km in re.finditer(r"'(lxc\.[^']+)'\s*=>\s*(1|'(?:[^'\\]|\\.)*'(?:\s*\.\s*'(?:[^'\\]|\\.)*')*)", block):
            key, val = km.group(1), km.group(2)
            if val == "1":
                lxc_keys[key] = None
            else:
                lxc_keys[key] = "".join(re.findall(r"'((?:[^'\\]|\\.)*)'", val)).replace("\\'", "'")

    deprecated = {}
    if args.lxc_config:
        block = re.search(r"my \$deprecated_lxc_conf_keys = \{(.*?)\n\};", text, re.S).group(1)
        for km in re.finditer(r"'(lxc\.[^']+)'\s*=>\s*'([^']+)'", block):
            deprecated[km.group(1)] = km.group(2)

    out = []
    out.append("// Generated by scripts/gen-config-schema.py from ../shared/pve-api/endpoints.json")
    out.append("// (PVE 8.4 + 9.1 config API schemas) and the qemu-server / pve-container constants")
    out.append("// listed in the script. Do not edit: re-run the script.")
    out.append("")
    out.append("extension ConfigSchema {")
    for kind in ("qemu", "lxc"):
        out.append(f"  /// {kind} keys: type, and whether the schema names a format.")
        out.append(f"  static let {kind}Keys: [String: KeySchema] = [")
        for base in sorted(k for k in tables[kind] if not k.endswith("[n]")):
            typ, fmt, count, since = tables[kind][base]
            out.append(f'    "{base}": KeySchema(type: .{typ}, hasFormat: {str(fmt).lower()}),')
        out.append("  ]")
        out.append("")
        out.append(f"  /// {kind} indexed keys (`net0`...): type, format, and how many indexes Proxmox defines.")
        out.append(f"  static let {kind}IndexedKeys: [String: KeySchema] = [")
        for base in sorted(k for k in tables[kind] if k.endswith("[n]")):
            typ, fmt, count, since = tables[kind][base]
            out.append(f'    "{base[:-3]}": KeySchema(type: .{typ}, hasFormat: {str(fmt).lower()}, count: {count}),')
        out.append("  ]")
        out.append("")
    out.append("  /// pve-container $valid_lxc_conf_keys: nil = accepted, else the refusal Proxmox prints.")
    out.append("  static let lxcRawKeys: [String: String?] = [")
    for key in sorted(lxc_keys):
        v = lxc_keys[key]
        out.append(f'    "{key}": nil,' if v is None else f'    "{key}": {json.dumps(v)},')
    if not lxc_keys:
        out.append("    :")
    out.append("  ]")
    out.append("")
    out.append("  /// pve-container $deprecated_lxc_conf_keys: old name -> new name (accepted with a warning).")
    out.append("  static let lxcDeprecatedRawKeys: [String: String] = [")
    for key in sorted(deprecated):
        out.append(f'    "{key}": "{deprecated[key]}",')
    if not deprecated:
        out.append("    :")
    out.append("  ]")
    out.append("}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
