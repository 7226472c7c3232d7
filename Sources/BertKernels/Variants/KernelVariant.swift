/// The extents of one launch, named as a GEMM's (m rows, n columns, k depth); each launcher in
/// `EncoderKernels` says which of its sizes goes where.
public struct KernelProblem: Sendable, Hashable {
    public var m: Int
    public var n: Int
    public var k: Int
    /// Independent sequences the m rows fall into (attention: the batch), so that a variant can
    /// tile each sequence on its own; 1 where rows are independent.
    public var batch: Int
    /// Attention: the scores get a relative-position bias (MPNet), built in with -DREL_BIAS.
    public var relativeBias: Bool

    /// A problem; unused extents are 1.
    public init(m: Int, n: Int = 1, k: Int = 1, batch: Int = 1, relativeBias: Bool = false) {
        self.m = m
        self.n = n
        self.k = k
        self.batch = batch
        self.relativeBias = relativeBias
    }
}

/// Global and (optional) local work sizes of one launch.
public struct LaunchGeometry: Sendable, Equatable {
    public let global: [Int]
    public let local: [Int]?

    /// A geometry; with `local` nil the OpenCL implementation picks the work-group size.
    public init(global: [Int], local: [Int]? = nil) {
        self.global = global
        self.local = local
    }
}

/// One implementation of a `KernelOperation`: its source file below Kernels/, its entry points,
/// its parameters, and the two things derived from the parameter values, the `-D` build options
/// and the launch geometry, so that a tile width is written once (here) and nowhere else in Swift.
public struct KernelVariant: Sendable {
    /// Unique name, used in profiles and reports ("portable-gemm").
    public let name: String
    public let operation: KernelOperation
    /// Further operations with the same entry points and arguments that it implements too
    /// (the fp32 attention kernels serve `attention-f16` as well).
    public let alsoServes: [KernelOperation]
    /// Path below Kernels/ ("portable/gemm.cl").
    public let source: String
    public let entryPoints: [String]
    /// Tunable parameters, in the order reports print them.
    public let parameters: [KernelParameter]
    /// Defines whose value this variant's kernels are written for (TN=16 for float8 x2 tiles):
    /// passed as `-D` and used by the geometry, but not tunable.
    public let fixedDefines: [(name: String, value: Int)]
    private let shapeDefines: @Sendable (KernelProblem, [String: Int]) -> [(name: String, value: Int)]
    private let panelRule: (@Sendable (_ values: [String: Int]) -> Int)?
    private let geometryRule: @Sendable (_ entry: String, _ problem: KernelProblem, _ values: [String: Int]) -> LaunchGeometry
    private let summaryRule: (@Sendable (_ values: [String: Int]) -> String)?
    private let kSliceRule: (@Sendable (_ problem: KernelProblem, _ values: [String: Int]) -> Int)?
    private let inKernelReduceRule: (@Sendable (_ values: [String: Int]) -> Bool)?

    /// A variant. `shapeDefines` are defines that depend on the problem (HEAD_DIM), given the
    /// values of every parameter and fixed define (a rule's threshold may be one); `geometry`
    /// maps an entry point, a problem and the values of every parameter and fixed define to
    /// the launch sizes. `panelWidth`, for a GEMM that reads weights packed at load time, maps
    /// the parameter values to the width of the panels it reads (see `WeightPacking`). `summary`
    /// says what the values mean in a reader's terms ("128x128x32 blocks, 2 stages") for reports.
    /// `kSlices`, for a GEMM that can split K, maps a problem and the values to the number of K
    /// slices (1: no split); such a variant also has `<entry>_partial` (the slices' raw sums into a
    /// workspace, one slice per layer of work-groups) and `<entry>_reduce` (sum and epilogue);
    /// with `reducesInKernel` true for the values, `<entry>_splitk` instead does both in one launch
    /// (the last work-group of each tile to finish sums the slices, counted in a zeroed int buffer).
    public init(name: String, operation: KernelOperation, alsoServes: [KernelOperation] = [], source: String, entryPoints: [String],
                parameters: [KernelParameter] = [], fixedDefines: [(name: String, value: Int)] = [],
                shapeDefines: @escaping @Sendable (KernelProblem, [String: Int]) -> [(name: String, value: Int)] = { _, _ in [] },
                panelWidth: (@Sendable (_ values: [String: Int]) -> Int)? = nil,
                summary: (@Sendable (_ values: [String: Int]) -> String)? = nil,
                kSlices: (@Sendable (_ problem: KernelProblem, _ values: [String: Int]) -> Int)? = nil,
                reducesInKernel: (@Sendable (_ values: [String: Int]) -> Bool)? = nil,
                geometry: @escaping @Sendable (_ entry: String, _ problem: KernelProblem, _ values: [String: Int]) -> LaunchGeometry) {
        self.name = name
        self.operation = operation
        self.alsoServes = alsoServes
        self.source = source
        self.entryPoints = entryPoints
        self.parameters = parameters
        self.fixedDefines = fixedDefines
        self.shapeDefines = shapeDefines
        self.panelRule = panelWidth
        self.summaryRule = summary
        self.kSliceRule = kSlices
        self.inKernelReduceRule = reducesInKernel
        self.geometryRule = geometry
    }

