/// The simulated Proxmox tools.
package enum SandboxCore {}
