import { addError, checkObject, type Errors, parsePropertyString, PropertyStringError } from './check';
import { formatFromTypetext } from './typetext';
import type { PropertyStringFormat } from './types';

// A cut-down `net[n]` definition in the shape the schema dump gives it.
const NET: PropertyStringFormat = {
  model: { default_key: 1, type: 'string', enum: ['e1000', 'virtio'] },
  virtio: { alias: 'macaddr', keyAlias: 'model' },
  macaddr: { type: 'string', format: 'mac-addr', optional: 1 },
  bridge: { type: 'string', format: 'pve-bridge-id', optional: 1 },
  firewall: { type: 'boolean', optional: 1 },
  tag: { type: 'integer', minimum: 1, maximum: 4094, optional: 1 },
};

function failure(format: PropertyStringFormat, value: string, path = 'net0'): string {
  try {
    parsePropertyString(format, value, path);
  } catch (err) {
    expect(err).toBeInstanceOf(PropertyStringError);
    return (err as PropertyStringError).toString();
  }
  throw new Error(`expected ${value} to be rejected`);
}

describe('parsePropertyString (PVE parse_property_string)', () => {
  it('takes the default key positionally and normalises booleans', () => {
    expect(parsePropertyString(NET, 'virtio,bridge=vmbr1,firewall=yes', 'net0')).toEqual({
      model: 'virtio',
      bridge: 'vmbr1',
      firewall: '1',
    });
  });

  it('resolves a key alias: virtio=MAC sets model and macaddr', () => {
    expect(parsePropertyString(NET, 'virtio=BC:24:11:00:00:01,bridge=vmbr0')).toEqual({
      model: 'virtio',
      macaddr: 'BC:24:11:00:00:01',
      bridge: 'vmbr0',
    });
  });

  it('rejects an unknown key with PVE’s message', () => {
    expect(failure(NET, 'virtio,foo=bar')).toBe('invalid key in comma-separated list property: foo\n');
  });

  it('reports key errors as a format error listing each key path', () => {
    expect(failure(NET, 'rtl,tag=0,firewall=maybe')).toBe(
      'format error\n' +
        "net0.firewall: type check ('boolean') failed - got 'maybe'\n" +
        "net0.model: value 'rtl' does not have a value in the enumeration 'e1000, virtio'\n" +
        'net0.tag: value must have a minimum value of 1\n',
    );
  });

  it('refuses duplicates, missing keys and a second positional value', () => {
    expect(failure(NET, 'bridge=a1,bridge=b2')).toBe('duplicate key in comma-separated list property: bridge\n');
    expect(failure(NET, 'virtio,e1000')).toBe('duplicate key in comma-separated list property: model\n');
    expect(failure(NET, 'virtio,bridge=')).toBe('missing key in comma-separated list property\n');
    expect(failure({ a: { type: 'string' } }, 'x')).toBe('value without key, but schema does not define a default key\n');
  });

  it('requires non-optional keys', () => {
    expect(failure(NET, 'bridge=vmbr0')).toBe('format error\nnet0.model: property is missing and it is not optional\n');
  });
});

