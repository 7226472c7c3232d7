import Foundation

/// Name, type, shape and byte range of one tensor in a safetensors file.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Byte range within the data section (after the header).
    public let range: Range<Int>
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors file opened by memory map, its header checked strictly before any tensor is
/// read: every offset within the file, sizes matching shapes, no overlaps.
public final class SafeTensorsFile: @unchecked Sendable {
    public let url: URL
    private let data: Data
    private let dataStart: Int
    public let tensors: [String: TensorInfo]
    public let metadata: [String: String]

    public var tensorNames: [String] { tensors.keys.sorted() }

    /// Maps the file at `url` and checks its header.
    public convenience init(url: URL) throws {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw CheckpointError("\(path): no such file") }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CheckpointError("\(path): cannot read (\(error.localizedDescription))")
        }
        try self.init(data: data, url: url)
    }

    /// Checks the header of safetensors bytes already in memory (`url` names them in errors).
    public init(data: Data, url: URL) throws {
        self.url = url
        self.data = data
        let path = url.path
        guard data.count >= 8 else { throw CheckpointError("\(path): truncated (\(data.count) bytes, a safetensors file starts with an 8-byte "
                + "header length)") }
        let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw CheckpointError("\(path): header length \(headerLength) runs past the end of the \(data.count)-byte file (truncated or not "
                    + "safetensors)")
        }
        dataStart = 8 + Int(headerLength)
        let headerBytes = data[8..<dataStart]
        guard let object = try? JSONSerialization.jsonObject(with: headerBytes), let header = object as? [String: Any] else {
            throw CheckpointError("\(path): header is not a JSON object (corrupt or not safetensors)")
        }
        let dataLength = data.count - dataStart
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int] else {
                throw CheckpointError("\(path): tensor \(name): header entry lacks dtype, shape or data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw CheckpointError("\(path): tensor \(name): unsupported dtype \(dtypeName) (BertBench reads "
                        + "\(DType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw CheckpointError("\(path): tensor \(name): data_offsets \(offsets) are not [begin, end]")
            }
            guard offsets[1] <= dataLength else {
                throw CheckpointError("\(path): tensor \(name): data_offsets end at \(offsets[1]) but the data section has \(dataLength) bytes "
                        + "(truncated file or lying header)")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw CheckpointError("\(path): tensor \(name): negative dimension in shape \(shape)") }
            // Checked: a lying header must not trap on an overflowing shape product.
            var expected = dtype.byteSize
            for dimension in shape {
                let (product, overflow) = expected.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw CheckpointError("\(path): tensor \(name): shape \(shape) is too large to address") }
                expected = product
            }
            guard offsets[1] - offsets[0] == expected else {
                throw CheckpointError("\(path): tensor \(name): \(offsets[1] - offsets[0]) bytes for shape \(shape) of \(dtypeName), which needs "
                        + "\(expected)")
            }
            tensors[name] = TensorInfo(name: name, dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        let ordered = tensors.values.filter { !$0.range.isEmpty }.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (a, b) in zip(ordered, ordered.dropFirst()) where a.range.overlaps(b.range) {
            throw CheckpointError("\(path): tensors \(a.name) and \(b.name) overlap in the data section")
        }
        // The format requires the tensors to fill the data section exactly, without holes.
        var covered = 0
        for info in ordered {
            guard info.range.lowerBound == covered else {
                throw CheckpointError("\(path): bytes \(covered)..<\(info.range.lowerBound) of the data section belong to no tensor (before "
                        + "\(info.name))")
            }
            covered = info.range.upperBound
        }
        guard covered == dataLength else {
            throw CheckpointError("\(path): the data section has \(dataLength) bytes but the tensors end at \(covered) (trailing bytes)")
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The header entry of a tensor, or an error naming the file and the tensor.
    public func info(_ name: String) throws -> TensorInfo {
        guard let info = tensors[name] else { throw CheckpointError("\(url.path): no tensor named \(name)") }
        return info
    }

    /// Calls `body` with the tensor's raw little-endian bytes (no copy).
    public func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try self.info(name)
        return try data.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[(dataStart + info.range.lowerBound)..<(dataStart + info.range.upperBound)]))
        }
    }

    /// A floating-point tensor as Float (F16 and BF16 widened exactly); NaN or infinite values
    /// are refused by name, since they would only surface as null or zero embeddings.
    public func floats(_ name: String) throws -> [Float] {
        let values = try widenedFloats(name)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw CheckpointError("\(url.path): tensor \(name) holds \(values[bad]) at element \(bad) (weights must be finite)")
        }
        return values
    }

    private func widenedFloats(_ name: String) throws -> [Float] {
        let info = try self.info(name)
        return try withRawBytes(name) { raw in
            func u16(_ i: Int) -> UInt16 { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) }
            switch info.dtype {
            case .f32:
                return (0..<info.elementCount).map { i in
                    Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                }
            case .f16:
                return (0..<info.elementCount).map { Float(Float16(bitPattern: u16($0))) }
            case .bf16:
                return (0..<info.elementCount).map { Float(bitPattern: UInt32(u16($0)) << 16) }
            default:
                throw CheckpointError("\(url.path): tensor \(name) is \(info.dtype.rawValue), expected a floating-point dtype")
            }
        }
    }

    /// An I8 tensor.
    public func int8s(_ name: String) throws -> [Int8] {
        let info = try self.info(name)
        guard info.dtype == .i8 else { throw CheckpointError("\(url.path): tensor \(name) is \(info.dtype.rawValue), expected I8") }
        return try withRawBytes(name) { Array($0.bindMemory(to: Int8.self)) }
    }

    /// An I32 tensor (little-endian; the input channels a mixed-precision Linear keeps in fp32).
    public func int32s(_ name: String) throws -> [Int32] {
        let info = try self.info(name)
        guard info.dtype == .i32 else { throw CheckpointError("\(url.path): tensor \(name) is \(info.dtype.rawValue), expected I32") }
        return try withRawBytes(name) { raw in
            (0..<info.elementCount).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
        }
    }

    /// A U8 tensor (packed 4-bit codes, zero points).
    public func uint8s(_ name: String) throws -> [UInt8] {
        let info = try self.info(name)
        guard info.dtype == .u8 else { throw CheckpointError("\(url.path): tensor \(name) is \(info.dtype.rawValue), expected U8") }
        return try withRawBytes(name) { Array($0.bindMemory(to: UInt8.self)) }
    }
}
