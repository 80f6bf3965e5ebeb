import Foundation
import KomplyCore
import KomplyPredict

// The HTML report: one self-contained file (inline CSS, SVG and script; no URL is fetched), readable on a
// phone, the same bytes for the same inputs.
extension UsageReport {
    /// The report as one HTML document.
    public func html() -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>komply report</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <h1>komply report</h1>
            <p class="meta">As of \(Self.escape(Timestamp.format(now))) · prices \(Self.escape(prices.currency)) \(Self.money(prices.vcpuHour, 6)) per vCPU-hour, \(Self.money(prices.gibHour, 6)) per GiB-hour · 730 hours a month</p>

            """
        let all = overall
        out += """
            <section class="cards">
            <div class="card"><b>\(workloads.count)</b><span>containers</span></div>
            <div class="card"><b>\(Self.cores(all.cpu))</b><span>CPU requested</span></div>
            <div class="card"><b>\(Self.bytes(all.memory))</b><span>memory requested</span></div>
            <div class="card"><b>\(Self.money(all.cost)) \(Self.escape(prices.currency))</b><span>a month today</span></div>
            <div class="card"><b>\(Self.money(all.recommendedCost)) \(Self.escape(prices.currency))</b><span>a month as recommended</span></div>
            <div class="card"><b>\(Self.money(all.cost - all.recommendedCost)) \(Self.escape(prices.currency))</b><span>saved a month</span></div>
            <div class="card"><b>\(workloads.reduce(0) { $0 + $1.oomKills })</b><span>OOM kills</span></div>
            </section>

