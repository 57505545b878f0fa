import AtelierCatalog

/// The outcome of loading each file of data-samples/, as listed in data-samples/README.md.
struct SampleExpectation {
    let read: Int
    let loaded: Int
    let repaired: Int
    /// Every rejected record: its first line in the file and the reason.
    let rejects: [(line: Int, reason: RejectReason)]
}

let sampleExpectations: [String: SampleExpectation] = [
    "product.csv": .init(
        read: 36, loaded: 30, repaired: 0,
        rejects: [
            (33, .missingValue), (34, .badNumber), (35, .duplicateId), (36, .badEncoding), (37, .fieldCount),
            (38, .badInteger),
        ]),
    "features.csv": .init(
        read: 73, loaded: 70, repaired: 0, rejects: [(72, .orphan), (73, .orphan), (74, .missingValue)]),
    "styles.csv": .init(read: 60, loaded: 58, repaired: 0, rejects: [(60, .badBoolean), (61, .orphan)]),
    "photos.csv": .init(read: 152, loaded: 151, repaired: 2, rejects: [(152, .orphan)]),
    "skus.csv": .init(read: 215, loaded: 213, repaired: 0, rejects: [(215, .badInteger), (216, .badInteger)]),
    "related.csv": .init(read: 92, loaded: 91, repaired: 0, rejects: [(93, .orphan)]),
    "questions.csv": .init(read: 74, loaded: 72, repaired: 0, rejects: [(75, .badDate), (76, .fieldCount)]),
    "answers.csv": .init(read: 73, loaded: 72, repaired: 0, rejects: [(74, .orphan)]),
    "answers_photos.csv": .init(read: 37, loaded: 36, repaired: 0, rejects: [(38, .orphan)]),
    "reviews.csv": .init(
        read: 87, loaded: 84, repaired: 0, rejects: [(86, .outOfRange), (87, .duplicateId), (88, .badEncoding)]),
    "reviews_photos.csv": .init(read: 43, loaded: 42, repaired: 0, rejects: [(44, .orphan)]),
    "characteristics.csv": .init(read: 107, loaded: 105, repaired: 0, rejects: [(107, .orphan), (108, .missingValue)]),
    "characteristic_reviews.csv": .init(
        read: 269, loaded: 267, repaired: 0, rejects: [(269, .outOfRange), (270, .orphan)]),
    "cart.csv": .init(read: 13, loaded: 12, repaired: 0, rejects: [(14, .missingValue)]),
]
