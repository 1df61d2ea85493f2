import Reporting
import Testing

@Suite("Escaping of values in HTML and SVG")
struct XMLTextTests {
    @Test("markup in a name renders as text")
    func markup() {
        #expect(XMLText.escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;")
        #expect(XMLText.escape(#"a "b" & 'c'"#) == "a &quot;b&quot; &amp; &#39;c&#39;")
        #expect(XMLText.escape("déjà vu ✓") == "déjà vu ✓")
    }
}
