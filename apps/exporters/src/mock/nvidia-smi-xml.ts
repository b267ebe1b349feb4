/**
 * Mock mode's nvidia-smi: renders `nvidia-smi -q -x` output in the real DTD v13 layout (the shape of
 * a 590-series driver, as in ../shared/fixtures/nvidia-smi/3090-v13.xml, with the MIG and ECC sections
 * laid out as in a100-sxm4-v12.xml), so mock data goes through the same parser as a real card.
 * Two cards, so every dashboard panel has data: GPU 0 the RTX 3090 serving vLLM ("The Brain"),
 * GPU 1 a datacenter card with ECC, row remapping and two MIG devices. Values are a pure function
 * of the step number.
 */
import type { CommandRunner } from '../lib/command-runner';

export interface MockGpuState {
  /** `geforce`: no ECC, fan; `datacenter`: ECC, row remapping, MIG, passive cooling. */
  kind: 'geforce' | 'datacenter';
  name: string;
  totalMiB: number;
  busId: string;
  uuid: string;
  usedMiB: number;
  utilPercent: number;
  memUtilPercent: number;
  tempC: number;
  powerW: number;
  smMHz: number;
  fanPercent: number;
  pstate: number;
  processes: Array<{ pid: number; name: string; usedMiB: number }>;
}

const RESERVED_MIB = 450;
const MIG_DEVICE_MIB = 40192;

/** A smooth, repeatable load curve: a vLLM server busy in waves. */
export function mockGpuStates(step: number): MockGpuState[] {
  const wave = (Math.sin(step / 6) + 1) / 2;
  const used = 20480 + Math.round(wave * 1200);
  return [
    {
      kind: 'geforce',
      name: 'NVIDIA GeForce RTX 3090',
      totalMiB: 24576,
      busId: '00000000:01:00.0',
      uuid: 'GPU-6e0c5d1a-3090-4b7e-9a11-000000000100',
      usedMiB: used,
      utilPercent: Math.round(35 + wave * 60),
      memUtilPercent: Math.round(20 + wave * 45),
      tempC: Math.round(52 + wave * 20),
      powerW: Math.round((110 + wave * 230) * 100) / 100,
      smMHz: 1395 + Math.round(wave * 300),
      fanPercent: Math.round(40 + wave * 35),
      pstate: 2,
      processes: [{ pid: 2417, name: '/opt/vllm/.venv/bin/python3', usedMiB: used - 17 }],
    },
    {
      kind: 'datacenter',
      name: 'NVIDIA A100 80GB PCIe',
      totalMiB: 81920,
      busId: '00000000:41:00.0',
      uuid: 'GPU-6e0c5d1a-a100-4b7e-9a11-000000000141',
      usedMiB: 24000 + Math.round(wave * 8000),
      utilPercent: 0,
      memUtilPercent: 0,
      tempC: Math.round(38 + wave * 12),
      powerW: Math.round((70 + wave * 90) * 100) / 100,
      smMHz: 1275,
      fanPercent: 0,
      pstate: 0,
      processes: [],
    },
  ];
}

function migDevicesXml(g: MockGpuState): string {
  if (g.kind !== 'datacenter') return '\n\t\t\tNone\n\t\t';
  const perDevice = Math.round(g.usedMiB / 2);
  return [0, 1]
    .map(
      (i) => `
			<mig_device>
				<index>${i}</index>
				<gpu_instance_id>${i + 1}</gpu_instance_id>
				<compute_instance_id>0</compute_instance_id>
				<device_attributes>
					<shared>
						<multiprocessor_count>42</multiprocessor_count>
						<copy_engine_count>3</copy_engine_count>
						<encoder_count>0</encoder_count>
						<decoder_count>2</decoder_count>
						<ofa_count>0</ofa_count>
						<jpg_count>0</jpg_count>
					</shared>
				</device_attributes>
				<ecc_error_count>
					<volatile_count>
						<sram_uncorrectable>0</sram_uncorrectable>
					</volatile_count>
				</ecc_error_count>
				<fb_memory_usage>
					<total>${MIG_DEVICE_MIB} MiB</total>
					<reserved>0 MiB</reserved>
					<used>${perDevice} MiB</used>
					<free>${MIG_DEVICE_MIB - perDevice} MiB</free>
				</fb_memory_usage>
				<bar1_memory_usage>
					<total>65535 MiB</total>
					<used>0 MiB</used>
					<free>65535 MiB</free>
				</bar1_memory_usage>
			</mig_device>`,
    )
    .join('') + '\n\t\t';
}

