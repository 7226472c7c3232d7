import Foundation

/// Which device ran which unit of a merged sweep: units.csv (one row per finished unit, with the
/// device column results.csv cannot carry, since its rows come from BertMeasure's writer) and,
/// when units ran on more than one device, a per-device latency table for report.md.
public enum UnitTable {
    /// One row per finished unit of the plan, in plan order: index, id, kind, device, driver,
    /// host, commit, and the latency row's shape and medians for latency units.
    public static func csv(plan: Plan, cells: [FinishedCell]) -> String {
        let byID = Dictionary(cells.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var lines = ["unit,id,kind,device,driver,host,commit,model,batch,sequence_length,host_p50_ms,device_p50_ms"]
        for (index, planned) in plan.cells.enumerated() {
            guard let cell = byID[planned.id] else { continue }
            let stamp = cell.stamp
            let head: [String] = ["\(index)", cell.id, planned.kind, stamp?.device ?? "", stamp?.driver ?? "", cell.host, stamp?.commit ?? ""]
            lines.append((head + latencyFields(cell)).map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Model, batch, length and host and device medians of a latency unit; empty fields otherwise.
    static func latencyFields(_ cell: FinishedCell) -> [String] {
        guard let m = (cell.output as? LatencyCell.Output)?.measurement else { return ["", "", "", "", ""] }
        return [m.model, "\(m.batch)", "\(m.sequenceLength)", String(format: "%.4f", m.host.p50), String(format: "%.4f", m.device.p50)]
    }

    /// The devices the finished units ran on, in order of first appearance.
    public static func devices(_ cells: [FinishedCell]) -> [String] {
        var seen: [String] = []
        for device in cells.compactMap(\.stamp?.device) where !seen.contains(device) { seen.append(device) }
        return seen
    }

    /// A section per device with its latency rows, or "" when all units ran on one device
    /// (results.json's environment then says which).
    public static func markdown(plan: Plan, cells: [FinishedCell]) -> String {
        let devices = devices(cells)
        guard devices.count > 1 else { return "" }
        let order = Dictionary(plan.cells.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var text = "\n## Latency per device\n\nThe units of this sweep ran on \(devices.count) devices; units.csv lists each unit's device.\n"
        for device in devices {
            text += "\n### \(device)\n\n| model | batch | seq | host p50 ms | device p50 ms | seq/s | unit |\n|---|---|---|---|---|---|---|\n"
            let rows = cells.filter { $0.stamp?.device == device }.sorted { (order[$0.id] ?? 0) < (order[$1.id] ?? 0) }
            for cell in rows {
                guard let m = (cell.output as? LatencyCell.Output)?.measurement else { continue }
                text += String(format: "| %@ | %d | %d | %.2f | %.2f | %.1f | %@ |\n", m.model, m.batch, m.sequenceLength, m.host.p50, m.device.p50,
                               m.sequencesPerSecond, cell.id)
            }
        }
        return text
    }

    /// A CSV field, quoted when it holds a comma, quote or line break.
    static func field(_ text: String) -> String {
        text.contains(where: { ",\"\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
