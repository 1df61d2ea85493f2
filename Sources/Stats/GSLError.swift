import CGSL

/// An error reported by GSL, or found by Stats while validating arguments before calling GSL.
///
/// GSL's randist functions return no status, so Stats checks parameters itself and reports bad ones with
/// GSL's own codes (mostly `GSL_EDOM`), keeping a single error type for callers.
public struct GSLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// GSL status code, e.g. ``GSLError/domain`` (`GSL_EDOM`).
    public let code: Int32
    /// What went wrong, in words.
    public let reason: String
    /// The GSL function (or Stats initializer) the failure belongs to.
    public let function: String

    public init(code: Int32, reason: String, function: String) {
        self.code = code
        self.reason = reason
        self.function = function
    }

    /// `GSL_EDOM`: input domain error, e.g. a negative standard deviation.
    public static let domain: Int32 = 1
    /// `GSL_ERANGE`: output range error.
    public static let range: Int32 = 2
    /// `GSL_EINVAL`: invalid argument supplied by the caller.
    public static let invalid: Int32 = 4
    /// `GSL_ENOMEM`: allocation failed.
    public static let noMemory: Int32 = 8
    /// `GSL_EMAXITER`: an iteration did not converge within its limit.
    public static let maxIterations: Int32 = 11

    /// GSL's symbolic name for ``code``, e.g. `"GSL_EDOM"`.
    public var codeName: String {
        let names: [Int32: String] = [
            -2: "GSL_CONTINUE", -1: "GSL_FAILURE", 0: "GSL_SUCCESS", 1: "GSL_EDOM", 2: "GSL_ERANGE",
            3: "GSL_EFAULT", 4: "GSL_EINVAL", 5: "GSL_EFAILED", 6: "GSL_EFACTOR", 7: "GSL_ESANITY",
            8: "GSL_ENOMEM", 9: "GSL_EBADFUNC", 10: "GSL_ERUNAWAY", 11: "GSL_EMAXITER", 12: "GSL_EZERODIV",
            13: "GSL_EBADTOL", 14: "GSL_ETOL", 15: "GSL_EUNDRFLW", 16: "GSL_EOVRFLW", 17: "GSL_ELOSS",
            18: "GSL_EROUND", 19: "GSL_EBADLEN", 20: "GSL_ENOTSQR", 21: "GSL_ESING", 22: "GSL_EDIVERGE",
            23: "GSL_EUNSUP", 24: "GSL_EUNIMPL", 25: "GSL_ECACHE", 26: "GSL_ETABLE", 27: "GSL_ENOPROG",
            28: "GSL_ENOPROGJ", 29: "GSL_ETOLF", 30: "GSL_ETOLX", 31: "GSL_ETOLG", 32: "GSL_EOF",
        ]
        return names[code] ?? "GSL error \(code)"
    }

    /// GSL's own wording for ``code`` (from `gsl_strerror`), e.g. `"input domain error"`.
    public var codeDescription: String {
        GSL.message(for: code)
    }

    /// E.g. `gsl_ran_discrete_preproc: probabilities must be non-negative (GSL_EDOM, input domain error)`.
    public var description: String {
        "\(function): \(reason) (\(codeName), \(codeDescription))"
    }
}

/// Process-wide GSL setup and status handling.
enum GSL {
    /// GSL's default error handler calls `abort()`. Turning it off once makes GSL report failures only through
    /// return values, which Stats converts to ``GSLError``. Swift runs this initializer exactly once, thread-safely.
    private static let handlerDisabled: Bool = {
        _ = gsl_set_error_handler_off()
        return true
    }()

    /// Call from every entry point that may reach a GSL function able to signal an error.
    @inline(__always)
    static func ensureInitialized() {
        _ = handlerDisabled
    }

    /// GSL's text for a status code (`gsl_strerror`).
    static func message(for code: Int32) -> String {
        guard let text = gsl_strerror(code) else { return "unknown error code" }
        return String(cString: text)
    }

    /// Turns a GSL status code into a thrown ``GSLError``; `reason` defaults to GSL's text for the code.
    static func check(_ status: Int32, function: String, reason: String? = nil) throws {
        guard status != 0 else { return }
        throw GSLError(code: status, reason: reason ?? message(for: status), function: function)
    }

    /// A domain error (`GSL_EDOM`) for parameter validation done in Swift.
    static func domainError(_ function: String, _ reason: String) -> GSLError {
        GSLError(code: GSLError.domain, reason: reason, function: function)
    }
}

/// Small validation helpers shared by the distribution initializers.
enum Check {
    static func finite(_ value: Double, _ name: String, in function: String) throws {
        guard value.isFinite else {
            throw GSL.domainError(function, "\(name) must be finite (got \(value))")
        }
    }

    static func positive(_ value: Double, _ name: String, in function: String) throws {
        guard value.isFinite, value > 0 else {
            throw GSL.domainError(function, "\(name) must be positive and finite (got \(value))")
        }
    }

    static func probability(_ value: Double, _ name: String, in function: String) throws {
        guard value >= 0, value <= 1 else {
            throw GSL.domainError(function, "\(name) must be in [0, 1] (got \(value))")
        }
    }
}