function eccXml(g: MockGpuState): string {
  const dc = g.kind === 'datacenter';
  const v = (n: number) => (dc ? String(n) : 'N/A');
  return `<ecc_mode>
			<current_ecc>${dc ? 'Enabled' : 'N/A'}</current_ecc>
			<pending_ecc>${dc ? 'Enabled' : 'N/A'}</pending_ecc>
		</ecc_mode>
		<ecc_errors>
			<volatile>
				<sram_correctable>${v(0)}</sram_correctable>
				<sram_uncorrectable_parity>${v(0)}</sram_uncorrectable_parity>
				<sram_uncorrectable_secded>${v(0)}</sram_uncorrectable_secded>
				<dram_correctable>${v(2)}</dram_correctable>
				<dram_uncorrectable>${v(0)}</dram_uncorrectable>
			</volatile>
			<aggregate>
				<sram_correctable>${v(0)}</sram_correctable>
				<sram_uncorrectable_parity>${v(0)}</sram_uncorrectable_parity>
				<sram_uncorrectable_secded>${v(0)}</sram_uncorrectable_secded>
				<dram_correctable>${v(17)}</dram_correctable>
				<dram_uncorrectable>${v(0)}</dram_uncorrectable>
				<sram_threshold_exceeded>${dc ? 'No' : 'N/A'}</sram_threshold_exceeded>
			</aggregate>
		</ecc_errors>`;
}

function remappedRowsXml(g: MockGpuState): string {
  if (g.kind !== 'datacenter') return '<remapped_rows>N/A</remapped_rows>';
  return `<remapped_rows>
			<remapped_row_corr>0</remapped_row_corr>
			<remapped_row_unc>0</remapped_row_unc>
			<remapped_row_pending>No</remapped_row_pending>
			<remapped_row_failure>No</remapped_row_failure>
			<remapped_row_histogram>
				<remapped_row_histogram_max>640 bank(s)</remapped_row_histogram_max>
				<remapped_row_histogram_high>0 bank(s)</remapped_row_histogram_high>
				<remapped_row_histogram_partial>0 bank(s)</remapped_row_histogram_partial>
				<remapped_row_histogram_low>0 bank(s)</remapped_row_histogram_low>
				<remapped_row_histogram_none>0 bank(s)</remapped_row_histogram_none>
			</remapped_row_histogram>
		</remapped_rows>`;
}

