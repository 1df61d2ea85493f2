import Reporting
import Testing

@Suite("One document, two renderings")
struct ReportRendererTests {
    static let hostile = "<script>alert(1)</script>"
    static let document = ReportDocument(
        title: "run of \(hostile)", subtitle: "seed 42",
        sections: [
            ReportSection(
                id: "segments", title: "Segments",
                blocks: [
                    .paragraph("Users in *dormant* for two weeks; see `results.json`."),
                    .paragraph("**reengage** against the holdout"),
                    .warning("Sample-ratio mismatch"),
                    .table(
                        ReportTable(
                            caption: "Sizes", header: ["segment", "users"],
                            rows: [[hostile, "12"], ["a|b", "3"]])),
                    .figure(ReportFigure(name: "sizes", caption: "Sizes over time", svg: "<svg role=\"img\"></svg>")),
                    .code("name: x\ndays: 3"),
                ])
        ])

    @Test("HTML: values escaped, markup of prose kept, table cells aligned, the figure inline")
    func html() throws {
        let page = try ReportRenderer.html(Self.document)
        #expect(!page.contains(Self.hostile))
        #expect(page.contains("<title>run of &lt;script&gt;alert(1)&lt;/script&gt;</title>"))
        #expect(page.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td class=\"num\">12</td>"))
        #expect(page.contains("<p>Users in <em>dormant</em> for two weeks; see <code>results.json</code>.</p>"))
        #expect(page.contains("<p class=\"warning\">Sample-ratio mismatch</p>"))
        #expect(page.contains("<p><strong>reengage</strong> against the holdout</p>"))
        #expect(page.contains("<figure>\n<svg role=\"img\"></svg>\n<figcaption>Sizes over time</figcaption>"))
        #expect(page.contains("<pre>name: x\ndays: 3</pre>"))
        #expect(page.contains("<a href=\"#segments\">Segments</a>"))
        // Self-contained: nothing is fetched.
        #expect(!page.contains("http://") && !page.contains("https://") && !page.contains("<script"))
        #expect(try ReportRenderer.html(Self.document) == page)
    }

    @Test("Markdown: the same table, escaped, and the figure linked")
    func markdown() throws {
        let text = try ReportRenderer.markdown(Self.document) { "figures/\($0.name).svg" }
        #expect(text.hasPrefix("# run of &lt;script&gt;alert(1)&lt;/script&gt;\n"))
        #expect(
            text.contains(
                "| segment | users |\n|---|---:|\n| &lt;script&gt;alert(1)&lt;/script&gt; | 12 |\n| a\\|b | 3 |\n"))
        #expect(text.contains("Users in *dormant* for two weeks; see `results.json`."))
        #expect(text.contains("**Sample-ratio mismatch**"))
        #expect(text.contains("![Sizes over time](figures/sizes.svg)"))
        #expect(text.contains("```\nname: x\ndays: 3\n```"))
        #expect(!text.contains(Self.hostile))
    }
}
