/**
 * The GPU metric families and how a parsed nvidia-smi report fills them. Every per-GPU series
 * carries `gpu` (index in the report) and `uuid`; static facts live in `genesis_gpu_info`.
 */
import type { GpuSample, MemoryUsage, NvidiaSmiReport } from '@genesis/gpu';
import { type FamilySet, type Labels, type MetricType, SampleBatch } from '../../lib/snapshot-family';

export const GPU_FAMILIES: Array<[name: string, help: string, type?: MetricType]> = [
  ['genesis_gpu_devices', 'GPUs in the last nvidia-smi report.'],
  ['genesis_gpu_info', 'Static facts about each GPU (value is always 1).'],
  ['genesis_gpu_index', 'Index of the GPU in the nvidia-smi report (the value of the gpu label, as a number).'],
  ['genesis_gpu_memory_total_bytes', 'Framebuffer memory total.'],
  ['genesis_gpu_memory_used_bytes', 'Framebuffer memory used.'],
  ['genesis_gpu_memory_free_bytes', 'Framebuffer memory free.'],
  ['genesis_gpu_memory_reserved_bytes', 'Framebuffer memory reserved by the driver.'],
  ['genesis_gpu_bar1_memory_total_bytes', 'BAR1 memory total.'],
  ['genesis_gpu_bar1_memory_used_bytes', 'BAR1 memory used.'],
  ['genesis_gpu_utilization_ratio', 'Fraction of time a kernel ran on the GPU during the last sample period (0..1).'],
  ['genesis_gpu_memory_utilization_ratio', 'Fraction of time device memory was read or written (0..1).'],
  ['genesis_gpu_encoder_utilization_ratio', 'Video encoder utilisation (0..1).'],
  ['genesis_gpu_decoder_utilization_ratio', 'Video decoder utilisation (0..1).'],
  ['genesis_gpu_temperature_celsius', 'Temperature by sensor (gpu, memory).'],
  ['genesis_gpu_temperature_threshold_celsius', 'Temperature thresholds: shutdown, slowdown, max_operating, target, memory_max.'],
  ['genesis_gpu_power_draw_watts', 'Power draw (v13: average over the last second; v12: power_draw).'],
  ['genesis_gpu_power_draw_instant_watts', 'Instantaneous power draw (v13 drivers only).'],
  ['genesis_gpu_power_limit_watts', 'Power limit the driver enforces now.'],
  ['genesis_gpu_power_default_limit_watts', 'Default power limit of the board.'],
  ['genesis_gpu_power_min_limit_watts', 'Lowest power limit that can be set.'],
  ['genesis_gpu_power_max_limit_watts', 'Highest power limit that can be set.'],
  ['genesis_gpu_clock_hertz', 'Current clock by domain (graphics, sm, memory, video).'],
  ['genesis_gpu_clock_max_hertz', 'Maximum clock by domain.'],
  ['genesis_gpu_clocks_event_reason_active', 'Whether a reason is holding clocks down (1 active): gpu_idle, sw_power_cap, hw_slowdown, hw_thermal_slowdown, …'],
  ['genesis_gpu_clocks_event_reason_seconds_total', 'Time clocks were held down by each reason (v13 drivers).', 'counter'],
  ['genesis_gpu_ecc_mode_enabled', 'Whether ECC is enabled (1) or disabled (0).'],
  ['genesis_gpu_ecc_errors_total', 'ECC error count by scope (volatile, aggregate), location and type.', 'counter'],
  ['genesis_gpu_retired_pages_total', 'Pages retired by cause (single_bit, double_bit); only ever grows.', 'counter'],
  ['genesis_gpu_retired_pages_pending', 'Whether a page retirement waits for a reset (1).'],
  ['genesis_gpu_remapped_rows_total', 'Rows remapped by cause (correctable, uncorrectable); only ever grows.', 'counter'],
  ['genesis_gpu_remapped_rows_pending', 'Whether a row remap waits for a reset (1).'],
  ['genesis_gpu_remapped_rows_failure', 'Whether a row remap failed (1): the GPU needs service.'],
  ['genesis_gpu_recovery_action', 'Recovery action the driver asks for after an XID event (value 1, label action: none, reset, reboot, drain_p2p, drain_and_reset).'],
  ['genesis_gpu_reset_required', 'Whether the driver says the GPU needs a reset (1).'],
  ['genesis_gpu_pcie_link_generation', 'PCIe link generation (current, max).'],
  ['genesis_gpu_pcie_link_width', 'PCIe link width in lanes (current, max).'],
  ['genesis_gpu_pcie_transmit_bytes_per_second', 'PCIe transmit throughput.'],
  ['genesis_gpu_pcie_receive_bytes_per_second', 'PCIe receive throughput.'],
  ['genesis_gpu_pcie_replay_errors_total', 'PCIe replay counter.', 'counter'],
  ['genesis_gpu_fan_speed_ratio', 'Fan speed as a fraction of its maximum (0..1).'],
  ['genesis_gpu_performance_state', 'Performance state, 0 (P0, fastest) to 15.'],
  ['genesis_gpu_voltage_volts', 'Graphics voltage.'],
  ['genesis_gpu_processes', 'Processes using the GPU.'],
  ['genesis_gpu_process_memory_used_bytes', 'Memory used by each process on the GPU.'],
  ['genesis_gpu_mig_mode_enabled', 'Whether MIG mode is enabled (1).'],
  ['genesis_gpu_mig_devices', 'MIG devices on the GPU.'],
  ['genesis_gpu_mig_device_memory_total_bytes', 'Memory total of a MIG device.'],
  ['genesis_gpu_mig_device_memory_used_bytes', 'Memory used on a MIG device.'],
  ['genesis_gpu_mig_device_memory_free_bytes', 'Memory free on a MIG device.'],
  ['genesis_gpu_mig_device_multiprocessors', 'Streaming multiprocessors of a MIG device.'],
  ['genesis_gpu_mig_device_ecc_errors_total', 'Volatile uncorrectable SRAM ECC errors of a MIG device.', 'counter'],
];

