import Foundation

/// Timestamps as komply reads and writes them: RFC 3339 in UTC with milliseconds.
public enum Timestamp {
    /// `2026-11-22T00:08:27.422Z`.
    /// Times outside the years 0001…9999 (and NaN) print as the nearest end, never trap; stored times are
    /// within `NumberBound.unixSeconds`, so only a poisoned file reaches the clamp.
    public static func format(_ seconds: Double) -> String {
        let clamped = seconds.isNaN ? 0 : min(max(seconds, -62_135_596_800), 253_402_300_799)
        let millis = Int64((clamped * 1000).rounded())
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let ms = Int(((millis % 1000) + 1000) % 1000)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, ms)
    }

    /// Parses RFC 3339 (`Z` or `±hh:mm`, optional fraction) or a number of seconds since 1970.
    public static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite { return seconds }
        let scalars = Array(trimmed.utf8)
        func int(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= scalars.count else { return nil }
            var value = 0
            for byte in scalars[from..<from + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard scalars.count >= 20, let year = int(0, 4), scalars[4] == 45, let month = int(5, 2), scalars[7] == 45,
            let day = int(8, 2), scalars[10] == 84 || scalars[10] == 116 || scalars[10] == 32,
            let hour = int(11, 2), scalars[13] == 58, let minute = int(14, 2), scalars[16] == 58,
            let second = int(17, 2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < scalars.count, scalars[index] == 46 {
            index += 1
            var scale = 0.1
            while index < scalars.count, scalars[index] >= 48, scalars[index] <= 57 {
                fraction += Double(scalars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        guard index < scalars.count else { return nil }
        if scalars[index] == 90 || scalars[index] == 122 {
            index += 1
        } else if scalars[index] == 43 || scalars[index] == 45, let oh = int(index + 1, 2), scalars.count > index + 3,
            scalars[index + 3] == 58, let om = int(index + 4, 2)
        {
            offset = (oh * 3600 + om * 60) * (scalars[index] == 43 ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == scalars.count else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard
            let date = calendar.date(
                from: DateComponents(
                    year: year, month: month, day: day, hour: hour, minute: minute,
                    second: second))
        else { return nil }
        return date.timeIntervalSince1970 + fraction - Double(offset)
    }
}
