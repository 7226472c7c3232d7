import BertCheckpoint
import BertCompression
import BertDivergence
import BertMeasure
import Foundation

/// The experiments BertBench ships, as plan data: which variants `run` makes and what the study
/// expects of each, and how a latency sweep becomes cells. The CLI only passes options in.
public enum StandardPlans {
    /// A variant `run` makes from a source model, and its role in the study.
    public struct Variant: Sendable {
        public let name: String
        public let method: CompressionMethod
        public let role: VariantRole
        /// The calibration set a calibrated method reads, or nil.
        public let calibration: CalibrationChoice?
        /// How the variant was made: one-shot (no training) or recovered / trained.
        public let making: Making

        /// A variant of the standard plan.
        public init(name: String, method: CompressionMethod, role: VariantRole, calibration: CalibrationChoice? = nil,
                    making: Making = .oneShot) {
            self.name = name
            self.method = method
            self.role = role
            self.calibration = calibration
            self.making = making
        }
    }

    /// Whether a variant saw any training after compression, so reports compare like with like.
    public enum Making: String, Sendable, Codable {
        /// Weights transformed once (quantized, pruned, smoothed, refitted by least squares): no gradient steps.
        case oneShot = "one-shot"
        /// Recovered or distilled by training after compression.
        case trained = "recovered / trained"
    }

    /// A calibration file under the assets' data folder, how many of its texts to use and the
    /// seed of that sample (nil: `CalibrationTexts.seed`, the one every standard variant uses).
    public struct CalibrationChoice: Sendable {
        public let file: String
        public let items: Int
        public var seed: UInt64? = nil
    }

    /// The standard calibration set: 512 Amazon review snippets (a fixed seeded sample). The study
    /// tests on the movie snippets (all of them, cross-fitted), so calibrating on them would leak
    /// test data into the compressed models; Amazon reviews are opinion text like them, but of
    /// another domain. The study's Deep-kNN out-of-domain check samples 200 texts of each
    /// out-of-domain file, Amazon reviews included, and may share about 28 of them with this set
    /// (it measures flags, not accuracy); docs/compression.md says so.
    public static let calibration = CalibrationChoice(file: "amazon_reviews.tsv", items: 512)

    /// The large model of the main study, under assets/models.
    public static let largeModel = "all-MiniLM-L6-v2"

    /// BertBench's own compressions of all-MiniLM-L6-v2, made under assets/variants.
    public static let ownVariants: [Variant] = [
        Variant(name: "all-MiniLM-L6-v2-int8-w8a8", method: .int8, role: .int8Miniature),
        Variant(name: "all-MiniLM-L6-v2-int8-weight-only", method: .int8WeightOnly, role: .int8Miniature),
        // 4-bit round-to-nearest, groups of 128: not a near copy (pooled cosine to fp32 0.95 on 300 sentences).
        Variant(name: "all-MiniLM-L6-v2-int4-rtn", method: .int4RTN(), role: .compression),
        Variant(name: "all-MiniLM-L6-v2-pruned-50", method: .pruneUnstructured(sparsity: 0.5, global: true), role: .compression),
        Variant(name: "all-MiniLM-L6-v2-pruned-90", method: .pruneUnstructured(sparsity: 0.9, global: true), role: .compression),
        Variant(name: "all-MiniLM-L6-v2-heads-50", method: .pruneHeads(fraction: 0.5), role: .compression),
        Variant(name: "all-MiniLM-L6-v2-layers-0-2-4", method: .dropLayers(keep: [0, 2, 4]), role: .compression),
    ] + calibratedVariants

