import BertKernels
import OpenCLRuntime
import Testing

extension Kernels {
    @Suite struct RuntimeErrors {
        @Test func buildFailureNamesTheCallAndCarriesTheLog() throws {
            let error = #expect(throws: CLError.self) {
                _ = try TestDevice.context.kernel("broken", source: "__kernel void broken(__global float* x) { x[0] = undefined_name; }",
                                                  sourceName: "broken.cl")
            }
            let text = try #require(error).description
            #expect(text.contains("clBuildProgram(broken.cl"))
            #expect(text.contains("CL_BUILD_PROGRAM_FAILURE"))
            #expect(text.contains("undefined_name"), "the build log should name the undeclared identifier: \(text)")
            #expect(!text.contains("\n"))
        }

        @Test func bufferLargerThanTheDeviceAllowsIsRefused() throws {
            let tooMany = Int(TestDevice.context.device.maxAllocationBytes / 4) + 1
            let error = #expect(throws: CLError.self) {
                _ = try TestDevice.context.buffer(Float.self, count: tooMany, label: "huge")
            }
            #expect(try #require(error).description.contains("CL_DEVICE_MAX_MEM_ALLOC_SIZE"))
        }

        @Test func unknownDeviceNameIsAClearError() throws {
            let error = #expect(throws: DeviceChoiceError.self) { _ = try Device.choose("no-such-device-xyz") }
            #expect(try #require(error).description.contains("no-such-device-xyz"))
            #expect(throws: DeviceChoiceError.self) { _ = try Device.choose("999") }
        }

        @Test func peakAllocationIsTracked() throws {
            let ctx = TestDevice.context
            ctx.resetPeakAllocation()
            let before = ctx.allocatedBytes
            do {
                let buffer = try ctx.buffer(Float.self, count: 1000)
                #expect(ctx.allocatedBytes == before + buffer.byteCount)
            }
            #expect(ctx.allocatedBytes == before)
            #expect(ctx.peakAllocatedBytes >= before + 4000)
        }

        @Test func eventsTimeEachLaunch() throws {
            let ctx = TestDevice.context
            let x = try ctx.upload([Float](repeating: 1, count: 64))
            ctx.startRecording()
            try TestDevice.kernels.biasActivation(x, bias: try ctx.upload([Float](repeating: 0, count: 8)), rows: 8, n: 8, activation: .gelu)
            let timings = try ctx.stopRecording()
            #expect(timings.count == 1)
            #expect(timings.first?.category == "gelu")
            #expect((timings.first?.milliseconds ?? -1) >= 0)
        }
    }
}
