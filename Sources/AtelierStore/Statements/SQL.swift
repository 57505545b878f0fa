/// SQL pieces shared by the statements that build the API's JSON in the database.
package enum SQL {
    /// A `timestamptz` as the legacy service wrote dates: ISO 8601, UTC, milliseconds, `Z`.
    package static func isoDate(_ column: String) -> String {
        #"to_char(\#(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"#
    }

    /// `expression` as a JSON array or object, or `empty` when there is nothing to aggregate.
    package static func orEmpty(_ expression: String, _ empty: String) -> String {
        "coalesce((\(expression)), '\(empty)'::json)"
    }
}
