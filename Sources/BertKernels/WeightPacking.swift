/// Rearranges a Linear weight into the panels a packed GEMM streams: done once at load time,
/// so the kernel reads each panel front to back instead of NR/VW floats from every row of B.
public enum WeightPacking {
    /// Elements of the packed form of an [N, K] weight in panels `width` columns wide (N rounded
    /// up to whole panels, the padding zero).
    public static func packedCount(n: Int, k: Int, width: Int) -> Int { tiles(n, width) * width * k }

    /// A weight stored as Hugging Face does, [N, K] row-major (`rows` = N outputs), packed into
    /// panels: panel p holds outputs p*width ..< (p+1)*width, element (k, j) at
    /// p*K*width + k*width + j, zero past N. `zero` is the element type's zero.
    public static func panels<T>(_ weight: [T], n: Int, k: Int, width: Int, zero: T) -> [T] {
        precondition(weight.count == n * k && width > 0)
        var packed = [T](repeating: zero, count: packedCount(n: n, k: k, width: width))
        packed.withUnsafeMutableBufferPointer { out in
            weight.withUnsafeBufferPointer { w in
                for row in 0..<n {
                    let base = (row / width) * k * width + row % width
                    for col in 0..<k { out[base + col * width] = w[row * k + col] }
                }
            }
        }
        return packed
    }
}
