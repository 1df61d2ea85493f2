import Foundation

extension Charts {
    /// Colours that stay distinguishable for readers with colour-vision deficiencies and in print.
    enum Palette {
        /// Okabe & Ito, "Color Universal Design (CUD): how to make figures and presentations that are
        /// friendly to colorblind people" (2002, rev. 2008), the eight-colour qualitative set. Ordered so
        /// that the first colours have the most contrast on white; yellow, hard to see as a thin line
        /// on paper, comes last but one, and black last.
        static let qualitative = [
            "#0072B2",  // blue
            "#E69F00",  // orange
            "#009E73",  // bluish green
            "#D55E00",  // vermillion
            "#CC79A7",  // reddish purple
            "#56B4E9",  // sky blue
            "#F0E442",  // yellow
            "#000000",  // black
        ]

        /// The series colour for index `i`; colours repeat after eight, so lines also get a dash
        /// pattern (`dash(_:)`) that tells them apart.
        static func color(_ i: Int) -> String { qualitative[i % qualitative.count] }

        /// Dash patterns for lines, so that series differ in greyscale print too; `nil` is solid.
        static func dash(_ i: Int) -> String? {
            [nil, "7 3", "2 3", "9 3 2 3"][i % 4]
        }

        /// ColorBrewer "Blues", 9-class sequential (Cynthia A. Brewer, ColorBrewer 2.0,
        /// colorbrewer2.org), from near white for 0 to dark blue for 1. It is monotone in lightness,
        /// so order reads correctly without hue and in greyscale.
        static let sequentialStops: [(Double, Double, Double)] = [
            (247, 251, 255), (222, 235, 247), (198, 219, 239), (158, 202, 225), (107, 174, 214),
            (66, 146, 198), (33, 113, 181), (8, 81, 156), (8, 48, 107),
        ]

        static let sequentialHex = sequentialStops.map { hex($0) }

        /// The colour of a share in [0, 1] (values outside are clamped), interpolated between the stops.
        static func sequential(_ value: Double) -> String {
            let t = value.isFinite ? Swift.min(Swift.max(value, 0), 1) : 0
            let position = t * Double(sequentialStops.count - 1)
            let i = Swift.min(Int(position.rounded(.down)), sequentialStops.count - 2)
            let f = position - Double(i)
            let a = sequentialStops[i]
            let b = sequentialStops[i + 1]
            return hex((a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f))
        }

        static let lightText = "#ffffff"
        static let darkText = "#1f1f1f"

        /// Dark or light text, whichever contrasts more with `background` (WCAG 2.1 contrast ratio).
        static func text(on background: String) -> String {
            let l = relativeLuminance(background)
            let dark = relativeLuminance(darkText)
            let light = relativeLuminance(lightText)
            return (light + 0.05) / (l + 0.05) > (l + 0.05) / (dark + 0.05) ? lightText : darkText
        }

        /// WCAG 2.1 relative luminance of a `#rrggbb` colour.
        static func relativeLuminance(_ color: String) -> Double {
            let digits = Array(color.utf8.dropFirst())
            guard digits.count == 6 else { return 1 }
            func channel(_ k: Int) -> Double {
                let text = String(decoding: digits[(2 * k)..<(2 * k + 2)], as: UTF8.self)
                let c = Double(Int(text, radix: 16) ?? 255) / 255
                return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
            }
            return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
        }

        static func hex(_ rgb: (Double, Double, Double)) -> String {
            let digits = Array("0123456789abcdef")
            func byte(_ x: Double) -> String {
                let v = Int(Swift.min(Swift.max(x, 0), 255).rounded(.toNearestOrAwayFromZero))
                return String(digits[v / 16]) + String(digits[v % 16])
            }
            return "#" + byte(rgb.0) + byte(rgb.1) + byte(rgb.2)
        }
    }
}
