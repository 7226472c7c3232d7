import BertKernels
import Foundation
import Support
import OpenCLRuntime

/// One mma.sync m16n8k16 step through Kernels/nvidia/mma_probe.cl on fragments packed here per the
/// PTX ISA's layout, against float64: run with WARP_PTX=1 on an NVIDIA GPU it proves that the
/// tensor cores and the layout the kernels assume agree; with 0, that the emulation does.
public enum WarpMMACheck {
    /// The largest |D - (A·B + C)| over `warps` random problems (infinity if any output is not finite).
    public static func run(context: ComputeContext, ptx: Bool, warps: Int = 4) throws -> Double {
        var rng = SeededRandom.measurementInputs
        func half(_ x: Float) -> Float { Float(Float16(x)) }
        func bits(_ x: Float) -> UInt32 { UInt32(Float16(x).bitPattern) }
        var regs = [UInt32](), accIn = [Float](), expected = [Double]()
        for _ in 0..<warps {
            let a = (0..<256).map { _ in half(Float.random(in: -1...1, using: &rng)) }
            let b = (0..<128).map { _ in half(Float.random(in: -1...1, using: &rng)) }
            let c = (0..<128).map { _ in Float.random(in: -1...1, using: &rng) }
            for lane in 0..<32 {
                let g = lane >> 2, t = lane & 3
                // a0..a3: rows g, g+8, g, g+8; columns 2t (+8 for a2, a3); two halves per register.
                for reg in 0..<4 {
                    let row = g + (reg & 1) * 8, col = 2 * t + (reg >> 1) * 8
                    regs.append(bits(a[row * 16 + col]) | bits(a[row * 16 + col + 1]) << 16)
                }
                // b0, b1: k = 2t (+8 for b1), column g.
                for reg in 0..<2 {
                    let k = 2 * t + reg * 8
                    regs.append(bits(b[k * 8 + g]) | bits(b[(k + 1) * 8 + g]) << 16)
                }
                // c0..c3: (g, 2t), (g, 2t+1), (g+8, 2t), (g+8, 2t+1).
                for i in 0..<4 {
                    let row = g + (i >> 1) * 8, col = 2 * t + (i & 1)
                    accIn.append(c[row * 8 + col])
                    expected.append((0..<16).reduce(Double(c[row * 8 + col])) { $0 + Double(a[row * 16 + $1]) * Double(b[$1 * 8 + col]) })
                }
            }
        }
        let kernel = try context.kernel("mma_probe", source: KernelLibrary.source("nvidia/mma_probe.cl"),
                                        options: "-DWARP_PTX=\(ptx ? 1 : 0)", sourceName: "Kernels/nvidia/mma_probe.cl")
        let acc = try context.upload(accIn)
        try context.launch(kernel, global: [32 * warps], local: [32], arguments: [try context.upload(regs), acc], category: "check")
        let out = try acc.read()
        var worst = 0.0
        for (v, e) in zip(out, expected) {
            guard v.isFinite else { return .infinity }
            worst = max(worst, abs(Double(v) - e))
        }
        return worst
    }

    /// One ldmatrix .x4 through Kernels/nvidia/mma_probe.cl on random rows and random per-lane row
    /// addresses, against the PTX ISA's rule (lane 8i + r names row r of matrix i; lane 4r + c gets
    /// word c of that row in register i): the count of registers that differ, over `warps` warps.
    public static func ldmatrix(context: ComputeContext, ptx: Bool, warps: Int = 4) throws -> Int {
        var rng = SeededRandom.measurementInputs
        let tile = (0..<(warps * 128)).map { _ in UInt32.random(in: 0...UInt32.max, using: &rng) }
        let rowOf = (0..<(warps * 32)).map { _ in Int32.random(in: 0..<32, using: &rng) }
        var expected = [UInt32]()
        for w in 0..<warps {
            for lane in 0..<32 {
                for i in 0..<4 {
                    let row = Int(rowOf[w * 32 + 8 * i + lane / 4])
                    expected.append(tile[w * 128 + row * 4 + lane % 4])
                }
            }
        }
        let kernel = try context.kernel("ldmatrix_probe", source: KernelLibrary.source("nvidia/mma_probe.cl"),
                                        options: "-DWARP_PTX=\(ptx ? 1 : 0) -DLDMATRIX=1", sourceName: "Kernels/nvidia/mma_probe.cl")
        let out = try context.buffer(UInt32.self, count: expected.count, label: "ldmatrix probe")
        try context.launch(kernel, global: [32 * warps], local: [32],
                           arguments: [try context.upload(tile), try context.upload(rowOf), out], category: "check")
        return zip(try out.read(), expected).filter { $0 != $1 }.count
    }
}
