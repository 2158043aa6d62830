package bundles

// actTerminate is the engine's system-only termination; replaced by
// cases.ActTerminate once it lands on main.
const actTerminate = "terminate"
