/// Short decimal text for messages (`2`, `1.5`).
enum NumberText {
    static func short(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
