import Testing

@testable import Playbook

/// Every class of playbook error names the file, the line and what to write instead.
@Suite struct PlaybookErrorTests {
  /// Decodes `yaml` expecting an error; returns it (or records a failure).
  func failure(_ yaml: String, file: String = "homelab.yaml") -> PlaybookError? {
    do {
      let policy = try PlaybookDecoder.decode(yaml, file: file)
      Issue.record("expected an error, decoded \(policy.name)")
      return nil
    } catch {
      return error
    }
  }

  @Test func typoNamesLineSuggestionAndAcceptedKeys() throws {
    let yaml = """
      name: homelab
      ha:
        state: started
        max_restarts: 3
      """
    let error = try #require(failure(yaml))
    #expect(error.line == 4)
    #expect(
      error.description
        == "homelab.yaml:4: unknown key 'max_restarts' in ha; did you mean 'max_restart'? accepted: state, max_restart, max_relocate, spread, levels, start_stopped, shared_storage, id_prefix"
    )
  }

  /// The failover limits: a typo gets a suggestion; a limit below the everyday ceiling (vCPUs) or
  /// above it (reserve) is refused with an example; set ones decode, unset ones default.
  @Test func failoverLimits() throws {
    let typo = try #require(failure("capacity:\n  failover_vcpu_per_cores: 6\n"))
    #expect(typo.line == 2)
    #expect(typo.message.contains("did you mean 'failover_vcpu_per_core'?"))
    let low = try #require(
      failure("capacity:\n  vcpu_per_core: 4\n  failover_vcpu_per_core: 3\n"))
    #expect(low.line == 3)
    #expect(low.message.contains("is below capacity.vcpu_per_core (4.0)"))
    #expect(low.message.contains("failover_vcpu_per_core: 6.0"))
    let high = try #require(
      failure("capacity:\n  memory_reserve: 4GiB\n  failover_memory_reserve: 8GiB\n"))
    #expect(high.line == 3)
    #expect(high.message.contains("is above capacity.memory_reserve (4.0 GiB)"))
    let set = try PlaybookDecoder.decode(
      "capacity:\n  vcpu_per_core: 4\n  failover_vcpu_per_core: 5\n  failover_memory_reserve: 1GiB\n",
      file: "x.yaml")
    #expect(set.capacity.failoverVCPUPerCore == 5)
    #expect(set.capacity.failoverMemoryReserve == 1 << 30)
    let unset = try PlaybookDecoder.decode("capacity:\n  vcpu_per_core: 4\n", file: "x.yaml")
    #expect(unset.capacity.failoverVCPUPerCore == 6)
    #expect(unset.capacity.failoverMemoryReserve == 2 << 30)
  }

  @Test func camelCaseKeySuggestsSnakeCase() throws {
    let error = try #require(failure("capacity:\n  vcpuPerCore: 4\n"))
    #expect(error.line == 2)
    #expect(error.message.contains("did you mean 'vcpu_per_core'?"))
  }

  @Test func unknownTopLevelKeyWithoutCloseMatchListsAccepted() throws {
    let error = try #require(failure("name: x\nfrobnicate: 1\n"))
    #expect(error.line == 2)
    #expect(error.message.hasPrefix("unknown key 'frobnicate' in the top level; accepted: name,"))
    #expect(!error.message.contains("did you mean"))
  }

  @Test func wrongTypeNamesExpectedTypeAndExample() throws {
    let error = try #require(failure("ha:\n  max_restart: three\n"))
    #expect(
      error.description
        == "homelab.yaml:2: ha.max_restart must be an integer, got 'three'; example: max_restart: 3"
    )
  }

  @Test func listWhereMappingBelongs() throws {
    let error = try #require(failure("name: x\n\nha: [1, 2]\n"))
    #expect(error.line == 3)
    #expect(error.message.contains("ha must be a mapping, got a list"))
  }

  @Test func badEnumListsAcceptedValues() throws {
    let yaml = """
      critical:
        - { vmid: 110, level: critical }
        - { vmid: 114, level: urgent }
      """
    let error = try #require(failure(yaml))
    #expect(error.line == 3)
    #expect(
      error.message
        == "critical[1].level 'urgent' is not a criticality level; accepted: critical, high, medium, low"
    )
  }

  @Test func badBackupModeSuggests() throws {
    let error = try #require(failure("backup:\n  mode: snapshots\n"))
    #expect(error.message.contains("did you mean 'snapshot'?"))
    #expect(error.message.hasSuffix("accepted: snapshot, suspend, stop"))
  }

  @Test func cronScheduleIsRefusedNamingTheCalendarFormat() throws {
    let error = try #require(failure("backup:\n  job_id: nightly\n  schedule: 0 2 * * *\n"))
    #expect(error.line == 3)
    #expect(error.message.contains("looks like cron"))
    #expect(error.message.contains("[WEEKDAY] [[YEARS-]MONTHS-DAYS] [HOURS:MINUTES[:SECONDS]]"))
    #expect(error.message.contains("'02:00'"))
  }

  @Test func invalidCalendarEventIsRefused() throws {
    let error = try #require(failure("backup:\n  schedule: '25:00'\n"))
    #expect(error.line == 2)
    #expect(error.message.contains("backup.schedule"))
  }

  @Test func unknownRuleIdListsKnownRules() throws {
    let error = try #require(
      failure("actions:\n  ha.unprotected: enable-ha\n  ha.unprotect: advise\n"))
    #expect(error.line == 3)
    #expect(
      error.message.contains(
        "unknown key 'ha.unprotect' in actions; did you mean 'ha.unprotected'?"))
    for rule in FindingAction.knownRules { #expect(error.message.contains(rule)) }
  }

  @Test func unknownActionAndInapplicableAction() throws {
    let unknown = try #require(failure("actions:\n  node.small: upgrade\n"))
    #expect(
      unknown.message.contains("accepted: enable-ha, rebalance, create-backup-job, advise, ignore"))
    let misplaced = try #require(failure("actions:\n  storage.usage: enable-ha\n"))
    #expect(misplaced.line == 2)
    #expect(
      misplaced.message
        == "action 'enable-ha' cannot act on storage.usage findings; accepted for storage.usage: advise, ignore"
    )
  }

  @Test func jobIdMustBeAConfigID() throws {
    let error = try #require(failure("backup:\n  job_id: 1daily\n"))
    #expect(error.message.contains("^[a-z][a-z0-9_-]+$"))
    let dotted = try #require(failure("backup:\n  job_id: daily.job\n"))
    #expect(dotted.message.contains("not a valid proxmox job id"))
    let single = try #require(failure("backup:\n  job_id: d\n"))
    #expect(single.line == 2)
  }

  @Test func haIdPrefixMustStartAConfigID() throws {
    let error = try #require(failure("ha:\n  id_prefix: 9x-\n"))
    #expect(error.message.contains("pve-configid"))
    let spaced = try #require(failure("ha:\n  id_prefix: 'pve mend'\n"))
    #expect(spaced.line == 2)
  }

  @Test func reserveFractionsMustLieInZeroToOne() throws {
    let percent = try #require(failure("capacity:\n  local_storage_reserve: 10\n"))
    #expect(percent.message.contains("write '10%'"))
    let over = try #require(failure("capacity:\n  storage_warn: 120%\n"))
    #expect(over.message.contains("between 0 and 1"))
    let order = try #require(failure("capacity:\n  storage_warn: 95%\n  storage_critical: 90%\n"))
    #expect(order.message.contains("above capacity.storage_critical"))
  }

  @Test func vcpuPerCoreMustBePositive() throws {
    let error = try #require(failure("capacity:\n  vcpu_per_core: 0\n"))
    #expect(error.message.contains("greater than 0"))
  }

  @Test func retentionValuesAndKeepAll() throws {
    let zero = try #require(failure("backup:\n  retention: {keep-daily: 0}\n"))
    #expect(zero.message.contains("at least 1"))
    let combined = try #require(
      failure("backup:\n  retention:\n    keep-daily: 7\n    keep-all: 1\n"))
    #expect(combined.line == 4)
    #expect(combined.message.contains("keep-all cannot be combined"))
    let typo = try #require(failure("backup:\n  retention: {keep_daily: 30}\n"))
    #expect(typo.message.contains("did you mean 'keep-daily'?"))
  }

  @Test func sizesAndDurations() throws {
    let size = try #require(failure("capacity:\n  memory_reserve: lots\n"))
    #expect(size.message.contains("a size like 4GiB"))
    let duration = try #require(failure("migration:\n  timeout: 15 minutes\n"))
    #expect(duration.message.contains("a duration like 900"))
  }

  @Test func selectorsMustSelect() throws {
    let empty = try #require(failure("critical:\n  - { level: high }\n"))
    #expect(empty.message.contains("selects no guest"))
    let vmid = try #require(failure("migration:\n  never_move: [42]\n"))
    #expect(vmid.message.contains("not a proxmox vmid"))
    let word = try #require(failure("migration:\n  never_move: [traefik]\n"))
    #expect(word.message.contains("must be a guest selector"))
    let single = try #require(failure("keep_apart:\n  - { name: one, guests: [110] }\n"))
    #expect(single.message.contains("at least two guests"))
  }

  @Test func missingLevelIsNamed() throws {
    let error = try #require(failure("critical:\n  - { vmid: 110 }\n"))
    #expect(error.message.contains("needs 'level'"))
  }

  @Test func unquotedGlobGetsAHint() throws {
    let error = try #require(failure("critical:\n  - name: *proxy*\n    level: high\n"))
    #expect(error.line == 2)
    #expect(error.message.contains("quote globs"))
  }

  @Test func duplicateKeysAreNamed() throws {
    let error = try #require(failure("name: a\nname: b\n"))
    #expect(error.message.contains("duplicate key 'name'"))
  }

  @Test func fileNameIsThePrefix() throws {
    let error = try #require(failure("ha: {spread: maybe}\n", file: "playbooks/x.yaml"))
    #expect(error.description.hasPrefix("playbooks/x.yaml:1: ha.spread must be true or false"))
  }
}
