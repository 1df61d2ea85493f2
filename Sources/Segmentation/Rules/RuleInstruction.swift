/// One step of a compiled rule, over a stack of `Double`s.
///
/// Conditions are 0 or 1 on the stack, choices are option indices; the compiler has already checked
/// types, so no instruction looks at a name or a kind.
@usableFromInline
enum RuleInstruction: Sendable {
    /// Pushes a metric as the loader returns it (numbers and choices).
    case load(MetricID)
    /// Pushes a flag as 1 when it is neither 0 nor NaN, else 0, so `== true` and `not` see 0 or 1.
    case loadFlag(MetricID)
    case constant(Double)
    /// Replace the two top values with their sum, difference, product or quotient.
    case add, subtract, multiply
    /// A zero divisor gives NaN, so every comparison it reaches is false.
    case divide
    case negate
    /// Replace the two top values with 1 or 0; any NaN gives 0, `notEqual` included.
    case less, lessEqual, greater, greaterEqual, equal, notEqual
    /// The same against a constant right operand, the usual shape (`key_actions_7 >= 20`, `plan != free`),
    /// so the constant is never pushed.
    case lessConstant(Double)
    case lessEqualConstant(Double)
    case greaterConstant(Double)
    case greaterEqualConstant(Double)
    case equalConstant(Double)
    case notEqualConstant(Double)
    case not
    /// Replaces a choice index with 1 when its bit is set in `sets[first ..< first + words]`.
    case member(first: Int32, words: Int32)
    /// `and`: when the top is 0, keep it and jump to the end of the chain; otherwise pop it.
    case jumpIfFalseElsePop(Int32)
    /// `or`: when the top is 1, keep it and jump to the end of the chain; otherwise pop it.
    case jumpIfTrueElsePop(Int32)
}

/// A rule's instructions and the fixed stack they need, checked at compile time to stay within bounds.
@usableFromInline
struct RuleProgram: Sendable {
    @usableFromInline let code: ContiguousArray<RuleInstruction>
    /// Bit sets of option indices for ``RuleInstruction/member(first:words:)``, 64 options a word.
    @usableFromInline let sets: ContiguousArray<UInt64>
    /// The most values on the stack at once; at most ``RuleCompiler/maximumDepth``.
    @usableFromInline let stackSize: Int

    init(code: [RuleInstruction], sets: [UInt64], stackSize: Int) {
        self.code = ContiguousArray(code)
        self.sets = ContiguousArray(sets)
        self.stackSize = stackSize
    }

    /// Runs the program; the stack lives on the machine stack (at most 512 bytes), so nothing is allocated.
    @inlinable
    func run<L: MetricLoader>(_ loader: L) -> Bool {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: stackSize) { stack in
            code.withUnsafeBufferPointer { code in
                sets.withUnsafeBufferPointer { sets in
                    Self.execute(code, sets, stack, loader)
                }
            }
        }
    }

    @inlinable
    static func execute<L: MetricLoader>(
        _ code: UnsafeBufferPointer<RuleInstruction>, _ sets: UnsafeBufferPointer<UInt64>,
        _ stack: UnsafeMutableBufferPointer<Double>, _ loader: L
    ) -> Bool {
        var top = -1
        var pc = 0
        while pc < code.count {
            switch code[pc] {
            case .load(let id):
                top += 1
                stack[top] = loader.load(id)
            case .loadFlag(let id):
                let value = loader.load(id)
                top += 1
                stack[top] = value < 0 || value > 0 ? 1 : 0
            case .constant(let value):
                top += 1
                stack[top] = value
            case .add:
                top -= 1
                stack[top] += stack[top + 1]
            case .subtract:
                top -= 1
                stack[top] -= stack[top + 1]
            case .multiply:
                top -= 1
                stack[top] *= stack[top + 1]
            case .divide:
                top -= 1
                let divisor = stack[top + 1]
                stack[top] = divisor == 0 ? .nan : stack[top] / divisor
            case .negate:
                stack[top] = -stack[top]
            case .less:
                top -= 1
                stack[top] = stack[top] < stack[top + 1] ? 1 : 0
            case .lessEqual:
                top -= 1
                stack[top] = stack[top] <= stack[top + 1] ? 1 : 0
            case .greater:
                top -= 1
                stack[top] = stack[top] > stack[top + 1] ? 1 : 0
            case .greaterEqual:
                top -= 1
                stack[top] = stack[top] >= stack[top + 1] ? 1 : 0
            case .equal:
                top -= 1
                stack[top] = stack[top] == stack[top + 1] ? 1 : 0
            case .notEqual:
                top -= 1
                let a = stack[top]
                let b = stack[top + 1]
                stack[top] = a < b || a > b ? 1 : 0
            case .lessConstant(let b):
                stack[top] = stack[top] < b ? 1 : 0
            case .lessEqualConstant(let b):
                stack[top] = stack[top] <= b ? 1 : 0
            case .greaterConstant(let b):
                stack[top] = stack[top] > b ? 1 : 0
            case .greaterEqualConstant(let b):
                stack[top] = stack[top] >= b ? 1 : 0
            case .equalConstant(let b):
                stack[top] = stack[top] == b ? 1 : 0
            case .notEqualConstant(let b):
                let a = stack[top]
                stack[top] = a < b || a > b ? 1 : 0
            case .not:
                stack[top] = stack[top] == 0 ? 1 : 0
            case .member(let first, let words):
                let value = stack[top]
                var hit = false
                if value >= 0, value < Double(words) * 64 {
                    let index = Int(value)
                    if Double(index) == value {
                        hit = sets[Int(first) + (index >> 6)] & (UInt64(1) << UInt64(index & 63)) != 0
                    }
                }
                stack[top] = hit ? 1 : 0
            case .jumpIfFalseElsePop(let target):
                if stack[top] == 0 {
                    pc = Int(target)
                    continue
                }
                top -= 1
            case .jumpIfTrueElsePop(let target):
                if stack[top] != 0 {
                    pc = Int(target)
                    continue
                }
                top -= 1
            }
            pc += 1
        }
        return stack[0] != 0
    }
}
