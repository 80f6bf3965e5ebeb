import XCTest

@testable import KomplyCore

final class QuantityTests: XCTestCase {
    func testCanonicalFormsMatchKubernetes() throws {
        let cases: [(String, String)] = [
            ("100m", "100m"), ("0.1", "100m"), ("1000m", "1"), ("1.5", "1500m"), ("2", "2"),
            ("128Mi", "128Mi"), ("1024Mi", "1Gi"), ("1Gi", "1Gi"), ("1G", "1G"), ("1000k", "1M"),
            ("1e3", "1e3"), ("1.5Gi", "1536Mi"), ("0.5Gi", "512Mi"), ("12e6", "12e6"),
            ("1500000k", "1500M"), ("0.5", "500m"), ("0", "0"), ("0Mi", "0"), ("-0", "0"), ("+5", "5"),
            ("-1.5", "-1500m"), ("-1Gi", "-1Gi"), (".5", "500m"), ("5.", "5"), ("0.5Ki", "512"),
            ("1.5Ki", "1536"), ("1Ki", "1Ki"), ("1000", "1k"), ("10", "10"), ("100", "100"),
            ("1e1", "10"), ("1e-3", "1e-3"), ("1E3", "1e3"), ("1000e0", "1e3"), ("1e+3", "1e3"),
            ("100e-2", "1"), ("12.5e1", "125"), ("0.1Ki", "102400m"), ("1.1Ki", "1126400m"),
            ("1024Ei", "1024Ei"), ("1000E", "1000E"), ("2048Pi", "2Ei"), ("1024Ki", "1Mi"), ("1000000u", "1"),
            ("1000n", "1u"), ("0.000001", "1u"), ("1234567n", "1234567n"), ("1e21", "1e21"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try Quantity(parsing: input).description, expected, "input \(input)")
        }
    }

