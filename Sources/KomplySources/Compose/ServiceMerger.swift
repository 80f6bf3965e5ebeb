import KomplyCore

/// Merges an override service into a base the way docker compose merges `-f` files and `extends`.
///
/// Scalars the override wrote replace the base's; mappings (environment, labels, depends_on,
/// networks, ulimits) merge key by key; ports and capability lists append without duplicates;
/// volumes merge by target path, secrets and configs by source.
enum ServiceMerger {
    /// The merged service; `keys` are the keys the override wrote.
    static func merge(base: ComposeService, override: ComposeService, keys: Set<String>) -> ComposeService {
        var merged = base
        merged.name = override.name
        if keys.contains("image") { merged.image = override.image }
        if keys.contains("build") { merged.build = mergeTrees(base.build, override.build) }
        if keys.contains("command") { merged.command = override.command }
        if keys.contains("entrypoint") { merged.entrypoint = override.entrypoint }
        if keys.contains("environment") { merged.environment.merge(override.environment) { $1 } }
        if keys.contains("ports") { merged.ports = appendUnique(base.ports, override.ports) }
        if keys.contains("expose") { merged.expose = appendUnique(base.expose, override.expose) }
        if keys.contains("volumes") { merged.volumes = mergeBy(base.volumes, override.volumes, key: \.target) }
        if keys.contains("tmpfs") { merged.tmpfs = appendUnique(base.tmpfs, override.tmpfs) }
        if keys.contains("depends_on") { merged.dependsOn.merge(override.dependsOn) { $1 } }
        if keys.contains("healthcheck") { merged.healthcheck = mergeHealthcheck(base.healthcheck, override.healthcheck) }
        if keys.contains("deploy") { merged.deploy = mergeDeploy(base.deploy, override.deploy) }
        if keys.contains("restart") { merged.restart = override.restart }
        if keys.contains("user") { merged.user = override.user }
        if keys.contains("working_dir") { merged.workingDir = override.workingDir }
        if keys.contains("labels") { merged.labels.merge(override.labels) { $1 } }
        if keys.contains("cap_add") { merged.capAdd = appendUnique(base.capAdd, override.capAdd) }
        if keys.contains("cap_drop") { merged.capDrop = appendUnique(base.capDrop, override.capDrop) }
        if keys.contains("read_only") { merged.readOnly = override.readOnly }
        if keys.contains("privileged") { merged.privileged = override.privileged }
        if keys.contains("network_mode") { merged.networkMode = override.networkMode }
        if keys.contains("networks") { merged.networks.merge(override.networks) { $1 } }
        if keys.contains("ulimits") { merged.ulimits.merge(override.ulimits) { $1 } }
        if keys.contains("stop_grace_period") { merged.stopGracePeriod = override.stopGracePeriod }
        if keys.contains("stop_signal") { merged.stopSignal = override.stopSignal }
        if keys.contains("secrets") { merged.secrets = mergeBy(base.secrets, override.secrets, key: \.source) }
        if keys.contains("configs") { merged.configs = mergeBy(base.configs, override.configs, key: \.source) }
        if keys.contains("profiles") { merged.profiles = override.profiles }
        if keys.contains("hostname") { merged.hostname = override.hostname }
        merged.komply.positions.merge(override.komply.positions) { $1 }
        merged.other.merge(override.other) { $1 }
        merged.extensions.merge(override.extensions) { $1 }
        return merged
    }
}

private extension ServiceMerger {
    static func appendUnique<T: Hashable>(_ base: [T], _ extra: [T]) -> [T] {
        var seen = Set(base)
        return base + extra.filter { seen.insert($0).inserted }
    }

    /// Override entries replace base entries with the same key, in place; new ones append.
    static func mergeBy<T, K: Hashable>(_ base: [T], _ extra: [T], key: KeyPath<T, K>) -> [T] {
        var result = base
        for item in extra {
            if let index = result.firstIndex(where: { $0[keyPath: key] == item[keyPath: key] }) {
                result[index] = item
            } else {
                result.append(item)
            }
        }
        return result
    }

    static func mergeHealthcheck(_ base: Healthcheck?, _ override: Healthcheck?) -> Healthcheck? {
        guard let base, let override else { return override ?? base }
        if override.disable { return override }
        return Healthcheck(
            test: override.test ?? base.test, interval: override.interval ?? base.interval,
            timeout: override.timeout ?? base.timeout, startPeriod: override.startPeriod ?? base.startPeriod,
            startInterval: override.startInterval ?? base.startInterval, retries: override.retries ?? base.retries)
    }

    static func mergeDeploy(_ base: Deploy?, _ override: Deploy?) -> Deploy? {
        guard let base, let override else { return override ?? base }
        return Deploy(
            mode: override.mode ?? base.mode, replicas: override.replicas ?? base.replicas,
            limits: mergeResources(base.limits, override.limits),
            reservations: mergeResources(base.reservations, override.reservations),
            restartPolicy: mergeTrees(base.restartPolicy, override.restartPolicy),
            other: base.other.merging(override.other) { mergeTrees($0, $1) ?? $1 })
    }

    static func mergeResources(_ base: ResourceSpec?, _ override: ResourceSpec?) -> ResourceSpec? {
        guard let base, let override else { return override ?? base }
        return ResourceSpec(
            cpus: override.cpus ?? base.cpus, memoryBytes: override.memoryBytes ?? base.memoryBytes,
            pids: override.pids ?? base.pids, devices: override.devices.isEmpty ? base.devices : override.devices)
    }

    /// Objects merge member by member; anything else is replaced.
    static func mergeTrees(_ base: ValueTree?, _ override: ValueTree?) -> ValueTree? {
        guard case .object(var members)? = base, case .object(let extra)? = override else { return override ?? base }
        for member in extra {
            if let index = members.firstIndex(where: { $0.key == member.key }) {
                members[index].value = mergeTrees(members[index].value, member.value) ?? member.value
            } else {
                members.append(member)
            }
        }
        return .object(members)
    }
}
