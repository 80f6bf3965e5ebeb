import KomplyCore

/// The JSON schema every answer must follow: `{operations: [{op, path, value, reason}], rationale}`.
public enum PatchSchema {
    /// The schema's name (OpenAI's `json_schema.name`).
    public static let name = "komply_patch"

    /// The schema, strict-mode compatible (every property required, no extra properties).
    public static let schema: ValueTree = .members([
        ("type", .string("object")),
        (
            "properties",
            .members([
                (
                    "operations",
                    .members([
                        ("type", .string("array")),
                        (
                            "items",
                            .members([
                                ("type", .string("object")),
                                (
                                    "properties",
                                    .members([
                                        (
                                            "op",
                                            .members([("type", .string("string")), ("enum", .array([.string("replace"), .string("add")]))])
                                        ),
                                        ("path", .members([("type", .string("string"))])),
                                        (
                                            "value",
                                            .members([
                                                (
                                                    "anyOf",
                                                    .array([
                                                        .members([("type", .string("string"))]), .members([("type", .string("number"))]),
                                                    ])
                                                )
                                            ])
                                        ),
                                        ("reason", .members([("type", .string("string"))])),
                                    ])
                                ),
                                ("required", .array(["op", "path", "value", "reason"].map { .string($0) })),
                                ("additionalProperties", .bool(false)),
                            ])
                        ),
                    ])
                ),
                ("rationale", .members([("type", .string("string"))])),
            ])
        ),
        ("required", .array([.string("operations"), .string("rationale")])),
        ("additionalProperties", .bool(false)),
    ])
}