    /// The calibrated one-shot variants of all-MiniLM-L6-v2 (issue 14): SmoothQuant W8A8, SparseGPT
    /// at 50%, 90% and 2:4, and head / FFN pruning with least-squares refits. No training.
    public static let calibratedVariants: [Variant] = [
        // SmoothQuant alone missed the worst-sentence bar on short texts (0.9928 over 9,390 held-out
        // sentences); with each Linear's 8 widest input channels in fp32 the worst is 0.9978
        // (docs/compression.md). A new folder name: a folder made by the old recipe is kept as it is.
        Variant(name: "all-MiniLM-L6-v2-int8-smoothquant-outliers-8", method: .int8SmoothQuant(outlierChannels: outlierChannels),
                role: .int8Miniature, calibration: calibration),
        // GPTQ 4-bit, act-order: pooled cosine to fp32 0.983 mean on 300 sentences (int4-rtn: 0.950).
        Variant(name: "all-MiniLM-L6-v2-int4-gptq", method: .int4GPTQ(), role: .compression, calibration: calibration),
        Variant(name: "all-MiniLM-L6-v2-sparsegpt-50", method: .sparseGPT(sparsity: 0.5), role: .compression, calibration: calibration),
        Variant(name: "all-MiniLM-L6-v2-sparsegpt-90", method: .sparseGPT(sparsity: 0.9), role: .compression, calibration: calibration),
        Variant(name: "all-MiniLM-L6-v2-sparsegpt-2-4", method: .sparseGPT(pattern: "2:4"), role: .compression, calibration: calibration),
        Variant(name: "all-MiniLM-L6-v2-heads-50-refit", method: .pruneHeads(fraction: 0.5, refit: true), role: .compression,
                calibration: calibration),
        Variant(name: "all-MiniLM-L6-v2-ffn-50-refit", method: .pruneFFN(fraction: 0.5, refit: true), role: .compression,
                calibration: calibration),
    ]

    /// Models under assets/models that join the study as they are: the external int8 model and
    /// the separately trained three-layer model.
    public static let externalVariants: [(name: String, role: VariantRole)] = [
        // The external int8 model is compared like any other compression; the near-copy check
        // holds BertBench's own int8 variants, as the report always has.
        ("all-MiniLM-L6-v2-int8", .compression), ("paraphrase-MiniLM-L3-v2", .separatelyTrained),
    ]

    /// Variants trained by distillation from the large model (scripts/train/recipes/<recipe>), which
    /// `scripts/train/students.py` makes under assets/variants (cached by a hash of recipe, data,
    /// teacher and initialisation; scripts/bench runs it): the layer-dropped model trained as a
    /// student, and the 50%-pruned model recovered with its zeros kept.
    public static let trainedVariants: [(name: String, recipe: String, role: VariantRole)] = [
        ("all-MiniLM-L6-v2-distilled-l3", "student-l3.json", .trained),
        ("all-MiniLM-L6-v2-pruned-50-recovered", "pruned-50-recovered.json", .recovered),
    ]

    /// The command that makes the trained variants, for the error when one is missing.
    public static let trainCommand = ".venv/bin/python scripts/train/students.py"

    /// The synthetic BERT-large (random weights, seed 0), for latency only.
    public static let syntheticLarge = "bert-large"
    /// Its variants, made beside it under assets/synthetic.
    public static let largeVariants: [Variant] = [
        Variant(name: "bert-large-int8-w8a8", method: .int8, role: .int8Miniature),
        Variant(name: "bert-large-pruned-90", method: .pruneUnstructured(sparsity: 0.9, global: true), role: .compression),
        Variant(name: "bert-large-layers-every-2", method: .dropLayers(keep: Array(stride(from: 0, to: 24, by: 2))), role: .compression),
    ]

