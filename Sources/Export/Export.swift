import PVEModel
import Planning

/// Plan exports (shell, Ansible, markdown).
package enum PlanExport {}
