import PVEModel

/// Deterministic synthetic clusters.
package enum Synth {}
