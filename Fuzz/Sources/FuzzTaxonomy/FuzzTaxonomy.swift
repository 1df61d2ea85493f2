// Taxonomy YAML: any UTF-8 text through the taxonomy reader. A thrown TaxonomyError is a normal outcome;
// a crash, a hang or unbounded memory is a finding.

import EventImport
import FuzzCommon

@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    guard let yaml = String(validating: bytes, as: UTF8.self) else { return 0 }
    _ = try? Taxonomy.parse(yaml: yaml, file: "fuzz-taxonomy.yaml")
    return 0
}

/// Hands the command line to libFuzzer, which calls `test` for each input (see FuzzCommon/Driver.swift).
@main
enum FuzzTaxonomyMain {
    static func main() { runLibFuzzer(test) }
}