            """
        out +=
            "<h2>Workloads</h2>\n<input id=\"filter\" type=\"search\" placeholder=\"Filter by app, service, cluster…\" aria-label=\"Filter\">\n"
        out += "<div class=\"scroll\"><table id=\"workloads\" class=\"sortable\">\n<thead><tr>"
        for header in [
            "app", "service", "container", "observed in", "replicas", "CPU request", "CPU recommended", "CPU P50", "CPU P95", "CPU max",
            "memory request", "memory recommended", "memory P50", "memory P95", "memory max", "restarts", "OOM kills", "throttling",
            "lint findings", "cost / month", "recommended / month",
        ] {
            out += "<th>\(header)</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for workload in workloads {
            let recommendedCPU = Double(workload.recommended.cpuRequest.milliValue) / 1000
            let recommendedMemory = Double(workload.recommended.memoryRequest.bytes)
            let replicas = Double(workload.replicas)
            let cells: [(String, Double?)] = [
                (workload.app, nil), (workload.service, nil), (workload.container, nil),
                (workload.observedIn.isEmpty ? "—" : workload.observedIn.joined(separator: ", "), nil),
                (String(workload.replicas), replicas), (Self.cores(workload.currentCPU), workload.currentCPU),
                (Self.cores(recommendedCPU), recommendedCPU), Self.stat(workload.cpu?.p50, Self.cores),
                Self.stat(workload.cpu?.p95, Self.cores),
                Self.stat(workload.cpu?.max, Self.cores), (Self.bytes(workload.currentMemory), workload.currentMemory),
                (Self.bytes(recommendedMemory), recommendedMemory), Self.stat(workload.memory?.p50, Self.bytes),
                Self.stat(workload.memory?.p95, Self.bytes), Self.stat(workload.memory?.max, Self.bytes),
                (String(workload.restarts), Double(workload.restarts)), (String(workload.oomKills), Double(workload.oomKills)),
                (String(workload.throttling), Double(workload.throttling)),
                (
                    workload.findings.isEmpty
                        ? "none" : workload.findings.keys.sorted().map { "\($0) ×\(workload.findings[$0]!)" }.joined(separator: ", "),
                    Double(workload.findings.values.reduce(0, +))
                ),
                Self.cost(prices.monthly(cpu: workload.currentCPU, memory: workload.currentMemory) * replicas),
                Self.cost(prices.monthly(cpu: recommendedCPU, memory: recommendedMemory) * replicas),
            ]
            out += "<tr\(workload.oomKills > 0 ? " class=\"alert\"" : "")>"
            for (text, value) in cells {
                out += value.map { "<td data-value=\"\(JSONEmitter.number($0))\">" } ?? "<td>"
                out += Self.escape(text) + "</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody></table></div>\n"
        for (title, totals) in [("Totals per app", byApp), ("Totals per cluster", byCluster)] {
            out += "<h2>\(title)</h2>\n<div class=\"scroll\"><table class=\"sortable\">\n<thead><tr><th>name</th><th>containers</th>"
            out +=
                "<th>CPU requested</th><th>memory requested</th><th>cost / month</th><th>recommended / month</th><th>saved / month</th></tr></thead>\n<tbody>\n"
            for total in totals {
                out += "<tr><td>\(Self.escape(total.name))</td><td data-value=\"\(total.workloads)\">\(total.workloads)</td>"
                out += "<td data-value=\"\(JSONEmitter.number(total.cpu))\">\(Self.cores(total.cpu))</td>"
                out += "<td data-value=\"\(JSONEmitter.number(total.memory))\">\(Self.bytes(total.memory))</td>"
                for amount in [total.cost, total.recommendedCost, total.cost - total.recommendedCost] {
                    out += "<td data-value=\"\(JSONEmitter.number((amount * 100).rounded() / 100))\">\(Self.money(amount))</td>"
                }
                out += "</tr>\n"
            }
            out += "</tbody></table></div>\n"
        }
        out += environmentsHTML()
        if let drift {
            out +=
                "<h2>Drift from the repository</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th>app</th><th>generated files that differ</th></tr></thead>\n<tbody>\n"
            for app in drift.keys.sorted() {
                let files = drift[app]!
                out += "<tr\(files.isEmpty ? "" : " class=\"alert\"")><td>\(Self.escape(app))</td><td>"
                out += files.isEmpty ? "up to date" : "\(files.count): " + Self.escape(files.joined(separator: ", "))
                out += "</td></tr>\n"
            }
            out += "</tbody></table></div>\n"
        }
        if !notes.isEmpty {
            out += "<h2>Notes</h2>\n<ul>\n" + notes.map { "<li>\(Self.escape($0))</li>\n" }.joined() + "</ul>\n"
        }
        out += "<h2>Usage over time</h2>\n"
        for workload in workloads where !workload.cpuChart.isEmpty || !workload.memoryChart.isEmpty {
            let id = "\(workload.app)/\(workload.service)/\(workload.container)"
            out += "<section class=\"workload\" data-name=\"\(Self.escape(id))\">\n<h3>\(Self.escape(id))</h3>\n<div class=\"charts\">\n"
            let recommendedCPU = Double(workload.recommended.cpuRequest.milliValue) / 1000
            out += Self.svg(
                title: "CPU (cores)", points: workload.cpuChart, request: workload.currentCPU,
                limit: workload.declared.cpuLimit ?? workload.recommended.cpuLimit.map { Double($0.milliValue) / 1000 },
                recommended: recommendedCPU, format: Self.cores)
            out += Self.svg(
                title: "memory (working set)", points: workload.memoryChart, request: workload.currentMemory,
                limit: workload.declared.memoryLimit ?? Double(workload.recommended.memoryLimit.bytes),
                recommended: Double(workload.recommended.memoryRequest.bytes), format: Self.bytes)
            out += "</div>\n</section>\n"
        }
        out += "<script>\(Self.script)</script>\n</body>\n</html>\n"
        return out
    }
}

private extension UsageReport {
    /// Apps × environments: totals per environment, each container as rendered there, and the observations that match
    /// no environment (nothing when komply.yaml lists no environments).
    func environmentsHTML() -> String {
        guard !environments.isEmpty else { return "" }
        let currency = Self.escape(prices.currency)
        func row(_ cells: [(String, Double?)]) -> String {
            "<tr>"
                + cells.map { text, value in
                    (value.map { "<td data-value=\"\(JSONEmitter.number($0))\">" } ?? "<td>") + Self.escape(text) + "</td>"
                }
                .joined() + "</tr>\n"
        }
        // `text5`: the fifth column holds text too, left-aligned like the first four.
        func head(_ headers: [String], text5: Bool = false) -> String {
            "<div class=\"scroll\"><table class=\"sortable\(text5 ? " text5" : "")\">\n<thead><tr>"
                + headers.map { "<th>\($0)</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        }
        var out = "<h2>Environments</h2>\n<p class=\"meta\">Each environment as its overlay renders: pods (an autoscaler's minimum"
        out += " when one scales the workload), its namespace, today's requests scaled by its resourceScale; recommended is what"
        out += " generate writes there. Costs in \(currency) a month; observed P95s from the clusters matched to it (docs/report.md).</p>\n"
        out += head(
            [
                "app", "environment", "namespace", "cluster", "observed in", "replicas", "resource scale", "containers", "pods",
                "CPU requested",
                "memory requested", "GPU", "cost / month", "recommended / month", "saved / month",
            ], text5: true)
        for environment in environments {
            let sums = total(of: environment)
            out += row([
                (environment.app, nil), (environment.name, nil), (environment.namespace, nil), (environment.cluster ?? "(default)", nil),
                (environment.observedIn.isEmpty ? "—" : environment.observedIn.joined(separator: ", "), nil),
                (environment.replicas.map { String($0) } ?? "—", environment.replicas.map { Double($0) }),
                (JSONEmitter.number(environment.resourceScale), environment.resourceScale),
                (String(sums.containers), Double(sums.containers)), (String(sums.pods), Double(sums.pods)),
                (Self.cores(sums.cpu), sums.cpu), (Self.bytes(sums.memory), sums.memory), (String(sums.gpus), Double(sums.gpus)),
                Self.cost(sums.cost), Self.cost(sums.recommendedCost), Self.cost(sums.cost - sums.recommendedCost),
            ])
        }
        out += "</tbody></table></div>\n<h3>Workloads per environment</h3>\n"
        out += head([
            "app", "environment", "service", "container", "pods", "CPU request", "CPU as rendered", "memory request",
            "memory as rendered", "GPU", "CPU P95", "memory P95", "cost / month", "recommended / month",
        ])
        for environment in environments {
            for workload in environment.workloads {
                let pods = Double(workload.pods)
                out += row([
                    (environment.app, nil), (environment.name, nil), (workload.service, nil), (workload.container, nil),
                    (workload.autoscaled ? "\(workload.pods) (autoscaler minimum)" : String(workload.pods), pods),
                    (Self.cores(workload.cpu), workload.cpu), Self.stat(workload.rendered.cpu, Self.cores),
                    (Self.bytes(workload.memory), workload.memory), Self.stat(workload.rendered.memory, Self.bytes),
                    (String(workload.rendered.gpus), Double(workload.rendered.gpus)), Self.stat(workload.observed.cpu?.p95, Self.cores),
                    Self.stat(workload.observed.memory?.p95, Self.bytes), Self.cost(workload.cost(prices)),
                    Self.cost(workload.recommendedCost(prices)),
                ])
            }
        }
        out += "</tbody></table></div>\n"
        guard !unmatched.isEmpty else { return out }
        out += "<h3>Observations matching no environment</h3>\n"
        out += head(["app", "service", "container", "observed in", "why", "CPU P95", "memory P95"], text5: true)
        for item in unmatched {
            out += row([
                (item.app, nil), (item.service, nil), (item.container, nil), (item.origin, nil), (item.reason, nil),
                Self.stat(item.observed.cpu?.p95, Self.cores), Self.stat(item.observed.memory?.p95, Self.bytes),
            ])
        }
        return out + "</tbody></table></div>\n"
    }

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1rem;color:#1b1f24;background:#fff}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}\
        h3{font-size:.95rem;margin:.5rem 0}.meta{color:#57606a}.cards{display:flex;flex-wrap:wrap;gap:.5rem}\
        .card{border:1px solid #d0d7de;border-radius:6px;padding:.5rem .75rem;min-width:8rem}.card b{display:block;font-size:1.1rem}\
        .card span{color:#57606a;font-size:.8rem}.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.85rem}\
        th,td{border-bottom:1px solid #d0d7de;padding:.25rem .5rem;text-align:right;white-space:nowrap}\
        th:nth-child(-n+4),td:nth-child(-n+4),.text5 th:nth-child(5),.text5 td:nth-child(5){text-align:left}th{cursor:pointer;background:#f6f8fa;position:sticky;top:0}\
        tr.alert td{background:#fff1f0}#filter{margin:.5rem 0;padding:.3rem;width:min(24rem,100%)}\
        .charts{display:flex;flex-wrap:wrap;gap:1rem}svg{width:min(340px,100%);height:auto;border:1px solid #d0d7de;border-radius:6px}\
        .usage{fill:none;stroke:#0969da;stroke-width:1.5}.request{stroke:#1a7f37;stroke-dasharray:4 3}.limit{stroke:#cf222e}\
        .recommended{stroke:#8250df;stroke-dasharray:2 2}svg text{font-size:10px;fill:#57606a}
        """