export function defineGpuFamilies(families: FamilySet): void {
  for (const [name, help, type] of GPU_FAMILIES) families.define(name, help, type);
}

function snake(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

function memory(batch: SampleBatch, prefix: string, labels: Labels, usage: MemoryUsage, withReserved: boolean): void {
  batch.add(`${prefix}_total_bytes`, labels, usage.totalBytes);
  batch.add(`${prefix}_used_bytes`, labels, usage.usedBytes);
  if (prefix !== 'genesis_gpu_bar1_memory') batch.add(`${prefix}_free_bytes`, labels, usage.freeBytes);
  if (withReserved) batch.add(`${prefix}_reserved_bytes`, labels, usage.reservedBytes);
}

function addGpu(batch: SampleBatch, report: NvidiaSmiReport, gpu: GpuSample): void {
  const l: Labels = { gpu: String(gpu.index), uuid: gpu.uuid };
  const info: Labels = {
    ...l,
    name: gpu.name ?? '',
    pci_bus_id: gpu.pciBusId,
    driver_version: report.driverVersion ?? '',
    cuda_version: report.cudaVersion ?? '',
    vbios_version: gpu.vbiosVersion ?? '',
    serial: gpu.serial ?? '',
    brand: gpu.brand ?? '',
    architecture: gpu.architecture ?? '',
    virtualization_mode: gpu.virtualizationMode ?? '',
    schema_version: report.schemaVersion !== undefined ? String(report.schemaVersion) : '',
  };
  batch.add('genesis_gpu_info', info, 1);
  batch.add('genesis_gpu_index', l, gpu.index);
  memory(batch, 'genesis_gpu_memory', l, gpu.memory, true);
  memory(batch, 'genesis_gpu_bar1_memory', l, gpu.bar1, false);
  batch.add('genesis_gpu_utilization_ratio', l, gpu.utilization.gpu);
  batch.add('genesis_gpu_memory_utilization_ratio', l, gpu.utilization.memory);
  batch.add('genesis_gpu_encoder_utilization_ratio', l, gpu.utilization.encoder);
  batch.add('genesis_gpu_decoder_utilization_ratio', l, gpu.utilization.decoder);
  batch.add('genesis_gpu_temperature_celsius', { ...l, sensor: 'gpu' }, gpu.temperature.gpuCelsius);
  batch.add('genesis_gpu_temperature_celsius', { ...l, sensor: 'memory' }, gpu.temperature.memoryCelsius);
  const t = gpu.temperature;
  for (const [threshold, value] of [
    ['shutdown', t.shutdownCelsius],
    ['slowdown', t.slowdownCelsius],
    ['max_operating', t.maxOperatingCelsius],
    ['target', t.targetCelsius],
    ['memory_max', t.memoryMaxCelsius],
  ] as const) {
    batch.add('genesis_gpu_temperature_threshold_celsius', { ...l, threshold }, value);
  }
  batch.add('genesis_gpu_power_draw_watts', l, gpu.power.drawWatts);
  batch.add('genesis_gpu_power_draw_instant_watts', l, gpu.power.instantDrawWatts);
  batch.add('genesis_gpu_power_limit_watts', l, gpu.power.limitWatts);
  batch.add('genesis_gpu_power_default_limit_watts', l, gpu.power.defaultLimitWatts);
  batch.add('genesis_gpu_power_min_limit_watts', l, gpu.power.minLimitWatts);
  batch.add('genesis_gpu_power_max_limit_watts', l, gpu.power.maxLimitWatts);
  for (const [clock, key] of [
    ['graphics', 'graphicsHz'],
    ['sm', 'smHz'],
    ['memory', 'memoryHz'],
    ['video', 'videoHz'],
  ] as const) {
    batch.add('genesis_gpu_clock_hertz', { ...l, clock }, gpu.clocks[key]);
    batch.add('genesis_gpu_clock_max_hertz', { ...l, clock }, gpu.maxClocks[key]);
  }
  for (const [reason, active] of Object.entries(gpu.clockEventReasons)) {
    batch.add('genesis_gpu_clocks_event_reason_active', { ...l, reason }, active);
  }
  for (const [reason, seconds] of Object.entries(gpu.clockEventReasonSeconds)) {
    batch.add('genesis_gpu_clocks_event_reason_seconds_total', { ...l, reason }, seconds);
  }
  batch.add('genesis_gpu_ecc_mode_enabled', l, gpu.ecc.enabled);
  for (const e of gpu.ecc.errors) {
    batch.add('genesis_gpu_ecc_errors_total', { ...l, scope: e.scope, location: e.location, type: e.type }, e.count);
  }
  batch.add('genesis_gpu_retired_pages_total', { ...l, cause: 'single_bit' }, gpu.retiredPages.singleBit);
  batch.add('genesis_gpu_retired_pages_total', { ...l, cause: 'double_bit' }, gpu.retiredPages.doubleBit);
  batch.add('genesis_gpu_retired_pages_pending', l, gpu.retiredPages.pending);
  batch.add('genesis_gpu_remapped_rows_total', { ...l, cause: 'correctable' }, gpu.remappedRows.correctable);
  batch.add('genesis_gpu_remapped_rows_total', { ...l, cause: 'uncorrectable' }, gpu.remappedRows.uncorrectable);
  batch.add('genesis_gpu_remapped_rows_pending', l, gpu.remappedRows.pending);
  batch.add('genesis_gpu_remapped_rows_failure', l, gpu.remappedRows.failure);
  if (gpu.recoveryAction !== undefined) batch.add('genesis_gpu_recovery_action', { ...l, action: snake(gpu.recoveryAction) }, 1);
  batch.add('genesis_gpu_reset_required', l, gpu.resetRequired);
  batch.add('genesis_gpu_pcie_link_generation', { ...l, link: 'current' }, gpu.pcie.currentGeneration);
  batch.add('genesis_gpu_pcie_link_generation', { ...l, link: 'max' }, gpu.pcie.maxGeneration);
  batch.add('genesis_gpu_pcie_link_width', { ...l, link: 'current' }, gpu.pcie.currentWidth);
  batch.add('genesis_gpu_pcie_link_width', { ...l, link: 'max' }, gpu.pcie.maxWidth);
  batch.add('genesis_gpu_pcie_transmit_bytes_per_second', l, gpu.pcie.txBytesPerSecond);
  batch.add('genesis_gpu_pcie_receive_bytes_per_second', l, gpu.pcie.rxBytesPerSecond);
  batch.add('genesis_gpu_pcie_replay_errors_total', l, gpu.pcie.replayCount);
  batch.add('genesis_gpu_fan_speed_ratio', l, gpu.fanSpeedRatio);
  batch.add('genesis_gpu_performance_state', l, gpu.performanceState);
  batch.add('genesis_gpu_voltage_volts', l, gpu.voltageVolts);
  batch.add('genesis_gpu_processes', l, gpu.processes.length);
  for (const p of gpu.processes) {
    batch.add(
      'genesis_gpu_process_memory_used_bytes',
      { ...l, pid: String(p.pid), process_name: p.name ?? '', type: p.type ?? '' },
      p.usedMemoryBytes,
    );
  }
  batch.add('genesis_gpu_mig_mode_enabled', l, gpu.mig.enabled);
  if (gpu.mig.enabled) batch.add('genesis_gpu_mig_devices', l, gpu.mig.devices.length);
  for (const d of gpu.mig.devices) {
    const m: Labels = {
      ...l,
      mig_device: String(d.index),
      gpu_instance_id: d.gpuInstanceId !== undefined ? String(d.gpuInstanceId) : '',
      compute_instance_id: d.computeInstanceId !== undefined ? String(d.computeInstanceId) : '',
    };
    batch.add('genesis_gpu_mig_device_memory_total_bytes', m, d.memory.totalBytes);
    batch.add('genesis_gpu_mig_device_memory_used_bytes', m, d.memory.usedBytes);
    batch.add('genesis_gpu_mig_device_memory_free_bytes', m, d.memory.freeBytes);
    batch.add('genesis_gpu_mig_device_multiprocessors', m, d.multiprocessorCount);
    batch.add('genesis_gpu_mig_device_ecc_errors_total', m, d.volatileSramUncorrectable);
  }
}

export function gpuBatch(report: NvidiaSmiReport): SampleBatch {
  const batch = new SampleBatch();
  batch.add('genesis_gpu_devices', {}, report.gpus.length);
  for (const gpu of report.gpus) addGpu(batch, report, gpu);
  return batch;
}
