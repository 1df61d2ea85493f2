/// `results.json` of `segmentlab segment`: what was read, what was skipped and why, and the segments.
public struct ImportResults: Codable, Sendable {
    public let schemaVersion: Int
    public let source: Source
    public let `import`: Summary
    public let segmentation: SegmentationResults

    public struct Source: Codable, Sendable {
        public let files: [String]
        public let taxonomy: String

        public init(files: [String], taxonomy: String) {
            self.files = files
            self.taxonomy = taxonomy
        }
    }

    public struct Summary: Codable, Sendable {
        public let linesRead: Int
        public let bytesRead: Int
        public let records: Int
        public let eventsUsed: Int
        public let skipped: [String: Int]
        public let malformedKinds: [String: Int]
        public let firstMalformedLines: [String]
        public let reattributedThroughAliases: Int
        public let unknownEvents: [String: Int]
        public let users: Int
        public let accounts: Int
        public let startDate: String?
        public let endDate: String?
        public let days: Int

        public init(
            linesRead: Int, bytesRead: Int, records: Int, eventsUsed: Int, skipped: [String: Int],
            malformedKinds: [String: Int], firstMalformedLines: [String], reattributedThroughAliases: Int,
            unknownEvents: [String: Int], users: Int, accounts: Int, startDate: String?, endDate: String?, days: Int
        ) {
            self.linesRead = linesRead
            self.bytesRead = bytesRead
            self.records = records
            self.eventsUsed = eventsUsed
            self.skipped = skipped
            self.malformedKinds = malformedKinds
            self.firstMalformedLines = firstMalformedLines
            self.reattributedThroughAliases = reattributedThroughAliases
            self.unknownEvents = unknownEvents
            self.users = users
            self.accounts = accounts
            self.startDate = startDate
            self.endDate = endDate
            self.days = days
        }
    }

    public init(schemaVersion: Int, source: Source, import summary: Summary, segmentation: SegmentationResults) {
        self.schemaVersion = schemaVersion
        self.source = source
        self.import = summary
        self.segmentation = segmentation
    }
}
