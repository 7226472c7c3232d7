import BertDivergence
import Foundation

/// Studies of a run beyond its first (a second family, such as `run --mpnet`'s MPNet study): each
/// is written beside the first as divergence-<large model>.json and .md, and report.md ends with
/// a section that leads with each one's miniature index and points to its own report.
public enum OtherStudies {
    /// The file stem of a study whose large model is `large`.
    static func stem(_ large: String) -> String {
        "divergence-" + String(large.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
    }

    /// The extra files of `studies` (name: bytes) for `RunFolder.writeRun`'s `extraFiles`.
    public static func files(_ studies: [DivergenceResults]) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for study in studies {
            files[stem(study.large) + ".json"] = try study.encoded()
            files[stem(study.large) + ".md"] = Data(DivergenceReport.markdown(study).utf8)
        }
        return files
    }

    /// report.md's closing section for `studies`: per study, its size and its miniature index table.
    public static func section(_ studies: [DivergenceResults]) -> String {
        guard !studies.isEmpty else { return "" }
        var md = "\n## Other families\n\nThe same study with another large model, on fewer items (its own report has every table).\n"
        for study in studies {
            let data = study.data.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            md += "\n### \(study.large) against its variants: \(stem(study.large)).md\n\nData: \(data).\n\n"
            md += DivergenceReport.miniatureIndexTable(study)
        }
        return md
    }
}
