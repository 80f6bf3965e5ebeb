/// komply's version, printed by `--version` and recorded in provenance.
public enum KomplyVersion {
    /// The semantic version of this build.
    public static let current = "0.1.0"
}
