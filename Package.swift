// swift-tools-version:6.0
// BertBench: BERT-family encoders on BertBench's own OpenCL kernels, with latency, memory and
// behavioural-divergence measurements of compressed variants against the large model.
import Foundation
import PackageDescription

let package = Package(
    name: "BertBench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bertbench", targets: ["bertbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // The OpenCL C API.
        .systemLibrary(name: "COpenCL"),
        // Devices, contexts, queues, buffers, programs, launches, events, errors.
        .target(name: "OpenCLRuntime", dependencies: ["COpenCL"]),
        // Kernels/*.cl, embedded into the binary at build time.
        .executableTarget(name: "embed-kernels"),
        .plugin(name: "EmbedKernels", capability: .buildTool(), dependencies: ["embed-kernels"]),
        .target(name: "BertKernels", dependencies: ["OpenCLRuntime"], plugins: ["EmbedKernels"]),
        // One of each utility: the seeded generator, atomic outputs, formatting.
        .target(name: "Support"),
        // Text -> token ids (WordPiece, BERT uncased).
        .target(name: "BertTokens"),
        // config.json and safetensors: reading, checking, writing.
        .target(name: "BertCheckpoint", dependencies: ["Support"]),
        // Device-free tensors of an encoder in the engine's naming, and their int8 form.
        .target(name: "EncoderWeights", dependencies: ["BertCheckpoint", "Support"]),
        // Weights on the device and the encoder forward pass.
        .target(name: "BertModel", dependencies: ["OpenCLRuntime", "BertKernels", "BertCheckpoint", "EncoderWeights", "BertTokens"]),
        // Compression: int8 quantization, pruning, layer dropping (weights in, weights out; no device).
        // Optimised in debug builds too: SparseGPT, GPTQ and SmoothQuant factor 1536 x 1536 grams in Double, which
        // unoptimised code makes 50x slower (the calibrated-compression tests took 12 minutes of the suite).
        .target(name: "BertCompression", dependencies: ["EncoderWeights", "BertCheckpoint", "Support"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Calibration sets run through the engine: the Linear inputs of one block, as calibrated techniques read them.
        .target(name: "BertCalibration", dependencies: ["BertModel", "BertCompression", "BertTokens", "BertKernels", "BertCheckpoint",
                                                        "EncoderWeights", "Support"]),
        // Divergence metrics between models (pure Swift, no device).
        .target(name: "BertMetrics", dependencies: ["Support"]),
        // The behavioural comparison of models: data sets, embeddings, heads, metrics, reports.
        .target(name: "BertDivergence", dependencies: ["BertModel", "BertTokens", "BertMetrics", "BertKernels", "EncoderWeights", "Support"]),
        // Latency and memory measurement: statistics, FLOP counts, result files and reports.
        .target(name: "BertMeasure", dependencies: [
            "BertModel", "Support", .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        // Experiments as plans of cells with stable ids: run any subset, merge into the reports.
        .target(name: "BertExperiments", dependencies: [
            "BertModel", "BertMeasure", "BertDivergence", "BertCompression", "BertCheckpoint", "BertKernels", "BertTokens", "Support",
            "BertCalibration",
        ]),
        .executableTarget(name: "bertbench", dependencies: [
            "BertExperiments", "BertModel", "BertMetrics", "BertMeasure", "BertCompression", "BertDivergence", "Support", "EncoderWeights",
            "BertCalibration", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "KernelTests", dependencies: ["OpenCLRuntime", "BertKernels", "BertCheckpoint", "BertMeasure", "Support"]),
        .testTarget(name: "TokenizerTests", dependencies: ["BertTokens"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CheckpointTests", dependencies: ["BertCheckpoint", "EncoderWeights", "Support"]),
        .testTarget(name: "ModelTests", dependencies: ["BertModel", "EncoderWeights", "Support"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MetricsTests", dependencies: ["BertMetrics", "Support"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MeasureTests", dependencies: ["BertMeasure"]),
        .testTarget(name: "DivergenceTests", dependencies: [
            "BertDivergence", "BertModel", "BertTokens", "BertKernels", "OpenCLRuntime", "BertCheckpoint", "Support",
        ]),
        .testTarget(name: "CompressionTests", dependencies: [
            "BertCompression", "BertCalibration", "BertModel", "BertKernels", "OpenCLRuntime", "BertTokens", "BertCheckpoint", "EncoderWeights",
            "Support",
        ]),
        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["BertExperiments", "BertMeasure", "BertKernels", "OpenCLRuntime", "BertCheckpoint",
                                                     "BertDivergence", "BertCompression"]),
        .testTarget(name: "CLITests", dependencies: ["BertCheckpoint", "Support"]),
        // Weights and compression without a device: no OpenCLRuntime, no BertModel.
        .testTarget(name: "WeightsTests", dependencies: ["BertCheckpoint", "EncoderWeights", "BertCompression", "Support"]),
    ]
)

// libFuzzer targets, one per parser of outside input: built only by scripts/fuzz, which sets
// BERTBENCH_FUZZ and the sanitizer flags (a normal build has no use for them).
if ProcessInfo.processInfo.environment["BERTBENCH_FUZZ"] != nil {
    let fuzzers: [(String, [Target.Dependency])] = [
        ("safetensors", ["BertCheckpoint"]), ("config", ["BertCheckpoint"]), ("tokenizer", ["BertTokens"]),
        ("text", ["BertDivergence", "Support"]), ("results", ["BertMeasure", "BertDivergence"]),
    ]
    package.targets.append(.target(name: "FuzzDriver", path: "Fuzz/Driver"))
    for (name, dependencies) in fuzzers {
        package.targets.append(.executableTarget(name: "fuzz-\(name)", dependencies: dependencies + ["FuzzDriver"], path: "Fuzz/\(name)"))
    }
}
