import AtelierCatalog

/// One row as the walk yields it: its id, its place among its parent's children, its
/// parents' ids and whether they all load.
struct WalkRow {
    let id: Int
    /// 0 for a parent's first child, 1 for the second…
    let ordinal: Int
    let parent: Int
    /// The review of a characteristic_reviews row; 0 elsewhere.
    let secondParent: Int
    /// Whether every parent row (transitively) survives the loader, given the planted defects.
    let parentsLoaded: Bool
}

/// Enumerates a table's rows in id order without storing any: ids are handed out by walking
/// the parent tables and drawing each parent's number of children from its own random stream,
/// so every file is written independently and children always agree with their parents.
struct RowWalk {
    let seed: UInt64
    let scale: Double
    let defects: DefectPlan

    func number(of table: TableName) -> Int { table.position }

    /// Children of parent row `parent` in table number `table`.
    func childCount(table: Int, parent: Int, mean: Double, spread: Double) -> Int {
        var random = RowRandom(seed: seed, stream: RandomStream.children(table), index: parent)
        return random.count(mean: mean, spread: spread)
    }

    /// How many rows a root table has at this scale (at least one).
    func rootCount(_ full: Int) -> Int { max(1, Int((Double(full) * scale).rounded())) }

    func walk(_ table: Int, _ body: (WalkRow) -> Void) {
        switch ExportShape.shape(of: Catalog.tables[table].tableName).rows {
        case .root(let full):
            for id in 1...rootCount(full) {
                body(WalkRow(id: id, ordinal: id - 1, parent: 0, secondParent: 0, parentsLoaded: true))
            }
        case .perParent(let parentName, let mean, let spread):
            let parentTable = number(of: parentName)
            var next = 0
            walk(parentTable) { parent in
                let loaded = parent.parentsLoaded && !defects.rejects(table: parentTable, id: parent.id)
                for ordinal in 0..<childCount(table: table, parent: parent.id, mean: mean, spread: spread) {
                    next += 1
                    body(WalkRow(id: next, ordinal: ordinal, parent: parent.id, secondParent: 0, parentsLoaded: loaded))
                }
            }
        case .characteristicReviewPairs:
            walkCharacteristicReviews(table, body)
        }
    }

    /// One row per review of a product and characteristic of the same product, reviews in id
    /// order: the real file's shape (19.3 million rows at full scale).
    private func walkCharacteristicReviews(_ table: Int, _ body: (WalkRow) -> Void) {
        let product = number(of: .product), characteristics = number(of: .characteristics),
            reviews = number(of: .reviews)
        let (characteristicMean, characteristicSpread) = ExportShape.characteristicsPerProduct
        let (reviewMean, reviewSpread) = ExportShape.reviewsPerProduct
        var next = 0, characteristicBase = 0, reviewBase = 0
        walk(product) { productRow in
            let productLoaded = !defects.rejects(table: product, id: productRow.id)
            let characteristicCount = childCount(
                table: characteristics, parent: productRow.id, mean: characteristicMean, spread: characteristicSpread)
            let reviewCount = childCount(table: reviews, parent: productRow.id, mean: reviewMean, spread: reviewSpread)
            for review in reviewBase + 1..<reviewBase + 1 + reviewCount {
                let reviewLoaded = productLoaded && !defects.rejects(table: reviews, id: review)
                for ordinal in 0..<characteristicCount {
                    let characteristic = characteristicBase + 1 + ordinal
                    next += 1
                    let loaded = reviewLoaded && !defects.rejects(table: characteristics, id: characteristic)
                    body(
                        WalkRow(
                            id: next, ordinal: ordinal, parent: characteristic, secondParent: review,
                            parentsLoaded: loaded))
                }
            }
            characteristicBase += characteristicCount
            reviewBase += reviewCount
        }
    }
}
