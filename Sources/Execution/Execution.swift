import PVEModel
import Planning
import Transport

/// Collecting and applying over a Transport.
package enum Execution {}
