// What `init` lays out: the Genesis services, in one place. The engine (@genesis/proxmox, its
// `genesis` bin, the simulator and libs/gpu) is not generated: a workspace installs its packages
// (dist/packages/*.tgz from this repository), and the inferred infra targets run that bin.
export const initialServices = ['core', 'banker', 'exporters'] as const;
