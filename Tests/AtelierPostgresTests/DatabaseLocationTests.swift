import AtelierPostgres
import Testing

@Suite struct DatabaseLocationTests {
    @Test func connectionFallsBackToThePGVariablesThenTheEmbeddedCluster() {
        #expect(DatabaseLocation.connectionString(explicit: "host=x", environment: ["DATABASE_URL": "y"]) == "host=x")
        #expect(
            DatabaseLocation.connectionString(explicit: nil, environment: ["DATABASE_URL": "y", "PGHOST": "z"]) == "y")
        #expect(DatabaseLocation.connectionString(explicit: nil, environment: ["PGPORT": "5432"]) == "")
        #expect(DatabaseLocation.connectionString(explicit: nil, environment: [:]) == DatabaseLocation.embedded)
    }
}
