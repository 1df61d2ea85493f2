import CGSL

/// A `gsl_matrix` owned by Swift: allocated in `init`, freed in `deinit`, so every throwing path releases it.
final class GSLMatrix {
    let pointer: UnsafeMutablePointer<gsl_matrix>

    /// Copies `matrix` (row-major, like GSL's own layout). Rows and columns must be positive.
    init(_ matrix: Matrix) {
        precondition(matrix.rows > 0 && matrix.columns > 0, "GSLMatrix needs a non-empty matrix")
        guard let allocated = gsl_matrix_alloc(matrix.rows, matrix.columns) else {
            fatalError("gsl_matrix_alloc: out of memory for a \(matrix.rows)×\(matrix.columns) matrix")
        }
        pointer = allocated
        // A freshly allocated gsl_matrix has tda == size2, so its block is contiguous and row-major.
        matrix.elements.withUnsafeBufferPointer { source in
            allocated.pointee.data.update(from: source.baseAddress!, count: source.count)
        }
    }

    deinit {
        gsl_matrix_free(pointer)
    }

    var rows: Int { pointer.pointee.size1 }
    var columns: Int { pointer.pointee.size2 }

    /// Element (i, j) of the current contents.
    func element(_ i: Int, _ j: Int) -> Double {
        gsl_matrix_get(pointer, i, j)
    }

    /// The current contents as a ``Matrix``.
    func toMatrix() -> Matrix {
        let count = rows * columns
        let elements = [Double](UnsafeBufferPointer(start: pointer.pointee.data, count: count))
        return Matrix(rows: rows, columns: columns, elements: elements)
    }
}

/// A `gsl_vector` owned by Swift, freed in `deinit`.
final class GSLVector {
    let pointer: UnsafeMutablePointer<gsl_vector>

    /// Copies `values`, which must not be empty.
    init(_ values: [Double]) {
        precondition(!values.isEmpty, "GSLVector needs at least one element")
        guard let allocated = gsl_vector_alloc(values.count) else {
            fatalError("gsl_vector_alloc: out of memory for \(values.count) elements")
        }
        pointer = allocated
        values.withUnsafeBufferPointer { source in
            allocated.pointee.data.update(from: source.baseAddress!, count: source.count)
        }
    }

    deinit {
        gsl_vector_free(pointer)
    }

    /// The current contents (stride 1, as allocated).
    var values: [Double] {
        [Double](UnsafeBufferPointer(start: pointer.pointee.data, count: pointer.pointee.size))
    }
}

/// A `gsl_permutation` owned by Swift, freed in `deinit`.
final class GSLPermutation {
    let pointer: UnsafeMutablePointer<gsl_permutation>

    init(size: Int) {
        precondition(size > 0, "GSLPermutation needs a positive size")
        guard let allocated = gsl_permutation_alloc(size) else {
            fatalError("gsl_permutation_alloc: out of memory for size \(size)")
        }
        pointer = allocated
    }

    deinit {
        gsl_permutation_free(pointer)
    }
}
