// CSV event logs: the input, byte for byte, as a `.csv` file through both passes of the importer.

import FuzzCommon

@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    importLog(UnsafeRawBufferPointer(start: start, count: count), as: .csv)
    return 0
}

/// Hands the command line to libFuzzer, which calls `test` for each input (see FuzzCommon/Driver.swift).
@main
enum FuzzCSVMain {
    static func main() { runLibFuzzer(test) }
}
