// What `init` lays out: the Genesis services and libraries, in one place.
export const initialLibraries = ['proxmox', 'gpu'] as const;
export const initialServices = ['core', 'banker', 'exporters'] as const;
