import Stats
import Testing

// Systems solved by hand, or textbook examples cited where used. Exact answers are held to a relative 1e-12:
// LU with partial pivoting on these well-conditioned systems is accurate to a few ulps.

@Suite("Matrix and GSL linear algebra")
struct LinearAlgebraTests {
    @Test func basicsIdentityTransposeAndProduct() throws {
        let a = try Matrix([[1, 2, 3], [4, 5, 6]])
        #expect(a.rows == 2 && a.columns == 3 && a[1, 2] == 6)
        #expect(a.transposed() == (try Matrix([[1, 4], [2, 5], [3, 6]])))
        // [[1,2,3],[4,5,6]]·[[1,4],[2,5],[3,6]] = [[14,32],[32,77]] by hand.
        #expect(a * a.transposed() == (try Matrix([[14, 32], [32, 77]])))
        #expect(a.transposeMultiplied(by: a) == a.transposed() * a)
        #expect(a.multiplied(by: [1, 0, -1]) == [-2, -2])
        #expect(a.transposeMultiplied(by: [1, 1]) == [5, 7, 9])
        #expect(Matrix.identity(3) * a.transposed() == a.transposed())
        #expect(Matrix.identity(2).elements == [1, 0, 0, 1])
        #expect(throws: GSLError.self) { try Matrix([[1, 2], [3]]) }
    }

    @Test func solvesTwoByTwoByHand() throws {
        // 2x + y = 5, x + 3y = 10  ⇒  x = 1, y = 3 (by substitution).
        let a = try Matrix([[2, 1], [1, 3]])
        let x = try a.solve([5, 10])
        #expect(isClose(x[0], 1, relative: 1e-12) && isClose(x[1], 3, relative: 1e-12))
        // A zero leading entry needs the row swap of partial pivoting: 0x + y = 2, x + y = 3 ⇒ x = 1, y = 2.
        let pivot = try Matrix([[0, 1], [1, 1]]).solve([2, 3])
        #expect(isClose(pivot[0], 1, relative: 1e-12) && isClose(pivot[1], 2, relative: 1e-12))
    }

    @Test func solvesTextbookThreeByThree() throws {
        // 2x + y − z = 8, −3x − y + 2z = −11, −2x + y + 2z = −3 ⇒ (2, 3, −1): the worked example of Gaussian
        // elimination in Wikipedia's "Gaussian elimination" article and in Burden & Faires-style texts.
        let a = try Matrix([[2, 1, -1], [-3, -1, 2], [-2, 1, 2]])
        let x = try a.solve([8, -11, -3])
        for (actual, expected) in zip(x, [2.0, 3, -1]) {
            #expect(isClose(actual, expected, relative: 1e-12), "\(x)")
        }
        let product = a * (try a.inverse())
        for i in 0..<3 {
            for j in 0..<3 {
                #expect(abs(product[i, j] - (i == j ? 1 : 0)) < 1e-14, "A·A⁻¹ = \(product.rowArrays)")
            }
        }
    }

    @Test func invertsTwoByTwoByHand() throws {
        // [[4, 7], [2, 6]]⁻¹ = (1 / (4·6 − 7·2)) · [[6, −7], [−2, 4]] = [[0.6, −0.7], [−0.2, 0.4]].
        let inverse = try Matrix([[4, 7], [2, 6]]).inverse()
        for (actual, expected) in zip(inverse.elements, [0.6, -0.7, -0.2, 0.4]) {
            #expect(isClose(actual, expected, relative: 1e-12), "\(inverse.rowArrays)")
        }
    }

    @Test func singularMatricesThrow() throws {
        // Row 2 is twice row 1: exactly singular.
        let exact = #expect(throws: GSLError.self) { try Matrix([[1, 2], [2, 4]]).solve([1, 2]) }
        #expect(exact?.code == 21 && exact?.reason.contains("singular") == true)  // GSL_ESING
        // Rank 2 (row 3 = 2·row 2 − row 1), singular only up to rounding in floating point.
        let rounding = try Matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        #expect(throws: GSLError.self) { try rounding.solve([1, 2, 3]) }
        #expect(throws: GSLError.self) { try rounding.inverse() }
    }

    @Test func badShapesAndValuesThrow() throws {
        let square = try Matrix([[2, 1], [1, 3]])
        #expect((#expect(throws: GSLError.self) { try square.solve([1]) })?.code == 19)  // GSL_EBADLEN
        #expect((#expect(throws: GSLError.self) { try Matrix([[1, 2, 3]]).solve([1]) })?.code == 20)  // ENOTSQR
        #expect((#expect(throws: GSLError.self) { try square.solve([1, .nan]) })?.code == GSLError.domain)
        #expect((#expect(throws: GSLError.self) { try Matrix([[1, .infinity], [0, 1]]).inverse() })?.code == 1)
        #expect(throws: GSLError.self) { try Matrix(rows: 0, columns: 0).solve([]) }
    }

    @Test func choleskySolvesSymmetricPositiveDefinite() throws {
        // A = L·Lᵀ with L = [[2, 0, 0], [6, 1, 0], [−8, 5, 3]] (Wikipedia, "Cholesky decomposition", example);
        // b = A·(1, 2, 3) = (−20, −43, 192) by hand.
        let a = try Matrix([[4, 12, -16], [12, 37, -43], [-16, -43, 98]])
        let x = try a.choleskySolve([-20, -43, 192])
        for (actual, expected) in zip(x, [1.0, 2, 3]) {
            #expect(isClose(actual, expected, relative: 1e-11), "\(x)")
        }
        let inverse = try a.choleskyInverse()
        let luInverse = try a.inverse()
        for (c, l) in zip(inverse.elements, luInverse.elements) {
            #expect(isClose(c, l, relative: 1e-10))
        }
    }

    @Test func choleskyRejectsNonPositiveDefiniteAndAsymmetric() throws {
        // Symmetric with eigenvalues 3 and −1: indefinite.
        let indefinite = #expect(throws: GSLError.self) { try Matrix([[1, 2], [2, 1]]).choleskySolve([1, 1]) }
        #expect(indefinite?.reason.contains("not positive definite") == true)
        // Positive semidefinite but singular.
        #expect(throws: GSLError.self) { try Matrix([[1, 1], [1, 1]]).choleskySolve([1, 1]) }
        let asymmetric = #expect(throws: GSLError.self) { try Matrix([[2, 1], [0, 2]]).choleskySolve([1, 1]) }
        #expect(asymmetric?.reason.contains("symmetric") == true)
    }
}
