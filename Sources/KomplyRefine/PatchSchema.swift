import KomplyCore

/// The JSON schema every answer must follow: `{operations: [{op, path, value, reason}], rationale}`.
public enum PatchSchema {
    /// The schema's name (OpenAI's `json_schema.name`).
    public static let name = "komply_patch"

    /// The schema `settings`' server is asked for: with llama-cpp-python's `json_object` dialect the bounded one.
    public static func schema(for settings: RefineSettings) -> ValueTree {
        settings.provider == .openai && settings.dialect == .jsonObject ? bounded : schema
    }

    /// The schema with lengths bounded: at most 6 operations, short strings (about 600 tokens at most). Servers that turn a schema into a
    /// sampling grammar (llama-cpp-python) then cannot let a small model loop until `max_tokens` cuts the reply
    /// off unparseable, which SmolLM2-135M did on 3 of 4 services even with 8 operations of longer strings. Strict `json_schema` servers get `schema`:
    /// length keywords are outside the subset they all accept.
    public static let bounded: ValueTree = limited(schema)

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

    /// `tree` with `maxItems` on the operations and `maxLength` on every string property (`key` is the property
    /// the schema `tree` describes; `anyOf` alternatives describe the same property).
    private static func limited(_ tree: ValueTree, key: String? = nil) -> ValueTree {
        switch tree {
        case .array(let items): return .array(items.map { limited($0, key: key) })
        case .object(let members):
            var limitedMembers = members.map { member in
                ValueTree.Member(key: member.key, value: limited(member.value, key: member.key == "anyOf" ? key : member.key))
            }
            if tree["type"] == .string("array") { limitedMembers.append(.init(key: "maxItems", value: .int(maxOperations))) }
            if tree["type"] == .string("string"), let key, let length = stringLimits[key] {
                limitedMembers.append(.init(key: "maxLength", value: .int(length)))
            }
            return .object(limitedMembers)
        default: return tree
        }
    }

    /// The most operations one bounded answer holds.
    static let maxOperations = 6

    /// The longest text per property: the longest bounded answer is about 2,000 characters, some 600 tokens.
    private static let stringLimits = ["path": 96, "value": 32, "reason": 100, "rationale": 240]
}
