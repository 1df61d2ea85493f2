extension HiddenMarkovModel {
    /// The same model with each persona split into its users alone in an account (class 0) and its users in accounts
    /// of several: two personas with the persona's chain, shares `share × P(alone | persona)` and the rest, the first
    /// with all its users in class 0 and the second none. It gives every user the same likelihood as this model, so
    /// EM from it can only rise; unlike this model it can tell the chain of a persona's users alone from that of its
    /// users in teams, and it is what a scenario can hold (one team size per persona).
    ///
    /// A persona one of whose parts would hold fewer than `minimumUsers` of `users` expected stays whole (too few
    /// users to estimate a chain from); nil without account sizes or when every persona stays whole.
    public func splitByAccountBand(users: Int, minimumUsers: Double) -> HiddenMarkovModel? {
        guard accountSizeClasses > 1 else { return nil }
        var parts: [PersonaChain] = []
        var split = false
        for persona in personas {
            let alone = persona.accountSizes[0]
            let teams = 1 - alone
            let keepsAlone = persona.share * alone * Double(users) >= minimumUsers
            let keepsTeams = persona.share * teams * Double(users) >= minimumUsers
            guard keepsAlone, keepsTeams else {
                parts.append(persona)
                continue
            }
            split = true
            var aloneSizes = [Double](repeating: 0, count: accountSizeClasses)
            aloneSizes[0] = 1
            var teamSizes = persona.accountSizes
            teamSizes[0] = 0
            teamSizes = teamSizes.map { $0 / teams }
            parts.append(
                PersonaChain(
                    share: persona.share * alone, initial: persona.initial, transitions: persona.transitions,
                    accountSizes: aloneSizes))
            parts.append(
                PersonaChain(
                    share: persona.share * teams, initial: persona.initial, transitions: persona.transitions,
                    accountSizes: teamSizes))
        }
        return split ? replacing(personas: parts) : nil
    }
}
