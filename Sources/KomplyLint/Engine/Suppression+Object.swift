import KomplyCore

extension Suppression {
    /// The annotation values on an object and on its pod template, with their nodes.
    static func annotationPairs(of object: KubeObject) -> [Node.Pair] {
        // Only the annotations mapping is copied (every object is asked; few have any).
        let own = object.node.value(at: ["metadata", "annotations"])?.pair(annotation)
        // The pod template's entry counts unless the template metadata is the object's own (a Pod);
        // comparing the two trees is left for when the template has an entry at all.
        guard let podMetadata = object.podMetadata,
            let template = podMetadata.withValue(forKey: "annotations", { $0.pair(annotation) }) ?? nil, podMetadata != object.metadata
        else { return own.map { [$0] } ?? [] }
        return (own.map { [$0] } ?? []) + [template]
    }

    /// Every suppression on an object (the object's and its pod template's annotations).
    static func suppressions(of object: KubeObject) -> [Suppression] {
        annotationPairs(of: object).flatMap { parse($0.value.scalar ?? "").suppressions }
    }
}
