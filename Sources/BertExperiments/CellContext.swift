import BertDivergence
import BertKernels
import BertMeasure
import BertModel
import Foundation

/// What a running cell may use: the device (opened on first use, so cells that need none never
/// touch OpenCL), the last loaded model (consecutive cells of one model load it once), and
/// where to say what is happening.
public final class CellContext {
    private let openKernels: () throws -> EncoderKernels
    private var opened: EncoderKernels?
    private var loaded: LoadedModel?
    private var captured: RunEnvironment?
    /// No progress on stderr.
    public let quiet: Bool
    /// The sweep's shared embeddings (its plan folder's `embeddings/`); nil outside a sweep.
    public var embeddingCache: EmbeddingCache?

    /// A context that opens the device with `kernels` when a cell first asks for it.
    public init(quiet: Bool, kernels: @escaping () throws -> EncoderKernels) {
        self.quiet = quiet
        self.openKernels = kernels
    }

    /// The device's kernels.
    public func kernels() throws -> EncoderKernels {
        if let opened { return opened }
        let made = try openKernels()
        opened = made
        return made
    }

    /// Host, device and commit, captured once per process (it asks git).
    public func environment() throws -> RunEnvironment {
        if let captured { return captured }
        let kernels = try kernels()
        let made = RunEnvironment.capture(device: kernels.context.device, kernels: kernels.selection)
        captured = made
        return made
    }

    /// Commit, device and driver for cell files, once the device is open (nil before: a cell
    /// that needs no device does not open one just to be stamped).
    public var stamp: UnitStamp? {
        guard let opened else { return nil }
        let device = opened.context.device
        return UnitStamp(device: device.name, driver: device.driverVersion)
    }

    /// The model at `path` on the device; only the most recent one is kept, to bound memory.
    public func model(_ path: String) throws -> LoadedModel {
        let url = URL(fileURLWithPath: path)
        if let loaded, loaded.directory.standardizedFileURL == url.standardizedFileURL { return loaded }
        loaded = nil
        let model = try ModelLoader.load(url, kernels: try kernels())
        loaded = model
        return model
    }

    /// Drops the cached model (before a cell that loads many of its own).
    public func releaseModel() { loaded = nil }

    /// A line on stderr, prefixed with `label`, unless quiet.
    public func say(_ label: String, _ message: String) {
        if !quiet { FileHandle.standardError.write(Data("\(label): \(message)\n".utf8)) }
    }
}
