import Foundation
import KomplyCore

/// Reads `time,app,service,container,cpu_cores,memory_bytes` CSV (columns by header name, any order).
///
/// The optional `app` column names each row's app; `--app` names the app of every row (a row naming another
/// app is refused); with neither, rows are legacy (app '').
/// Assumptions: an empty cell means "not measured"; `NaN`/`Inf` cells are dropped and counted; a value or
/// time outside its physical bound (`NumberBound`) is dropped with a note naming file:line:column; times are
/// RFC 3339 or seconds since 1970; a missing container column means container = service.
enum CSVImporter {
    static func read(_ text: String, file: String, options: HistoryImporter.Options) throws(PredictError) -> HistoryBatch {
        var batch = HistoryBatch()
        let lines = text.lineSlices
        guard let headerLine = lines.first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw .invalidInput(SourceLocation(file: file), expected: "a header line time,service,container,cpu_cores,memory_bytes")
        }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        for required in ["time", "service"] where column(required) == nil {
            throw .invalidInput(
                at(file, 1, 1), expected: "a \"\(required)\" column in the header (time,service,container,cpu_cores,memory_bytes)")
        }
        guard column("cpu_cores") != nil || column("memory_bytes") != nil else {
            throw .invalidInput(at(file, 1, 1), expected: "a cpu_cores or memory_bytes column in the header")
        }
        var dropped = 0
        var headerSeen = false
        for (index, rawLine) in lines.enumerated() {
            let line = String(rawLine)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if !headerSeen { headerSeen = true; continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var columns: [Int] = []
            var offset = 1
            for cell in cells {
                columns.append(offset)
                offset += cell.count + 1
            }
            guard cells.count == header.count else {
                throw .invalidInput(at(file, index + 1, 1), expected: "\(header.count) cells as in the header, found \(cells.count)")
            }
            func cell(_ name: String) -> (String, Int)? {
                column(name).map { (cells[$0].trimmingCharacters(in: .whitespaces), columns[$0]) }
            }
            let (timeText, timeColumn) = cell("time")!
            guard let time = Timestamp.parse(timeText) else {
                throw .invalidInput(
                    at(file, index + 1, timeColumn), expected: "an RFC 3339 time or seconds since 1970, found \"\(timeText)\"")
            }
            if let why = HistoryBatch.problem(time: time, now: nil) {
                batch.warnings.append("\(at(file, index + 1, timeColumn)): dropped the row: \(why)")
                continue
            }
            let (serviceText, serviceColumn) = cell("service")!
            guard !serviceText.isEmpty || options.service != nil else {
                throw .invalidInput(at(file, index + 1, serviceColumn), expected: "a service name")
            }
            let service = options.service ?? serviceText
            let app = try appKey(cell("app"), option: options.app, file: file, line: index + 1)
            let container = cell("container").map(\.0).flatMap { $0.isEmpty ? nil : $0 } ?? service
            for (name, resource) in [("cpu_cores", ResourceKind.cpu), ("memory_bytes", .memory)] {
                guard let (text, col) = cell(name), !text.isEmpty else { continue }
                guard let value = Double(text) else {
                    throw .invalidInput(at(file, index + 1, col), expected: "\(name) to be a number, found \"\(text)\"")
                }
                guard value.isFinite else { dropped += 1; continue }
                if let why = HistoryBatch.problem(value, resource == .cpu ? .cpuCores : .memoryBytes) {
                    batch.warnings.append("\(at(file, index + 1, col)): dropped \(name): \(why)")
                    continue
                }
                batch.samples.append(
                    UsageSample(
                        app: app, service: service, container: container, time: time, resource: resource, value: value, source: "csv"))
            }
        }
        if dropped > 0 { batch.notes.append("\(file): dropped \(dropped) NaN or infinite value(s)") }
        return batch
    }

    /// The row's app key: `--app`, else the `app` cell, else '' — a cell naming another app than `--app` is refused.
    static func appKey(_ cell: (String, Int)?, option: String?, file: String, line: Int) throws(PredictError) -> String {
        let own = cell.flatMap { $0.0.isEmpty ? nil : $0 }
        guard let option else { return HistoryApp.key(own?.0 ?? "") }
        if let (text, column) = own, HistoryApp.key(text) != HistoryApp.key(option) {
            throw .invalidInput(
                at(file, line, column),
                expected: "app \"\(HistoryApp.key(option))\" as --app says, found \"\(text)\" (import that app's rows without --app)")
        }
        return HistoryApp.key(option)
    }

    static func at(_ file: String, _ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(
            file: file,
            range: SourceRange(start: SourcePosition(line: line, column: column), end: SourcePosition(line: line, column: column + 1)))
    }
}
