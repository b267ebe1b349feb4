/**
 * `nvidia-smi -q -x` XML → typed samples for every GPU, across the DTD versions in the field:
 * v12 (`power_readings/power_draw`, later `gpu_power_readings/power_draw`, `clocks_throttle_reasons`)
 * and v13 (`gpu_power_readings/average_power_draw` + `instant_power_draw`, `clocks_event_reasons`,
 * `clocks_event_reasons_counters`, `gpu_recovery_action`).
 */
import { XMLParser } from 'fast-xml-parser';
import type {
  Clocks,
  EccErrorCount,
  EccState,
  GpuProcess,
  GpuSample,
  MemoryUsage,
  MigDevice,
  NvidiaSmiReport,
  PowerReadings,
} from './types';
import { count, flag, linkWidth, performanceState, quantity, text } from './values';

type Node = Record<string, unknown>;

/** Elements that repeat; the parser must always give arrays for them, even with one element. */
const REPEATED = new Set(['gpu', 'mig_device', 'process_info', 'supported_mem_clock', 'supported_graphics_clock']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => REPEATED.has(name),
});

export class NvidiaSmiParseError extends Error {
  constructor(message: string) {
    super(`nvidia-smi XML: ${message}`);
    this.name = 'NvidiaSmiParseError';
  }
}

function node(value: unknown): Node {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Node) : {};
}

function list(value: unknown): Node[] {
  return Array.isArray(value) ? value.map(node) : [];
}

function memoryUsage(raw: unknown): MemoryUsage {
  const m = node(raw);
  return {
    totalBytes: quantity(m.total, 'MiB'),
    usedBytes: quantity(m.used, 'MiB'),
    freeBytes: quantity(m.free, 'MiB'),
    reservedBytes: quantity(m.reserved, 'MiB'),
  };
}

function clocks(raw: unknown): Clocks {
  const c = node(raw);
  return {
    graphicsHz: quantity(c.graphics_clock, 'MHz'),
    smHz: quantity(c.sm_clock, 'MHz'),
    memoryHz: quantity(c.mem_clock, 'MHz'),
    videoHz: quantity(c.video_clock, 'MHz'),
  };
}

function power(gpu: Node): PowerReadings {
  // v12 before 530: <power_readings>; 530+ and v13: <gpu_power_readings>.
  const p = node(gpu.gpu_power_readings ?? gpu.power_readings);
  return {
    drawWatts: quantity(p.average_power_draw, 'W') ?? quantity(p.power_draw, 'W'),
    instantDrawWatts: quantity(p.instant_power_draw, 'W'),
    limitWatts:
      quantity(p.current_power_limit, 'W') ?? quantity(p.enforced_power_limit, 'W') ?? quantity(p.power_limit, 'W'),
    requestedLimitWatts: quantity(p.requested_power_limit, 'W') ?? quantity(p.power_limit, 'W'),
    defaultLimitWatts: quantity(p.default_power_limit, 'W'),
    minLimitWatts: quantity(p.min_power_limit, 'W'),
    maxLimitWatts: quantity(p.max_power_limit, 'W'),
    state: performanceState(p.power_state),
  };
}

/** Reason keys without their version-specific prefix, so v12 and v13 read the same. */
function clockEventReasons(gpu: Node): Record<string, boolean> {
  const reasons: Record<string, boolean> = {};
  for (const [section, prefix] of [
    ['clocks_event_reasons', 'clocks_event_reason_'],
    ['clocks_throttle_reasons', 'clocks_throttle_reason_'],
  ] as const) {
    for (const [key, value] of Object.entries(node(gpu[section]))) {
      const active = flag(value);
      if (active !== undefined && key.startsWith(prefix)) reasons[key.slice(prefix.length)] = active;
    }
  }
  return reasons;
}

/** v13 counters use abbreviated names; map them to the reason keys above. */
const COUNTER_REASON: Record<string, string> = {
  sw_power_cap: 'sw_power_cap',
  sync_boost: 'sync_boost',
  sw_therm_slowdown: 'sw_thermal_slowdown',
  hw_therm_slowdown: 'hw_thermal_slowdown',
  hw_power_brake: 'hw_power_brake_slowdown',
};

