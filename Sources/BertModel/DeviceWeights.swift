import BertKernels
import OpenCLRuntime

/// A Linear layer on the device: the weight transposed to [in, out] for the GEMM kernel.
struct DeviceLinear {
    let weight: DeviceBuffer<Float>
    let bias: DeviceBuffer<Float>
    let inFeatures: Int
    let outFeatures: Int

    init(_ linear: HostLinear, context: ComputeContext, label: String) throws {
        weight = try context.upload(linear.transposedWeight(), label: label + ".weight")
        bias = try context.upload(linear.bias, label: label + ".bias")
        inFeatures = linear.inFeatures
        outFeatures = linear.outFeatures
    }

    /// Query, key and value fused into one [in, 3·out] weight, so one GEMM produces all three.
    init(fusing parts: [HostLinear], context: ComputeContext, label: String) throws {
        let inFeatures = parts[0].inFeatures
        precondition(parts.allSatisfy { $0.inFeatures == inFeatures })
        let transposed = parts.map { $0.transposedWeight() }
        let total = parts.map(\.outFeatures).reduce(0, +)
        var fused = [Float]()
        fused.reserveCapacity(inFeatures * total)
        for i in 0..<inFeatures {
            for (part, t) in zip(parts, transposed) {
                fused.append(contentsOf: t[(i * part.outFeatures)..<((i + 1) * part.outFeatures)])
            }
        }
        weight = try context.upload(fused, label: label + ".weight")
        bias = try context.upload(parts.flatMap(\.bias), label: label + ".bias")
        self.inFeatures = inFeatures
        outFeatures = total
    }
}

struct DeviceNorm {
    let gamma: DeviceBuffer<Float>
    let beta: DeviceBuffer<Float>

    init(_ norm: HostNorm, context: ComputeContext, label: String) throws {
        gamma = try context.upload(norm.gamma, label: label + ".weight")
        beta = try context.upload(norm.beta, label: label + ".bias")
    }
}

enum DeviceTable {
    case float(DeviceBuffer<Float>)
    case int8(DeviceBuffer<Int8>, scales: DeviceBuffer<Float>)

    init(_ table: HostTable, context: ComputeContext, label: String) throws {
        switch table {
        case .float(let values, _, _): self = .float(try context.upload(values, label: label))
        case .int8(let values, let scales, _, _):
            self = .int8(try context.upload(values, label: label), scales: try context.upload(scales, label: label + ".scale"))
        }
    }
}

struct DeviceLayer {
    let qkv: DeviceLinear
    let attentionOutput: DeviceLinear
    let attentionNorm: DeviceNorm
    let intermediate: DeviceLinear
    let output: DeviceLinear
    let outputNorm: DeviceNorm
    let heads: Int
}

enum DeviceHead {
    case bertPooled(pooler: DeviceLinear, classifier: DeviceLinear)
    case distilBert(preClassifier: DeviceLinear, classifier: DeviceLinear)

    var classifier: DeviceLinear {
        switch self { case .bertPooled(_, let c), .distilBert(_, let c): return c }
    }
}

/// Every weight uploaded once to one device.
struct DeviceEncoderWeights {
    let word: DeviceTable
    let position: DeviceTable
    let tokenType: DeviceBuffer<Float>?
    let embeddingNorm: DeviceNorm
    let layers: [DeviceLayer]
    let head: DeviceHead?

    init(_ host: HostEncoderWeights, context: ComputeContext) throws {
        word = try DeviceTable(host.wordEmbeddings, context: context, label: "embeddings.word")
        position = try DeviceTable(host.positionEmbeddings, context: context, label: "embeddings.position")
        tokenType = try host.tokenTypeEmbeddings.map { try context.upload($0, label: "embeddings.token_type") }
        embeddingNorm = try DeviceNorm(host.embeddingNorm, context: context, label: "embeddings.LayerNorm")
        layers = try host.layers.enumerated().map { index, layer in
            let prefix = "layer.\(index)"
            return DeviceLayer(
                qkv: try DeviceLinear(fusing: [layer.query, layer.key, layer.value], context: context, label: prefix + ".qkv"),
                attentionOutput: try DeviceLinear(layer.attentionOutput, context: context, label: prefix + ".attention.output"),
                attentionNorm: try DeviceNorm(layer.attentionNorm, context: context, label: prefix + ".attention.LayerNorm"),
                intermediate: try DeviceLinear(layer.intermediate, context: context, label: prefix + ".intermediate"),
                output: try DeviceLinear(layer.output, context: context, label: prefix + ".output"),
                outputNorm: try DeviceNorm(layer.outputNorm, context: context, label: prefix + ".output.LayerNorm"),
                heads: layer.heads)
        }
        switch host.head {
        case .bertPooled(let pooler, let classifier):
            head = .bertPooled(pooler: try DeviceLinear(pooler, context: context, label: "pooler"),
                               classifier: try DeviceLinear(classifier, context: context, label: "classifier"))
        case .distilBert(let pre, let classifier):
            head = .distilBert(preClassifier: try DeviceLinear(pre, context: context, label: "pre_classifier"),
                               classifier: try DeviceLinear(classifier, context: context, label: "classifier"))
        case nil:
            head = nil
        }
    }
}
