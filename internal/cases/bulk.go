package cases

// HashEvent is the event hash the engine stores (SHA-256 of the previous
// hash and the canonical event, docs/ARCHITECTURE.md §4). It is exported only so bulk
// loaders outside this package (the bulk generator, demo/bulk) write
// chains that `onestop verify` accepts, without a second copy of the rule.
func HashEvent(caseNo string, e Event) string { return hashEvent(caseNo, e) }
