import { FaultInjector, parseFaultSpec, seededRandom } from './faults';

describe('fault rules', () => {
  it('parses the CLI form kind:METHOD:path[:rate[:count]]', () => {
    expect(parseFaultSpec('http500:GET:/nodes/.*:0.2')).toEqual({ kind: 'http500', method: 'GET', path: '/nodes/.*', rate: 0.2 });
    expect(parseFaultSpec('lockTimeout:POST:/qemu/100/config:1:2')).toEqual({
      kind: 'lockTimeout', method: 'POST', path: '/qemu/100/config', rate: 1, count: 2,
    });
    expect(parseFaultSpec('taskFail:*:/status/start')).toEqual({ kind: 'taskFail', path: '/status/start' });
    expect(parseFaultSpec('http500')).toEqual({ kind: 'http500' });
  });

  it('names the fix for a bad rule', () => {
    expect(() => parseFaultSpec('boom:GET:/x')).toThrow(/kind must be http500, lockTimeout or taskFail/);
    expect(() => parseFaultSpec('http500:FETCH:/x')).toThrow(/method 'FETCH'/);
    expect(() => parseFaultSpec('http500:GET:/x:1.5')).toThrow(/between 0 and 1/);
    expect(() => parseFaultSpec('http500:GET:([')).toThrow();
  });

  it('takes the vmid of a lock timeout from the path or the parameters', () => {
    const faults = new FaultInjector([{ kind: 'lockTimeout' }]);
    expect(faults.decide('POST', '/nodes/pve/qemu/101/status/start', {}).error?.message).toBe(
      "can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout",
    );
    expect(faults.decide('POST', '/nodes/pve/qemu', { vmid: '120' }).error?.message).toContain('lock-120.conf');
  });

  it('fires at the seeded rate, matching method and path', () => {
    const faults = new FaultInjector([{ kind: 'http500', method: 'GET', path: '^/nodes', rate: 0.3 }], seededRandom(7));
    let fired = 0;
    for (let i = 0; i < 1000; i++) if (faults.decide('GET', '/nodes/pve/status', {}).error) fired++;
    expect(fired).toBeGreaterThan(250);
    expect(fired).toBeLessThan(350);
    expect(faults.decide('POST', '/nodes/pve/qemu', {}).error).toBeUndefined();
    expect(faults.decide('GET', '/version', {}).error).toBeUndefined();
  });
});
