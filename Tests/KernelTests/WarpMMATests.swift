import BertKernels
import BertMeasure
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    /// The warp-level mma macro (Kernels/nvidia/common.cl) against the PTX ISA's m16n8k16 fragment
    /// layout as written here, independently of the kernels' fragment loaders: fragments packed in
    /// Swift per the layout, D unpacked per the layout, compared with A·B + C in float64.
    @Suite struct WarpMMA {
        /// (row, col) of the 16x16 A element in register `reg` (0..3), half `h` of lane `lane`.
        static func aPosition(lane: Int, reg: Int, half h: Int) -> (Int, Int) {
            let g = lane >> 2, t = lane & 3, i = reg * 2 + h  // a0..a7 in the ISA's numbering
            return ((i < 2 || (4..<6).contains(i)) ? g : g + 8, t * 2 + (i & 1) + (i >= 4 ? 8 : 0))
        }

        /// (k, n) of the 16x8 B element in register `reg` (0..1), half `h` of lane `lane`.
        static func bPosition(lane: Int, reg: Int, half h: Int) -> (Int, Int) {
            let i = reg * 2 + h  // b0..b3
            return ((lane & 3) * 2 + (i & 1) + (i >= 2 ? 8 : 0), lane >> 2)
        }

        /// (row, col) of accumulator c`i` of lane `lane`.
        static func cPosition(lane: Int, i: Int) -> (Int, Int) { ((lane >> 2) + (i >= 2 ? 8 : 0), (lane & 3) * 2 + (i & 1)) }

        @Test func emulatedMMAFollowsThePTXFragmentLayout() throws {
            var rng = SeededGenerator(seed: 37)
            let warps = 3  // several work-groups, so the lane and group arithmetic is exercised too
            var regs = [UInt32](), accIn = [Float](), expected = [[Double]]()
            for _ in 0..<warps {
                let a = (0..<256).map { _ in Float(Float16(Float.random(in: -1...1, using: &rng))) }
                let b = (0..<128).map { _ in Float(Float16(Float.random(in: -1...1, using: &rng))) }
                let c = (0..<128).map { _ in Float.random(in: -1...1, using: &rng) }
                func bits(_ x: Float) -> UInt32 { UInt32(Float16(x).bitPattern) }
                for lane in 0..<32 {
                    for reg in 0..<4 {
                        let (r0, c0) = Self.aPosition(lane: lane, reg: reg, half: 0), (r1, c1) = Self.aPosition(lane: lane, reg: reg, half: 1)
                        regs.append(bits(a[r0 * 16 + c0]) | bits(a[r1 * 16 + c1]) << 16)
                    }
                    for reg in 0..<2 {
                        let (k0, n0) = Self.bPosition(lane: lane, reg: reg, half: 0), (k1, n1) = Self.bPosition(lane: lane, reg: reg, half: 1)
                        regs.append(bits(b[k0 * 8 + n0]) | bits(b[k1 * 8 + n1]) << 16)
                    }
                    for i in 0..<4 {
                        let (r, col) = Self.cPosition(lane: lane, i: i)
                        accIn.append(c[r * 8 + col])
                    }
                }
                expected.append((0..<128).map { e in
                    (0..<16).reduce(Double(c[e])) { $0 + Double(a[(e / 8) * 16 + $1]) * Double(b[$1 * 8 + e % 8]) }
                })
            }
            let context = TestDevice.context
            let kernel = try context.kernel("mma_probe", source: KernelLibrary.source("nvidia/mma_probe.cl"), options: "-DWARP_PTX=0",
                                            sourceName: "Kernels/nvidia/mma_probe.cl")
            let acc = try context.upload(accIn)
            try context.launch(kernel, global: [32 * warps], local: [32], arguments: [try context.upload(regs), acc], category: "test")
            let out = try acc.read()
            for w in 0..<warps {
                var worst = 0.0
                for lane in 0..<32 {
                    for i in 0..<4 {
                        let (r, col) = Self.cPosition(lane: lane, i: i)
                        let v = out[(w * 32 + lane) * 4 + i]
                        worst = v.isFinite ? max(worst, abs(Double(v) - expected[w][r * 8 + col])) : .infinity
                    }
                }
                #expect(worst < 1e-5, "warp \(w): max abs error \(worst)")
            }
        }

        @Test func emulatedLdmatrixFollowsThePTXDistribution() throws {
            // ldmatrix .x4 per the ISA: lane 8i + r gives the address of row r of matrix i (a row
            // is 4 words), and lane 4r + c receives word c of that row in register i. Rows are
            // random, and so are the addresses (repeats included), per warp of several.
            var rng = SeededGenerator(seed: 41)
            let warps = 3
            let tile = (0..<(warps * 128)).map { _ in UInt32.random(in: 0...UInt32.max, using: &rng) }
            let rowOf = (0..<(warps * 32)).map { _ in Int32.random(in: 0..<32, using: &rng) }
            let context = TestDevice.context
            let kernel = try context.kernel("ldmatrix_probe", source: KernelLibrary.source("nvidia/mma_probe.cl"),
                                            options: "-DWARP_PTX=0 -DLDMATRIX=1", sourceName: "Kernels/nvidia/mma_probe.cl")
            let out = try poisonedWords(warps * 128)
            try context.launch(kernel, global: [32 * warps], local: [32],
                               arguments: [try context.upload(tile), try context.upload(rowOf), out], category: "test")
            let got = try out.read()
            for w in 0..<warps {
                for matrix in 0..<4 {
                    for row in 0..<8 {
                        let address = Int(rowOf[w * 32 + matrix * 8 + row])
                        for word in 0..<4 {
                            let lane = row * 4 + word
                            #expect(got[(w * 32 + lane) * 4 + matrix] == tile[w * 128 + address * 4 + word],
                                    "warp \(w) matrix \(matrix) row \(row) word \(word) (lane \(lane), register \(matrix))")
                        }
                    }
                }
            }
            // The GPU-side check (`bertbench check-mma`) agrees with it on this device.
            #expect(try WarpMMACheck.ldmatrix(context: context, ptx: false) == 0)
        }

        /// A device buffer of words that no ldmatrix result is likely to equal by chance.
        func poisonedWords(_ count: Int) throws -> DeviceBuffer<UInt32> {
            try TestDevice.context.upload([UInt32](repeating: 0xDEAD_BEEF, count: count))
        }
    }
}
