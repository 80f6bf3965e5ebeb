import Foundation
import XCTest

@testable import KomplyCore

final class SHA256Tests: XCTestCase {
    func testNISTVectors() {
        XCTAssertEqual(SHA256.hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256.hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(
            SHA256.hex(Data(repeating: UInt8(ascii: "a"), count: 1_000_000)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testDigestIsThirtyTwoBytes() {
        let digest = SHA256.digest([UInt8]("abc".utf8))
        XCTAssertEqual(digest.count, 32)
        XCTAssertEqual(Array(digest.prefix(4)), [0xba, 0x78, 0x16, 0xbf])
    }

    func testPaddingBoundaries() throws {
        // Lengths around the 55/56/64-byte padding edges against the system tool.
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum"), "sha256sum is not installed")
        for length in [1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000] {
            let data = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            XCTAssertEqual(SHA256.hex(data), try sha256sum(data), "length \(length)")
        }
    }

    func testIncrementalUpdatesMatchOneShot() {
        let data = [UInt8]((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        let expected = SHA256.digest(data)
        for chunk in [1, 3, 63, 64, 65, 200, 999] {
            var hasher = SHA256.Hasher()
            var index = 0
            while index < data.count {
                let end = min(index + chunk, data.count)
                hasher.update(data[index..<end])
                index = end
            }
            XCTAssertEqual(hasher.finalize(), expected, "chunks of \(chunk)")
        }
    }

    func testRFC4231HMACVectors() {
        let cases: [(key: Data, message: Data, mac: String)] = [
            (
                Data(repeating: 0x0b, count: 20), Data("Hi There".utf8),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                Data("Jefe".utf8), Data("what do ya want for nothing?".utf8),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                Data(repeating: 0xaa, count: 20), Data(repeating: 0xdd, count: 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
            ),
            (
                Data(1...25), Data(repeating: 0xcd, count: 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
            ),
            (
                Data(repeating: 0xaa, count: 131), Data("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
            (
                Data(repeating: 0xaa, count: 131),
                Data(
                    ("This is a test using a larger than block-size key and a larger than block-size data. "
                        + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
            ),
        ]
        for (index, test) in cases.enumerated() {
            XCTAssertEqual(SHA256.hmacHex(key: test.key, message: test.message), test.mac, "RFC 4231 case \(index + 1)")
        }
        // Case 5 is checked on its first 128 bits only.
        let truncated = SHA256.hmacHex(key: Data(repeating: 0x0c, count: 20), message: Data("Test With Truncation".utf8))
        XCTAssertEqual(String(truncated.prefix(32)), "a3b6167473100ee06e0c796c2955552b")
    }

    func testKeyOfExactlyOneBlockIsNotHashed() {
        // A 64-byte key is used as is; hashing it first would give a different MAC.
        let key = Data(repeating: 0x42, count: 64)
        let direct = SHA256.hmac(key: key, message: Data("m".utf8))
        let hashedKey = SHA256.hmac(key: Data(SHA256.digest(key)), message: Data("m".utf8))
        XCTAssertNotEqual(direct, hashedKey)
        XCTAssertEqual(
            SHA256.hmac(key: Data(repeating: 0x42, count: 65), message: Data("m".utf8)),
            SHA256.hmac(key: Data(SHA256.digest(Data(repeating: 0x42, count: 65))), message: Data("m".utf8)))
    }

    private func sha256sum(_ data: Data) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(data)
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }
}
