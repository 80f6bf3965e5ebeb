import Foundation

/// Which variables of a `docker inspect` snapshot's `Config.Env` the image set rather than whoever started the
/// container: docker records both in one list, and the image's own come with the image on Kubernetes too.
///
/// The rule, applied only when the snapshot names its image: a variable is the image's when its name is one that
/// images set (`PATH`, `HOME`, `HOSTNAME`, `LANG`, `JAVA_HOME`, `GPG_KEYS`, `PHPIZE_DEPS`…), when it ends in a
/// build-pin suffix (`_VERSION`, `_MAJOR`, `_SHA256`, `_SHA512`, `_DOWNLOAD_URL`…), or when it holds the value a
/// known image sets (`PGDATA=/var/lib/postgresql/data`).
enum ImageBakedEnvironment {
    /// The names of `environment` that come with the image, sorted; none when the snapshot names no image.
    static func names(in environment: [String: String?], image: String?) -> [String] {
        guard let image, !image.isEmpty else { return [] }
        return environment.compactMap { name, value -> String? in
            if exactNames.contains(name) || suffixes.contains(where: { name.hasSuffix($0) }) { return name }
            if let value, let expected = imageDefaults[name], value == expected { return name }
            return nil
        }
        .sorted()
    }
}

private extension ImageBakedEnvironment {
    /// Variables images set that are no build pin.
    static let exactNames: Set<String> = [
        "PATH", "HOME", "HOSTNAME", "LANG", "LANGUAGE", "LC_ALL", "TERM", "SHLVL", "JAVA_HOME", "GPG_KEYS", "GPG_KEY",
        "PKG_RELEASE", "DYNPKG_RELEASE", "PHPIZE_DEPS", "PHP_INI_DIR", "PHP_CFLAGS", "PHP_CPPFLAGS", "PHP_LDFLAGS", "PHP_URL",
        "PHP_ASC_URL", "PYTHON_GET_PIP_URL", "GOPATH", "GOTOOLCHAIN", "GEM_HOME", "BUNDLE_SILENCE_ROOT_WARNING",
        "BUNDLE_APP_CONFIG", "HTTPD_PREFIX", "HTTPD_PATCHES", "APACHE_CONFDIR", "APACHE_ENVVARS", "CATALINA_HOME",
        "TOMCAT_NATIVE_LIBDIR", "DOTNET_RUNNING_IN_CONTAINER", "ASPNETCORE_HTTP_PORTS", "MONGO_PACKAGE", "MONGO_REPO",
        "REDIS_DOWNLOAD_SHA", "JAVA_TOOL_OPTIONS_DEFAULT", "RABBITMQ_DATA_DIR", "RABBITMQ_LOGS", "RABBITMQ_HOME",
        "OPENSSL_VERSION", "ERLANG_INSTALL_PATH_PREFIX", "GRAFANA_VERSION",
    ]

    /// Suffixes of build pins (versions, checksums, download addresses).
    static let suffixes = [
        "_VERSION", "_MAJOR", "_MINOR", "_SHA1", "_SHA256", "_SHA512", "_CHECKSUM", "_DOWNLOAD_URL", "_DOWNLOAD_SHA256",
        "_GPG_KEY", "_GPG_KEYS", "_RELEASE_KEY",
    ]

    /// Values known images set, kept only when the snapshot has exactly that value.
    static let imageDefaults: [String: String] = [
        "PGDATA": "/var/lib/postgresql/data"
    ]
}
