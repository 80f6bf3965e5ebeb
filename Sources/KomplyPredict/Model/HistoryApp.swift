import KomplyCore

/// The app part of a history key: every source's app name (compose project, `com.docker.compose.project`
/// label, CSV/JSON `app`, Kubernetes namespace, `--app`) is normalised the one way komply names an app in
/// generated output (`Naming.dnsLabel`), so `my_shop`, `My-Shop` and the namespace `my-shop` are one app.
public enum HistoryApp {
    /// The history key of an app name: a DNS-1123 label (lower case, `a-z0-9-`, at most 63 characters);
    /// empty stays empty (a legacy row, recorded before history was keyed by app).
    public static func key(_ raw: String) -> String {
        let out = DNSLabel.make(raw)
        // A name with no letter or digit at all is still an app the user named: `Naming.dnsLabel` calls it "app".
        return out.isEmpty && !raw.isEmpty ? "app" : out
    }

    /// How a reason or warning names an app's history: `app "shop"`, or the legacy rows.
    public static func describe(_ key: String) -> String {
        key.isEmpty ? "history recorded without an app (before komply keyed history by app)" : "app \"\(key)\""
    }
}
