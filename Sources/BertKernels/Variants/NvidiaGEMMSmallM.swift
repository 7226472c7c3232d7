/// The small-M rule of the mma.sync GEMMs (nvidia-mma-f16, nvidia-mma-w8a8): at batch 1 x 128 or
/// 384 tokens their 128 x 128 blocks number 8 to 96, too few for a GPU of 132 SMs, and each block
/// walks K alone (about 1.5 us per K tile on the H200). So small M halves the block (SMALL_BLOCK)
/// and, where even that leaves the GPU less than full, splits K over layers of work-groups.
extension NvidiaGEMM {
    /// Work-groups that fill a 132-SM H100 or H200 twice over: the 64 x 64 blocks take 87-88
    /// registers a thread (ptx-check, sm_90), so two of 256 threads fit an SM. Split-K stops
    /// below this count, so the slices never add a second wave. (An A100 has 108 SMs.)
    static let fillGroups = 264

    /// The fewest K tiles a slice may get: a slice's partial sums cost one write and one read of
    /// M x N floats, which a few tiles of K work would not pay for.
    static let minTilesPerSlice = 8

    /// The rule's parameters, read by the variant (geometry, slices), not by the kernels.
    static let smallMParameters = [
        KernelParameter("SMALL_M", default: 384, allowed: [0, 128, 256, 384, 512, 1024],
                        meaning: "rows up to which blocks are halved (MI/2 x NI/2); 0: never", tunable: false),
        KernelParameter("KSPLIT", default: 8, allowed: [1, 2, 4, 8, 16],
                        meaning: "most K slices at small M (partial sums, then one reduce); 1: no split-K", tunable: false),
        KernelParameter("SPLITK_REDUCE", default: 0, allowed: [0, 1],
                        meaning: "1: the last work-group of each tile sums the K slices in the GEMM's own launch; 0: a reduce launch after"),
    ]

    /// The half-size block: MI and NI halved (each at least 1), as the kernels derive FM and FN.
    static func halfBlock(_ v: [String: Int]) -> (m: Int, n: Int) {
        (v["WM"]! * max(1, v["MI"]! / 2) * 16, v["WN"]! * max(1, v["NI"]! / 2) * 8)
    }

    /// Whether `problem` runs the half-size blocks: M at most SMALL_M, and no more of them than
    /// `fillGroups`. Past that (bert-large's QKV and FFN-up at 384 tokens: 288 and 384) they would
    /// run in two waves, each block restaging A and W for a quarter of the output, where the full
    /// blocks (72 and 96) run in one.
    static func smallBlock(_ problem: KernelProblem, _ v: [String: Int]) -> Bool {
        let half = halfBlock(v)
        return problem.m <= v["SMALL_M"]! && tiles(problem.m, half.m) * tiles(problem.n, half.n) <= fillGroups
    }

    /// The block of C one work-group computes for `problem`: WM x MI x 16 by WN x NI x 8, or
    /// the half-size block for small M.
    static func mmaBlock(_ problem: KernelProblem, _ v: [String: Int]) -> (m: Int, n: Int) {
        smallBlock(problem, v) ? halfBlock(v) : (v["WM"]! * v["MI"]! * 16, v["WN"]! * v["NI"]! * 8)
    }

    /// The -D the kernels read for `problem`: SMALL_BLOCK=1 where the blocks are halved.
    @Sendable static func mmaShapeDefines(_ problem: KernelProblem, _ v: [String: Int]) -> [(name: String, value: Int)] {
        [("SMALL_BLOCK", smallBlock(problem, v) ? 1 : 0)]
    }

    /// K slices for `problem`: at small M, as many as keep the work-groups at or below
    /// `fillGroups` (at most KSPLIT, each slice at least `minTilesPerSlice` tiles of BK), then
    /// evened out to ceil(T / ceil(T / S)) so that the kernels' ceil(T / S) tiles per slice leave
    /// no slice empty. Large M is never split: its blocks already fill the GPU.
    @Sendable static func mmaKSlices(_ problem: KernelProblem, _ v: [String: Int]) -> Int {
        guard smallBlock(problem, v), problem.k > 0 else { return 1 }
        let block = mmaBlock(problem, v)
        let groups = tiles(problem.m, block.m) * tiles(problem.n, block.n)
        let kTiles = tiles(problem.k, v["BK"]!)
        let wanted = min(v["KSPLIT"]!, fillGroups / groups, kTiles / minTilesPerSlice)
        guard wanted > 1 else { return 1 }
        return tiles(kTiles, tiles(kTiles, wanted))
    }

    /// "128x128x32 blocks (64x64 at M <= 384 up to 264 blocks, split-K up to 8 slices), 2 stages,
    /// 8 warps, mma.sync".
    static func mmaSummary(_ v: [String: Int], instruction: String) -> String {
        let step = v["WARP_PTX"]! == 1 ? instruction : "emulated mma"
        let (wm, wn, mi, ni) = (v["WM"]!, v["WN"]!, v["MI"]!, v["NI"]!)
        var small = ""
        if v["SMALL_M"]! > 0 {
            let split = v["KSPLIT"]! > 1 ? ", split-K up to \(v["KSPLIT"]!) slices" + (v["SPLITK_REDUCE"] == 1 ? " summed in-kernel" : "") : ""
            small = " (\(wm * max(1, mi / 2) * 16)x\(wn * max(1, ni / 2) * 8) at M <= \(v["SMALL_M"]!) up to \(fillGroups) blocks\(split))"
        }
        let stages = v["ASYNC"] == 1 ? "\(v["STAGES"]!) cp.async stages where K % \(instruction.hasSuffix("s8") ? 16 : 8) == 0" : "2 stages"
        return "\(wm * mi * 16)x\(wn * ni * 8)x\(v["BK"]!) blocks\(small), \(stages), \(wm * wn) warps, \(step)"
    }

    /// One work-group of WM x WN warps per block of C; `_partial` adds a layer of work-groups per
    /// K slice; `_reduce` is one work-item per element of C.
    @Sendable static func mmaGeometry(_ entry: String, _ p: KernelProblem, _ v: [String: Int]) -> LaunchGeometry {
        if entry.hasSuffix("_reduce") { return LaunchGeometry(global: [p.m * p.n], local: [256]) }
        let threads = v["WM"]! * v["WN"]! * 32
        let block = mmaBlock(p, v)
        if entry.hasSuffix("_partial") || entry.hasSuffix("_splitk") {
            return LaunchGeometry(global: [tiles(p.n, block.n) * threads, tiles(p.m, block.m), mmaKSlices(p, v)], local: [threads, 1, 1])
        }
        return LaunchGeometry(global: [tiles(p.n, block.n) * threads, tiles(p.m, block.m)], local: [threads, 1])
    }
}
