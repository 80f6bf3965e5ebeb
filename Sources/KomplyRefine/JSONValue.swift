import Foundation
import KomplyCore

/// JSON text read into a `ValueTree` (object members sorted by key), for server replies and model answers.
enum JSONValue {
    /// The value of `data`, or nil when it is not one JSON value.
    static func parse(_ data: Data) -> ValueTree? {
        try? JSONDecoder().decode(Decoded.self, from: data).tree
    }

    /// The value of `text`, or nil when it is not one JSON value.
    static func parse(_ text: String) -> ValueTree? { parse(Data(text.utf8)) }
}

private struct Decoded: Decodable {
    let tree: ValueTree

    init(from decoder: any Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var items: [ValueTree] = []
            while !list.isAtEnd { items.append(try list.decode(Decoded.self).tree) }
            tree = .array(items)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [String: ValueTree] = [:]
            for key in object.allKeys { members[key.stringValue] = try object.decode(Decoded.self, forKey: key).tree }
            tree = .sortedObject(members)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            tree = .null
        } else if let flag = try? single.decode(Bool.self) {
            tree = .bool(flag)
        } else if let whole = try? single.decode(Int.self) {
            tree = .int(whole)
        } else if let real = try? single.decode(Double.self) {
            tree = .double(real)
        } else {
            tree = .string(try single.decode(String.self))
        }
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension ValueTree {
    /// The array's items, or nil.
    var arrayItems: [ValueTree]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The value at a path of object keys.
    func value(at keys: String...) -> ValueTree? {
        var current: ValueTree? = self
        for key in keys { current = current?[key] }
        return current
    }
}
