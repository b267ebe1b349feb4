import { setTimeout as sleep } from 'node:timers/promises';
import { guestLockKey, KeyedMutex } from './vm-lock';

describe('guestLockKey', () => {
  it.each([
    ['POST', '/nodes/pve/qemu/100/config', {}, 'vm:100'],
    ['PUT', '/nodes/pve/qemu/100/resize', {}, 'vm:100'],
    ['DELETE', '/nodes/pve/qemu/100', {}, 'vm:100'],
    ['POST', '/nodes/pve/lxc/200/status/start', {}, 'vm:200'],
    ['POST', '/nodes/pve/qemu', { vmid: '101' }, 'vm:101'],
    ['GET', '/nodes/pve/qemu/100/config', {}, undefined],
    ['POST', '/nodes/pve/qemu', {}, undefined],
    ['PUT', '/nodes/pve/network', {}, undefined],
    ['POST', '/nodes/pve/qemu100/config', {}, undefined],
  ])('%s %s %j -> %s', (method, path, params, key) => {
    expect(guestLockKey(method, path, params as Record<string, string>)).toBe(key);
  });
});

describe('KeyedMutex', () => {
  it('runs work for one key one at a time, in call order, and other keys alongside', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const job = (key: string, name: string, ms: number) =>
      mutex.run(key, async () => {
        log.push(`${name}+`);
        await sleep(ms);
        log.push(`${name}-`);
        return name;
      });
    const results = await Promise.all([
      job('a', 'a1', 30),
      job('a', 'a2', 1),
      job('b', 'b1', 5),
      job('a', 'a3', 1),
    ]);
    expect(results).toEqual(['a1', 'a2', 'b1', 'a3']);
    expect(log.filter((e) => e.startsWith('a'))).toEqual(['a1+', 'a1-', 'a2+', 'a2-', 'a3+', 'a3-']);
    // b ran while a1 held 'a'.
    expect(log.indexOf('b1-')).toBeLessThan(log.indexOf('a1-'));
    expect(mutex.activeKeys).toEqual([]);
  });

  it('releases the key when the work fails', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run('a', async () => 'next')).resolves.toBe('next');
    expect(mutex.activeKeys).toEqual([]);
  });
});