    static let script = """
        document.querySelectorAll('table.sortable th').forEach(function(th,i){th.addEventListener('click',function(){\
        var body=th.closest('table').tBodies[0],rows=Array.from(body.rows),up=th.dataset.dir!=='up';th.dataset.dir=up?'up':'down';\
        rows.sort(function(a,b){var x=a.cells[i],y=b.cells[i],p=x.dataset.value,q=y.dataset.value;\
        var c=(p!==undefined&&q!==undefined)?(parseFloat(p)-parseFloat(q)):x.textContent.localeCompare(y.textContent);return up?c:-c;});\
        rows.forEach(function(r){body.appendChild(r);});});});\
        document.getElementById('filter').addEventListener('input',function(e){var t=e.target.value.toLowerCase();\
        document.querySelectorAll('#workloads tbody tr').forEach(function(r){r.style.display=r.textContent.toLowerCase().indexOf(t)<0?'none':'';});\
        document.querySelectorAll('section.workload').forEach(function(s){s.style.display=s.dataset.name.toLowerCase().indexOf(t)<0?'none':'';});});
        """

    static func svg(
        title: String, points: [Point], request: Double, limit: Double?, recommended: Double, format: (Double) -> String
    ) -> String {
        let width = 320.0, height = 140.0, left = 8.0, top = 18.0, bottom = 18.0
        let peak = max(points.map(\.value).max() ?? 0, request, limit ?? 0, recommended, 1e-9) * 1.1
        let first = points.first?.time ?? 0, last = points.last?.time ?? 1
        let span = max(last - first, 1)
        func x(_ t: Double) -> String { JSONEmitter.number(((left + (t - first) / span * (width - 2 * left)) * 10).rounded() / 10) }
        func y(_ v: Double) -> String { JSONEmitter.number(((top + (1 - v / peak) * (height - top - bottom)) * 10).rounded() / 10) }
        var out = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        out += "<text x=\"\(Int(left))\" y=\"12\">\(escape(title)) · max \(escape(format(points.map(\.value).max() ?? 0)))</text>"
        func line(_ value: Double, _ kind: String) -> String {
            "<line class=\"\(kind)\" x1=\"\(Int(left))\" x2=\"\(Int(width - left))\" y1=\"\(y(value))\" y2=\"\(y(value))\"><title>\(kind) \(escape(format(value)))</title></line>"
        }
        out += line(request, "request")
        if let limit { out += line(limit, "limit") }
        out += line(recommended, "recommended")
        if !points.isEmpty {
            out += "<polyline class=\"usage\" points=\"" + points.map { "\(x($0.time)),\(y($0.value))" }.joined(separator: " ") + "\"/>"
        }
        out +=
            "<text x=\"\(Int(left))\" y=\"\(Int(height - 5))\">\(escape(Timestamp.format(first))) … \(escape(Timestamp.format(last)))</text>"
        return out + "</svg>\n"
    }

    static func stat(_ value: Double?, _ format: (Double) -> String) -> (String, Double?) {
        guard let value else { return ("—", nil) }
        return (format(value), value)
    }

    static func cost(_ amount: Double) -> (String, Double?) { (money(amount), (amount * 100).rounded() / 100) }

    static func cores(_ value: Double) -> String { coresText(value) }

    static func bytes(_ value: Double) -> String { bytesText(value) }
}

extension UsageReport {
    /// Cores as people read them: `250m` below one core, `1.50` above.
    static func coresText(_ value: Double) -> String {
        value < 1 ? "\(Int((value * 1000).rounded()))m" : String(format: "%.2f", value)
    }

    /// Bytes in binary units (`512Mi`, `1.5Gi`).
    static func bytesText(_ value: Double) -> String {
        let units = [("Ti", 1_099_511_627_776.0), ("Gi", 1_073_741_824.0), ("Mi", 1_048_576.0), ("Ki", 1024.0)]
        for (unit, size) in units where value >= size { return String(format: value / size >= 100 ? "%.0f" : "%.1f", value / size) + unit }
        return String(format: "%.0f", value)
    }

    static func money(_ amount: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", amount) }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
