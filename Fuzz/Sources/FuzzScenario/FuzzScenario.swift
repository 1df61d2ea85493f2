// Scenario YAML: any UTF-8 text through the loader. A thrown ScenarioError is a normal outcome; a crash,
// a hang or unbounded memory is a finding.

import FuzzCommon
import Workbench

@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    guard let yaml = String(validating: bytes, as: UTF8.self) else { return 0 }
    _ = try? ScenarioLoader.parse(yaml: yaml, file: "fuzz.yaml")
    return 0
}

/// Hands the command line to libFuzzer, which calls `test` for each input (see FuzzCommon/Driver.swift).
@main
enum FuzzScenarioMain {
    static func main() { runLibFuzzer(test) }
}
