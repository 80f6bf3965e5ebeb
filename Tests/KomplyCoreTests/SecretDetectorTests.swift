import Foundation
import XCTest

@testable import KomplyCore

/// The one secret detector: names and look-alikes, shapes, files, taint markers; reasons never hold values.
final class SecretDetectorTests: XCTestCase {
    func testNamesLookAlikesAndPlaceholders() {
        for name in [
            "DB_PASSWORD", "DB_PASS", "MYSQL_PWD", "JWT_SECRET", "GITHUB_TOKEN", "STRIPE_API_KEY", "AWS_SECRET_ACCESS_KEY", "SIGNING_KEY",
            "GCP_CREDENTIALS", "BASIC_AUTH", "SENTRY_DSN", "SESSION_STORE_KEY", "COOKIE_SECRET", "PASSWORD_SALT", "db_pass",
        ] {
            XCTAssertEqual(SecretDetector.reason(name: name, value: "v4lue")?.kind, .name, name)
        }
        for name in [
            "POSTGRES_PASSWORD_FILE", "TLS_KEY_FILE", "PUBLIC_KEY", "JWT_PUBLIC_KEY", "PWD", "OLDPWD", "SESSION_TIMEOUT", "AUTH_URL",
            "POSTGRES_HOST_AUTH_METHOD", "SSH_AUTH_SOCK", "KEYCLOAK_USER", "LOG_LEVEL", "AUTHOR",
        ] {
            XCTAssertNil(SecretDetector.reason(name: name, value: "value"), name)
        }
        for value in [
            "", "  ", "$(DB_PASSWORD)", "${DB_PASSWORD}", "true", "No", "null", "/run/secrets/db", "./certs/tls.key", "<your-password>",
            "****", "xxxx",
        ] {
            XCTAssertNil(SecretDetector.reason(name: "DB_PASSWORD", value: value), value)
        }
        // A bare `$word` in a manifest is literal: it may well be the password.
        XCTAssertNotNil(SecretDetector.reason(name: "DB_PASSWORD", value: "$ecret"))
        XCTAssertNil(SecretDetector.reason(name: "DB_PASSWORD", value: nil))
    }

    func testShapesWhateverTheName() {
        let shaped = [
            "postgres://app:pw-1234@db:5432/app", "redis://:hunter22@cache:6379/0", "mongodb+srv://u:p4ss@cluster0.example.net/db",
            "Server=db;Database=app;User Id=sa;Password=Hx9-secret;", "jdbc:sqlserver://db:1433;databaseName=app;password=Hx9x",
            "https://api.example.com/v1?user=a&password=Hx9x", "AKIAIOSFODNN7EXAMPLE", "AIzaSyA1234567890abcdefghijklmnopqrstuv",
            "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            "glpat-abcdefghij0123456789", "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX", "xoxb-1234-5678-abcdefghij",
            "sk_live_0123456789abcdefABCDEF",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "-----BEGIN RSA PRIVATE KEY-----", "https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/42",
            "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abcdefghijklmnopqrstuvwx==", "Zx9QmT4pLw8RkV2nBc6YhJ3sDf7G",
        ]
        for value in shaped {
            XCTAssertEqual(SecretDetector.reason(name: "UPSTREAM", value: value)?.kind, .shape, value)
            XCTAssertFalse(SecretDetector.reason(name: "UPSTREAM", value: value)!.description.contains(value))
        }
        let plain = [
            "postgres://db:5432/app", "postgres://app:$(DB_PASSWORD)@db/app", "info", "-Xmx512m -XX:+UseG1GC", "Europe/Berlin",
            "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39", "sha256:5f1b6c3c4a9f0e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d",
            "123e4567-e89b-12d3-a456-426614174000", "/usr/local/lib/python3.11/site-packages",
            "com.example.payments.PaymentServiceApplication", "health,prometheus,info", "http://localhost:8080/actuator/health",
        ]
        for value in plain {
            XCTAssertNil(SecretDetector.reason(name: "UPSTREAM", value: value), value)
        }
        // A look-alike's random value (a public key, an id) is not called secret by entropy alone.
        XCTAssertNil(SecretDetector.reason(name: "SIGNING_PUBLIC_KEY", value: "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"))
        XCTAssertNotNil(SecretDetector.reason(name: "AUTH_URL", value: "https://u:Hx9-pw@idp.example.com"))
    }

