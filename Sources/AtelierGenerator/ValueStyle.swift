/// What a generated column holds, in the current export's format.
enum ValueStyle: Sendable {
    /// The row's own id.
    case id
    /// The id of the row's parent in the walk (product of a style, style of a photo…).
    case parent
    /// The review of a characteristic_reviews row (its parent is the characteristic).
    case secondParent
    /// Any product id, uniformly (related products, cart lines).
    case anyProduct
    /// Quoted text of this many words, with commas, quotes and line breaks now and then.
    case words(ClosedRange<Int>)
    case nullableWords(ClosedRange<Int>, nullChance: Double)
    case pick([String])
    /// A whole-dollar price from 10 to 900.
    case price
    /// Mostly `null`, sometimes a price.
    case salePrice
    /// 1 for the first child of a parent, 0 for the others (default_style).
    case firstOfParent
    /// `true`/`false`, or `1`/`0` when `digits`.
    case flag(trueChance: Double, digits: Bool)
    /// A long Unsplash link with a query string, rarely `null`.
    case photoURL(width: Int)
    /// A clothing or shoe size; a style's sizes run in order, so a long run repeats one.
    case size
    case integer(ClosedRange<Int>)
    case rating
    /// Epoch milliseconds between 2018 and 2021.
    case date
    case personName
    /// An email address, rarely `null`.
    case email
    /// A characteristic name, distinct within its product.
    case characteristicName
}

/// Word lists for names and text, with non-ASCII letters as in the real data.
enum Vocabulary {
    static let words: [[UInt8]] = """
        the this these fit runs small large true to size fabric soft comfortable quality great good \
        perfect love loved wear wearing daily colour color dark light bright warm cool summer winter \
        jacket pants shoes heels shirt top material stitching seams zipper pocket pockets sleeve \
        length width waist shoulders would buy again recommend friends gift price value shipping \
        fast slow arrived product really did not like based whether sustainably sourced made \
        nothing all café naïve façade jalapeño Größe Übergröße señorita crème brûlée déjà vu \
        smörgåsbord piñata Zoë Chloë Renée Beyoncé São Paulo Kraków Málaga
        """.split(separator: " ").map { Array($0.utf8) }

    static let names: [[UInt8]] = """
        funtime bigbrotherbenjamin yankeelover jbilas mymainstreammother shortandsweet \
        warmfuzzy thefashionista sportygal jl_2021 Zoë_K renée.b andré_m jürgen42 \
        maría_p kaito smith jones garcía müller
        """.split(separator: " ").map { Array($0.utf8) }

    static let domains: [[UInt8]] = ["gmail.com", "yahoo.com", "hotmail.com", "atelier.example", "mail.de"].map {
        Array($0.utf8)
    }

    static let photoIDs: [[UInt8]] = """
        1501088430049-71c79fa3283e 1530519729491-aea5b51d1ee1 1560567546-4c6dbc16877b \
        1517278322228-3fe7a86cf6f0 1556304653-cba65c59b3c5 1544441892-794166f1e3be \
        1554260570-9140fd3b7614 1511499767150-a48a237f0083 1470116892389-0de5d9770b2c \
        1522775417749-29284fb89f43 1553830591-2f39e38a013c 1604012685919-12e2ee1e3c6e
        """.split(separator: " ").map { Array($0.utf8) }
}
