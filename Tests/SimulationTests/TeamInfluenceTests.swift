import Testing

@testable import Simulation

@Suite("Teammates' influence on transitions")
struct TeamInfluenceTests {
    @Test("declines scale by 1 − strength·(2a − 1) at the team level's middle; staying absorbs the rest")
    func row() throws {
        var spec = TestModels.small()
        spec.model.teamInfluence = TeamInfluence(strength: 0.5)
        let model = spec.model
        // Persona solo, state active: next (0.90, 0.08, 0.02); idle and churned are declines.
        // Level 8 of 9: a = 8.5/9, factor 1 − 0.5 (17/9 − 1) = 5/9.
        let busy = model.transitionRow(persona: 0, state: 0, habitLevel: 0, teamLevel: 8)
        let expected = [1 - (0.08 + 0.02) * 5 / 9, 0.08 * 5 / 9, 0.02 * 5 / 9]
        for (a, b) in zip(busy, expected) { #expect(abs(a - b) < 1e-15) }
        // Level 0: a = 0.5/9, factor 1 − 0.5 (1/9 − 1) = 13/9.
        let idle = model.transitionRow(persona: 0, state: 0, habitLevel: 0, teamLevel: 0)
        #expect(abs(idle[2] - 0.02 * 13 / 9) < 1e-15)
        // The middle level leaves the row as it is.
        let middle = model.transitionRow(persona: 0, state: 0, habitLevel: 0, teamLevel: 4)
        for (a, b) in zip(middle, [0.90, 0.08, 0.02]) { #expect(abs(a - b) < 1e-15) }
        // Idle (level 1) to active (level 2) is a rise, not a decline: unchanged.
        let rising = model.transitionRow(persona: 0, state: 1, habitLevel: 0, teamLevel: 8)
        #expect(rising[0] == 0.10)
    }

    @Test("the team level is the share of active teammates in nine equal intervals; no teammates is neutral")
    func levels() {
        #expect(UserColumns.teamLevel(activeTeammates: 0, teammates: 0, levels: 9) == 4)
        #expect(UserColumns.teamLevel(activeTeammates: 0, teammates: 4, levels: 9) == 0)
        // 1/2 · 9 = 4.5 → 4; 2/3 · 9 = 6 → 6; 1 → the top level 8.
        #expect(UserColumns.teamLevel(activeTeammates: 2, teammates: 4, levels: 9) == 4)
        #expect(UserColumns.teamLevel(activeTeammates: 2, teammates: 3, levels: 9) == 6)
        #expect(UserColumns.teamLevel(activeTeammates: 3, teammates: 3, levels: 9) == 8)
    }

    @Test("with team influence the tables hold a row per habit and team level, indexed habit · 9 + team")
    func tables() {
        var spec = TestModels.small(habit: Habit(halfLifeDays: 7, strength: 0.3))
        spec.model.teamInfluence = TeamInfluence(strength: 0.5)
        let tables = ModelTables(spec.model)
        #expect(tables.rowLevels == BehaviourModel.habitLevels * 9)
        let S = tables.stateCount
        let (p, s, h, t) = (1, 0, 11, 2)
        let row = spec.model.transitionRow(persona: p, state: s, habitLevel: h, teamLevel: t)
        let base = ((p * S + s) * tables.rowLevels + h * 9 + t) * S
        #expect(abs(tables.cumulativeNext[base] - row[0]) < 1e-15)
        #expect(abs(tables.churnProbability[(p * S + s) * tables.rowLevels + h * 9 + t] - row[2]) < 1e-15)
    }
}
