import CGSL

/// A dense real matrix stored row-major, with products, solves and inverses computed by GSL (BLAS and `gsl_linalg`).
///
/// A value type: GSL works on copies held in `final class` owners that free them in `deinit`, so no C pointer
/// outlives a call and a thrown error leaks nothing. Sizes are small to moderate (design matrices, transition
/// matrices); nothing here is tuned for very large systems.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row-major: element (i, j) is `elements[i * columns + j]`.
    public private(set) var elements: [Double]

    /// - Precondition: `rows, columns ≥ 0` and `elements.count == rows * columns` (a programming error otherwise).
    public init(rows: Int, columns: Int, elements: [Double]) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative (\(rows)×\(columns))")
        precondition(
            elements.count == rows * columns,
            "Matrix \(rows)×\(columns) needs \(rows * columns) elements, got \(elements.count)")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, elements: [Double](repeating: value, count: rows * columns))
    }

    /// A matrix from its rows; throws ``GSLError`` (`GSL_EBADLEN`) when the rows differ in length, since such arrays
    /// often come from data rather than code.
    public init(_ rowArrays: [[Double]]) throws {
        let columns = rowArrays.first?.count ?? 0
        if let bad = rowArrays.firstIndex(where: { $0.count != columns }) {
            throw GSLError(
                code: Self.badLength,
                reason: "row \(bad) has \(rowArrays[bad].count) elements but row 0 has \(columns)",
                function: "Matrix(_:)")
        }
        self.init(rows: rowArrays.count, columns: columns, elements: rowArrays.flatMap { $0 })
    }

    /// The n × n identity.
    public static func identity(_ n: Int) -> Matrix {
        var result = Matrix(rows: n, columns: n)
        for i in 0..<n {
            result[i, i] = 1
        }
        return result
    }

    public subscript(row: Int, column: Int) -> Double {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            return elements[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            elements[row * columns + column] = newValue
        }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Double] {
        Array(elements[(i * columns)..<((i + 1) * columns)])
    }

    /// The rows as nested arrays (handy for printing and for callers that work with `[[Double]]`).
    public var rowArrays: [[Double]] {
        (0..<rows).map(row)
    }

    public var isSquare: Bool { rows == columns }

    /// The transpose (`gsl_matrix_transpose_memcpy`).
    public func transposed() -> Matrix {
        guard rows > 0, columns > 0 else { return Matrix(rows: columns, columns: rows) }
        GSL.ensureInitialized()
        let source = GSLMatrix(self)
        let target = GSLMatrix(Matrix(rows: columns, columns: rows))
        let status = gsl_matrix_transpose_memcpy(target.pointer, source.pointer)
        precondition(status == 0, "gsl_matrix_transpose_memcpy failed with status \(status)")
        return target.toMatrix()
    }

    /// `self · other` (`gsl_blas_dgemm`). - Precondition: `columns == other.rows`.
    public func multiplied(by other: Matrix) -> Matrix {
        precondition(columns == other.rows, "cannot multiply \(rows)×\(columns) by \(other.rows)×\(other.columns)")
        return Self.gemm(self, transposeLeft: false, other, rows: rows, columns: other.columns, inner: columns)
    }

    /// `selfᵀ · other` without forming the transpose (`gsl_blas_dgemm` with `CblasTrans`), e.g. the normal
    /// equations' `XᵀWX`. - Precondition: `rows == other.rows`.
    public func transposeMultiplied(by other: Matrix) -> Matrix {
        precondition(rows == other.rows, "cannot multiply (\(rows)×\(columns))ᵀ by \(other.rows)×\(other.columns)")
        return Self.gemm(self, transposeLeft: true, other, rows: columns, columns: other.columns, inner: rows)
    }

    /// `self · vector` (`gsl_blas_dgemv`). - Precondition: `vector.count == columns`.
    public func multiplied(by vector: [Double]) -> [Double] {
        precondition(vector.count == columns, "cannot multiply \(rows)×\(columns) by a vector of \(vector.count)")
        return multiplied(by: Matrix(rows: columns, columns: 1, elements: vector)).elements
    }

    /// `selfᵀ · vector`. - Precondition: `vector.count == rows`.
    public func transposeMultiplied(by vector: [Double]) -> [Double] {
        precondition(vector.count == rows, "cannot multiply (\(rows)×\(columns))ᵀ by a vector of \(vector.count)")
        return transposeMultiplied(by: Matrix(rows: rows, columns: 1, elements: vector)).elements
    }

    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
        lhs.multiplied(by: rhs)
    }

    // MARK: - Solves and inverses

    /// Solves `self · x = b` by LU decomposition with partial pivoting (`gsl_linalg_LU_decomp`, `_LU_solve`).
    ///
    /// - Throws: ``GSLError``: `GSL_ENOTSQR` for a non-square matrix, `GSL_EBADLEN` when `b` has the wrong length,
    ///   `GSL_EDOM` for non-finite entries, `GSL_ESING` when the matrix is singular or numerically singular (a pivot
    ///   of U at most n·ε times the largest |U| entry, where the answer would be mostly rounding noise).
    public func solve(_ b: [Double]) throws -> [Double] {
        let function = "Matrix.solve(_:)"
        let lu = try LUFactorization(self, function: function)
        guard b.count == rows else {
            throw GSLError(
                code: Self.badLength, reason: "right-hand side has \(b.count) elements, matrix has \(rows) rows",
                function: function)
        }
        try Self.requireFinite(b, "right-hand side", function: function)
        let rhs = GSLVector(b)
        let solution = GSLVector(b)
        try GSL.check(
            gsl_linalg_LU_solve(lu.factors.pointer, lu.permutation.pointer, rhs.pointer, solution.pointer),
            function: "gsl_linalg_LU_solve")
        return solution.values
    }

    /// The inverse, from the LU decomposition (`gsl_linalg_LU_invx`). Prefer ``solve(_:)`` when only `A⁻¹b` is
    /// needed: it is cheaper and more accurate. Throws like ``solve(_:)``.
    public func inverse() throws -> Matrix {
        let lu = try LUFactorization(self, function: "Matrix.inverse()")
        try GSL.check(gsl_linalg_LU_invx(lu.factors.pointer, lu.permutation.pointer), function: "gsl_linalg_LU_invx")
        return lu.factors.toMatrix()
    }

    /// Solves `self · x = b` for a symmetric positive-definite matrix by Cholesky (`gsl_linalg_cholesky_decomp1`,
    /// `_cholesky_solve`): about half the work of LU and a built-in test of positive definiteness.
    ///
    /// - Throws: ``GSLError``: `GSL_ENOTSQR`, `GSL_EBADLEN`, `GSL_EDOM` for non-finite entries, for an asymmetric
    ///   matrix (GSL would silently read only the lower triangle) or one that is not positive definite.
    public func choleskySolve(_ b: [Double]) throws -> [Double] {
        let function = "Matrix.choleskySolve(_:)"
        let factor = try choleskyFactor(function: function)
        guard b.count == rows else {
            throw GSLError(
                code: Self.badLength, reason: "right-hand side has \(b.count) elements, matrix has \(rows) rows",
                function: function)
        }
        try Self.requireFinite(b, "right-hand side", function: function)
        let rhs = GSLVector(b)
        let solution = GSLVector(b)
        try GSL.check(
            gsl_linalg_cholesky_solve(factor.pointer, rhs.pointer, solution.pointer),
            function: "gsl_linalg_cholesky_solve")
        return solution.values
    }

    /// The inverse of a symmetric positive-definite matrix (`gsl_linalg_cholesky_invert`), e.g. a covariance matrix
    /// from an information matrix. Throws like ``choleskySolve(_:)``.
    public func choleskyInverse() throws -> Matrix {
        let factor = try choleskyFactor(function: "Matrix.choleskyInverse()")
        try GSL.check(gsl_linalg_cholesky_invert(factor.pointer), function: "gsl_linalg_cholesky_invert")
        return factor.toMatrix()
    }

    // MARK: - Internals

    static let badLength: Int32 = 19  // GSL_EBADLEN
    static let notSquare: Int32 = 20  // GSL_ENOTSQR
    static let singular: Int32 = 21  // GSL_ESING

    private static func gemm(
        _ a: Matrix, transposeLeft: Bool, _ b: Matrix, rows: Int, columns: Int, inner: Int
    ) -> Matrix {
        guard rows > 0, columns > 0 else { return Matrix(rows: rows, columns: columns) }
        guard inner > 0 else { return Matrix(rows: rows, columns: columns) }
        GSL.ensureInitialized()
        var result = [Double](repeating: 0, count: rows * columns)
        a.elements.withUnsafeBufferPointer { aBuffer in
            b.elements.withUnsafeBufferPointer { bBuffer in
                result.withUnsafeMutableBufferPointer { cBuffer in
                    var aView = gsl_matrix_const_view_array(aBuffer.baseAddress, a.rows, a.columns)
                    var bView = gsl_matrix_const_view_array(bBuffer.baseAddress, b.rows, b.columns)
                    var cView = gsl_matrix_view_array(cBuffer.baseAddress, rows, columns)
                    let status = gsl_blas_dgemm(
                        transposeLeft ? CblasTrans : CblasNoTrans, CblasNoTrans, 1, &aView.matrix, &bView.matrix, 0,
                        &cView.matrix)
                    precondition(status == 0, "gsl_blas_dgemm failed with status \(status)")
                }
            }
        }
        return Matrix(rows: rows, columns: columns, elements: result)
    }

    static func requireFinite(_ values: [Double], _ what: String, function: String) throws {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw GSL.domainError(function, "\(what) must be finite (element \(index) is \(values[index]))")
        }
    }

    func requireSquareAndFinite(function: String) throws {
        guard rows == columns, rows > 0 else {
            throw GSLError(
                code: Self.notSquare, reason: "matrix must be square and non-empty (it is \(rows)×\(columns))",
                function: function)
        }
        if let index = elements.firstIndex(where: { !$0.isFinite }) {
            throw GSL.domainError(
                function,
                "matrix entries must be finite (entry (\(index / columns), \(index % columns)) is \(elements[index]))")
        }
    }

    /// The Cholesky factor in GSL's packed form, after checking squareness, finiteness and symmetry.
    private func choleskyFactor(function: String) throws -> GSLMatrix {
        try requireSquareAndFinite(function: function)
        let scale = elements.reduce(0) { max($0, abs($1)) }
        for i in 0..<rows {
            for j in 0..<i where abs(self[i, j] - self[j, i]) > 1e-12 * scale {
                throw GSL.domainError(
                    function, "matrix must be symmetric (entries (\(i), \(j)) and (\(j), \(i)) differ)")
            }
        }
        GSL.ensureInitialized()
        let factor = GSLMatrix(self)
        let status = gsl_linalg_cholesky_decomp1(factor.pointer)
        if status == GSLError.domain {
            throw GSL.domainError(function, "matrix is not positive definite")
        }
        try GSL.check(status, function: "gsl_linalg_cholesky_decomp1")
        return factor
    }
}

/// An LU decomposition `PA = LU` held in GSL storage, rejected when numerically singular.
struct LUFactorization {
    let factors: GSLMatrix
    let permutation: GSLPermutation

    init(_ matrix: Matrix, function: String) throws {
        try matrix.requireSquareAndFinite(function: function)
        GSL.ensureInitialized()
        let n = matrix.rows
        factors = GSLMatrix(matrix)
        permutation = GSLPermutation(size: n)
        var signum: Int32 = 0
        try GSL.check(
            gsl_linalg_LU_decomp(factors.pointer, permutation.pointer, &signum),
            function: "gsl_linalg_LU_decomp")
        // GSL only refuses exact zero pivots; a pivot this small relative to U means the system is singular up to
        // rounding and the "solution" would be noise.
        var largest = 0.0
        for i in 0..<n {
            for j in i..<n {
                largest = max(largest, abs(factors.element(i, j)))
            }
        }
        let threshold = Double(n) * Double.ulpOfOne * largest
        for i in 0..<n where !(abs(factors.element(i, i)) > threshold) {
            throw GSLError(
                code: Matrix.singular,
                reason: "matrix is singular (pivot \(i) of its LU decomposition is \(factors.element(i, i)))",
                function: function)
        }
    }
}
