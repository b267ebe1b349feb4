export { applyGpuHost, rebootAndWait, GpuHostRefusedError, type GpuHostApplyOptions, type GpuHostApplyResult } from './apply';
export { FILES, readHostFacts, type BootStyle, type HostFacts } from './facts';
export { IOMMU_GROUPS, readIommuGroups, groupOf, type IommuGroups } from './iommu';
export { grubDefaultCmdline, hasKernelOptions, withGrubOptions, withKernelOptions, withSystemdBootOptions } from './kernel-cmdline';
export { kernelAtLeast, kernelVersion, newestKernel } from './kernel-version';
export { isBridge, isDisplay, parseLspciNnk, slotOf, LspciParseError, type LspciDevice } from './lspci';
export {
  HOST_DRIVERS,
  iommuExpectedOn,
  kernelOptionsFor,
  modprobeFile,
  modulesFile,
  planGpuHost,
  vfioModulesFor,
  type GpuHostOptions,
  type GpuHostPlan,
  type GpuHostSpec,
  type HostFileChange,
} from './plan';
export { GUEST_NVIDIA_SMI, GUEST_QUERY, verifyGuestGpu, verifyHostBinding, type GpuCheck } from './verify';