describe('formatFromTypetext (named property-string formats)', () => {
  const hostpci = formatFromTypetext(
    'pve-qm-hostpci',
    '[[host=]<HOSTPCIID[;HOSTPCIID2...]>] [,device-id=<hex id>] [,legacy-igd=<1|0>] [,mapping=<mapping-id>] [,mdev=<string>] [,pcie=<1|0>] [,rombar=<1|0>] [,romfile=<string>] [,sub-device-id=<hex id>] [,sub-vendor-id=<hex id>] [,vendor-id=<hex id>] [,x-vga=<1|0>]',
  ) as PropertyStringFormat;

  it('rebuilds keys, the default key and boolean types', () => {
    expect(Object.keys(hostpci).sort()).toEqual(
      ['device-id', 'host', 'legacy-igd', 'mapping', 'mdev', 'pcie', 'rombar', 'romfile', 'sub-device-id', 'sub-vendor-id', 'vendor-id', 'x-vga'].sort(),
    );
    expect(hostpci['host']).toMatchObject({ default_key: 1, optional: 1 });
    expect(hostpci['pcie']).toMatchObject({ type: 'boolean', optional: 1 });
    expect(parsePropertyString(hostpci, '0000:01:00,pcie=1,x-vga=on', 'hostpci0')).toEqual({
      host: '0000:01:00',
      pcie: '1',
      'x-vga': '1',
    });
  });

  it('applies what qemu-server adds beyond the typetext (patterns, formats)', () => {
    expect(failure(hostpci, 'mapping=1gpu', 'hostpci0')).toBe(
      "format error\nhostpci0.mapping: invalid format - invalid configuration ID '1gpu'\n\n",
    );
    expect(failure(hostpci, 'host=01:00.0,vendor-id=10de', 'hostpci0')).toBe(
      'format error\nhostpci0.vendor-id: value does not match the regex pattern\n',
    );
  });

  it('reads required keys, required default keys and enums', () => {
    const remote = formatFromTypetext('proxmox-remote', 'apitoken=<PVEAPIToken=user@realm!token=SECRET> ,host=<ADDRESS> [,fingerprint=<FINGERPRINT>] [,port=<PORT>]');
    expect(remote?.['apitoken']?.optional).toBeUndefined();
    expect(remote?.['port']?.optional).toBe(1);
    const watchdog = formatFromTypetext('pve-qm-watchdog', '[[model=]<i6300esb|ib700>] [,action=<enum>]');
    expect(watchdog?.['model']).toMatchObject({ default_key: 1, enum: ['i6300esb', 'ib700'] });
    const sev = formatFromTypetext('pve-qemu-sev-fmt', '[type=]<sev-type> [,allow-smt=<1|0>]');
    expect(sev?.['type']).toMatchObject({ default_key: 1 });
    expect(sev?.['type']?.optional).toBeUndefined();
  });

  it('says null for typetexts that are not key=value lists', () => {
    expect(formatFromTypetext('pve-configid', '<string>')).toBeNull();
  });
});

describe('checkObject (PVE check_object)', () => {
  const shape = (declared: PropertyStringFormat, additionalProperties: unknown = 0) => ({
    declared,
    additionalProperties,
    lookup: (k: string) => declared[k],
  });

  it('refuses a key given both directly and through its alias', () => {
    const errors: Errors = {};
    checkObject('', shape({ a: { type: 'string', alias: 'b' }, b: { type: 'string' } }), { a: 'x', b: 'y' }, errors);
    expect(errors).toEqual({ a: "cannot set both 'a' and its alias target 'b'" });
  });

  it('joins several messages for one path with a literal backslash-n, as Perl\'s \'\\n\' does', () => {
    const errors: Errors = {};
    addError(errors, 'x', 'first');
    addError(errors, 'x', 'second');
    addError(errors, '', 'root');
    expect(errors).toEqual({ x: 'first\\nsecond', _root: 'root' });
  });

  it('reports a missing `requires` partner on the partner’s path', () => {
    const errors: Errors = {};
    checkObject('ipconfig0', shape({ ip: { type: 'string', optional: 1 }, gw: { type: 'string', optional: 1, requires: 'ip' } }), { gw: '10.0.0.1' }, errors);
    expect(errors).toEqual({ 'ipconfig0.ip': "missing property required by 'ipconfig0.gw'" });
  });

  it('accepts unknown keys only where additionalProperties allows them', () => {
    const strict: Errors = {};
    checkObject('', shape({}), { x: '1' }, strict);
    expect(strict).toEqual({ x: 'property is not defined in schema and the schema does not allow additional properties' });
    const open: Errors = {};
    checkObject('', shape({}, 1), { x: '1' }, open);
    expect(open).toEqual({});
  });
});
