/// A `POST /reviews` body, checked field by field (`AtelierAPI` reads it from the request).
package struct ReviewSubmission: Sendable, Equatable {
    /// A product has a handful of characteristics; more entries than this cannot all belong.
    package static let maximumCharacteristics = 50

    package let productID: Int32
    package let rating: Int
    /// Empty when left out.
    package let summary: String
    package let body: String
    package let recommend: Bool
    package let name: String
    package let email: String
    package let photos: [String]
    /// Characteristic id → rating 1–5; each id must belong to the product (checked against
    /// the database when the review is stored).
    package let characteristics: [Int32: Int16]

    package init(
        productID: Int32, rating: Int, summary: String, body: String, recommend: Bool, name: String, email: String,
        photos: [String], characteristics: [Int32: Int16]
    ) {
        self.productID = productID
        self.rating = rating
        self.summary = summary
        self.body = body
        self.recommend = recommend
        self.name = name
        self.email = email
        self.photos = photos
        self.characteristics = characteristics
    }
}
