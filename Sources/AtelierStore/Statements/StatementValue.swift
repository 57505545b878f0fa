import PostgresNIO

/// One parameter of a JSON statement: the only types the read routes bind.
package enum StatementValue: Sendable, Equatable {
    case int4(Int32)
    case int8(Int64)
    case bool(Bool)

    /// A parameter's type, alone and as the array a batch binds.
    package enum Kind: Sendable {
        case int4
        case int8
        case bool

        var dataType: PostgresDataType {
            switch self {
            case .int4: .int4
            case .int8: .int8
            case .bool: .bool
            }
        }

        var arrayDataType: PostgresDataType {
            switch self {
            case .int4: .int4Array
            case .int8: .int8Array
            case .bool: .boolArray
            }
        }

        /// The type's name in SQL.
        var sqlName: String {
            switch self {
            case .int4: "int4"
            case .int8: "int8"
            case .bool: "bool"
            }
        }
    }

    package var int4: Int32? { if case .int4(let value) = self { value } else { nil } }
    package var int8: Int64? { if case .int8(let value) = self { value } else { nil } }
    package var bool: Bool? { if case .bool(let value) = self { value } else { nil } }

    package func bind(to bindings: inout PostgresBindings) {
        switch self {
        case .int4(let value): bindings.append(value)
        case .int8(let value): bindings.append(value)
        case .bool(let value): bindings.append(value)
        }
    }
}
