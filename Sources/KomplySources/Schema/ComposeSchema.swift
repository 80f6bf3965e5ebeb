import KomplyCore

/// Validation against the Compose Specification schema, so komply rejects what docker compose rejects.
enum ComposeSchema {
    /// The compiled schema; the embedded text is built-in data, so failing to parse it is a bug.
    static let schema: JSONSchema = {
        do { return try JSONSchema(json: ComposeSpecSchema.text, file: "compose-spec.json") } catch {
            fatalError("the embedded compose schema is invalid: \(error)")
        }
    }()

    /// The violations of a compose document, most specific first.
    static func validate(_ document: Node) -> [SchemaViolation] {
        schema.validate(document)
    }
}