    /// all-mpnet-base-v2 (MPNet, 12 x 768, 110M parameters, real weights), under assets/models:
    /// the large model of the second, bigger family.
    public static let mpnetModel = "all-mpnet-base-v2"
    /// Its one-shot compressions, made under assets/variants when `run --mpnet` asks for the family:
    /// the int8 near copies (W8A8 and weight-only), 4-bit round-to-nearest, magnitude pruning and
    /// layer dropping, and the calibrated forms of the first three issue-14 methods (SmoothQuant
    /// W8A8, GPTQ 4-bit, SparseGPT 50%) on `mpnetCalibration`. No head pruning: MPNet's
    /// relative-position bias is one table shared by every layer's heads.
    public static let mpnetVariants: [Variant] = [
        Variant(name: "all-mpnet-base-v2-int8-w8a8", method: .int8, role: .int8Miniature),
        Variant(name: "all-mpnet-base-v2-int8-weight-only", method: .int8WeightOnly, role: .int8Miniature),
        Variant(name: "all-mpnet-base-v2-int4-rtn", method: .int4RTN(), role: .compression),
        Variant(name: "all-mpnet-base-v2-pruned-50", method: .pruneUnstructured(sparsity: 0.5, global: true), role: .compression),
        Variant(name: "all-mpnet-base-v2-layers-every-2", method: .dropLayers(keep: Array(stride(from: 0, to: 12, by: 2))),
                role: .compression),
        // 8 fp32 outlier channels per Linear, as for L6: on 4,200 tweets the mean pooled cosine
        // rises from 0.9961 to 0.9978 and the sentences below 0.995 fall from 915 to 190.
        Variant(name: "all-mpnet-base-v2-int8-smoothquant-outliers-8", method: .int8SmoothQuant(outlierChannels: outlierChannels),
                role: .int8Miniature, calibration: mpnetCalibration),
        Variant(name: "all-mpnet-base-v2-int4-gptq", method: .int4GPTQ(), role: .compression, calibration: mpnetCalibration),
        Variant(name: "all-mpnet-base-v2-sparsegpt-50", method: .sparseGPT(sparsity: 0.5), role: .compression, calibration: mpnetCalibration),
    ]

    /// Input channels per Linear that the standard SmoothQuant variants keep in fp32.
    public static let outlierChannels = 8

    /// The MPNet family's calibration set: 128 texts of the standard set's file under its seed,
    /// not 512. The OBS methods' cost per block grows with the texts (every block
    /// reruns the blocks before it on them) and with width³ (Hessian work at 3072), and on 2 cores
    /// 128 texts keep each calibrated MPNet variant to minutes.
    public static let mpnetCalibration = CalibrationChoice(file: calibration.file, items: 128)

    /// Item counts of the MPNet family's study, the most it takes of each (train, test, per
    /// out-of-domain set, attacked). On 2 CPU cores a 110M-parameter model embeds about 4 snippets
    /// a second (docs/architecture/experiments.md), so these 1,380 texts for nine models take
    /// about an hour there (all 10,568 snippets would take most of a day); on a GPU, seconds.
    public static let mpnetStudyCaps = StudyCaps(train: 800, test: 400, outOfDomain: 60, attack: 30)
    /// The same under `--quick`: 260 texts for nine models, about 12 minutes on 2 cores.
    public static let mpnetQuickStudyCaps = StudyCaps(train: 120, test: 80, outOfDomain: 20, attack: 4)

    /// The most items a study takes of each kind; a requested count of 0 (all) becomes the cap.
    public struct StudyCaps: Sendable {
        public let train, test, outOfDomain, attack: Int

        /// `requested` (0 = all) capped at `cap`.
        public static func capped(_ requested: Int, _ cap: Int) -> Int { requested == 0 ? cap : Swift.min(requested, cap) }
    }

    /// The note results.json carries when the MPNet family's rows are in it.
    public static let mpnetNote = "all-mpnet-base-v2 rows are the MPNet family (real weights) and its one-shot variants: "
        + "latency and memory at batch 1 with 1 warm-up and 3 timed passes; their study, on at most "
        + "\(mpnetStudyCaps.train + mpnetStudyCaps.test) labelled items, is in report.md's 'Other families' and divergence-all-mpnet-base-v2.md"

    /// The note results.json carries when the synthetic BERT-large rows are in it.
    public static let syntheticLargeNote = "bert-large rows are synthetic checkpoints (random weights, bert-large-uncased shapes): "
        + "latency and memory only; batch 1 with 1 warm-up and 3 timed passes, unlike the L6 family"

    /// The cells that make `variants` of `source` in `folder`.
    /// Calibration files are looked up in `data` (the assets' data folder).
    public static func prepareCells(_ variants: [Variant], from source: ModelRef, in folder: URL, data: URL? = nil) -> [PrepareVariantCell] {
        variants.map { variant in
            let calibration = variant.calibration.map { choice in
                PrepareVariantCell.Calibration(path: (data ?? folder).appendingPathComponent(choice.file).path, items: choice.items,
                                               seed: choice.seed)
            }
            return PrepareVariantCell(source: source, target: folder.appendingPathComponent(variant.name).path, method: variant.method,
                                      calibration: calibration)
        }
    }

