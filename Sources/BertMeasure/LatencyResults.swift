import BertModel
import Foundation

/// One model of a latency run: what it is and what it weighs.
public struct ModelRecord: Codable, Sendable {
    public let name: String
    public let path: String
    /// Random weights from `bertbench synth`: latency only, no accuracy.
    public let synthetic: Bool
    /// How it was derived (compression method), if BertBench made it.
    public let compression: String?
    public let linearMode: String
    /// A sentence: requested, default, or the CSR-vs-dense measurement (from `sparseChoice`).
    public let linearModeReason: String
    /// The CSR-vs-dense measurement that chose the Linear mode (pruned models; absent in older files).
    public let sparseChoice: SparseModeMeasurement?
    public let layers: Int
    public let hiddenSize: Int
    /// Bytes of model.safetensors on disk.
    public let weightBytesStored: Int
    /// Bytes of weights resident on the device.
    public let weightBytesDevice: Int
    /// Stored bytes of the fp32 checkpoint it came from, when known.
    public let sourceBytes: Int?
    /// Folder name of the fp32 checkpoint it was compressed from, when known (absent in older files).
    public let source: String?

    public init(name: String, path: String, synthetic: Bool, compression: String?, linearMode: String, linearModeReason: String,
                layers: Int, hiddenSize: Int, weightBytesStored: Int, weightBytesDevice: Int, sourceBytes: Int?,
                source: String? = nil, sparseChoice: SparseModeMeasurement? = nil) {
        self.name = name
        self.path = path
        self.synthetic = synthetic
        self.compression = compression
        self.linearMode = linearMode
        self.linearModeReason = linearModeReason
        self.sparseChoice = sparseChoice
        self.layers = layers
        self.hiddenSize = hiddenSize
        self.weightBytesStored = weightBytesStored
        self.weightBytesDevice = weightBytesDevice
        self.sourceBytes = sourceBytes
        self.source = source
    }
}

/// A peer's timing of the same model and shape (onnxruntime on the CPU, PyTorch on a GPU).
public struct PeerMeasurement: Codable, Sendable {
    public let peer: String
    public let version: String
    public let detail: String
    public let model: String
    public let batch: Int
    public let sequenceLength: Int
    public let p50: Double
    public let p90: Double
    public let p99: Double
    public let milliseconds: [Double]

    public init(peer: String, version: String, detail: String, model: String, batch: Int, sequenceLength: Int,
                p50: Double, p90: Double, p99: Double, milliseconds: [Double]) {
        self.peer = peer
        self.version = version
        self.detail = detail
        self.model = model
        self.batch = batch
        self.sequenceLength = sequenceLength
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.milliseconds = milliseconds
    }
}

/// A GEMM timing: BertBench's kernel or a peer library, on one shape, same device.
public struct GEMMMeasurement: Codable, Sendable {
    public let engine: String
    public let m, n, k: Int
    public let medianMilliseconds: Double
    public let gflopsPerSecond: Double
    /// BertBench's kernel variant and parameters ("portable-gemm TM=4 TN=16"); nil for peers and older files.
    public let kernel: String?

    public init(engine: String, m: Int, n: Int, k: Int, medianMilliseconds: Double, gflopsPerSecond: Double, kernel: String? = nil) {
        self.kernel = kernel
        self.engine = engine
        self.m = m
        self.n = n
        self.k = k
        self.medianMilliseconds = medianMilliseconds
        self.gflopsPerSecond = gflopsPerSecond
    }
}

/// Everything a latency run measured: the content of results.json (schema "bertbench.latency/1",
/// documented in docs/results-schema.md).
public struct LatencyResults: Codable, Sendable {
    public static let schemaVersion = "bertbench.latency/1"
    public var schema = LatencyResults.schemaVersion
    public let runID: String
    public let environment: RunEnvironment
    public let settings: LatencySettings
    public let batches: [Int]
    public let sequenceLengths: [Int]
    public var models: [ModelRecord]
    public var measurements: [LatencyMeasurement]
    public var peers: [PeerMeasurement]
    public var gemm: [GEMMMeasurement]
    /// The device's copy bandwidth, measured in the same run (absent in older files).
    public var bandwidth: [BandwidthMeasurement]?
    /// Notes on what was skipped and why (a peer missing, a shape too long for a model).
    public var notes: [String]
    public var peakHostResidentBytes: Int?

    public init(runID: String, environment: RunEnvironment, settings: LatencySettings, batches: [Int], sequenceLengths: [Int]) {
        self.runID = runID
        self.environment = environment
        self.settings = settings
        self.batches = batches
        self.sequenceLengths = sequenceLengths
        models = []
        measurements = []
        peers = []
        gemm = []
        notes = []
    }