    func testEverySuffixScalesTheNumber() throws {
        let units: [(String, Int)] = [
            ("", 1), ("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
            ("P", 1_000_000_000_000_000), ("E", 1_000_000_000_000_000_000), ("Ki", 1 << 10), ("Mi", 1 << 20),
            ("Gi", 1 << 30), ("Ti", 1 << 40), ("Pi", 1 << 50), ("Ei", 1 << 60),
        ]
        for (suffix, multiplier) in units {
            XCTAssertEqual(try Quantity(parsing: "3\(suffix)").value, 3 * multiplier, "suffix \(suffix)")
            XCTAssertEqual(try Quantity(parsing: "3\(suffix)"), try Quantity(parsing: "\(3 * multiplier)"))
        }
        XCTAssertEqual(try Quantity(parsing: "3m").milliValue, 3)
        XCTAssertEqual(try Quantity(parsing: "3u").formatted(as: .decimalSI), "3u")
        XCTAssertEqual(try Quantity(parsing: "3n").formatted(as: .decimalSI), "3n")
        XCTAssertEqual(try Quantity(parsing: "3000u"), try Quantity(parsing: "3m"))
        XCTAssertEqual(try Quantity(parsing: "3000000n"), try Quantity(parsing: "3m"))
    }

    func testParsedFormatFollowsTheSuffixFamily() throws {
        XCTAssertEqual(try Quantity(parsing: "1").format, .decimalSI)
        XCTAssertEqual(try Quantity(parsing: "1m").format, .decimalSI)
        XCTAssertEqual(try Quantity(parsing: "1E").format, .decimalSI)
        XCTAssertEqual(try Quantity(parsing: "1Mi").format, .binarySI)
        XCTAssertEqual(try Quantity(parsing: "1e3").format, .decimalExponent)
        XCTAssertEqual(try Quantity(parsing: "1E3").format, .decimalExponent)
        XCTAssertEqual(try Quantity(parsing: "1E-3").format, .decimalExponent)
        // Kubernetes switches binary amounts below one to decimal while parsing.
        XCTAssertEqual(try Quantity(parsing: "0.0001Ki").format, .decimalSI)
    }

    func testExponentsAndSigns() throws {
        XCTAssertEqual(try Quantity(parsing: "1E").value, 1_000_000_000_000_000_000)
        XCTAssertEqual(try Quantity(parsing: "1E3").value, 1_000)
        XCTAssertEqual(try Quantity(parsing: "2e-3").milliValue, 2)
        XCTAssertEqual(try Quantity(parsing: "-2e3").value, -2_000)
        XCTAssertEqual(try Quantity(parsing: "+.5e1").value, 5)
        XCTAssertEqual(try Quantity(parsing: "-.5").milliValue, -500)
        XCTAssertTrue(try Quantity(parsing: "-1").isNegative)
        XCTAssertFalse(try Quantity(parsing: "-0").isNegative)
        XCTAssertTrue(try Quantity(parsing: "0e999999999999999999999").isZero)
    }

    func testFinerThanNanoRoundsUpAwayFromZero() throws {
        XCTAssertEqual(try Quantity(parsing: "0.1n").description, "1n")
        XCTAssertEqual(try Quantity(parsing: "-0.1n").description, "-1n")
        XCTAssertEqual(try Quantity(parsing: "1e-12").description, "1e-9")
        XCTAssertEqual(try Quantity(parsing: "1.0000000001").description, "1000000001n")
        XCTAssertEqual(try Quantity(parsing: "1.0000000000").description, "1")
        XCTAssertEqual(try Quantity(parsing: "1e-999999999999999999999").description, "1e-9")
        // Many digits past the nano do not overflow; only whether any is non-zero matters.
        let long = "0." + String(repeating: "0", count: 200) + "1Ei"
        XCTAssertEqual(try Quantity(parsing: long).description, "1n")
        XCTAssertEqual(try Quantity(parsing: "0.000000000001Ki").description, "2n")
    }

    func testComparisonsAcrossFormats() throws {
        func q(_ text: String) throws -> Quantity { try Quantity(parsing: text) }
        XCTAssertGreaterThan(try q("1Gi"), try q("1G"))
        XCTAssertEqual(try q("1000m"), try q("1"))
        XCTAssertEqual(try q("0.5"), try q("500m"))
        XCTAssertEqual(try q("1e3"), try q("1k"))
        XCTAssertEqual(try q("1Ki"), try q("1024"))
        XCTAssertLessThan(try q("-1"), try q("0"))
        XCTAssertLessThan(try q("-2"), try q("-1"))
        XCTAssertLessThan(try q("999m"), try q("1"))
        XCTAssertEqual(Set([try q("1"), try q("1000m"), try q("1e0")]).count, 1)
        let sorted = try [q("1Gi"), q("100m"), q("-1"), q("1G")].sorted()
        XCTAssertEqual(sorted.map(\.description), ["-1", "100m", "1G", "1Gi"])
    }

    func testConvenienceInitialisersAndIntegerViews() throws {
        XCTAssertEqual(Quantity(milliCPU: 250).description, "250m")
        XCTAssertEqual(Quantity(milliCPU: 2000).description, "2")
        XCTAssertEqual(Quantity(bytes: 1 << 30).description, "1Gi")
        XCTAssertEqual(Quantity(bytes: 536_870_912).description, "512Mi")
        XCTAssertEqual(Quantity(bytes: 1_000_000_000, format: .decimalSI).description, "1G")
        XCTAssertEqual(Quantity(bytes: 1_000_000_000).description, "1000000000")
        XCTAssertEqual(Quantity(bytes: 512).description, "512")
        XCTAssertEqual(Quantity(milliCPU: Int.min).milliValue, Int.min)
        XCTAssertEqual(try Quantity(parsing: "1.5Gi").bytes, 1_610_612_736)
        XCTAssertEqual(try Quantity(parsing: "100m").value, 1)
        XCTAssertEqual(try Quantity(parsing: "-100m").value, -1)
        XCTAssertEqual(try Quantity(parsing: "0.1m").milliValue, 1)
        XCTAssertEqual(try Quantity(parsing: "1Ei").bytes, 1 << 60)
        XCTAssertEqual(try Quantity(parsing: "8Ei").milliValue, Int.max)
        XCTAssertEqual(try Quantity(parsing: "-8Ei").value, Int.min)
        XCTAssertEqual(try Quantity(parsing: "-9Ei").value, Int.min)
    }

    func testFormattedAs() throws {
        let gibi = try Quantity(parsing: "1Gi")
        XCTAssertEqual(gibi.formatted(as: .decimalSI), "1073741824")
        XCTAssertEqual(gibi.formatted(as: .decimalExponent), "1073741824")
        XCTAssertEqual(try Quantity(parsing: "2G").formatted(as: .decimalExponent), "2e9")
        XCTAssertEqual(try Quantity(parsing: "2048").formatted(as: .binarySI), "2Ki")
        XCTAssertEqual(try Quantity(parsing: "100m").formatted(as: .binarySI), "100m")
        XCTAssertEqual(try Quantity(parsing: "1500.5").formatted(as: .binarySI), "1500500m")
        XCTAssertEqual(try Quantity(parsing: "1e-9").formatted(as: .decimalSI), "1n")
    }

    func testAdditionAndSubtraction() throws {
        func q(_ text: String) throws -> Quantity { try Quantity(parsing: text) }
        XCTAssertEqual(try q("512Mi").adding(q("512Mi")).description, "1Gi")
        XCTAssertEqual(try q("100m").adding(q("900m")).description, "1")
        XCTAssertEqual(try q("1").subtracting(q("1500m")).description, "-500m")
        XCTAssertEqual(try q("1Gi").subtracting(q("1Gi")).description, "0")
        XCTAssertEqual(try q("-1").adding(q("1")), .zero)
        XCTAssertFalse(try q("-1").adding(q("1")).isNegative)
        // Like Kubernetes: the receiver's format wins unless the receiver is zero.
        XCTAssertEqual(try q("1").adding(q("1Ki")).description, "1025")
        XCTAssertEqual(try Quantity.zero.adding(q("1Ki")).description, "1Ki")
        XCTAssertEqual(try q("1Ki").negated().description, "-1Ki")
        let huge = try q("150000000000Ei")
        XCTAssertThrowsError(try huge.adding(huge)) { error in
            guard case .quantityOutOfRange = error as? CoreError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try huge.subtracting(huge), .zero)
        XCTAssertEqual(try huge.negated().adding(huge), .zero)
        XCTAssertEqual(try q("1Ei").negated().subtracting(q("1Ei")), try q("1Ei").multiplied(by: -2))
        XCTAssertThrowsError(try huge.negated().subtracting(huge))
    }

    func testMultiplicationAndScaling() throws {
        func q(_ text: String) throws -> Quantity { try Quantity(parsing: text) }
        XCTAssertEqual(try q("512Mi").multiplied(by: 2).description, "1Gi")
        XCTAssertEqual(try q("250m").multiplied(by: -4).description, "-1")
        XCTAssertEqual(try q("100m").scaled(by: 1.15).description, "115m")
        XCTAssertEqual(try q("1Gi").scaled(by: 1.15).description, "1234803097600m")
        XCTAssertEqual(try q("1Gi").scaled(by: 1.15).roundedUp(toMultipleOf: q("1")).description, "1234803098")
        XCTAssertEqual(try q("1Gi").scaled(by: 1.15).roundedUp(toMultipleOf: q("1Mi")).description, "1178Mi")
        XCTAssertEqual(try q("1Gi").scaled(by: 0.5).description, "512Mi")
        XCTAssertEqual(try q("1").scaled(by: 1e-20).description, "1n")
        XCTAssertEqual(try q("1").scaled(by: 1e20).description, "100E")
        XCTAssertEqual(try q("333m").scaled(by: -1.0 / 3.0).description, "-111m")
        XCTAssertEqual(try q("1").scaled(by: 2, over: 3).description, "666666667n")
        XCTAssertEqual(try q("1").scaled(by: -2, over: 3).description, "-666666667n")
        XCTAssertEqual(try q("100m").scaled(by: 23, over: 20).description, "115m")
        XCTAssertEqual(try q("1001m").roundedUp(toMultipleOf: q("100m")).description, "1100m")
        XCTAssertEqual(try q("-1001m").roundedUp(toMultipleOf: q("100m")).description, "-1100m")
        XCTAssertEqual(try q("2Ti").roundedUp(toMultipleOf: q("1Ti")).description, "2Ti")
        XCTAssertEqual(try q("2049Gi").roundedUp(toMultipleOf: q("1Ti")).description, "3Ti")
        XCTAssertEqual(try q("1Ei").scaled(by: Int.max, over: Int.max), try q("1Ei"))

        XCTAssertThrowsError(try q("1").scaled(by: .nan))
        XCTAssertThrowsError(try q("1").scaled(by: .infinity))
        XCTAssertThrowsError(try q("1").scaled(by: 1, over: 0))
        XCTAssertThrowsError(try q("1").roundedUp(toMultipleOf: .zero))
        XCTAssertThrowsError(try q("1").roundedUp(toMultipleOf: q("-1")))
        XCTAssertThrowsError(try q("8Ei").multiplied(by: Int.max))
        XCTAssertThrowsError(try q("8Ei").scaled(by: 1e300))
    }

    func testOverflowThrowsInsteadOfCrashing() {
        for text in ["99999999999999999999Ei", "1e30", "340282366920938463463374607432", "1e999999999999999999999"] {
            XCTAssertThrowsError(try Quantity(parsing: text), text) { error in
                XCTAssertEqual(error as? CoreError, .quantityOutOfRange(text, limit: "about 3.4e29 (2^128 - 1 nano-units)"))
            }
        }
        XCTAssertEqual(try Quantity(parsing: "1e20").description, "100e18")
        XCTAssertEqual(try Quantity(parsing: "100000000000000000000").description, "100E")
    }

    func testInvalidInputsThrow() {
        let inputs = [
            "", "Mi", "1.2.3", "12Mx", "1 Gi", "--1", "+", "-", ".", "1e", "1e+", "1ki", "1K", "1KI", "1mi",
            " 1", "1 ", "1e3.5", "1Gi1", "e3", "1,5", "0x10", "1_000", "１",
        ]
        for input in inputs {
            XCTAssertThrowsError(try Quantity(parsing: input), input.debugDescription) { error in
                XCTAssertEqual(error as? CoreError, .invalidQuantity(input))
            }
        }
    }

    func testErrorMessagesNameTheTextAndWhatWasExpected() {
        XCTAssertEqual(
            CoreError.invalidQuantity("12Mx").localizedDescription,
            #"invalid quantity "12Mx": expected a number with an optional suffix (n, u, m, k, M, G, T, P, E, "#
                + "Ki, Mi, Gi, Ti, Pi, Ei, or an exponent like 1e3)"
        )
        let byteSize = CoreError.invalidByteSize("1x").localizedDescription
        XCTAssertTrue(byteSize.hasPrefix(#"invalid byte size "1x": expected"#))
        XCTAssertEqual(
            CoreError.quantityOutOfRange("1e30", limit: "about 3.4e29 (2^128 - 1 nano-units)").localizedDescription,
            #""1e30" is out of range: expected a magnitude of at most about 3.4e29 (2^128 - 1 nano-units)"#
        )
    }

    func testComposeByteSizes() throws {
        let cases: [(String, Int64)] = [
            ("512M", 536_870_912), ("512m", 536_870_912), ("1g", 1_073_741_824), ("1.5G", 1_610_612_736),
            ("128kb", 131_072), ("100b", 100), ("100", 100), ("100B", 100), ("1KiB", 1024), ("1kib", 1024),
            ("1 GB", 1_073_741_824), ("2t", 2 << 40), ("1p", 1 << 50), (".5k", 512), ("5.", 5),
            ("0.3k", 307), ("10.9", 10), ("+1k", 1024), ("0", 0), ("7p", 7 << 50),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try Quantity.parseComposeByteSize(input), expected, "input \(input)")
        }
        for input in ["", "k", "1x", "1bb", "1ib", "1kbb", "1kibb", "-1k", "1  g", " 1", "1.2.3", "1e3", "1g "] {
            XCTAssertThrowsError(try Quantity.parseComposeByteSize(input), input.debugDescription) { error in
                XCTAssertEqual(error as? CoreError, .invalidByteSize(input))
            }
        }
        XCTAssertThrowsError(try Quantity.parseComposeByteSize("8192p")) { error in
            guard case .quantityOutOfRange = error as? CoreError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try Quantity.parseComposeByteSize("8191.99p"), 9_223_360_777_855_707_381)
        XCTAssertEqual(Quantity(bytes: Int(try Quantity.parseComposeByteSize("512m"))).description, "512Mi")
    }
}