    /// The device facts a sweep's cells record.
    public struct DeviceFacts: Sendable {
        public let name: String
        public let index: Int
        /// Threads onnxruntime gets: the device's compute units on a CPU, the host's cores beside a GPU.
        public let peerThreads: Int
        /// The kernel variants and parameters that run each operation there (one line per
        /// operation); part of the ids of the cells that time BertBench's kernels.
        public let kernels: String?
        /// The side of the square GEMM that measures the device's ceiling (large enough to reach
        /// its peak: 1024 on a CPU, 4096 on a GPU).
        public let ceilingSize: Int
        /// Facts about the device called `name`.
        public init(name: String, index: Int, peerThreads: Int, kernels: String? = nil, ceilingSize: Int = 1024) {
            self.name = name
            self.index = index
            self.peerThreads = peerThreads
            self.kernels = kernels
            self.ceilingSize = ceilingSize
        }
    }

    /// Every model x batch x length as latency cells, in that order; with `peers`, each fitting
    /// shape of a model with its own ONNX file gets an onnxruntime cell after it, and each model's
    /// three GEMM shapes at the first batch and length get a cell per engine (a shape once).
    public static func latencySweep(models: [ModelRef], batches: [Int], sequenceLengths: [Int], settings: LatencySettings,
                                    peers: Bool, device: DeviceFacts) throws -> [any CellKind] {
        var cells: [any CellKind] = [], shapes: [[Int]] = []
        for model in models {
            let checkpoint = try Checkpoint(directory: URL(fileURLWithPath: model.path))
            let onnx = peers ? Peers.onnxName(checkpoint.config) : nil
            for b in batches {
                for s in sequenceLengths {
                    cells.append(LatencyCell(model: model, batch: b, sequenceLength: s, device: device.name, settings: settings,
                                                 kernels: device.kernels))
                    if let onnx, s <= checkpoint.config.maxPositions {
                        cells.append(OnnxPeerCell(model: model, onnxName: onnx, batch: b, sequenceLength: s, threads: device.peerThreads,
                                                  settings: settings))
                    }
                }
            }
            guard peers, let b = batches.first, let s = sequenceLengths.first else { continue }
            for shape in try gemmShapes(checkpoint, tokens: b * s) where !shapes.contains(shape) {
                shapes.append(shape)
                cells += gemmCells(shape, device: device)
            }
        }
        // The device's ceilings, measured in the same run: what the report holds every time against.
        if peers && !models.isEmpty {
            let side = device.ceilingSize
            if !shapes.contains([side, side, side]) { cells += gemmCells([side, side, side], device: device) }
            cells.append(BandwidthCell(device: device.name, bytes: side >= 4096 ? 1 << 30 : 256 << 20))
        }
        return cells
    }

    /// One GEMM cell per engine on `shape` ([m, n, k]).
    static func gemmCells(_ shape: [Int], device: DeviceFacts) -> [any CellKind] {
        GEMMPeerCell.Engine.allCases.map {
            GEMMPeerCell(engine: $0, m: shape[0], n: shape[1], k: shape[2], device: device.name, deviceIndex: device.index,
                         kernels: $0 == .bertbench ? device.kernels : nil)
        }
    }

    /// The first layer's three GEMMs at `tokens` rows (fused QKV, FFN in, FFN out) as [m, n, k],
    /// read from the checkpoint's tensor shapes (pruned heads and neurons shrink them).
    public static func gemmShapes(_ checkpoint: Checkpoint, tokens: Int) throws -> [[Int]] {
        guard let layer = checkpoint.layout.layers.first else { return [] }
        let h = checkpoint.config.hiddenSize
        let attention = try checkpoint.rows(layer.query.weight), intermediate = try checkpoint.rows(layer.intermediate.weight)
        return [[tokens, 3 * attention, h], [tokens, intermediate, h], [tokens, h, intermediate]]
    }
}
