/// The parameters of one CLI command (`qm migrate`, `ha-manager add`, …): positional names in order,
/// and every option its API method's schema defines, for the PVE major version of the node.
package struct CommandSchema: Sendable {
  /// The usage line printed after a parameter error: `qm migrate <vmid> <target> [OPTIONS]`.
  package var usage: String
  /// Positional argument names, in order.
  package var positional: [String]
  /// How many positionals are required (the rest are optional, like `qm disk move`'s storage).
  package var requiredPositionals: Int
  package var parameters: [String: Parameter]

  package init(
    usage: String, positional: [String] = [], required: Int? = nil, _ parameters: [Parameter]
  ) {
    self.usage = usage
    self.positional = positional
    self.requiredPositionals = required ?? positional.count
    var byName: [String: Parameter] = [:]
    for p in parameters { byName[p.name] = p }
    self.parameters = byName
  }

  /// Splits argv the way `PVE::JSONSchema::get_options` does (options may come anywhere, as
  /// `--name value`, `-name value` or `--name=value`; a bare boolean means 1), then checks every
  /// value against the schema. Errors are Proxmox's `400 …` texts.
  package func parse(_ args: [String]) throws(CommandFailure) -> Arguments {
    var positionals: [String] = []
    var raw: [(String, String)] = []
    var errors: [String: String] = [:]
    var i = 0
    while i < args.count {
      let token = args[i]
      if token.count > 1, token.hasPrefix("-"), !isNegativeNumber(token) {
        var name = String(token.drop(while: { $0 == "-" }))
        var value: String?
        if let eq = name.firstIndex(of: "=") {
          value = String(name[name.index(after: eq)...])
          name = String(name[..<eq])
        }
        i += 1
        if value == nil {
          let isBoolean = parameters[name]?.kind == .boolean
          if isBoolean {
            // Getopt's `online:s`: the next word is the value unless it is an option; a bare
            // flag means 1.
            if i < args.count, !args[i].hasPrefix("-") {
              value = args[i]
              i += 1
            } else {
              value = "1"
            }
          } else if i < args.count {
            value = args[i]
            i += 1
          } else {
            throw CommandFailure.usage("unable to parse option", usage: usage)
          }
        }
        raw.append((name, value ?? ""))
      } else {
        positionals.append(token)
        i += 1
      }
    }
    if positionals.count < requiredPositionals {
      throw CommandFailure.usage("not enough arguments", usage: usage)
    }
    if positionals.count > positional.count {
      throw CommandFailure.usage("too many arguments", usage: usage)
    }
    var values: [String: String] = [:]
    for (index, value) in positionals.enumerated() {
      let name = positional[index]
      if let p = parameters[name] {
        switch p.check(value) {
        case .success(let v): values[name] = v
        case .failure(let r): errors[name] = r.reason
        }
      } else {
        values[name] = value
      }
    }
    var options: [String: String] = [:]
    for (name, value) in raw {
      guard let p = parameters[name], !positional.contains(name) else {
        errors[name] =
          "property is not defined in schema and the schema does not allow additional properties"
        continue
      }
      if options[name] != nil {
        errors[name] = "duplicate parameter (not allowed)"
        continue
      }
      switch p.check(value) {
      case .success(let v): options[name] = v
      case .failure(let r): errors[name] = r.reason
      }
    }
    for (name, p) in parameters where !p.optional && values[name] == nil && options[name] == nil {
      if positional.contains(name) { continue }
      errors[name] = "property is missing and it is not optional"
    }
    if !errors.isEmpty { throw CommandFailure.parameters(errors, usage: usage) }
    return Arguments(positional: values, options: options)
  }

  private func isNegativeNumber(_ s: String) -> Bool {
    s.count > 1 && s.dropFirst().allSatisfy { $0.isNumber || $0 == "." }
  }
}

/// Parsed and checked arguments: positionals by name, options by name (booleans as `1`/`0`).
package struct Arguments: Sendable, Hashable {
  package var positional: [String: String]
  package var options: [String: String]

  /// A positional or an option.
  package subscript(_ name: String) -> String? { positional[name] ?? options[name] }

  package func flag(_ name: String) -> Bool { options[name] == "1" }

  package func int(_ name: String) -> Int? { self[name].flatMap { Int($0) } }
}