    func testFilesAreReadLineByLine() {
        XCTAssertEqual(
            SecretDetector.fileReason("a=1\nb=2\npassword=Hx9-value\n")?.description, "line 3 holds a connection string with a password")
        XCTAssertEqual(
            SecretDetector.fileReason(#"{"db":{"host":"db","apiKey":"Hx9-value"}}"#)?.description,
            "line 1 sets apiKey, whose name contains APIKEY")
        XCTAssertNotNil(SecretDetector.fileReason("export GITHUB_TOKEN=abc123\n"))
        XCTAssertNotNil(
            SecretDetector.fileReason("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH PRIVATE KEY-----\n"))
        XCTAssertEqual(
            SecretDetector.fileReason("url: x\nDATABASE_URL=postgres://u:p4ss@db/x\n")?.description, "line 2 holds a URL with a password")
        // Ordinary files: a one-line package.json, a lock file's hashes, nginx, placeholders.
        let ordinary = [
            #"{"name":"web","version":"1.0.0","dependencies":{"left-pad":"^1.3.0","react":"^18.2.0"},"scripts":{"start":"node server.js"}}"#,
            "\"integrity\": \"sha512-Zx9QmT4pLw8RkV2nBc6YhJ3sDf7GZx9QmT4pLw8RkV2nBc6YhJ3sDf7G==\",\n",
            "server {\n  listen 8080;\n  location / { proxy_pass http://api:8080; }\n}\n",
            "password=\nsecret: ${SECRET}\ntoken = <your-token>\npassword_file=/run/secrets/db\n",
            String(repeating: "x", count: 100_000),
        ]
        for text in ordinary {
            XCTAssertNil(SecretDetector.fileReason(text), String(text.prefix(60)))
        }
    }

    func testTaintMarkersSegmentAndMaskWithoutTheValue() {
        let text = "postgres://app:\(SecretTaint.marker("DB_PASS"))@db/\(SecretTaint.marker("DB"))"
        XCTAssertEqual(SecretTaint.variables(in: text), ["DB_PASS", "DB"])
        XCTAssertEqual(SecretTaint.masked(text), "postgres://app:<secret: DB_PASS>@db/<secret: DB>")
        XCTAssertEqual(SecretDetector.reason(name: "URL", value: text)?.kind, .taint)
        // An unterminated marker is kept as text, never read as a variable.
        let broken = "a\(Character(SecretTaint.open))B"
        XCTAssertEqual(SecretTaint.segments(broken), [.text(broken)])
        XCTAssertTrue(SecretTaint.holdsMarkerCharacter(broken))
        XCTAssertFalse(SecretTaint.holdsMarkerCharacter("plain ☃ text"))
        XCTAssertEqual(
            ValueTree.members([("a", .array([.string(text)]))]).maskingSecrets(),
            .members([("a", .array([.string("postgres://app:<secret: DB_PASS>@db/<secret: DB>")]))]))
    }

    func testDetectionIsBoundedOnHostileInput() {
        let start = Date()
        // A megabyte-long word of three letters: long, but not random.
        XCTAssertNil(SecretDetector.shapeReason(String(repeating: "aB3", count: 100_000)))
        XCTAssertNil(SecretDetector.shapeReason(String(repeating: "https://", count: 30_000)))
        XCTAssertNotNil(SecretDetector.shapeReason(String(repeating: "https://", count: 30_000) + "u:Hx9-pw@db"))
        XCTAssertNil(SecretDetector.fileReason(String(repeating: "a=b\n", count: 50_000)))
        XCTAssertLessThan(Date().timeIntervalSince(start), 20, "detection must stay linear")
    }
}
