/**
 * What one `nvidia-smi -q -x` run says, in base units (bytes, watts, degrees Celsius, hertz,
 * seconds, ratios 0..1). A field the driver reports as `N/A`, `[Not Supported]`, deprecated or
 * otherwise unreadable is left out (undefined), never 0: an absent reading is not a zero reading.
 */

export interface NvidiaSmiReport {
  /** DTD version from the DOCTYPE (`nvsmi_device_v13.dtd` → 13). */
  schemaVersion?: number;
  timestamp?: string;
  driverVersion?: string;
  cudaVersion?: string;
  /** What the driver says; may exceed `gpus.length` (e.g. GPUs hidden from a container). */
  attachedGpus?: number;
  gpus: GpuSample[];
}

export interface GpuIdentity {
  /** Position in the report, 0-based; stable label for a GPU when the UUID is unreadable. */
  index: number;
  uuid: string;
  name?: string;
  brand?: string;
  architecture?: string;
  pciBusId: string;
  serial?: string;
  vbiosVersion?: string;
  minorNumber?: number;
  boardPartNumber?: string;
  virtualizationMode?: string;
  persistenceMode?: boolean;
  computeMode?: string;
}

export interface MemoryUsage {
  totalBytes?: number;
  usedBytes?: number;
  freeBytes?: number;
  reservedBytes?: number;
}

export interface Utilization {
  gpu?: number;
  memory?: number;
  encoder?: number;
  decoder?: number;
  jpeg?: number;
  ofa?: number;
}

export interface Temperatures {
  gpuCelsius?: number;
  memoryCelsius?: number;
  /** `gpu_temp_max_threshold`: the GPU shuts down here. */
  shutdownCelsius?: number;
  /** `gpu_temp_slow_threshold`: hardware slowdown starts here. */
  slowdownCelsius?: number;
  /** `gpu_temp_max_gpu_threshold`: the highest temperature for normal operation. */
  maxOperatingCelsius?: number;
  targetCelsius?: number;
  memoryMaxCelsius?: number;
}

export interface PowerReadings {
  /** v12 `power_draw`, v13 `average_power_draw`. */
  drawWatts?: number;
  /** v13 only: `instant_power_draw`. */
  instantDrawWatts?: number;
  /** The limit the driver enforces now (v12 `enforced_power_limit`/`power_limit`, v13 `current_power_limit`). */
  limitWatts?: number;
  requestedLimitWatts?: number;
  defaultLimitWatts?: number;
  minLimitWatts?: number;
  maxLimitWatts?: number;
  /** `P0`…`P15` as a number. */
  state?: number;
}

export interface Clocks {
  graphicsHz?: number;
  smHz?: number;
  memoryHz?: number;
  videoHz?: number;
}

export interface EccErrorCount {
  scope: 'volatile' | 'aggregate';
  /** `sram`, `dram`, or for pre-v12 drivers the `total` of the single/double bit tables. */
  location: string;
  /** `correctable`, `uncorrectable`, or a finer v13 split such as `uncorrectable_parity`. */
  type: string;
  count: number;
}

export interface EccState {
  enabled?: boolean;
  pendingEnabled?: boolean;
  errors: EccErrorCount[];
}

export interface RetiredPages {
  singleBit?: number;
  doubleBit?: number;
  pending?: boolean;
}

export interface RemappedRows {
  correctable?: number;
  uncorrectable?: number;
  pending?: boolean;
  failure?: boolean;
}

export interface PcieState {
  currentGeneration?: number;
  maxGeneration?: number;
  currentWidth?: number;
  maxWidth?: number;
  txBytesPerSecond?: number;
  rxBytesPerSecond?: number;
  replayCount?: number;
}

export interface GpuProcess {
  pid: number;
  /** `C` compute, `G` graphics, `C+G`. */
  type?: string;
  name?: string;
  usedMemoryBytes?: number;
  gpuInstanceId?: number;
  computeInstanceId?: number;
}

export interface MigDevice {
  index: number;
  gpuInstanceId?: number;
  computeInstanceId?: number;
  multiprocessorCount?: number;
  memory: MemoryUsage;
  bar1: MemoryUsage;
  volatileSramUncorrectable?: number;
}

export interface MigState {
  enabled?: boolean;
  pendingEnabled?: boolean;
  devices: MigDevice[];
}

export interface GpuSample extends GpuIdentity {
  memory: MemoryUsage;
  bar1: MemoryUsage;
  utilization: Utilization;
  temperature: Temperatures;
  power: PowerReadings;
  clocks: Clocks;
  maxClocks: Clocks;
  /**
   * Why clocks are held down, by reason (`gpu_idle`, `sw_power_cap`, `hw_slowdown`,
   * `hw_thermal_slowdown`, …): true when active. Same keys for the v12 `clocks_throttle_reasons`
   * and the v13 `clocks_event_reasons`.
   */
  clockEventReasons: Record<string, boolean>;
  /** v13: cumulative time spent in each reason, seconds (same keys as `clockEventReasons`). */
  clockEventReasonSeconds: Record<string, number>;
  ecc: EccState;
  retiredPages: RetiredPages;
  remappedRows: RemappedRows;
  pcie: PcieState;
  fanSpeedRatio?: number;
  performanceState?: number;
  voltageVolts?: number;
  /** v13 `gpu_recovery_action` (`None`, `Reset`, `Reboot`, `Drain P2P`, `Drain and Reset`), set after XID events. */
  recoveryAction?: string;
  /** v12 `gpu_reset_status/reset_required`. */
  resetRequired?: boolean;
  drainAndResetRecommended?: boolean;
  processes: GpuProcess[];
  mig: MigState;
}
