import Foundation

/// Collects tensors and writes them as one safetensors file, atomically (a temporary file in
/// the same directory, renamed into place), with the data 8-byte aligned.
public struct SafeTensorsWriter {
    private var entries: [(name: String, dtype: DType, shape: [Int], bytes: Data)] = []
    public var metadata: [String: String] = [:]

    public init() {}

    public mutating func add(_ name: String, floats: [Float], shape: [Int]) {
        precondition(floats.count == shape.reduce(1, *), "\(name): \(floats.count) values for shape \(shape)")
        entries.append((name, .f32, shape, floats.withUnsafeBufferPointer { Data(buffer: $0) }))
    }

    public mutating func add(_ name: String, int8s: [Int8], shape: [Int]) {
        precondition(int8s.count == shape.reduce(1, *), "\(name): \(int8s.count) values for shape \(shape)")
        entries.append((name, .i8, shape, int8s.withUnsafeBufferPointer { Data(buffer: $0) }))
    }

    /// Floats stored as F16 (rounded to nearest even; what `compress --method fp16` writes).
    public mutating func add(_ name: String, halves: [Float], shape: [Int]) {
        precondition(halves.count == shape.reduce(1, *), "\(name): \(halves.count) values for shape \(shape)")
        let bits = halves.map { Float16($0).bitPattern.littleEndian }
        entries.append((name, .f16, shape, bits.withUnsafeBufferPointer { Data(buffer: $0) }))
    }

    /// A U8 tensor (packed 4-bit codes, zero points).
    public mutating func add(_ name: String, uint8s: [UInt8], shape: [Int]) {
        precondition(uint8s.count == shape.reduce(1, *), "\(name): \(uint8s.count) values for shape \(shape)")
        entries.append((name, .u8, shape, uint8s.withUnsafeBufferPointer { Data(buffer: $0) }))
    }

    /// An I32 tensor (the input channels a mixed-precision Linear keeps in fp32).
    public mutating func add(_ name: String, int32s: [Int32], shape: [Int]) {
        precondition(int32s.count == shape.reduce(1, *), "\(name): \(int32s.count) values for shape \(shape)")
        let values = int32s.map(\.littleEndian)
        entries.append((name, .i32, shape, values.withUnsafeBufferPointer { Data(buffer: $0) }))
    }

    /// Raw little-endian bytes of any dtype (tests use this to write F16, BF16 and broken files).
    public mutating func add(_ name: String, dtype: DType, shape: [Int], bytes: Data) {
        entries.append((name, dtype, shape, bytes))
    }

    /// The complete file's bytes.
    public func serialized() throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for entry in entries {
            header[entry.name] = ["dtype": entry.dtype.rawValue, "shape": entry.shape, "data_offsets": [offset, offset + entry.bytes.count]]
            offset += entry.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var out = Data()
        out.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for entry in entries { out.append(entry.bytes) }
        return out
    }

    public func write(to url: URL) throws {
        do {
            try serialized().write(to: url, options: .atomic)
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError("\(url.path): cannot write (\(error.localizedDescription))")
        }
    }
}
