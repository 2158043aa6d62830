// Package reliability holds the tests that run the real onestop binary as
// separate processes: the crash harness (SIGKILL under load, restart,
// check that nothing acknowledged was lost and nothing happened twice) and
// the two-servers-on-one-PostgreSQL harness. The package itself is empty;
// everything is in its _test.go files. docs/OPERATIONS.md says how to run
// them at full size.
package reliability
