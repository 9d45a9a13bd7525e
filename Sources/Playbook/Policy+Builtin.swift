/// The policy used without `--playbook`. `playbooks/default.yaml` spells out the same values, and a
/// test pins that decoding that file gives exactly this.
extension Policy {
  package static let builtinDefault = Policy(
    name: "default",
    description:
      "Built-in policy: common homelab infrastructure by name, plus anything tagged critical.",
    critical: builtinCritical,
    actions: Dictionary(
      uniqueKeysWithValues: FindingAction.knownRules.map {
        ($0, FindingAction.defaultFor(rule: $0))
      })
  )

  /// Common homelab infrastructure, first match wins.
  static let builtinCritical: [CriticalEntry] = {
    func by(_ selector: GuestSelector, _ level: CriticalityLevel, _ purpose: String)
      -> CriticalEntry
    {
      CriticalEntry(selector: selector, level: level, purpose: purpose)
    }
    func named(_ glob: String, _ level: CriticalityLevel, _ purpose: String) -> CriticalEntry {
      by(GuestSelector(name: glob), level, purpose)
    }
    return [
      by(GuestSelector(tag: "critical"), .critical, "Tagged critical"),
      named("opnsense*", .critical, "Router and firewall"),
      named("pfsense*", .critical, "Router and firewall"),
      named("*firewall*", .critical, "Firewall"),
      named("traefik*", .critical, "Reverse proxy"),
      named("*proxy*", .critical, "Reverse proxy"),
      named("caddy*", .critical, "Reverse proxy"),
      named("adguard*", .critical, "DNS filtering"),
      named("pihole*", .critical, "DNS filtering"),
      named("pi-hole*", .critical, "DNS filtering"),
      named("*dns*", .critical, "DNS"),
      named("unbound*", .critical, "DNS resolver"),
      named("homeassistant*", .critical, "Home automation hub"),
      named("home-assistant*", .critical, "Home automation hub"),
      named("hass*", .critical, "Home automation hub"),
      named("*dhcp*", .high, "DHCP"),
      named("*vault*", .high, "Secrets and passwords"),
      named("postgres*", .high, "Database"),
      named("mariadb*", .high, "Database"),
      named("mysql*", .high, "Database"),
      named("authentik*", .high, "Single sign-on"),
      named("authelia*", .high, "Single sign-on"),
      named("keycloak*", .high, "Single sign-on"),
      named("*ldap*", .high, "Directory"),
    ]
  }()
}