function gpuXml(g: MockGpuState, minor: number): string {
  const [, bus, deviceFn] = g.busId.split(':');
  const dc = g.kind === 'datacenter';
  // Under MIG, utilisation is per MIG device and nvidia-smi prints N/A for the whole GPU.
  const util = (percent: number) => (dc ? 'N/A' : `${percent} %`);
  const processes = g.processes
    .map(
      (p) => `
			<process_info>
				<gpu_instance_id>N/A</gpu_instance_id>
				<compute_instance_id>N/A</compute_instance_id>
				<pid>${p.pid}</pid>
				<type>C</type>
				<process_name>${p.name}</process_name>
				<used_memory>${p.usedMiB} MiB</used_memory>
			</process_info>`,
    )
    .join('');
  return `	<gpu id="${g.busId}">
		<product_name>${g.name}</product_name>
		<product_brand>${dc ? 'NVIDIA' : 'GeForce'}</product_brand>
		<product_architecture>Ampere</product_architecture>
		<display_mode>Requested functionality has been deprecated</display_mode>
		<display_attached>No</display_attached>
		<display_active>Disabled</display_active>
		<persistence_mode>Enabled</persistence_mode>
		<addressing_mode>HMM</addressing_mode>
		<mig_mode>
			<current_mig>${dc ? 'Enabled' : 'N/A'}</current_mig>
			<pending_mig>${dc ? 'Enabled' : 'N/A'}</pending_mig>
		</mig_mode>
		<mig_devices>${migDevicesXml(g)}</mig_devices>
		<accounting_mode>Disabled</accounting_mode>
		<accounting_mode_buffer_size>4000</accounting_mode_buffer_size>
		<serial>${dc ? '1324021034871' : 'N/A'}</serial>
		<uuid>${g.uuid}</uuid>
		<minor_number>${minor}</minor_number>
		<vbios_version>${dc ? '92.00.9E.00.03' : '94.02.42.40.9C'}</vbios_version>
		<multigpu_board>No</multigpu_board>
		<board_part_number>N/A</board_part_number>
		<gpu_virtualization_mode>
			<virtualization_mode>Pass-Through</virtualization_mode>
			<host_vgpu_mode>N/A</host_vgpu_mode>
			<vgpu_heterogeneous_mode>N/A</vgpu_heterogeneous_mode>
		</gpu_virtualization_mode>
		<gpu_recovery_action>None</gpu_recovery_action>${
      dc
        ? `
		<gpu_reset_status>
			<reset_required>No</reset_required>
			<drain_and_reset_recommended>No</drain_and_reset_recommended>
		</gpu_reset_status>`
        : ''
    }
		<pci>
			<pci_bus>${bus}</pci_bus>
			<pci_device>${deviceFn.split('.')[0]}</pci_device>
			<pci_domain>0000</pci_domain>
			<pci_bus_id>${g.busId}</pci_bus_id>
			<pci_gpu_link_info>
				<pcie_gen>
					<max_link_gen>4</max_link_gen>
					<current_link_gen>4</current_link_gen>
					<device_current_link_gen>4</device_current_link_gen>
					<max_device_link_gen>4</max_device_link_gen>
					<max_host_link_gen>4</max_host_link_gen>
				</pcie_gen>
				<link_widths>
					<max_link_width>16x</max_link_width>
					<current_link_width>16x</current_link_width>
				</link_widths>
			</pci_gpu_link_info>
			<replay_counter>0</replay_counter>
			<replay_rollover_counter>0</replay_rollover_counter>
			<tx_util>${g.utilPercent * 97} KB/s</tx_util>
			<rx_util>${g.utilPercent * 41} KB/s</rx_util>
		</pci>
		<fan_speed>${dc ? 'N/A' : `${g.fanPercent} %`}</fan_speed>
		<performance_state>P${g.pstate}</performance_state>
		<clocks_event_reasons>
			<clocks_event_reason_gpu_idle>Not Active</clocks_event_reason_gpu_idle>
			<clocks_event_reason_applications_clocks_setting>Not Active</clocks_event_reason_applications_clocks_setting>
			<clocks_event_reason_sw_power_cap>${g.powerW > 330 ? 'Active' : 'Not Active'}</clocks_event_reason_sw_power_cap>
			<clocks_event_reason_hw_slowdown>Not Active</clocks_event_reason_hw_slowdown>
			<clocks_event_reason_hw_thermal_slowdown>Not Active</clocks_event_reason_hw_thermal_slowdown>
			<clocks_event_reason_hw_power_brake_slowdown>Not Active</clocks_event_reason_hw_power_brake_slowdown>
			<clocks_event_reason_sync_boost>Not Active</clocks_event_reason_sync_boost>
			<clocks_event_reason_sw_thermal_slowdown>Not Active</clocks_event_reason_sw_thermal_slowdown>
			<clocks_event_reason_display_clocks_setting>Not Active</clocks_event_reason_display_clocks_setting>
		</clocks_event_reasons>
		<fb_memory_usage>
			<total>${g.totalMiB} MiB</total>
			<reserved>${RESERVED_MIB} MiB</reserved>
			<used>${g.usedMiB} MiB</used>
			<free>${g.totalMiB - RESERVED_MIB - g.usedMiB} MiB</free>
		</fb_memory_usage>
		<bar1_memory_usage>
			<total>256 MiB</total>
			<used>5 MiB</used>
			<free>251 MiB</free>
		</bar1_memory_usage>
		<compute_mode>Default</compute_mode>
		<utilization>
			<gpu_util>${util(g.utilPercent)}</gpu_util>
			<memory_util>${util(g.memUtilPercent)}</memory_util>
			<encoder_util>${util(0)}</encoder_util>
			<decoder_util>${util(0)}</decoder_util>
			<jpeg_util>${util(0)}</jpeg_util>
			<ofa_util>${util(0)}</ofa_util>
		</utilization>
		${eccXml(g)}
		<retired_pages>
			<multiple_single_bit_retirement>
				<retired_count>N/A</retired_count>
				<retired_pagelist>N/A</retired_pagelist>
			</multiple_single_bit_retirement>
			<double_bit_retirement>
				<retired_count>N/A</retired_count>
				<retired_pagelist>N/A</retired_pagelist>
			</double_bit_retirement>
			<pending_blacklist>N/A</pending_blacklist>
			<pending_retirement>N/A</pending_retirement>
		</retired_pages>
		${remappedRowsXml(g)}
		<temperature>
			<gpu_temp>${g.tempC} C</gpu_temp>
			<gpu_temp_tlimit>N/A</gpu_temp_tlimit>
			<gpu_temp_max_threshold>98 C</gpu_temp_max_threshold>
			<gpu_temp_slow_threshold>95 C</gpu_temp_slow_threshold>
			<gpu_temp_max_gpu_threshold>93 C</gpu_temp_max_gpu_threshold>
			<gpu_target_temperature>83 C</gpu_target_temperature>
			<memory_temp>${dc ? `${g.tempC + 9} C` : 'N/A'}</memory_temp>
			<gpu_temp_max_mem_threshold>${dc ? '95 C' : 'N/A'}</gpu_temp_max_mem_threshold>
		</temperature>
		<gpu_power_readings>
			<power_state>Requested functionality has been deprecated</power_state>
			<average_power_draw>${g.powerW.toFixed(2)} W</average_power_draw>
			<instant_power_draw>${(g.powerW + 3.17).toFixed(2)} W</instant_power_draw>
			<current_power_limit>${dc ? '300.00' : '350.00'} W</current_power_limit>
			<requested_power_limit>${dc ? '300.00' : '350.00'} W</requested_power_limit>
			<default_power_limit>${dc ? '300.00' : '350.00'} W</default_power_limit>
			<min_power_limit>${dc ? '150.00' : '100.00'} W</min_power_limit>
			<max_power_limit>${dc ? '300.00' : '480.00'} W</max_power_limit>
		</gpu_power_readings>
		<clocks>
			<graphics_clock>${g.smMHz} MHz</graphics_clock>
			<sm_clock>${g.smMHz} MHz</sm_clock>
			<mem_clock>9501 MHz</mem_clock>
			<video_clock>1275 MHz</video_clock>
		</clocks>
		<max_clocks>
			<graphics_clock>2100 MHz</graphics_clock>
			<sm_clock>2100 MHz</sm_clock>
			<mem_clock>9751 MHz</mem_clock>
			<video_clock>1950 MHz</video_clock>
		</max_clocks>
		<processes>${processes}
		</processes>
		<accounted_processes>
		</accounted_processes>
	</gpu>
`;
}

export function renderNvidiaSmiXml(gpus: MockGpuState[], timestamp = 'Mon Nov 23 09:30:00 2026'): string {
  return `<?xml version="1.0" ?>
<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v13.dtd">
<nvidia_smi_log>
	<timestamp>${timestamp}</timestamp>
	<driver_version>590.44.01</driver_version>
	<cuda_version>13.1</cuda_version>
	<attached_gpus>${gpus.length}</attached_gpus>
${gpus.map((g, i) => gpuXml(g, i)).join('')}
</nvidia_smi_log>`;
}

/** A CommandRunner that answers `nvidia-smi -q -x` with the next step's rendering. */
export function mockNvidiaSmiRunner(): CommandRunner {
  let step = 0;
  return {
    async run(_file, args) {
      if (args.join(' ') !== '-q -x') throw new Error(`mock nvidia-smi only answers -q -x, not ${args.join(' ')}`);
      const started = performance.now();
      const stdout = renderNvidiaSmiXml(mockGpuStates(step++));
      return { stdout, durationMs: performance.now() - started };
    },
  };
}
