// The entry point every fuzz target shares.

import CLibFuzzer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The signature libFuzzer calls for each input: the bytes, and how many there are.
public typealias FuzzTestOneInput = @convention(c) (UnsafeRawPointer, Int) -> CInt

/// Runs libFuzzer over `test` with this process's command line (corpus directories, `-max_total_time`,
/// `-runs`, input files to replay, …) and exits with its status: 0 when the run ends without a finding.
///
/// Called from each target's `@main`: SwiftPM links an executable's own entry point in place of `main`,
/// so the `main` of the libFuzzer runtime is never used.
public func runLibFuzzer(_ test: FuzzTestOneInput) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv, test)
    exit(status)
}
