extension Schema {
    /// A PostgreSQL schema the catalogue's tables can live in. A run builds its tables in
    /// `staging`, beside the live ones, and its switch moves the tables it replaces to `retired`,
    /// dropped right after; the API sees only `live`.
    public struct Namespace: Sendable, Hashable, CustomStringConvertible {
        /// The schema's name; nil for the live catalogue, the session's current schema, whose
        /// tables are named unqualified.
        public let name: String?

        public static let live = Namespace(name: nil)
        public static let staging = Namespace(name: "atelier_staging")
        public static let retired = Namespace(name: "atelier_retired")

        /// The schemas a run works in besides the live one.
        public static let runSchemas: [Namespace] = [.staging, .retired]

        /// `table` as SQL names it in this schema.
        public func qualified(_ table: String) -> String {
            guard let name else { return Schema.quoted(table) }
            return Schema.quoted(name) + "." + Schema.quoted(table)
        }

        public var description: String { name ?? "the live catalogue" }
    }
}