function clockEventReasonSeconds(gpu: Node): Record<string, number> {
  const seconds: Record<string, number> = {};
  const prefix = 'clocks_event_reasons_counters_';
  for (const [key, value] of Object.entries(node(gpu.clocks_event_reasons_counters))) {
    if (!key.startsWith(prefix)) continue;
    const raw = key.slice(prefix.length);
    const s = quantity(value, 'us');
    if (s !== undefined) seconds[COUNTER_REASON[raw] ?? raw] = s;
  }
  return seconds;
}

function ecc(gpu: Node): EccState {
  const mode = node(gpu.ecc_mode);
  const errors: EccErrorCount[] = [];
  const root = node(gpu.ecc_errors);
  for (const scope of ['volatile', 'aggregate'] as const) {
    const table = node(root[scope]);
    for (const [key, value] of Object.entries(table)) {
      const match = /^(sram|dram)_(correctable|uncorrectable(?:_\w+)?)$/.exec(key);
      if (match) {
        const n = count(value);
        if (n !== undefined) errors.push({ scope, location: match[1], type: match[2], count: n });
      }
    }
    // Drivers before the v12 DTD: <single_bit>/<double_bit> tables, each with a <total>.
    for (const [bits, type] of [
      ['single_bit', 'correctable'],
      ['double_bit', 'uncorrectable'],
    ] as const) {
      const n = count(node(table[bits]).total);
      if (n !== undefined) errors.push({ scope, location: 'total', type, count: n });
    }
  }
  return { enabled: flag(mode.current_ecc), pendingEnabled: flag(mode.pending_ecc), errors };
}

function processes(raw: unknown): GpuProcess[] {
  return list(node(raw).process_info).flatMap((p) => {
    const pid = count(p.pid);
    if (pid === undefined) return [];
    return [
      {
        pid,
        type: text(p.type),
        name: text(p.process_name),
        usedMemoryBytes: quantity(p.used_memory, 'MiB'),
        gpuInstanceId: count(p.gpu_instance_id),
        computeInstanceId: count(p.compute_instance_id),
      },
    ];
  });
}

function migDevices(raw: unknown): MigDevice[] {
  return list(node(raw).mig_device).map((d, position) => ({
    index: count(d.index) ?? position,
    gpuInstanceId: count(d.gpu_instance_id),
    computeInstanceId: count(d.compute_instance_id),
    multiprocessorCount: count(node(node(d.device_attributes).shared).multiprocessor_count),
    memory: memoryUsage(d.fb_memory_usage),
    bar1: memoryUsage(d.bar1_memory_usage),
    volatileSramUncorrectable: count(node(node(d.ecc_error_count).volatile_count).sram_uncorrectable),
  }));
}

