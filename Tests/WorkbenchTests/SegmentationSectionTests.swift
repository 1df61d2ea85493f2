import Segmentation
import Testing
import Workbench
import YAMLInput

@Suite("The segmentation section of a scenario")
struct SegmentationSectionTests {
    @Test("without a section the default segments apply, activation following the scenario's")
    func defaults() throws {
        let scenario = try ScenarioLoader.parse(yaml: tinyScenario, file: "test.yaml")
        #expect(scenario.segmentation.segmentNames == SegmentationSpec.defaults.segments.map(\.name))
        #expect(scenario.segmentation.spec.every == .week)
        #expect(scenario.segmentation.spec.activation == ["setup_complete", "first_item_created"])
    }

    @Test("custom segments and settings are read")
    func custom() throws {
        let yaml =
            tinyScenario + """
                segmentation:
                  every: day
                  activation: [setup_complete]
                  feature_adoption: {habitual_days: 6}
                  segments:
                    - {name: stalled, when: "milestone.setup_complete and not milestone.first_item_created"}
                    - {name: reporters, when: "feature.reports == habitual", description: uses reports weekly}
                    - {name: rest, when: "true"}
                """
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "test.yaml")
        let s = scenario.segmentation
        #expect(s.segmentNames == ["stalled", "reporters", "rest"])
        #expect(s.tagNames.isEmpty)
        #expect(s.spec.every == .day)
        #expect(s.spec.habitualFeatureDays == 6)
        #expect(s.spec.segments[1].description == "uses reports weekly")
    }

    @Test("a rule error is reported at the rule, with the column inside it and a suggestion")
    func ruleError() {
        let yaml =
            tinyScenario + """
                segmentation:
                  segments:
                    - {name: a, when: "feature.report == habitual"}
                    - {name: b, when: "true"}
                """
        let problems = scenarioProblems(in: yaml)
        #expect(problems.count == 1)
        #expect(problems.first?.path == "segmentation.segments[0].when")
        #expect(problems.first?.line == 38)  // the list item holding the rule
        #expect(problems.first?.message.hasPrefix("column 1 of the rule: ") == true)
        #expect(problems.first?.message.contains("did you mean 'feature.reports'") == true)
    }

    @Test("section problems are all listed in one pass")
    func sectionProblems() {
        let yaml =
            tinyScenario + """
                segmentation:
                  every: fortnight
                  activation: [setup_done]
                  segments:
                    - {name: a, when: "true"}
                    - {name: a, when: "true"}
                    - {nam: c, when: "true"}
                """
        let paths = scenarioProblems(in: yaml).map(\.path)
        #expect(paths.contains("segmentation.every"))
        #expect(paths.contains("segmentation.segments[1].name"))
        #expect(paths.contains("segmentation.segments[2].nam"))
    }

    @Test("at-risk segments default to declining and dormant, and may be chosen")
    func atRisk() throws {
        let defaults = try ScenarioLoader.parse(yaml: tinyScenario, file: "test.yaml")
        #expect(defaults.segmentation.atRiskNames == ["declining", "dormant"])
        #expect(defaults.horizonDays == 28)
        let yaml =
            tinyScenario + """
                segmentation:
                  segments:
                    - {name: quiet, when: "days_since_key_action >= 7"}
                    - {name: rest, when: "true"}
                  at_risk: [quiet]
                analysis: {horizon_days: 14}
                """
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "test.yaml")
        #expect(scenario.segmentation.atRiskNames == ["quiet"])
        #expect(scenario.horizonDays == 14)
        // Custom segments without declining or dormant and no at_risk: no at-risk segment.
        let none = try ScenarioLoader.parse(
            yaml: tinyScenario + """
                segmentation:
                  segments:
                    - {name: rest, when: "true"}
                """, file: "test.yaml")
        #expect(none.segmentation.atRiskNames == [])
    }

    @Test("an unknown at-risk segment and a bad horizon are reported at their places")
    func atRiskProblems() {
        let yaml =
            tinyScenario + """
                segmentation:
                  segments:
                    - {name: quiet, when: "days_since_key_action >= 7"}
                    - {name: rest, when: "true"}
                  at_risk: [quite]
                analysis: {horizon_days: 0, cutoff: 3}
                """
        let problems = scenarioProblems(in: yaml)
        let atRisk = problems.first { $0.path == "segmentation.at_risk[0]" }
        #expect(atRisk?.message == "unknown segment 'quite'; did you mean 'quiet'?")
        #expect(atRisk?.line == 40)
        #expect(problems.contains { $0.path == "analysis.horizon_days" && $0.message.contains("1") && $0.line == 41 })
        #expect(problems.contains { $0.path == "analysis.cutoff" })
    }

    // MARK: - Segments files: the same section in a file of its own

    static let vocabulary = Vocabulary(features: ["reports"], milestones: ["setup_complete"], plans: ["free"])

    @Test("a YAML syntax error in a segments file names its line and column")
    func segmentsFileSyntaxError() {
        let yaml = """
            every: day
            segments:
              - {name: a, when: "true"
              - {name: b, when: "true"}
            """
        let error = #expect(throws: ScenarioError.self) {
            try SegmentsFile.parse(yaml: yaml, file: "segments.yaml", vocabulary: Self.vocabulary)
        }
        #expect(error?.problems.count == 1)
        #expect(error?.problems.first?.line == 4)
        #expect(error?.problems.first?.column == 3)
        #expect(
            error?.description
                == "segments.yaml:4:3: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at 3:5)"
        )
    }

    @Test("a segments file is read and compiled, and its problems are placed")
    func segmentsFile() throws {
        let compiled = try SegmentsFile.parse(
            yaml: """
                every: day
                segments:
                  - {name: reporters, when: "feature.reports == habitual"}
                  - {name: rest, when: "true"}
                """, file: "segments.yaml", vocabulary: Self.vocabulary)
        #expect(compiled.segmentNames == ["reporters", "rest"])
        #expect(compiled.spec.every == .day)
        let error = #expect(throws: ScenarioError.self) {
            try SegmentsFile.parse(
                yaml: "segments:\n  - {nam: a, when: \"true\"}\n", file: "segments.yaml", vocabulary: Self.vocabulary)
        }
        #expect(
            error?.problems.map(\.description) == [
                "2:5: segments[0]: missing required key 'name'",
                "2:6: segments[0].nam: unknown key; did you mean 'name'?",
            ])
    }
}
