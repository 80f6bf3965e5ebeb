/// One application as komply understood it, from compose files or `docker inspect` snapshots.
///
/// Its `canonical()` form has the shape `docker compose config --format json` prints, plus an
/// `x-komply` member per service. Paths inside the project stay relative to the project directory
/// so the output does not depend on where the repository is checked out.
public struct ComposeProject: Sendable, Equatable {
    /// The project name (compose `name:`, the folder name, or the compose project label).
    public var name: String
    /// Services, sorted by name.
    public var services: [ComposeService]
    /// Top-level `networks`, normalised.
    public var networks: [String: ValueTree]
    /// Top-level `volumes`, normalised.
    public var volumes: [String: ValueTree]
    /// Top-level `secrets` (file, environment or external); never the secret values.
    public var secrets: [String: ValueTree]
    /// Top-level `configs`.
    public var configs: [String: ValueTree]
    /// Top-level `x-` extension fields, as written.
    public var extensions: [String: ValueTree]
    /// The files this project was read from, in merge order.
    public var sourceFiles: [String]
    /// Warnings about the input (unsupported keys, unset variables, …), each with its position.
    public var diagnostics: [Diagnostic]
    /// The absolute project folder (compose) that relative paths in the model start from; nil for snapshots.
    public var projectDirectory: String?
    /// The folder every file komply reads for this project must resolve inside (the repository, or
    /// the snapshot's copy of it), symbolic links resolved; nil for `docker inspect` snapshots.
    public var repositoryRoot: String?
    /// Why each secret variable whose marker (`SecretTaint`) appears in the services is secret; never its value.
    public var secretVariables: [String: SecretReason] = [:]

    /// Creates a project.
    public init(
        name: String, services: [ComposeService] = [], networks: [String: ValueTree] = [:],
        volumes: [String: ValueTree] = [:], secrets: [String: ValueTree] = [:], configs: [String: ValueTree] = [:],
        extensions: [String: ValueTree] = [:], sourceFiles: [String] = [], diagnostics: [Diagnostic] = []
    ) {
        self.name = name
        self.services = services
        self.networks = networks
        self.volumes = volumes
        self.secrets = secrets
        self.configs = configs
        self.extensions = extensions
        self.sourceFiles = sourceFiles
        self.diagnostics = diagnostics
    }

    /// The service with this name.
    public subscript(service name: String) -> ComposeService? {
        services.first { $0.name == name }
    }
}

/// One service (one container template) of an application.
public struct ComposeService: Sendable, Equatable {
    /// The service name.
    public var name: String
    /// The image reference, if any.
    public var image: String?
    /// The normalised `build` section (`context`, `dockerfile`, `args`, `target`…), if any.
    public var build: ValueTree?
    /// The command as argv; nil when the image default applies.
    public var command: [String]?
    /// The entrypoint as argv; nil when the image default applies.
    public var entrypoint: [String]?
    /// Environment after `env_file` and interpolation; a nil value means "taken from the host".
    public var environment: [String: String?]
    /// Published and unpublished ports in long form.
    public var ports: [PortMapping]
    /// `expose` ports (container-only), each a port or range with its protocol.
    public var expose: [PortRange]
    /// Mounts in long form.
    public var volumes: [VolumeMount]
    /// `tmpfs` mount targets.
    public var tmpfs: [String]
    /// Dependencies with their conditions.
    public var dependsOn: [String: Dependency]
    /// The healthcheck, if one is declared (or inherited from the image, for inspect snapshots).
    public var healthcheck: Healthcheck?
    /// The `deploy` section.
    public var deploy: Deploy?
    /// The restart policy (`no`, `always`, `on-failure[:n]`, `unless-stopped`).
    public var restart: String?
    /// The user (`name`, `uid`, `uid:gid`).
    public var user: String?
    /// The working directory.
    public var workingDir: String?
    /// Labels.
    public var labels: [String: String]
    /// Added capabilities.
    public var capAdd: [String]
    /// Dropped capabilities.
    public var capDrop: [String]
    /// `read_only` root filesystem.
    public var readOnly: Bool?
    /// `privileged` mode.
    public var privileged: Bool?
    /// `network_mode` (host, none, service:x…).
    public var networkMode: String?
    /// Attached networks with their per-service options (nil when none are set).
    public var networks: [String: ValueTree?]
    /// Resource limits per ulimit name.
    public var ulimits: [String: Ulimit]
    /// Time to wait after the stop signal.
    public var stopGracePeriod: ComposeDuration?
    /// The stop signal.
    public var stopSignal: String?
    /// Secrets mounted into the service.
    public var secrets: [FileReference]
    /// Configs mounted into the service.
    public var configs: [FileReference]
    /// Profiles the service belongs to.
    public var profiles: [String]
    /// The hostname.
    public var hostname: String?
    /// Other supported keys, normalised as docker compose prints them (`extra_hosts`, `init`, …).
    public var other: [String: ValueTree]
    /// `x-` extension fields on the service, as written.
    public var extensions: [String: ValueTree]
    /// What komply adds: where the service came from and what was observed.
    public var komply: KomplyServiceInfo

