import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createSsrfGuard,
  HostLookupFailed,
  type HostResolver,
  OutboundAllowListError,
  OutboundRefused,
  parseAllowList,
  specialAddressKind,
} from './ssrf-guard.js';

/** A resolver from a table, so no test depends on DNS. */
const resolverOf =
  (table: Record<string, string[]>): HostResolver =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

async function refusalOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundRefused);
  return (error as OutboundRefused).reason;
}

const nonPublic = [
  'http://127.0.0.1/',
  'http://127.1.2.3:8080/x',
  'http://localhost/',
  'http://10.1.2.3/',
  'http://172.16.0.1/',
  'http://192.168.1.1/',
  'http://100.64.0.1/',
  'http://[::1]/',
  'http://[fd00::1]/',
  'http://[fe80::1]/',
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.1.1/',
  'http://0.0.0.0/',
  'http://[::]/',
  'http://224.0.0.1/',
  'http://255.255.255.255/',
  'http://[ff02::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:10.0.0.1]/',
  'http://[64:ff9b::10.1.2.3]/', // NAT64 form of a private address
  'http://[2002:a01:203::1]/', // 6to4 form of 10.1.2.3
  'http://2130706433/', // 127.0.0.1 as one number; the URL parser normalizes it
  'http://0x7f.1/',
  'https://127.0.0.1/',
];

