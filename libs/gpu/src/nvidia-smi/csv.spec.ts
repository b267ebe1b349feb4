import { mibToBytes, parseQueryGpuCsv, QueryGpuCsvError } from './csv';

const FIELDS = ['name', 'driver_version', 'memory.total'];

describe('nvidia-smi --query-gpu CSV', () => {
  it('reads one row per GPU, keeping units, with and without the header', () => {
    // Values of the real RTX 3090 capture (../shared/fixtures/nvidia-smi/rtx-3090-v12.xml: driver 525.147.05, fb total 24576 MiB).
    const noheader = 'NVIDIA GeForce RTX 3090, 525.147.05, 24576 MiB\n';
    expect(parseQueryGpuCsv(noheader, FIELDS)).toEqual([{ name: 'NVIDIA GeForce RTX 3090', driver_version: '525.147.05', 'memory.total': '24576 MiB' }]);
    const header = `name, driver_version, memory.total [MiB]\n${noheader}NVIDIA GeForce RTX 3090, 525.147.05, 24576 MiB\n`;
    expect(parseQueryGpuCsv(header, FIELDS)).toHaveLength(2);
    expect(mibToBytes('24576 MiB')).toBe(24576 * 1024 * 1024);
  });

  it('gives undefined for [N/A] and [Not Supported]', () => {
    const rows = parseQueryGpuCsv('NVIDIA A100-SXM4-80GB, [N/A], [Not Supported]\r\n', ['name', 'fan.speed', 'power.draw']);
    expect(rows).toEqual([{ name: 'NVIDIA A100-SXM4-80GB', 'fan.speed': undefined, 'power.draw': undefined }]);
  });

  it('names the line whose value count does not match the query', () => {
    expect(() => parseQueryGpuCsv('NVIDIA GeForce RTX 3090, 24576 MiB\n', FIELDS)).toThrow(QueryGpuCsvError);
    expect(() => parseQueryGpuCsv('NVIDIA GeForce RTX 3090, 24576 MiB\n', FIELDS)).toThrow(/line 1: .* has 2 values, expected 3/);
  });
});
