package cases

// SetVerifyBatch makes Verify read n case ids per query until the returned
// function restores it.
func SetVerifyBatch(n int64) func() {
	old := verifyBatch
	verifyBatch = n
	return func() { verifyBatch = old }
}
