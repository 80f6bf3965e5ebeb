import KomplyCore

extension ValueTree {
    /// A copy with a member added (or replaced) at the end.
    func adding(_ key: String, _ value: ValueTree) -> ValueTree {
        guard case .object(var members) = self else { return self }
        members.removeAll { $0.key == key }
        members.append(Member(key: key, value: value))
        return .object(members)
    }

    /// A copy with one member transformed (created empty first when missing).
    func updating(_ key: String, _ transform: (ValueTree) -> ValueTree) -> ValueTree {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = transform(members[index].value)
        } else {
            members.append(Member(key: key, value: transform(.object([]))))
        }
        return .object(members)
    }

    /// A pod spec with its first container transformed.
    func updatingContainer(_ transform: (ValueTree) -> ValueTree) -> ValueTree {
        updating("containers") { containers in
            guard case .array(var items) = containers, !items.isEmpty else { return containers }
            items[0] = transform(items[0])
            return .array(items)
        }
    }

    /// Removes the internal `x-gpus` marker from the first container, returning its count.
    func extractingGPUs() -> (ValueTree, Int?) {
        var gpus: Int?
        let pod = updatingContainer { container in
            guard case .object(var members) = container, let index = members.firstIndex(where: { $0.key == "x-gpus" }) else {
                return container
            }
            if case .int(let count) = members[index].value { gpus = count }
            members.remove(at: index)
            return .object(members)
        }
        return (pod, gpus)
    }
}