function gpuSample(gpu: Node, index: number): GpuSample {
  const pci = node(gpu.pci);
  const link = node(pci.pci_gpu_link_info);
  const gen = node(link.pcie_gen);
  const widths = node(link.link_widths);
  const temp = node(gpu.temperature);
  const util = node(gpu.utilization);
  const retired = node(gpu.retired_pages);
  const remapped = node(gpu.remapped_rows);
  const resetStatus = node(gpu.gpu_reset_status);
  const mig = node(gpu.mig_mode);
  const pciBusId = text(pci.pci_bus_id) ?? text(gpu['@_id']);
  if (!pciBusId) throw new NvidiaSmiParseError(`<gpu> number ${index + 1} has neither an id attribute nor pci/pci_bus_id`);
  return {
    index,
    uuid: text(gpu.uuid) ?? pciBusId,
    name: text(gpu.product_name),
    brand: text(gpu.product_brand),
    architecture: text(gpu.product_architecture),
    pciBusId,
    serial: text(gpu.serial),
    vbiosVersion: text(gpu.vbios_version),
    minorNumber: count(gpu.minor_number),
    boardPartNumber: text(gpu.board_part_number),
    virtualizationMode: text(node(gpu.gpu_virtualization_mode).virtualization_mode, { keepNone: true }),
    persistenceMode: flag(gpu.persistence_mode),
    computeMode: text(gpu.compute_mode),
    memory: memoryUsage(gpu.fb_memory_usage),
    bar1: memoryUsage(gpu.bar1_memory_usage),
    utilization: {
      gpu: quantity(util.gpu_util, '%'),
      memory: quantity(util.memory_util, '%'),
      encoder: quantity(util.encoder_util, '%'),
      decoder: quantity(util.decoder_util, '%'),
      jpeg: quantity(util.jpeg_util, '%'),
      ofa: quantity(util.ofa_util, '%'),
    },
    temperature: {
      gpuCelsius: quantity(temp.gpu_temp, 'C'),
      memoryCelsius: quantity(temp.memory_temp, 'C'),
      shutdownCelsius: quantity(temp.gpu_temp_max_threshold, 'C'),
      slowdownCelsius: quantity(temp.gpu_temp_slow_threshold, 'C'),
      maxOperatingCelsius: quantity(temp.gpu_temp_max_gpu_threshold, 'C'),
      targetCelsius: quantity(temp.gpu_target_temperature, 'C'),
      memoryMaxCelsius: quantity(temp.gpu_temp_max_mem_threshold, 'C'),
    },
    power: power(gpu),
    clocks: clocks(gpu.clocks),
    maxClocks: clocks(gpu.max_clocks),
    clockEventReasons: clockEventReasons(gpu),
    clockEventReasonSeconds: clockEventReasonSeconds(gpu),
    ecc: ecc(gpu),
    retiredPages: {
      singleBit: count(node(retired.multiple_single_bit_retirement).retired_count),
      doubleBit: count(node(retired.double_bit_retirement).retired_count),
      pending: flag(retired.pending_retirement),
    },
    remappedRows: {
      correctable: count(remapped.remapped_row_corr),
      uncorrectable: count(remapped.remapped_row_unc),
      pending: flag(remapped.remapped_row_pending),
      failure: flag(remapped.remapped_row_failure),
    },
    pcie: {
      currentGeneration: count(gen.current_link_gen),
      maxGeneration: count(gen.max_link_gen),
      currentWidth: linkWidth(widths.current_link_width),
      maxWidth: linkWidth(widths.max_link_width),
      txBytesPerSecond: quantity(pci.tx_util, 'KB/s'),
      rxBytesPerSecond: quantity(pci.rx_util, 'KB/s'),
      replayCount: count(pci.replay_counter),
    },
    fanSpeedRatio: quantity(gpu.fan_speed, '%'),
    performanceState: performanceState(gpu.performance_state),
    voltageVolts: quantity(node(gpu.voltage).graphics_volt, 'mV'),
    recoveryAction: text(gpu.gpu_recovery_action, { keepNone: true }),
    resetRequired: flag(resetStatus.reset_required),
    drainAndResetRecommended: flag(resetStatus.drain_and_reset_recommended),
    processes: processes(gpu.processes),
    mig: {
      enabled: flag(mig.current_mig),
      pendingEnabled: flag(mig.pending_mig),
      devices: migDevices(gpu.mig_devices),
    },
  };
}

/** Parses the whole output of `nvidia-smi -q -x`; throws NvidiaSmiParseError on anything else. */
export function parseNvidiaSmiXml(xml: string): NvidiaSmiReport {
  if (typeof xml !== 'string' || !xml.includes('<nvidia_smi_log')) {
    throw new NvidiaSmiParseError('no <nvidia_smi_log> element; is this the output of `nvidia-smi -q -x`?');
  }
  let doc: Node;
  try {
    doc = node(parser.parse(xml));
  } catch (error) {
    throw new NvidiaSmiParseError(`not well-formed: ${(error as Error).message}`);
  }
  const log = node(doc.nvidia_smi_log);
  const dtd = /nvsmi_device_v(\d+)\.dtd/.exec(xml.slice(0, 512));
  return {
    schemaVersion: dtd ? Number(dtd[1]) : undefined,
    timestamp: text(log.timestamp),
    driverVersion: text(log.driver_version),
    cudaVersion: text(log.cuda_version),
    attachedGpus: count(log.attached_gpus),
    gpus: list(log.gpu).map(gpuSample),
  };
}
