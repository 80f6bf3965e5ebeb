import Foundation
import KomplyCore

/// Where the port of a service that declares none (no `ports:`, no `expose:`) comes from, besides image
/// knowledge: the build context's Dockerfile, reverse-proxy labels, or a client that names it.
enum PortEvidence {
    /// The ports the Dockerfile of the service's build context `EXPOSE`s in the stage it builds (`build.target`,
    /// else the last), including the stages that one is built `FROM`; variables (`EXPOSE $PORT`) are skipped.
    static func dockerfileExpose(_ service: ComposeService, project: ComposeProject) -> [(port: Int, proto: String)] {
        guard let (dockerfile, _) = Dockerfile.of(service, project: project) else { return [] }
        return ports(dockerfile, target: service.build?["target"]?.stringValue)
    }

    /// The `EXPOSE`d ports of one stage of a Dockerfile and the stages it is built from.
    static func expose(dockerfile text: String, target: String?) -> [(port: Int, proto: String)] {
        ports(Dockerfile(parsing: text), target: target)
    }

    /// Hosts (with a port when one is written) named in the repository files a service bind-mounts, a
    /// mounted folder's files included, and in the proxy and datasource configs of its build context (nginx `proxy_pass http://backend:8000`, `server web1:5000;`,
    /// `fastcgi_pass app:9000;`, a Grafana datasource `url: http://prometheus:9090`), with the file as written.
    /// Only regular text files inside the repository of at most 512 KiB are read; a folder's first 100 entries.
    static func mountedFileReferences(_ service: ComposeService, project: ComposeProject) -> [(host: String, port: Int?, file: String)] {
        guard let projectDirectory = project.projectDirectory else { return [] }
        var result: [(host: String, port: Int?, file: String)] = []
        func confined(_ path: String) -> String? {
            guard let root = project.repositoryRoot else { return projectDirectory + "/" + path }
            return try? RepositoryRoot(root).resolve(path, from: projectDirectory, at: nil)
        }
        func scan(_ path: String, shown: String) {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular, let size = attributes[.size] as? Int, size <= 512 << 10,
                let text = try? String(contentsOfFile: path, encoding: .utf8)
            else { return }
            // Line by line, only lines that can hold a reference, none longer than `maxScannedLine`: a scheme is
            // tried only where a word starts (from every letter of a 300 KiB run of `x` it took minutes).
            for line in text.split(whereSeparator: \.isNewline) where line.utf8.count <= maxScannedLine {
                let line = String(line)
                guard line.contains(":"), line.contains(where: \.isNumber) || line.contains("://") else { continue }
                for match in hostReference.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
                    guard let host = Range(match.range(at: 1), in: line) ?? Range(match.range(at: 3), in: line) else { continue }
                    let digits = Range(match.range(at: 2), in: line) ?? Range(match.range(at: 4), in: line)
                    let port = digits.flatMap { Int(line[$0]) }
                    if let port, !(1...65535).contains(port) { continue }
                    result.append((String(line[host]), port, shown))
                }
            }
        }
        // Proxy and datasource configs the build copies in (`COPY nginx.conf …`, a React `src/setupProxy.js`).
        if case .string(let context)? = service.build?["context"], !context.contains("://"), !context.hasPrefix("git@") {
            for name in buildConfigFiles {
                let relative = context.hasSuffix("/") ? context + name : context + "/" + name
                if let path = confined(relative) { scan(path, shown: relative) }
            }
        }
        for mount in service.volumes where mount.type == "bind" {
            guard let source = mount.source, !Paths.isHostPath(source), let path = confined(source) else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                scan(path, shown: source)
                continue
            }
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            for entry in entries.prefix(100) {
                let relative = source.hasSuffix("/") ? source + entry : source + "/" + entry
                if let resolved = confined(relative) { scan(resolved, shown: relative) }
            }
        }
        return result
    }

    /// The port a reverse-proxy label gives the service: Traefik's `…loadbalancer.server.port`, Caddy's
    /// `{{upstreams PORT}}`.
    static func labelPort(_ service: ComposeService) -> (port: Int, label: String)? {
        for (key, value) in service.labels.sorted(by: { $0.key < $1.key }) {
            if key.hasPrefix("traefik."), key.hasSuffix(".loadbalancer.server.port"), let port = Int(value), (1...65535).contains(port) {
                return (port, key)
            }
            if key.hasPrefix("caddy"),
                let range = value.range(of: #"\{\{\s*upstreams\s+(?:https?\s+)?([0-9]+)\s*\}\}"#, options: .regularExpression)
            {
                let digits = value[range].filter(\.isNumber)
                if let port = Int(digits), (1...65535).contains(port) { return (port, key) }
            }
        }
        return nil
    }
}

private extension PortEvidence {
    static func ports(_ dockerfile: Dockerfile, target: String?) -> [(port: Int, proto: String)] {
        (dockerfile.built(target: target)?.ports ?? []).map { (port: $0.port, proto: $0.proto) }
    }

    /// Files of a build context that say where the service sends traffic.
    static let buildConfigFiles = [
        "nginx.conf", "default.conf", "conf.d/default.conf", "nginx/nginx.conf", "Caddyfile", "haproxy.cfg",
        "setupProxy.js", "src/setupProxy.js", "datasource.yml", "datasources.yml", "prometheus.yml",
    ]

    // A URL's host and port (`http://backend:8000`, `http://backend;`), or a host:port after a line start,
    // blank, quote, `=` or `(` (`server web1:5000;`).
    /// Longer lines are not scanned for host references (minified bundles, data, not configuration).
    static let maxScannedLine = 2048

    static let hostReference: NSRegularExpression = {
        guard
            let compiled = try? NSRegularExpression(
                pattern:
                    #"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/\s]*@)?([A-Za-z][A-Za-z0-9_.-]*)(?::([0-9]{1,5}))?|(?:^|[\s"'=(])([A-Za-z][A-Za-z0-9_.-]*):([0-9]{1,5})\b"#,
                options: .anchorsMatchLines)
        else { preconditionFailure("bad host pattern") }
        return compiled
    }()
}