    /// Creates a service with only a name; every other field empty.
    public init(name: String) {
        self.name = name
        environment = [:]
        ports = []
        expose = []
        volumes = []
        tmpfs = []
        dependsOn = [:]
        labels = [:]
        capAdd = []
        capDrop = []
        networks = [:]
        ulimits = [:]
        secrets = []
        configs = []
        profiles = []
        other = [:]
        extensions = [:]
        komply = KomplyServiceInfo()
    }
}

extension ComposeService {
    /// The secret variables interpolated into this service's environment, command, entrypoint and healthcheck, sorted.
    public var taintedVariables: [String] {
        var names = Set<String>()
        for value in environment.values { value.map { names.formUnion(SecretTaint.variables(in: $0)) } }
        for word in (command ?? []) + (entrypoint ?? []) + (healthcheck?.test ?? []) {
            names.formUnion(SecretTaint.variables(in: word))
        }
        return names.sorted()
    }
}

/// komply's own findings about a service: its origin and observed behaviour.
public struct KomplyServiceInfo: Sendable, Equatable {
    /// Where the service is defined (compose key or inspect entry).
    public var source: SourceLocation?
    /// What the service was read from: `compose` or `docker-inspect`.
    public var origin: String
    /// Container names the service was read from (inspect snapshots).
    public var containers: [String]
    /// Observed CPU and memory use (docker stats).
    public var observed: ObservedUsage?
    /// Runtime state from an inspect snapshot (restart count, OOM kills, status).
    public var runtime: RuntimeState?
    /// Where each key and list entry was written, by path relative to the service
    /// (`image`, `volumes[0]`, `depends_on.db`); used to point messages at the exact line.
    public var positions: [String: SourceLocation] = [:]

    /// Creates empty info.
    public init(
        source: SourceLocation? = nil, origin: String = "compose", containers: [String] = [],
        observed: ObservedUsage? = nil, runtime: RuntimeState? = nil
    ) {
        self.source = source
        self.origin = origin
        self.containers = containers
        self.observed = observed
        self.runtime = runtime
    }
}

/// CPU and memory use observed for a service, summed over its containers.
public struct ObservedUsage: Sendable, Equatable {
    /// CPU in cores (docker's `CPUPerc` / 100).
    public var cpuCores: Double
    /// Memory in use, in bytes.
    public var memoryBytes: Int64
    /// The memory limit docker reported, in bytes, when it is a real limit.
    public var memoryLimitBytes: Int64?
    /// How many samples (lines) contributed.
    public var samples: Int
    /// The file the samples came from.
    public var source: String

    /// Creates an observation.
    public init(cpuCores: Double, memoryBytes: Int64, memoryLimitBytes: Int64?, samples: Int, source: String) {
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
        self.memoryLimitBytes = memoryLimitBytes
        self.samples = samples
        self.source = source
    }
}

/// The runtime state an inspect snapshot records.
public struct RuntimeState: Sendable, Equatable {
    /// Container status (`running`, `exited`…).
    public var status: String?
    /// How often docker restarted the container.
    public var restartCount: Int
    /// Whether the last exit was an OOM kill.
    public var oomKilled: Bool
    /// The exit code of the last run.
    public var exitCode: Int?

    /// Creates a state.
    public init(status: String?, restartCount: Int, oomKilled: Bool, exitCode: Int?) {
        self.status = status
        self.restartCount = restartCount
        self.oomKilled = oomKilled
        self.exitCode = exitCode
    }
}

/// A port in long syntax.
public struct PortMapping: Sendable, Hashable {
    /// Container port.
    public var target: Int
    /// Host port or range as docker prints it (a string), nil when unpublished.
    public var published: String?
    /// `tcp` or `udp` (or `sctp`).
    public var `protocol`: String
    /// Host IP to bind, if any.
    public var hostIP: String?
    /// `ingress` or `host`.
    public var mode: String
    /// Optional port name.
    public var name: String?
    /// Optional application protocol.
    public var appProtocol: String?

    /// Creates a port.
    public init(
        target: Int, published: String? = nil, protocol: String = "tcp", hostIP: String? = nil,
        mode: String = "ingress", name: String? = nil, appProtocol: String? = nil
    ) {
        self.target = target
        self.published = published
        self.protocol = `protocol`
        self.hostIP = hostIP
        self.mode = mode
        self.name = name
        self.appProtocol = appProtocol
    }
}

/// A mount in long syntax.
public struct VolumeMount: Sendable, Hashable {
    /// `bind`, `volume`, `tmpfs`, `npipe`, `cluster` or `image`.
    public var type: String
    /// Named volume, host path (relative to the project) or nil for anonymous volumes and tmpfs.
    public var source: String?
    /// Path inside the container.
    public var target: String
    /// Mounted read-only.
    public var readOnly: Bool
    /// Type-specific options (`bind`, `volume`, `tmpfs` members) as docker prints them.
    public var options: [String: ValueTree]

    /// Creates a mount.
    public init(type: String, source: String?, target: String, readOnly: Bool = false, options: [String: ValueTree] = [:]) {
        self.type = type
        self.source = source
        self.target = target
        self.readOnly = readOnly
        self.options = options
    }
}