describe('SSRF guard', () => {
  it('refuses loopback, private, link-local, metadata and other special addresses by default', async () => {
    const guard = createSsrfGuard({ allow: [] });
    for (const url of nonPublic) {
      const reason = await refusalOf(guard.check(url));
      expect(reason, url).toMatch(/; add it to VIGIL_OUTBOUND_ALLOW to allow it$/);
    }
  });

  it('explains a refusal in terms of the host and the address it resolves to', async () => {
    const guard = createSsrfGuard({ allow: [], resolve: resolverOf({ 'hooks.example': ['10.1.2.3'] }) });
    expect(await refusalOf(guard.check('https://hooks.example/hook'))).toBe(
      'hooks.example resolves to 10.1.2.3, a private address; add it to VIGIL_OUTBOUND_ALLOW to allow it',
    );
    expect(await refusalOf(guard.check('http://169.254.169.254/'))).toBe(
      '169.254.169.254 is the cloud metadata address; add it to VIGIL_OUTBOUND_ALLOW to allow it',
    );
    expect(await refusalOf(guard.check('http://[::ffff:127.0.0.1]/'))).toBe(
      '::ffff:7f00:1 is a loopback address; add it to VIGIL_OUTBOUND_ALLOW to allow it',
    );
    expect(await refusalOf(guard.check('http://100.64.1.1/'))).toContain('a shared (CGNAT) address');
  });

  it('lets everything through that the allow list names, by address, range or host name', async () => {
    const guard = createSsrfGuard({
      allow: ['127.0.0.0/8', '::1', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].concat(
        ['fd00::/8', 'fe80::/10', '169.254.0.0/16', '0.0.0.0', '::', '224.0.0.0/4', '255.255.255.255'],
        ['ff00::/8', '64:ff9b::/96', '2002::/16', 'localhost'],
      ),
    });
    for (const url of nonPublic) await expect(guard.check(url), url).resolves.toBeDefined();
  });

  it('matches IPv4-mapped IPv6 addresses against IPv4 entries', async () => {
    const guard = createSsrfGuard({ allow: ['127.0.0.1/32'] });
    const target = await guard.check('http://[::ffff:127.0.0.1]:9000/x?y=1');
    expect(target).toMatchObject({
      hostname: '::ffff:7f00:1',
      address: '::ffff:7f00:1',
      family: 6,
      port: 9000,
    });
    await refusalOf(guard.check('http://[::ffff:127.0.0.2]/'));
  });

  it('refuses a host name that resolves to loopback unless the name or the address is allowed', async () => {
    // `localhost` goes through the system resolver (/etc/hosts): loopback only.
    await refusalOf(createSsrfGuard({ allow: [] }).check('http://localhost:1234/'));
    const byName = await createSsrfGuard({ allow: ['LocalHost.'] }).check('http://localhost:1234/');
    expect(byName).toMatchObject({ hostname: 'localhost', port: 1234 });
    expect(['127.0.0.1', '::1']).toContain(byName.address);
    const byAddress = await createSsrfGuard({ allow: ['127.0.0.1', '::1'] }).check('http://localhost/');
    expect(byAddress.port).toBe(80);
  });

  it('passes public addresses and returns the address that was checked', async () => {
    const guard = createSsrfGuard({
      allow: ['hooks.internal'],
      resolve: resolverOf({
        'hooks.example': ['2606:4700::1111', '1.1.1.1'],
        'mixed.example': ['1.1.1.1', '192.168.0.10'],
        'hooks.internal': ['10.9.8.7'],
        'hooks.internal.': ['10.9.8.7'],
      }),
    });
    expect(await guard.check('https://hooks.example/a')).toMatchObject({
      hostname: 'hooks.example',
      address: '2606:4700::1111',
      family: 6,
      port: 443,
    });
    expect(await guard.check('http://8.8.8.8/')).toMatchObject({ address: '8.8.8.8', family: 4, port: 80 });
    // One private answer among public ones is enough to refuse: the connection could go there.
    expect(await refusalOf(guard.check('https://mixed.example/'))).toContain('resolves to 192.168.0.10');
    expect(await guard.check('http://HOOKS.internal/x')).toMatchObject({ address: '10.9.8.7' });
    expect(await guard.check('http://hooks.internal./x')).toMatchObject({ address: '10.9.8.7' });
  });

  it('refuses other schemes, credentials in the URL and text that is no URL', async () => {
    const guard = createSsrfGuard({ allow: ['127.0.0.1'] });
    expect(await refusalOf(guard.check('ftp://127.0.0.1/'))).toContain('only http and https');
    expect(await refusalOf(guard.check('file:///etc/passwd'))).toContain('only http and https');
    expect(await refusalOf(guard.check('gopher://127.0.0.1/'))).toContain('only http and https');
    expect(await refusalOf(guard.check('http://user:pw@127.0.0.1/'))).toContain('user name or password');
    expect(await refusalOf(guard.check('http://token@127.0.0.1/'))).toContain('user name or password');
    expect(await refusalOf(guard.check('not a url'))).toBe('the URL is not valid');
  });

  it('reports a host that does not resolve as a lookup failure, not a refusal', async () => {
    const guard = createSsrfGuard({ allow: [], resolve: resolverOf({}) });
    const error = await guard.check('https://nowhere.example/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostLookupFailed);
    expect((error as Error).message).toBe('nowhere.example could not be resolved (ENOTFOUND)');
  });
});

describe('VIGIL_OUTBOUND_ALLOW', () => {
  it('reads host names, addresses and CIDRs of both families, normalized', () => {
    expect(parseAllowList(undefined)).toEqual([]);
    expect(parseAllowList(' , ')).toEqual([]);
    expect(
      parseAllowList(
        '127.0.0.1/32, ::1 ,10.0.0.0/8,Hooks.Internal.,[fd00::1],FD00:0::/8,my_host-1,0.0.0.0/0',
      ),
    ).toEqual([
      '127.0.0.1/32',
      '::1',
      '10.0.0.0/8',
      'hooks.internal',
      'fd00::1',
      'fd00::/8',
      'my_host-1',
      '0.0.0.0/0',
    ]);
  });

  it.each([
    ['http://hooks.internal', 'is a URL'],
    ['10.1.2.3/8', 'did you mean 10.0.0.0/8?'],
    ['fd00::1/8', 'did you mean fd00::/8?'],
    ['10.0.0.0/33', 'use /0 to /32'],
    ['::1/129', 'use /0 to /128'],
    ['10.0.0.0/x', 'invalid prefix length'],
    ['10.0.0.0/8/8', 'more than one "/"'],
    ['hooks.internal/24', 'is not a valid CIDR'],
    ['hooks.internal:8080', 'has a port'],
    ['*.internal', 'wildcard'],
    ['300.1.1.1', 'not a valid IP address'],
    ['bad host', 'is not a host name, IP address or CIDR'],
    ['-bad.example', 'is not a host name, IP address or CIDR'],
    ['fe80::1%eth0', 'zone index'],
  ])('rejects %s with a clear message', (entry, message) => {
    expect(() => parseAllowList(`127.0.0.1,${entry}`)).toThrow(OutboundAllowListError);
    expect(() => parseAllowList(entry)).toThrow(message);
    expect(() => parseAllowList(entry)).toThrow(`VIGIL_OUTBOUND_ALLOW: ${JSON.stringify(entry)}`);
    expect(() => createSsrfGuard({ allow: [entry] })).toThrow(OutboundAllowListError);
  });
});

describe('address classification', () => {
  // An independent oracle: the IANA special-purpose ranges written again, checked by node's BlockList.
  const ipv4Oracle = new BlockList();
  for (const [network, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 3], // multicast, reserved and broadcast: 224/4 + 240/4
  ] as const)
    ipv4Oracle.addSubnet(network, bits, 'ipv4');
  const ipv6Oracle = new BlockList();
  for (const [network, bits] of [
    ['::', 96],
    ['64:ff9b:1::', 48],
    ['100::', 64],
    ['2001::', 23],
    ['2001:db8::', 32],
    ['3fff::', 20],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8],
  ] as const)
    ipv6Oracle.addSubnet(network, bits, 'ipv6');

  const ipv4 = fc.oneof(
    fc.ipV4(),
    fc
      .tuple(
        fc.constantFrom(0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 240, 255),
        fc.nat(255),
        fc.nat(255),
      )
      .map(([a, b, c]) => `${a}.${b}.${c}.${(a * b + c) % 256}`),
  );

  it('calls exactly the special-purpose IPv4 ranges non-public', () => {
    fc.assert(
      fc.property(ipv4, (address) => {
        expect(specialAddressKind(address) !== undefined).toBe(ipv4Oracle.check(address, 'ipv4'));
        // The IPv4-mapped IPv6 form is judged like the IPv4 address inside it.
        expect(specialAddressKind(`::ffff:${address}`)).toBe(specialAddressKind(address));
      }),
      { numRuns: 2000 },
    );
  });

  it('calls exactly the special-purpose IPv6 ranges non-public, whatever the notation', () => {
    const ipv6 = fc.oneof(
      fc.ipV6(),
      // Random addresses under the interesting prefixes, written compressed by the URL parser.
      fc
        .tuple(
          fc.constantFrom(
            0x0000,
            0x0064,
            0x0100,
            0x2001,
            0x2606,
            0x3fff,
            0xfc00,
            0xfd12,
            0xfe80,
            0xfec0,
            0xff02,
          ),
          fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0x1234), { minLength: 7, maxLength: 7 }),
        )
        .map(([first, rest]) =>
          new URL(`http://[${[first, ...rest].map((w) => w.toString(16)).join(':')}]/`).hostname.slice(1, -1),
        ),
    );
    fc.assert(
      fc.property(ipv6, (address) => {
        const kind = specialAddressKind(address);
        expect(kind).not.toBe('not a valid IP address');
        // Forms that embed an IPv4 address are judged by it (tested above and below).
        if (/^(::ffff:|64:ff9b::|2002:)/i.test(address)) return;
        expect(kind !== undefined, `${address}: ${kind}`).toBe(ipv6Oracle.check(address, 'ipv6'));
      }),
      { numRuns: 2000 },
    );
  });

  it('judges NAT64 and 6to4 addresses by the IPv4 address they carry', () => {
    expect(specialAddressKind('64:ff9b::a01:203')).toBe('an IPv6 form of 10.1.2.3, a private address');
    expect(specialAddressKind('64:ff9b::808:808')).toBeUndefined();
    expect(specialAddressKind('2002:7f00:1::')).toBe('an IPv6 form of 127.0.0.1, a loopback address');
    expect(specialAddressKind('2002:808:808::1')).toBeUndefined();
  });
});
