extension ComposeProject {
    /// The canonical Compose model: `docker compose config --format json`'s shape plus `x-komply`.
    public func canonical() -> ValueTree {
        var members: [(String, ValueTree?)] = [("name", .string(name))]
        members.append(("services", .object(services.map { .init(key: $0.name, value: $0.canonical()) })))
        for (key, table) in [("networks", networks), ("volumes", volumes), ("secrets", secrets), ("configs", configs)]
        where !table.isEmpty {
            members.append((key, .sortedObject(table)))
        }
        for key in extensions.keys.sorted() { members.append((key, extensions[key])) }
        return ValueTree.members(members).maskingSecrets()
    }
}

extension ComposeService {
    /// This service in the canonical model.
    public func canonical() -> ValueTree {
        var m: [(String, ValueTree?)] = []
        m.append(("image", image.map(ValueTree.string)))
        m.append(("build", build.map(Self.maskingArguments)))
        m.append(("command", command.map(strings) ?? .null))
        m.append(("entrypoint", entrypoint.map(strings) ?? .null))
        if !environment.isEmpty {
            m.append(
                (
                    "environment",
                    .object(
                        environment.keys.sorted().map { key in
                            .init(key: key, value: environment[key]!.map { Self.shown(key, $0) } ?? .null)
                        })
                ))
        }
        if !ports.isEmpty { m.append(("ports", .array(ports.map(\.canonical)))) }
        if !expose.isEmpty { m.append(("expose", strings(expose.map(\.description)))) }
        if !volumes.isEmpty { m.append(("volumes", .array(volumes.map(\.canonical)))) }
        if !tmpfs.isEmpty { m.append(("tmpfs", strings(tmpfs))) }
        if !dependsOn.isEmpty {
            m.append(("depends_on", .object(dependsOn.keys.sorted().map { .init(key: $0, value: dependsOn[$0]!.canonical) })))
        }
        m.append(("healthcheck", healthcheck?.canonical))
        m.append(("deploy", deploy?.canonical))
        m.append(("restart", restart.map(ValueTree.string)))
        m.append(("user", user.map(ValueTree.string)))
        m.append(("working_dir", workingDir.map(ValueTree.string)))
        if !labels.isEmpty {
            m.append(("labels", .object(labels.keys.sorted().map { .init(key: $0, value: Self.shown($0, labels[$0]!)) })))
        }
        if !capAdd.isEmpty { m.append(("cap_add", strings(capAdd))) }
        if !capDrop.isEmpty { m.append(("cap_drop", strings(capDrop))) }
        m.append(("read_only", readOnly.map(ValueTree.bool)))
        m.append(("privileged", privileged.map(ValueTree.bool)))
        m.append(("network_mode", networkMode.map(ValueTree.string)))
        if !networks.isEmpty {
            m.append(("networks", .object(networks.keys.sorted().map { .init(key: $0, value: networks[$0]! ?? .null) })))
        }
        if !ulimits.isEmpty {
            m.append(("ulimits", .object(ulimits.keys.sorted().map { .init(key: $0, value: ulimits[$0]!.canonical) })))
        }
        m.append(("stop_grace_period", stopGracePeriod.map { .string($0.description) }))
        m.append(("stop_signal", stopSignal.map(ValueTree.string)))
        if !secrets.isEmpty { m.append(("secrets", .array(secrets.map(\.canonical)))) }
        if !configs.isEmpty { m.append(("configs", .array(configs.map(\.canonical)))) }
        if !profiles.isEmpty { m.append(("profiles", strings(profiles))) }
        m.append(("hostname", hostname.map(ValueTree.string)))
        for key in other.keys.sorted() { m.append((key, other[key])) }
        for key in extensions.keys.sorted() { m.append((key, extensions[key])) }
        m.append(("x-komply", komply.canonical))
        return .members(m)
    }

    private func strings(_ list: [String]) -> ValueTree { .array(list.map(ValueTree.string)) }

    /// `build` with each `args` value the detector calls secret masked.
    private static func maskingArguments(_ build: ValueTree) -> ValueTree {
        guard case .object(let members) = build else { return build }
        return .object(
            members.map { member in
                guard member.key == "args", case .object(let arguments) = member.value else { return member }
                return .init(
                    key: "args",
                    value: .object(
                        arguments.map { argument in
                            guard case .string(let value) = argument.value else { return argument }
                            return .init(key: argument.key, value: shown(argument.key, value))
                        }))
            })
    }

    /// An environment, label or build argument value as the canonical model prints it: `<secret: KEY>` when the detector calls it secret.
    private static func shown(_ key: String, _ value: String) -> ValueTree {
        guard !SecretTaint.isTainted(value), SecretDetector.reason(name: key, value: value) != nil else { return .string(value) }
        return .string(SecretTaint.masked(SecretTaint.marker(key)))
    }
}

