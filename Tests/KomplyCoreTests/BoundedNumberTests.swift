import KomplyCore
import XCTest

/// The one bounded reader for numbers from outside: finite, within a physical bound, checked arithmetic.
final class BoundedNumberTests: XCTestCase {
    func testOrdinaryNumbersPassUnchanged() throws {
        XCTAssertEqual(try BoundedNumber.check(0.5, .cpuCores), 0.5)
        XCTAssertEqual(try BoundedNumber.check(1_000_000.0, .cpuCores), 1_000_000)
        XCTAssertEqual(try BoundedNumber.check(1 << 62, .memoryBytes), 1 << 62)
        XCTAssertEqual(try BoundedNumber.parse("1.5", .cpuCores), 1.5)
        XCTAssertEqual(try BoundedNumber.parse(" 2e3 ", .cpuCores), 2000)
        XCTAssertEqual(try BoundedNumber.parseInteger("3", .replicas), 3)
    }

    func testNonFiniteAndOutOfRangeAreRefusedNamingTheBound() {
        for value in [Double.nan, .infinity, -.infinity, 1e300, -0.5, 1_000_000.5] {
            XCTAssertThrowsError(try BoundedNumber.check(value, .cpuCores), "\(value)") { error in
                guard case .numberOutOfBounds(_, let bound, let range) = error as? CoreError else { return XCTFail("\(error)") }
                XCTAssertEqual(bound, "CPU cores")
                XCTAssertEqual(range, "from 0 to 1000000")
            }
        }
        do {
            try BoundedNumber.check(Double.nan, .memoryBytes)
            XCTFail("NaN accepted")
        } catch {
            XCTAssertEqual(
                error.localizedDescription,
                "nan is out of range for memory bytes: expected a finite number from 0 to 4611686018427387904")
        }
        XCTAssertThrowsError(try BoundedNumber.check(Int.max, .replicas))
        XCTAssertThrowsError(try BoundedNumber.check(-1, .count))
    }

    func testTextThatIsNoDecimalIsRefused() {
        for text in ["nan", "NaN", "inf", "-Infinity", "0x10", "", "1e", "1.5.2", "12abc"] {
            XCTAssertThrowsError(try BoundedNumber.parse(text, .cpuCores), text) { error in
                guard case .invalidNumber = error as? CoreError else { return XCTFail("\(text): \(error)") }
            }
        }
        XCTAssertThrowsError(try BoundedNumber.parseInteger("9223372036854775808", .replicas)) { error in
            guard case .numberOutOfBounds = error as? CoreError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try BoundedNumber.parseInteger("1.5", .replicas)) { error in
            guard case .invalidNumber = error as? CoreError else { return XCTFail("\(error)") }
        }
    }

    func testArithmeticThrowsInsteadOfOverflowing() throws {
        XCTAssertEqual(try BoundedNumber.product(1_000_000, 3, .count), 3_000_000)
        XCTAssertThrowsError(try BoundedNumber.product(Int.max, 3, .count))
        XCTAssertThrowsError(try BoundedNumber.product(1 << 40, 1 << 40, .memoryBytes))
        XCTAssertEqual(try BoundedNumber.sum(2, 3, .count), 5)
        XCTAssertThrowsError(try BoundedNumber.sum(Int.max, Int.max, .count))
        XCTAssertThrowsError(try BoundedNumber.sum(4e18, 4e18, .memoryBytes))
        XCTAssertEqual(try BoundedNumber.quotient(50_000, 100_000, .cpuCores), 0.5)
        // docker inspect CpuQuota 8e18 over CpuPeriod 1: 8e18 cores.
        XCTAssertThrowsError(try BoundedNumber.quotient(8e18, 1, .cpuCores))
        XCTAssertThrowsError(try BoundedNumber.quotient(1, 0, .cpuCores))
        XCTAssertEqual(try BoundedNumber.nanoseconds(seconds: 1.5), 1_500_000_000)
        XCTAssertThrowsError(try BoundedNumber.nanoseconds(seconds: 1e10))
    }

    /// Arithmetic on values within their bounds cannot overflow the types komply keeps them in.
    func testBoundsLeaveRoomForKomplysArithmetic() {
        XCTAssertLessThan(NumberBound.replicas.highest * 3, Double(Int32.max))
        XCTAssertLessThan(NumberBound.memoryBytes.highest * 1.25 + 512 * 1_048_576, Double(Int64.max))
        XCTAssertLessThan(NumberBound.seconds.highest * 1e9 + 1e9, Double(Int64.max))
        XCTAssertLessThan(NumberBound.cpuCores.highest * 1000, Double(Int32.max))
    }
}
