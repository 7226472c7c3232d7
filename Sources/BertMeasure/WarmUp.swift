import Foundation
import OpenCLRuntime

/// Warm-up before every timing: at least `passes` runs and, when any are asked for, at least
/// `seconds` of them. On PoCL a fresh process's first few hundred milliseconds of launches ran at
/// half speed (about 100 against 220 GFLOP/s at 128 x 1536 x 384; the quick run's first models at
/// 1.4x their warmed time), which a short timing then reported as the kernel's or the model's speed.
enum WarmUp {
    static let seconds = 0.3

    static func run(_ context: ComputeContext, passes: Int = 1, seconds: Double = WarmUp.seconds, _ launch: () throws -> Void) throws {
        guard passes > 0 else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        var done = 0
        while done < passes || Double(DispatchTime.now().uptimeNanoseconds - start) < seconds * 1e9 {
            try launch()
            try context.finish()
            done += 1
        }
    }
}
