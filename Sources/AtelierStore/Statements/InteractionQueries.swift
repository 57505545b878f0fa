import PostgresNIO

/// `POST /interactions`: stores one storefront event and returns its id.
package enum InteractionQueries {
    package static func insert(_ interaction: InteractionSubmission) -> PostgresQuery {
        """
        INSERT INTO interactions (element, widget, time)
        VALUES (\(interaction.element), \(interaction.widget), \(interaction.time))
        RETURNING id
        """
    }
}
