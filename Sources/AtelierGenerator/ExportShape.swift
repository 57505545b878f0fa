import AtelierCatalog

/// How many rows a table has: a fixed number at scale 1.0, a number per row of a parent
/// table, or one row per (characteristic, review) pair of the same product.
enum RowSource: Sendable {
    case root(Int)
    case perParent(TableName, mean: Double, spread: Double)
    case characteristicReviewPairs
}

/// One file of the synthetic export: its header, how many rows and what each column holds.
struct TableShape: Sendable {
    /// The current export's header, as the real files spell it.
    let header: String
    let rows: RowSource
    /// One per catalogue column, in the catalogue's column order.
    let values: [ValueStyle]
}

/// The shape of the real export, from the data contract's "known shapes": per-product
/// averages, current-format headers and values. The catalogue says what each column is;
/// this says what realistic data in it looks like.
enum ExportShape {
    /// Products at scale 1.0.
    static let productRows = 1_000_011
    /// Characteristics and reviews per product; their pairs make characteristic_reviews.
    static let characteristicsPerProduct = (mean: 3.35, spread: 0.75)
    static let reviewsPerProduct = (mean: 5.8, spread: 1.0)

    /// The shape of `table`'s file.
    static func shape(of table: TableName) -> TableShape {
        switch table {
        case .product:
            TableShape(
                header: "id,name,slogan,description,category,default_price",
                rows: .root(productRows),
                values: [.id, .words(1...3), .words(4...12), .words(6...24), .pick(categories), .price])
        case .features:
            TableShape(
                header: "id,product_id,feature,value",
                rows: .perParent(.product, mean: 2.2, spread: 1),
                values: [.id, .parent, .pick(featureNames), .nullableWords(1...3, nullChance: 0.1)])
        case .styles:
            TableShape(
                header: "id,productId,name,sale_price,original_price,default_style",
                rows: .perParent(.product, mean: 1.96, spread: 1),
                values: [.id, .parent, .words(1...4), .salePrice, .price, .firstOfParent])
        case .photos:
            TableShape(
                header: "id,styleId,url,thumbnail_url",
                rows: .perParent(.styles, mean: 2.9, spread: 1),
                values: [.id, .parent, .photoURL(width: 668), .photoURL(width: 300)])
        case .skus:
            TableShape(
                header: "id,styleId,size,quantity",
                rows: .perParent(.styles, mean: 5.8, spread: 1),
                values: [.id, .parent, .size, .integer(0...60)])
        case .related:
            TableShape(
                header: "id,current_product_id,related_product_id",
                rows: .perParent(.product, mean: 4.5, spread: 1),
                values: [.id, .parent, .anyProduct])
        case .questions:
            TableShape(
                header: "id,product_id,body,date_written,asker_name,asker_email,reported,helpful",
                rows: .perParent(.product, mean: 3.5, spread: 1),
                values: [
                    .id, .parent, .words(4...16), .date, .personName, .email,
                    .flag(trueChance: 0.05, digits: true), .integer(0...30),
                ])
        case .answers:
            TableShape(
                header: "id,question_id,body,date_written,answerer_name,answerer_email,reported,helpful",
                rows: .perParent(.questions, mean: 1.96, spread: 1),
                values: [
                    .id, .parent, .words(2...12), .date, .personName, .email,
                    .flag(trueChance: 0.05, digits: true), .integer(0...30),
                ])
        case .answersPhotos:
            TableShape(
                header: "id,answer_id,url",
                rows: .perParent(.answers, mean: 0.3, spread: 1),
                values: [.id, .parent, .photoURL(width: 1651)])
        case .reviews:
            TableShape(
                header:
                    "id,product_id,rating,date,summary,body,recommend,reported,reviewer_name,reviewer_email,response,helpfulness",
                rows: .perParent(.product, mean: reviewsPerProduct.mean, spread: reviewsPerProduct.spread),
                values: [
                    .id, .parent, .rating, .date, .words(2...8), .words(5...28),
                    .flag(trueChance: 0.8, digits: false), .flag(trueChance: 0.03, digits: false),
                    .personName, .email, .nullableWords(4...14, nullChance: 0.85), .integer(0...30),
                ])
        case .reviewsPhotos:
            TableShape(
                header: "id,review_id,url",
                rows: .perParent(.reviews, mean: 0.47, spread: 1),
                values: [.id, .parent, .photoURL(width: 1000)])
        case .characteristics:
            TableShape(
                header: "id,product_id,name",
                rows: .perParent(
                    .product, mean: characteristicsPerProduct.mean, spread: characteristicsPerProduct.spread),
                values: [.id, .parent, .characteristicName])
        case .characteristicReviews:
            TableShape(
                header: "id,characteristic_id,review_id,value",
                rows: .characteristicReviewPairs,
                values: [.id, .parent, .secondParent, .rating])
        case .cart:
            TableShape(
                header: "id,user_session,product_id,active",
                rows: .root(10_000),
                values: [.id, .integer(1...5_000), .anyProduct, .flag(trueChance: 0.9, digits: true)])
        }
    }

    /// Characteristic names of the real data; a product has at most one of each.
    static let characteristicNames = ["Fit", "Length", "Comfort", "Quality", "Size", "Width"]
    static let categories = [
        "Jackets", "Accessories", "Pants", "Dress Shoes", "Kicks", "Heels", "Shirts", "Shorts", "Sweatpants", "Tops",
    ]
    static let featureNames = [
        "Fabric", "Buttons", "Lenses", "Material", "Stitching", "Sole", "Frame", "Cut", "Non-GMO",
        "Satisfaction Guaranteed",
    ]
    static let sizes = ["XS", "S", "M", "L", "XL", "XXL", "7", "7.5", "8", "8.5", "9", "9.5", "10", "10.5", "11", "12"]
}
