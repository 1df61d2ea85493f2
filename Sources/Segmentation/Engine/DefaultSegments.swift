extension SegmentationSpec {
    /// The starting set the seeds recommend — not activated, newly activated, habitual, power,
    /// declining, dormant — plus churned, and a catch-all so every user has a segment.
    /// `docs/segments.md` gives each definition with its reasoning.
    public static let defaults = SegmentationSpec(
        every: .week,
        segments: [
            RuleDefinition(
                name: "churned", when: "cancelled or days_since_session >= 30",
                description: "cancelled, or no session for 30 days"),
            RuleDefinition(
                name: "dormant", when: "days_since_key_action >= 14",
                description: "no key action for two weeks"),
            RuleDefinition(
                name: "not_activated", when: "not activated",
                description: "has not completed every activation milestone"),
            RuleDefinition(
                name: "declining",
                when: "active_days_this_week < 2 and active_days_last_week < 2 "
                    + "and active_days_28 - active_days_this_week - active_days_last_week >= 4",
                description:
                    "fewer than two active days a week for two weeks in a row, after at least two a week before"),
            RuleDefinition(
                name: "newly_activated", when: "days_since_activation < 14",
                description: "activated within the last two weeks"),
            RuleDefinition(
                name: "power", when: "active_days_28 >= 16 and key_actions_28 >= 120",
                description: "active most days with heavy key-action volume"),
            RuleDefinition(
                name: "habitual", when: "active_days_28 >= 8",
                description: "active at least two days a week"),
            RuleDefinition(name: "occasional", when: "true", description: "everyone else"),
        ],
        tags: [
            RuleDefinition(name: "promoter", when: "nps == promoter", description: "last NPS answer 9 or 10"),
            RuleDefinition(name: "detractor", when: "nps == detractor", description: "last NPS answer 0 to 6"),
            RuleDefinition(name: "in_trial", when: "trial", description: "in a trial that has not ended"),
            RuleDefinition(
                name: "low_team_adoption", when: "account.seats >= 3 and account.active_seat_share < 0.3",
                description: "a team account where fewer than 30 % of seats were active this week"),
        ])
}