/// A `depends_on` entry.
public struct Dependency: Sendable, Hashable {
    /// `service_started`, `service_healthy` or `service_completed_successfully`.
    public var condition: String
    /// Whether the dependency must exist.
    public var required: Bool
    /// Whether to restart this service when the dependency restarts.
    public var restart: Bool?

    /// Creates a dependency.
    public init(condition: String = "service_started", required: Bool = true, restart: Bool? = nil) {
        self.condition = condition
        self.required = required
        self.restart = restart
    }
}

/// A healthcheck.
public struct Healthcheck: Sendable, Hashable {
    /// The test: `["CMD", argv…]`, `["CMD-SHELL", script]` or `["NONE"]`; nil when inherited.
    public var test: [String]?
    /// Time between checks.
    public var interval: ComposeDuration?
    /// Time one check may take.
    public var timeout: ComposeDuration?
    /// Grace period at start.
    public var startPeriod: ComposeDuration?
    /// Interval during the start period.
    public var startInterval: ComposeDuration?
    /// Consecutive failures before unhealthy.
    public var retries: Int?
    /// True when the healthcheck is disabled.
    public var disable: Bool

    /// Creates a healthcheck.
    public init(
        test: [String]? = nil, interval: ComposeDuration? = nil, timeout: ComposeDuration? = nil,
        startPeriod: ComposeDuration? = nil, startInterval: ComposeDuration? = nil, retries: Int? = nil,
        disable: Bool = false
    ) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.startPeriod = startPeriod
        self.startInterval = startInterval
        self.retries = retries
        self.disable = disable
    }
}

/// The `deploy` section.
public struct Deploy: Sendable, Hashable {
    /// `replicated` or `global`; nil when not written.
    public var mode: String?
    /// Replica count.
    public var replicas: Int?
    /// Resource limits.
    public var limits: ResourceSpec?
    /// Resource reservations (requests).
    public var reservations: ResourceSpec?
    /// Restart policy (`condition`, `delay`, `max_attempts`, `window`) as docker prints it.
    public var restartPolicy: ValueTree?
    /// Other deploy members (`placement`, `labels`, `update_config`…) as docker prints them.
    public var other: [String: ValueTree]

    /// Creates a deploy section.
    public init(
        mode: String? = nil, replicas: Int? = nil, limits: ResourceSpec? = nil, reservations: ResourceSpec? = nil,
        restartPolicy: ValueTree? = nil, other: [String: ValueTree] = [:]
    ) {
        self.mode = mode
        self.replicas = replicas
        self.limits = limits
        self.reservations = reservations
        self.restartPolicy = restartPolicy
        self.other = other
    }
}

/// CPU, memory, pids and devices of a limit or reservation.
public struct ResourceSpec: Sendable, Hashable {
    /// CPUs (fractional).
    public var cpus: Double?
    /// Memory in bytes.
    public var memoryBytes: Int64?
    /// Process limit.
    public var pids: Int?
    /// Device reservations (GPUs).
    public var devices: [DeviceRequest]

    /// Creates a resource spec.
    public init(cpus: Double? = nil, memoryBytes: Int64? = nil, pids: Int? = nil, devices: [DeviceRequest] = []) {
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.pids = pids
        self.devices = devices
    }
}

/// A device reservation such as a GPU.
public struct DeviceRequest: Sendable, Hashable {
    /// Capabilities, e.g. `["gpu"]`.
    public var capabilities: [String]
    /// Driver, e.g. `nvidia`.
    public var driver: String?
    /// Device count; -1 means all.
    public var count: Int?
    /// Specific device ids.
    public var deviceIDs: [String]
    /// Driver options.
    public var options: [String: String]

    /// Creates a device request.
    public init(
        capabilities: [String], driver: String? = nil, count: Int? = nil, deviceIDs: [String] = [],
        options: [String: String] = [:]
    ) {
        self.capabilities = capabilities
        self.driver = driver
        self.count = count
        self.deviceIDs = deviceIDs
        self.options = options
    }
}

/// A ulimit: one value or a soft/hard pair.
public struct Ulimit: Sendable, Hashable {
    /// Soft limit (equal to hard for a single value).
    public var soft: Int
    /// Hard limit.
    public var hard: Int
    /// True when written as a single number.
    public var single: Bool

    /// Creates a ulimit.
    public init(soft: Int, hard: Int, single: Bool = false) {
        self.soft = soft
        self.hard = hard
        self.single = single
    }
}

/// A secret or config mounted into a service.
public struct FileReference: Sendable, Hashable {
    /// The top-level secret or config name.
    public var source: String
    /// The target path or name; nil for configs without one.
    public var target: String?
    /// Owner uid, as written.
    public var uid: String?
    /// Owner gid, as written.
    public var gid: String?
    /// File mode as an octal string (e.g. `0400`).
    public var mode: String?

    /// Creates a reference.
    public init(source: String, target: String? = nil, uid: String? = nil, gid: String? = nil, mode: String? = nil) {
        self.source = source
        self.target = target
        self.uid = uid
        self.gid = gid
        self.mode = mode
    }
}