extension KomplyServiceInfo {
    /// The `x-komply` member.
    public var canonical: ValueTree {
        var m: [(String, ValueTree?)] = [("origin", .string(origin))]
        if let source, let range = source.range {
            m.append(
                (
                    "source",
                    .members([
                        ("file", .string(source.file)), ("line", .int(range.start.line)), ("column", .int(range.start.column)),
                    ])
                ))
        } else if let source {
            m.append(("source", .members([("file", .string(source.file))])))
        }
        if !containers.isEmpty { m.append(("containers", .array(containers.map(ValueTree.string)))) }
        if let runtime {
            m.append(
                (
                    "runtime",
                    .members([
                        ("status", runtime.status.map(ValueTree.string)), ("restart_count", .int(runtime.restartCount)),
                        ("oom_killed", .bool(runtime.oomKilled)), ("exit_code", runtime.exitCode.map(ValueTree.int)),
                    ])
                ))
        }
        if let observed {
            m.append(
                (
                    "observed",
                    .members([
                        ("cpu_cores", .double(observed.cpuCores)), ("memory_bytes", .int(Int(observed.memoryBytes))),
                        ("memory_limit_bytes", observed.memoryLimitBytes.map { .int(Int($0)) }),
                        ("samples", .int(observed.samples)), ("source", .string(observed.source)),
                    ])
                ))
        }
        return .members(m)
    }
}

extension PortMapping {
    /// Long form as docker compose prints it.
    public var canonical: ValueTree {
        .members([
            ("name", name.map(ValueTree.string)), ("mode", .string(mode)), ("host_ip", hostIP.map(ValueTree.string)),
            ("target", .int(target)), ("published", published.map(ValueTree.string)), ("protocol", .string(`protocol`)),
            ("app_protocol", appProtocol.map(ValueTree.string)),
        ])
    }
}

extension VolumeMount {
    /// Long form as docker compose prints it.
    public var canonical: ValueTree {
        var m: [(String, ValueTree?)] = [
            ("type", .string(type)), ("source", source.map(ValueTree.string)), ("target", .string(target)),
            ("read_only", readOnly ? .bool(true) : nil),
        ]
        for key in options.keys.sorted() { m.append((key, options[key])) }
        return .members(m)
    }
}

extension Dependency {
    /// Map form with condition.
    public var canonical: ValueTree {
        .members([("condition", .string(condition)), ("required", .bool(required)), ("restart", restart.map(ValueTree.bool))])
    }
}

extension Healthcheck {
    /// As docker compose prints it (durations in Go form).
    public var canonical: ValueTree {
        .members([
            ("test", test.map { .array($0.map(ValueTree.string)) }),
            ("interval", interval.map { .string($0.description) }), ("timeout", timeout.map { .string($0.description) }),
            ("start_period", startPeriod.map { .string($0.description) }),
            ("start_interval", startInterval.map { .string($0.description) }),
            ("retries", retries.map(ValueTree.int)), ("disable", disable ? .bool(true) : nil),
        ])
    }
}

extension Deploy {
    /// As docker compose prints it (memory in bytes as a string, cpus as a number).
    public var canonical: ValueTree {
        var resources: [(String, ValueTree?)] = []
        resources.append(("limits", limits?.canonical))
        resources.append(("reservations", reservations?.canonical))
        var m: [(String, ValueTree?)] = [
            ("mode", mode.map(ValueTree.string)), ("replicas", replicas.map(ValueTree.int)),
            ("resources", .members(resources)), ("restart_policy", restartPolicy),
        ]
        for key in other.keys.sorted() { m.append((key, other[key])) }
        return .members(m)
    }
}

extension ResourceSpec {
    /// As docker compose prints it.
    public var canonical: ValueTree {
        .members([
            ("cpus", cpus.map(ValueTree.double)), ("memory", memoryBytes.map { .string(String($0)) }),
            ("pids", pids.map(ValueTree.int)),
            ("devices", devices.isEmpty ? nil : .array(devices.map(\.canonical))),
        ])
    }
}

extension DeviceRequest {
    /// As docker compose prints it.
    public var canonical: ValueTree {
        .members([
            ("capabilities", .array(capabilities.map(ValueTree.string))), ("driver", driver.map(ValueTree.string)),
            ("count", count.map(ValueTree.int)),
            ("device_ids", deviceIDs.isEmpty ? nil : .array(deviceIDs.map(ValueTree.string))),
            ("options", options.isEmpty ? nil : .sortedObject(options.mapValues(ValueTree.string))),
        ])
    }
}

extension Ulimit {
    /// A number or `{soft, hard}`.
    public var canonical: ValueTree {
        single ? .int(hard) : .members([("soft", .int(soft)), ("hard", .int(hard))])
    }
}

extension FileReference {
    /// As docker compose prints it.
    public var canonical: ValueTree {
        .members([
            ("source", .string(source)), ("target", target.map(ValueTree.string)), ("uid", uid.map(ValueTree.string)),
            ("gid", gid.map(ValueTree.string)), ("mode", mode.map(ValueTree.string)),
        ])
    }
}