    /// The same kernels and rules under another name with other defaults: how a tuned or
    /// test-only copy of a variant is declared in one line.
    public func renamed(_ newName: String, defaults: [String: Int] = [:]) -> KernelVariant {
        let tuned = parameters.map { p in
            KernelParameter(p.name, default: defaults[p.name] ?? p.defaultValue, allowed: p.allowed, meaning: p.meaning, tunable: p.tunable)
        }
        return KernelVariant(name: newName, operation: operation, alsoServes: alsoServes, source: source, entryPoints: entryPoints,
                             parameters: tuned, fixedDefines: fixedDefines, shapeDefines: shapeDefines, panelWidth: panelRule,
                             summary: summaryRule, kSlices: kSliceRule, reducesInKernel: inKernelReduceRule, geometry: geometryRule)
    }

    /// Whether a profile may choose it for `operation`.
    public func serves(_ operation: KernelOperation) -> Bool { self.operation == operation || alsoServes.contains(operation) }

    /// The `-D` options for `values` (every tunable parameter set) and `problem`.
    func buildOptions(_ values: [String: Int], problem: KernelProblem) -> String {
        let tunable = parameters.map { "-D\($0.name)=\(values[$0.name]!)" }
        let fixed = fixedDefines.map { "-D\($0.name)=\($0.value)" }
        let shaped = shapeDefines(problem, withFixedDefines(values)).map { "-D\($0.name)=\($0.value)" }
        let panel = panelWidth(values).map { ["-DNR=\($0)"] } ?? []
        return (tunable + fixed + shaped + panel).joined(separator: " ")
    }

    /// The summary for `values` (every tunable parameter set), or nil when the variant has none.
    func summary(_ values: [String: Int]) -> String? {
        guard let summaryRule else { return nil }
        return summaryRule(withFixedDefines(values))
    }

    /// The panel width of weights packed for `values`, or nil when the variant reads them unpacked.
    func panelWidth(_ values: [String: Int]) -> Int? {
        guard let panelRule else { return nil }
        return panelRule(withFixedDefines(values))
    }

    /// How many K slices `problem` is split into with `values` (1: not split, the plain entry runs).
    func kSlices(_ problem: KernelProblem, values: [String: Int]) -> Int {
        guard let kSliceRule else { return 1 }
        return kSliceRule(problem, withFixedDefines(values))
    }

    /// Whether split problems run `<entry>_splitk` (slices summed in the GEMM's own launch) with `values`.
    func reducesInKernel(_ values: [String: Int]) -> Bool {
        inKernelReduceRule?(withFixedDefines(values)) ?? false
    }

    /// `values` with the fixed defines added: what every rule (shape defines, panel width, summary,
    /// K slices, geometry) reads.
    private func withFixedDefines(_ values: [String: Int]) -> [String: Int] {
        values.merging(fixedDefines.map { ($0.name, $0.value) }) { _, fixed in fixed }
    }

    /// The launch sizes of `entry` for `problem` with `values` (every tunable parameter set).
    func geometry(_ entry: String, problem: KernelProblem, values: [String: Int]) -> LaunchGeometry {
        precondition(entryPoints.contains(entry), "\(name) has no entry point \(entry)")
        return geometryRule(entry, problem, withFixedDefines(values))
    }
}

/// ceil(a / b) for positive b: how many tiles of width b cover a.
@inline(__always) func tiles(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
