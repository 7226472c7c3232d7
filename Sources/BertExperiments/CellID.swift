import Foundation
import Support

/// Stable cell ids: `<kind>-<slug>-<12 hex digits>`, the digits a 64-bit FNV-1a hash of the
/// inputs written as sorted `key=value` lines. Plain text rather than encoded JSON so that a
/// script in another language (scripts/peer_pytorch.py) computes the same id.
public enum CellID {
    /// The id of a cell of `kind` with these inputs.
    public static func make(kind: String, slug: String, inputs: [String: String]) -> String {
        let text = inputs.keys.sorted().map { "\($0)=\(inputs[$0]!)" }.joined(separator: "\n")
        let hash = String(fnv1a64(Data(text.utf8)), radix: 16)
        let digits = String(repeating: "0", count: 16 - hash.count) + hash
        return "\(kind)-\(sanitised(slug))-\(digits.prefix(12))"
    }

    /// A slug safe in a file name: letters, digits, '.', '_' and '-' only.
    static func sanitised(_ slug: String) -> String {
        String(slug.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" })
    }

    /// 64-bit FNV-1a of `data`.
    public static func fnv1a64(_ data: Data) -> UInt64 { FNV1a64.hash(data) }

    /// "fnv1a64:<16 hex>" of a file's bytes, the same form as `Checkpoint.sourceHash()`.
    public static func fileHash(_ path: String) throws -> String {
        try FNV1a64.fileHash(URL(fileURLWithPath: path))
    }
}
