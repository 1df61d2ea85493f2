import ArgumentParser
import Workbench

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Set two runs side by side: compare.html, compare.md and compare.json with every difference as B − A.",
        discussion:
            "Reads the results.json of each run folder (or the results.json files themselves). Parts only one run "
            + "has (segments, arms, metrics, policies) are listed as only in A or only in B. See docs/compare.md.")

    @Argument(help: "Run A: the folder a run wrote (or its results.json).")
    var runA: String

    @Argument(help: "Run B: the folder of the run set against A.")
    var runB: String

    @Option(
        help: ArgumentHelp(
            "Folder for compare.html, compare.md, compare.json and compare-figures/ (created when missing; other "
                + "files in it are left alone); not the folder of A or B.", valueName: "DIR"))
    var out: String

    func run() throws {
        let directory = try Workbench.compare(runA, runB, outDirectory: out)
        print("comparison: \(directory)/compare.json")
        print("markdown: \(directory)/compare.md")
        print("report: \(directory)/compare.html")
    }
}