    public static func decode(from url: URL) throws -> LatencyResults {
        try decode(try Data(contentsOf: url), path: url.path)
    }

    /// results.json bytes, checked for this version's schema; errors name `path`.
    public static func decode(_ data: Data, path: String) throws -> LatencyResults {
        let results = try JSONDecoder().decode(LatencyResults.self, from: data)
        guard results.schema == schemaVersion else {
            throw ResultsError("\(path): schema \(results.schema), this bertbench reads \(schemaVersion)")
        }
        return results
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// A results file that cannot be used: one line saying why.
public struct ResultsError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An int8 or int4 model's measurement whose host p50 is above that of its fp32 source at the same shape.
public struct Int8SlowerThanSource: Sendable, Equatable {
    public let model: String
    public let linearMode: String
    public let source: String
    public let batch: Int
    public let sequenceLength: Int
    public let p50: Double
    public let sourceP50: Double
    /// Why, from the two rows' kernel breakdowns: ms per pass in matrix products for this model and
    /// for its source, and in quantizing activations (W8A8 only); nil where a row has no breakdown.
    public var gemmMilliseconds: Double? = nil
    public var sourceGemmMilliseconds: Double? = nil
    public var quantizeMilliseconds: Double? = nil
    /// Why the matrix products are not faster on this kind of device, where that is known.
    public var deviceReason: String? = nil

    /// What the CPU notes in docs/perf-notes.md found: the reason int8 and int4 GEMMs cannot beat fp32
    /// on a CPU through OpenCL C.
    public static let cpuReason = "on a CPU through OpenCL C, an int8 multiply-add does no more products per instruction than an "
        + "fp32 FMA (vectors stop at 16 lanes, so no 32-lane vpmaddwd or VNNI form), and widening the codes costs extra "
        + "instructions (docs/perf-notes.md, CPU int8 and int4 notes)"

    /// The note results.json carries for it.
    public var note: String {
        var text = String(format: "%@ slower than fp32: %@ (%@) p50 %.2f ms at batch %d x %d is %.2fx its fp32 source %@ (%.2f ms) in this run",
                          linearMode == "int4" ? "int4" : "int8", model, linearMode, p50, batch, sequenceLength, p50 / sourceP50, source,
                          sourceP50)
        if let gemmMilliseconds, let sourceGemmMilliseconds {
            text += String(format: ": its matrix products take %.2f ms a pass against %.2f ms in fp32", gemmMilliseconds, sourceGemmMilliseconds)
            if let quantizeMilliseconds, quantizeMilliseconds > 0 {
                text += String(format: ", and quantizing activations adds %.2f ms", quantizeMilliseconds)
            }
            if let deviceReason, gemmMilliseconds > sourceGemmMilliseconds { text += "; why: " + deviceReason }
        }
        return text
    }
}

extension LatencyResults {
    /// Every int8 or int4 model and shape whose host p50 is above that of the fp32 checkpoint it was
    /// compressed from, measured in the same run: the speed columns put the two side by side, and
    /// a reader must not take "int8" to mean "faster" (docs/perf-notes.md says why it is not on
    /// the PoCL CPU).
    /// `deviceType` (OpenCL's, "CPU/other" on PoCL) adds the known reason on CPUs.
    public static func int8SlowerThanSource(models: [ModelRecord], measurements: [LatencyMeasurement],
                                            deviceType: String? = nil) -> [Int8SlowerThanSource] {
        var found: [Int8SlowerThanSource] = []
        for model in models where ["int8", "int8-weight-only", "int4"].contains(model.linearMode) {
            guard let source = model.source,
                  let fp32 = models.first(where: { $0.name == source && $0.linearMode == "fp32" }) else { continue }
            for m in measurements where m.model == model.name {
                guard let base = measurements.first(where: {
                    $0.model == fp32.name && $0.batch == m.batch && $0.sequenceLength == m.sequenceLength
                }), m.host.p50 > base.host.p50 else { continue }
                var slower = Int8SlowerThanSource(model: model.name, linearMode: model.linearMode, source: fp32.name, batch: m.batch,
                                                  sequenceLength: m.sequenceLength, p50: m.host.p50, sourceP50: base.host.p50)
                let ms = { (row: LatencyMeasurement, category: String) in row.kernels.first { $0.category == category }?.milliseconds }
                slower.gemmMilliseconds = ms(m, "gemm")
                slower.sourceGemmMilliseconds = ms(base, "gemm")
                slower.quantizeMilliseconds = ms(m, "quantize")
                if deviceType?.contains("CPU") == true { slower.deviceReason = Int8SlowerThanSource.cpuReason }
                found.append(slower)
            }
        }
        return found
    }
}
