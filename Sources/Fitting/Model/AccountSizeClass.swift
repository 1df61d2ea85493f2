/// Classes of account size by powers of two: 1, 2, 3–4, 5–8, 9–16, 17–32, 33–64, 65–128 and more. A user's account
/// size is an observation of the persona mixture: the personas of a product differ in team size (a freelancer works
/// alone, a department brings dozens), and in a log the size is known for every user. The classes coarsen it so
/// each persona's distribution is a handful of probabilities, whatever the sizes' shape.
public enum AccountSizeClass {
    /// Classes of a model fitted to data with accounts.
    public static let count = 9

    /// The class of an account of `size` users (≥ 1).
    public static func of(size: Int) -> Int {
        size <= 1 ? 0 : min(count - 1, (size - 1).bitWidth - (size - 1).leadingZeroBitCount)
    }

    /// The smallest and largest size of class `c` (`Int.max` for the last).
    public static func sizes(_ c: Int) -> ClosedRange<Int> {
        c == 0 ? 1...1 : ((1 << (c - 1)) + 1)...(c == count - 1 ? Int.max : 1 << c)
    }
}
