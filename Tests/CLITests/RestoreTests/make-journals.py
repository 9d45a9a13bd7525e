#!/usr/bin/env python3
"""Writes the restore-test journal fixtures of AuditRestoreTestsTests (deterministic times).

restore-test.json is `pvemend restore-test examples/pve9-rules-cluster.json --playbook
playbooks/default.yaml --guests 210,204,201 --out restore-test.json`. The tests stage it with the
example as snapshot.json and a copy of the plan as night.json.
The journals are what `pvemend apply PLAN --execute` writes, with fixed times and durations:
- night.json.journal.jsonl (the same plan, saved as night.json): ct:210 restored, then the run was
  interrupted (incomplete); vm:204's `qm set` failed (failed); vm:201's restore failed (failed);
- restore-test.json.journal.jsonl: everything succeeded but vm:201's agent wait (timed out).
Run it from this folder: python3 make-journals.py
"""
import hashlib, json

plan_bytes = open("restore-test.json", "rb").read()
digest = "sha256:" + hashlib.sha256(plan_bytes).hexdigest()
plan = json.loads(plan_bytes)
steps = {s["id"]: s for s in plan["steps"]}


def stamp(t):
    h, rest = divmod(t, 3600)
    m, s = divmod(rest, 60)
    return "T%02d:%02d:%02dZ" % (h, m, s)


def journal(day, start, path, results, interrupted_after=None):
    """results: step id -> (outcome, duration, detail); steps missing are not run."""
    t = start
    run = day + stamp(t) + "/execute/1"
    out = []

    def entry(event, **kw):
        e = {"event": event, "time": day + stamp(int(t)), "run": run}
        e.update(kw)
        out.append(e)

    entry("run-start", mode="execute", planDigest=digest, planPath=path, tool=plan["tool"],
          cluster=plan["cluster"], pveMajor=plan["pveMajor"], haPlacement=plan["haPlacement"])
    for sid, s in steps.items():
        if sid not in results:
            continue
        outcome, duration, detail = results[sid]
        entry("step-start", step=sid, kind=s["kind"], title=s["title"],
              nodes=sorted({c["node"] for c in s["commands"]} or {s.get("wait", {}).get("node", "")}),
              count=len(s["commands"]))
        t += duration
        kw = dict(step=sid, kind=s["kind"], title=s["title"], outcome=outcome, duration=duration)
        if detail:
            kw["detail"] = detail
        entry("step-end", **kw)
        t += 0.5
        if interrupted_after == sid:
            break
    counts = {}
    for o, _, _ in results.values():
        counts[o] = counts.get(o, 0) + 1
    entry("run-end", mode="execute", exitCode=130 if interrupted_after else 1,
          outcome="interrupted" if interrupted_after else "failed", counts=counts)
    return "".join(json.dumps(e, sort_keys=True, separators=(",", ":")) + "\n" for e in out)


ok = "succeeded"
night = {
    "s01": (ok, 38.25, None),
    "s05": (ok, 91.5, None),
    "s06": ("failed", 1.25, "qm set 99901 exited 255: unable to parse network options"),
    "s10": (ok, 4.0, None),
    "s11": ("failed", 12.75, "qmrestore exited 255: PBS datastore pbs01 unreachable"),
}
open("night.json.journal.jsonl", "w").write(
    journal("2026-04-14", 1 * 3600, "night.json", night, interrupted_after="s11"))

morning = {
    "s01": (ok, 41.5, None), "s02": (ok, 6.25, None), "s03": (ok, 3.0, None),
    "s04": (ok, 2.5, None),
    "s05": (ok, 95.25, None), "s06": (ok, 1.5, None), "s07": (ok, 7.75, None),
    "s08": (ok, 21.5, None), "s09": (ok, 4.25, None), "s10": (ok, 3.5, None),
    "s11": (ok, 182.0, None), "s12": (ok, 1.5, None), "s13": (ok, 8.5, None),
    "s14": ("failed", 300.0, "the guest agent of vm:99902 did not answer within 300 s"),
    "s15": (ok, 5.0, None), "s16": (ok, 3.75, None),
}
open("restore-test.json.journal.jsonl", "w").write(
    journal("2026-04-14", 9 * 3600, "restore-test.json", morning))
