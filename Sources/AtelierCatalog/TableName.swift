/// The name of one of the catalogue's tables. The catalogue is written with these, and code
/// elsewhere (the API's cache read and write sets, the generator's shapes) names tables only
/// through them, so a misspelt or unknown table does not compile.
public enum TableName: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case product, features, styles, photos, skus, related, questions, answers
    case answersPhotos = "answers_photos"
    case reviews
    case reviewsPhotos = "reviews_photos"
    case characteristics
    case characteristicReviews = "characteristic_reviews"
    case cart

    public var description: String { rawValue }

    /// The table's place in the catalogue, which is its load order (parents first).
    public var position: Int {
        guard let index = Catalog.tables.firstIndex(where: { $0.tableName == self }) else {
            preconditionFailure("the catalogue describes every table; \(self) is missing")
        }
        return index
    }

    /// The table's description in the catalogue.
    public var spec: TableSpec { Catalog.tables[position] }
}
