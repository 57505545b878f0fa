import Foundation

/// A `promtool test rules` document for deploy/prometheus/atelier-alerts.yml whose input series
/// are the series of a real scrape of `/metrics` (names and labels as the server writes them;
/// only the values are chosen): for each alert, an instance in trouble and a healthy one, the
/// alert pending before its `for:` window ends, then firing for the instance in trouble alone.
struct AlertRuleTests {
    struct Series {
        let name: String
        var labels: [(String, String)]

        func with(_ changes: [String: String]) -> Series {
            var series = self
            for (key, value) in changes.sorted(by: { $0.key < $1.key }) {
                series.labels.removeAll { $0.0 == key }
                series.labels.append((key, value))
            }
            return series
        }

        var text: String {
            name + "{" + labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
        }
    }

    /// One alert's case: input series with their values, and the instances it must fire for.
    struct Case {
        let alert: String
        let inputs: [(Series, String)]
        let firing: [String]
    }

    struct Rule {
        var severity = "", summary = "", runbook = "", forSeconds = 0
    }

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    let scraped: [Series]
    let rules: [String: Rule]
    static let job = "atelier-serve"

    init(scrape: String, rules text: String) throws {
        let label = try Regex(#"(\w+)="((?:[^"\\]|\\.)*)""#)
        scraped = scrape.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { line in
            let head = line.split(separator: " ")[0]
            let name = head.split(separator: "{")[0]
            let labels = head.matches(of: label).map {
                (String($0.output[1].substring!), String($0.output[2].substring!))
            }
            return Series(name: String(name), labels: labels)
        }
        var rules: [String: Rule] = [:]
        var current = ""
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            func value(_ key: String) -> String? {
                line.hasPrefix(key + ":")
                    ? line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces).trimmingCharacters(
                        in: CharacterSet(charactersIn: "\"")) : nil
            }
            if let alert = value("- alert") { current = alert }
            if let severity = value("severity") { rules[current, default: Rule()].severity = severity }
            if let summary = value("summary") { rules[current, default: Rule()].summary = summary }
            if let runbook = value("runbook") { rules[current, default: Rule()].runbook = runbook }
            if let window = value("for"), let minutes = Int(window.dropLast()), window.hasSuffix("m") {
                rules[current, default: Rule()].forSeconds = minutes * 60
            }
        }
        self.rules = rules
    }

    /// A scraped series named `name` whose labels include `matching`.
    func series(_ name: String, _ matching: [String: String] = [:]) throws -> Series {
        guard
            let found = scraped.first(where: { series in
                series.name == name
                    && matching.allSatisfy { key, value in series.labels.contains { $0 == (key, value) } }
            })
        else { throw Missing(description: "the scrape has no \(name) with \(matching)") }
        return found
    }

    /// A series as Prometheus stores it for `instance`: with its `instance` and `job` labels.
    func on(_ instance: String, _ series: Series, _ changes: [String: String] = [:]) -> Series {
        series.with(changes.merging(["instance": instance, "job": Self.job]) { $1 })
    }

    func cases() throws -> [Case] {
        let (bad, good) = ("bad:3000", "good:3000")
        let up = Series(name: "up", labels: [])
        let ready = try series("atelier_ready_state"), listener = try series("atelier_listener_connected_state")
        let capacity = try series("atelier_cache_capacity_bytes"), lag = try series("atelier_replica_lag_seconds")
        let waiting = try series("atelier_database_requests_waiting")
        let memory = try series("process_resident_memory_bytes")
        let route = ["http_route": "/products/{product_id}"]
        let requests = try series("hb_requests", route.merging(["http_response_status_code": "200"]) { $1 })
        let buckets = scraped.filter { series in
            series.name == "http_server_request_duration_bucket"
                && series.labels.contains { $0 == ("http_route", route["http_route"]!) }
                && series.labels.contains { $0 == ("http_response_status_code", "200") }
        }
        guard buckets.count > 2 else { throw Missing(description: "the scrape has no latency buckets for \(route)") }
        let status = { (code: String) in ["http_response_status_code": code] }
        let slow = buckets.flatMap { bucket -> [(Series, String)] in
            let bound = bucket.labels.first { $0.0 == "le" }.flatMap { Double($0.1) } ?? .infinity
            return [(on(bad, bucket), bound >= 0.5 ? "0+10x80" : "0x80"), (on(good, bucket), "0+10x80")]
        }
        return [
            Case(alert: "AtelierInstanceDown", inputs: [(on(bad, up), "0x80"), (on(good, up), "1x80")], firing: [bad]),
            Case(
                alert: "AtelierNotReady", inputs: [(on(bad, ready), "0x80"), (on(good, ready), "1x80")], firing: [bad]),
            Case(
                alert: "AtelierListenerDisconnected",
                inputs: [
                    (on(bad, listener), "0x80"), (on(bad, capacity), "16777216x80"),
                    (on(good, listener), "1x80"), (on(good, capacity), "16777216x80"),
                    // Without a cache there is nothing to keep correct.
                    (on("nocache:3000", listener), "0x80"), (on("nocache:3000", capacity), "0x80"),
                ], firing: [bad]),
            Case(
                alert: "AtelierReplicaLagging", inputs: [(on(bad, lag), "120x80"), (on(good, lag), "1x80")],
                firing: [bad]),
            Case(
                alert: "AtelierServerErrors",
                inputs: [
                    (on(bad, requests, status("500")), "0+5x80"), (on(bad, requests), "0+100x80"),
                    (on(good, requests, status("503")), "0+5x80"), (on(good, requests), "0+100x80"),
                ], firing: [bad]),
            Case(
                alert: "AtelierUnavailableAnswers",
                inputs: [
                    (on(bad, requests, status("503")), "0+10x80"), (on(bad, requests), "0+10x80"),
                    (on(good, requests, status("503")), "0+1x80"), (on(good, requests), "0+100x80"),
                ], firing: [bad]),
            Case(
                alert: "AtelierPoolSaturated", inputs: [(on(bad, waiting), "3x80"), (on(good, waiting), "0x80")],
                firing: [bad]),
            Case(alert: "AtelierSlowRequests", inputs: slow, firing: [bad]),
            Case(
                alert: "AtelierMemoryNearBudget",
                inputs: [
                    (on(bad, memory), "115343360x80"), (on(bad, capacity), "16777216x80"),
                    (on(good, memory), "52428800x80"), (on(good, capacity), "16777216x80"),
                ], firing: [bad]),
        ]
    }

    /// The document: every rule of the file has a case (a rule without one is an error).
    func document(ruleFile: String) throws -> String {
        let cases = try cases()
        let untested = Set(rules.keys).subtracting(cases.map(\.alert))
        guard untested.isEmpty else { throw Missing(description: "alert rules without a test: \(untested.sorted())") }
        var text = "rule_files:\n  - \(ruleFile)\nevaluation_interval: 15s\ntests:\n"
        for test in cases {
            guard let rule = rules[test.alert] else { throw Missing(description: "no rule \(test.alert)") }
            text += "  - interval: 15s\n    input_series:\n"
            for (series, values) in test.inputs {
                text += "      - series: '\(series.text)'\n        values: '\(values)'\n"
            }
            text += "    alert_rule_test:\n"
            text +=
                "      - eval_time: \(max(15, rule.forSeconds - 30))s\n        alertname: \(test.alert)\n        exp_alerts: []\n"
            text +=
                "      - eval_time: \(rule.forSeconds + 120)s\n        alertname: \(test.alert)\n        exp_alerts:\n"
            for instance in test.firing {
                let summary = rule.summary.replacingOccurrences(of: "{{ $labels.instance }}", with: instance)
                text +=
                    "          - exp_labels: {severity: \(rule.severity), instance: \"\(instance)\", job: \(Self.job)}\n"
                text += "            exp_annotations: {summary: \"\(summary)\", runbook: \"\(rule.runbook)\"}\n"
            }
        }
        return text
    }
}
