public import UsageModel

/// Why a model could not be built or fitted: bad observations, a model or options that make no sense, or data the
/// model cannot explain at all.
///
/// Bad input (exit status 2) is something the caller can fix; a fit that fails on valid input (exit status 1) is
/// ``Code/impossibleData`` or ``Code/singularInformation``.
public struct FittingError: ExitStatusError, Sendable, Equatable {
    /// What kind of problem it is.
    public enum Code: Sendable, Equatable {
        /// An observed day that breaks the data's rules (a day outside the user's observation, a negative count, a
        /// feature bit beyond the declared features, days out of order).
        case invalidObservation
        /// Parameters of a model that are not probabilities, not positive, or of the wrong shape.
        case invalidModel
        /// Options of a fit that cannot be honoured (no live state, no start, a tolerance that is not positive).
        case invalidOptions
        /// The log-likelihood is not finite at any start.
        case impossibleData
        /// The information matrix of a model's parameters cannot be inverted: some parameter is not identified.
        case singularInformation
    }

    public let code: Code
    /// Every problem found, one per line.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var exitStatus: Int32 {
        switch code {
        case .invalidObservation, .invalidModel, .invalidOptions: 2
        case .impossibleData, .singularInformation: 1
        }
    }

    public var description: String { message }
}
