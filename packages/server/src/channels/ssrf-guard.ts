import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, isIPv4, isIPv6 } from 'node:net';

/**
 * The one check every user-configured outbound URL passes (ARCHITECTURE.md §6). Webhook, Slack,
 * Teams, SIGNL4 and Twilio-compatible URLs are typed in by users, so without it anyone who may
 * edit a channel could make the server call its own admin ports, the database or the cloud
 * metadata service.
 *
 * The guard resolves the host itself and hands back the address it checked; outbound-http then
 * connects to exactly that address. Resolving twice (once to check, once to connect) would let a
 * DNS server answer "public" to the check and "private" to the connection (DNS rebinding).
 *
 * Private addresses can be allowed with VIGIL_OUTBOUND_ALLOW (host names, IPs or CIDRs), e.g. for
 * a receiver on the same machine.
 */
export interface SsrfGuard {
  /** Resolves and checks a URL; throws OutboundRefused when it may not be called. */
  check(url: string | URL): Promise<VettedTarget>;
}

export interface VettedTarget {
  url: URL;
  /** The host as written in the URL (IPv6 without brackets): for the Host header, SNI and certificate. */
  hostname: string;
  port: number;
  /** The checked address; the connection must go here and nowhere else. */
  address: string;
  family: 4 | 6;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses (injectable so tests need no DNS). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** A URL the guard will not let through; `reason` is written for the person who configured it. */
export class OutboundRefused extends Error {
  override readonly name = 'OutboundRefused';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The host did not resolve: a network problem (perhaps temporary), not a refusal. */
export class HostLookupFailed extends Error {
  override readonly name = 'HostLookupFailed';
  constructor(
    readonly hostname: string,
    readonly code: string | undefined,
  ) {
    super(`${hostname} could not be resolved${code ? ` (${code})` : ''}`);
  }
}

/** A malformed VIGIL_OUTBOUND_ALLOW entry: a configuration mistake, reported in one line at startup. */
export class OutboundAllowListError extends Error {}

export const ALLOW_LIST_VARIABLE = 'VIGIL_OUTBOUND_ALLOW';

const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true });

export function createSsrfGuard(options: { allow: readonly string[]; resolve?: HostResolver }): SsrfGuard {
  const allowed = compileAllowList(options.allow);
  const resolve = options.resolve ?? systemResolver;

  return {
    async check(input) {
      const url = parseUrl(input);
      const hostname = unbracket(url.hostname);
      const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
      const hostAllowed = allowed.hosts.has(normalizeHostName(hostname));

      const literalFamily = isIP(hostname);
      const addresses: ResolvedAddress[] = literalFamily
        ? [{ address: hostname, family: literalFamily }]
        : await resolveHost(resolve, hostname);

      if (!hostAllowed) {
        // Every address must pass, not only the first: the connection could otherwise be steered
        // to another one (by the resolver's order, or a retry on another family).
        for (const { address } of addresses) {
          const kind = specialAddressKind(address);
          if (kind && !allowed.ranges.some((range) => range.contains(address)))
            throw new OutboundRefused(refusal(hostname, literalFamily !== 0, address, kind));
        }
      }

      const first = addresses[0]!;
      return {
        url,
        hostname,
        port,
        address: stripZone(first.address),
        family: isIPv6(stripZone(first.address)) ? 6 : 4,
      };
    },
  };
}

function parseUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = input instanceof URL ? input : new URL(input);
  } catch {
    // Not echoed: channel URLs often carry a token in the path (Slack, Teams).
    throw new OutboundRefused('the URL is not valid');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OutboundRefused(`only http and https URLs are allowed, not ${url.protocol.replace(/:$/, '')}`);
  // Credentials in the URL end up in logs, delivery records and error messages; they belong in
  // a header (basic auth or a token) that is stored encrypted.
  if (url.username || url.password)
    throw new OutboundRefused(
      'the URL contains a user name or password; configure credentials as a header instead',
    );
  if (!url.hostname) throw new OutboundRefused('the URL has no host');
  return url;
}

async function resolveHost(resolve: HostResolver, hostname: string): Promise<ResolvedAddress[]> {
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolve(hostname);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HostLookupFailed(hostname, code);
  }
  if (addresses.length === 0) throw new HostLookupFailed(hostname, undefined);
  return addresses;
}

function refusal(hostname: string, isLiteral: boolean, address: string, kind: string): string {
  if (isLiteral) return `${hostname} is ${kind}; add it to ${ALLOW_LIST_VARIABLE} to allow it`;
  return `${hostname} resolves to ${address}, ${kind}; add it to ${ALLOW_LIST_VARIABLE} to allow it`;
}

// ---------------------------------------------------------------------------------------------
// The allow list

interface CompiledAllowList {
  hosts: Set<string>;
  ranges: AddressRange[];
}

/**
 * Splits and checks VIGIL_OUTBOUND_ALLOW ("127.0.0.1/32, ::1, 10.0.0.0/8, hooks.internal").
 * Pure; throws OutboundAllowListError naming the bad entry, so a typo stops startup instead of
 * silently refusing (or allowing) something later. Returns the entries normalized.
 */
export function parseAllowList(text: string | undefined): string[] {
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry) => compileAllowEntry(entry).normalized);
}

function compileAllowList(entries: readonly string[]): CompiledAllowList {
  const hosts = new Set<string>();
  const ranges: AddressRange[] = [];
  for (const entry of entries) {
    const compiled = compileAllowEntry(entry.trim());
    if (compiled.range) ranges.push(compiled.range);
    else hosts.add(compiled.normalized);
  }
  return { hosts, ranges };
}

const HOST_LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

function compileAllowEntry(entry: string): { normalized: string; range?: AddressRange } {
  const bad = (why: string) =>
    new OutboundAllowListError(`${ALLOW_LIST_VARIABLE}: ${JSON.stringify(entry)} ${why}`);
  if (entry === '') throw bad('is empty');
  if (entry.includes('://')) throw bad('is a URL; write only the host name, IP address or CIDR');
  if (entry.includes('*')) throw bad('contains a wildcard; list each host name (or use a CIDR)');

  const [base = '', prefix, ...rest] = entry.split('/');
  if (rest.length > 0) throw bad('has more than one "/"');
  const address = unbracket(base);

  if (isIP(address)) {
    if (address.includes('%')) throw bad('has an IPv6 zone index, which is not supported');
    const bytes = parseAddress(address)!;
    const maxBits = bytes.length * 8;
    let bits = maxBits;
    if (prefix !== undefined) {
      if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > maxBits)
        throw bad(`has an invalid prefix length; use /0 to /${maxBits}`);
      bits = Number(prefix);
    }
    const range = new AddressRange(bytes, bits);
    if (!range.isNetworkAddress())
      throw bad(`has bits set after the prefix; did you mean ${range.networkText()}?`);
    return { normalized: prefix === undefined ? formatAddress(bytes) : range.networkText(), range };
  }

  if (prefix !== undefined) throw bad('is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/8)');
  if (/:\d+$/.test(entry) && !isIP(entry)) throw bad('has a port; list the host name only');
  const host = normalizeHostName(entry);
  const labels = host.split('.');
  if (host.length > 253 || !labels.every((label) => HOST_LABEL.test(label)))
    throw bad('is not a host name, IP address or CIDR');
  // "300.1.1.1" looks like a name but no URL can contain it: refuse instead of never matching.
  if (/^\d+$/.test(labels[labels.length - 1]!)) throw bad('is not a valid IP address');
  return { normalized: host };
}

function normalizeHostName(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** A CIDR range; declared before the tables below, which are built when the module loads. */
class AddressRange {
  constructor(
    private readonly network: Uint8Array,
    private readonly bits: number,
  ) {}

  /** Matches an address text; IPv4-mapped IPv6 addresses also match IPv4 ranges. */
  contains(address: string): boolean {
    const bytes = parseAddress(stripZone(address));
    if (!bytes) return false;
    if (bytes.length === 16 && this.network.length === 4 && ipv4Mapped.containsBytes(bytes))
      return this.containsBytes(bytes.subarray(12));
    return this.containsBytes(bytes);
  }

  containsBytes(bytes: Uint8Array): boolean {
    if (bytes.length !== this.network.length) return false;
    let remaining = this.bits;
    for (let i = 0; remaining > 0; i++, remaining -= 8) {
      const mask = remaining >= 8 ? 0xff : (0xff << (8 - remaining)) & 0xff;
      if ((bytes[i]! & mask) !== (this.network[i]! & mask)) return false;
    }
    return true;
  }

  /** Whether no bit after the prefix is set (10.0.0.0/8, not 10.1.2.3/8). */
  isNetworkAddress(): boolean {
    return this.masked().every((byte, i) => byte === this.network[i]);
  }

  networkText(): string {
    return `${formatAddress(this.masked())}/${this.bits}`;
  }

  private masked(): Uint8Array {
    return this.network.map((byte, i) => {
      const bitsHere = Math.min(8, Math.max(0, this.bits - i * 8));
      return byte & ((0xff << (8 - bitsHere)) & 0xff);
    });
  }
}

/**
 * Why an address must not be called without permission, or undefined for a public address.
 * The wording completes "hooks.example resolves to 10.1.2.3, …".
 */
export function specialAddressKind(address: string): string | undefined {
  const bytes = parseAddress(stripZone(address));
  if (!bytes) return 'not a valid IP address';
  return bytes.length === 4 ? ipv4Kind(bytes) : ipv6Kind(bytes);
}

// IANA special-purpose registries (RFC 6890 and successors), most specific first.
const IPV4_SPECIAL: [string, string][] = [
  ['169.254.169.254/32', 'the cloud metadata address'],
  ['0.0.0.0/8', 'an unspecified ("this network") address'],
  ['10.0.0.0/8', 'a private address'],
  ['100.64.0.0/10', 'a shared (CGNAT) address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address'],
  ['172.16.0.0/12', 'a private address'],
  ['192.0.0.0/24', 'an IETF protocol address'],
  ['192.0.2.0/24', 'a documentation address'],
  ['192.88.99.0/24', 'a 6to4 relay address'],
  ['192.168.0.0/16', 'a private address'],
  ['198.18.0.0/15', 'a benchmarking address'],
  ['198.51.100.0/24', 'a documentation address'],
  ['203.0.113.0/24', 'a documentation address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved or broadcast address'],
];

const IPV6_SPECIAL: [string, string][] = [
  ['::/128', 'the unspecified address'],
  ['::1/128', 'a loopback address'],
  // ::ffff:0:0/96 (IPv4-mapped) is judged by the IPv4 address inside, see ipv6Kind.
  ['::/96', 'an IPv4-compatible address (deprecated)'],
  ['64:ff9b:1::/48', 'a local NAT64 address'],
  ['100::/64', 'a discard-only address'],
  ['2001::/23', 'an IETF protocol address (e.g. Teredo)'],
  ['2001:db8::/32', 'a documentation address'],
  ['3fff::/20', 'a documentation address'],
  ['fc00::/7', 'a unique-local address'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a site-local address (deprecated)'],
  ['ff00::/8', 'a multicast address'],
];

const compileTable = (table: [string, string][]) =>
  table.map(([cidr, kind]) => {
    const [base, bits] = cidr.split('/');
    return { range: new AddressRange(parseAddress(base!)!, Number(bits)), kind };
  });
const ipv4Special = compileTable(IPV4_SPECIAL);
const ipv6Special = compileTable(IPV6_SPECIAL);
const ipv4Mapped = new AddressRange(parseAddress('::ffff:0:0')!, 96);
const nat64 = new AddressRange(parseAddress('64:ff9b::')!, 96);
const sixToFour = new AddressRange(parseAddress('2002::')!, 16);

function ipv4Kind(bytes: Uint8Array): string | undefined {
  return ipv4Special.find(({ range }) => range.containsBytes(bytes))?.kind;
}

function ipv6Kind(bytes: Uint8Array): string | undefined {
  // Addresses that carry an IPv4 address reach that IPv4 address (directly, or through a
  // translator or relay), so they are as private as the address inside.
  if (ipv4Mapped.containsBytes(bytes)) return ipv4Kind(bytes.subarray(12));
  const embedded = nat64.containsBytes(bytes)
    ? bytes.subarray(12)
    : sixToFour.containsBytes(bytes)
      ? bytes.subarray(2, 6)
      : undefined;
  if (embedded) {
    const inner = ipv4Kind(embedded);
    return inner && `an IPv6 form of ${formatAddress(embedded)}, ${inner}`;
  }
  return ipv6Special.find(({ range }) => range.containsBytes(bytes))?.kind;
}

/** 4 bytes for IPv4, 16 for IPv6 (including IPv4-mapped), undefined if not an address. */
function parseAddress(text: string): Uint8Array | undefined {
  if (isIPv4(text)) return Uint8Array.from(text.split('.').map(Number));
  if (!isIPv6(text)) return undefined;
  // Trailing IPv4 notation ("::ffff:127.0.0.1") is the last 32 bits: rewrite it as two hex groups.
  const groups = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    [((Number(a) << 8) | Number(b)).toString(16), ((Number(c) << 8) | Number(d)).toString(16)].join(':'),
  );
  const [head = '', rest] = groups.split('::');
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest ? rest.split(':') : [];
  const missing = 8 - headGroups.length - restGroups.length;
  const words = [
    ...headGroups.map((group) => Number.parseInt(group, 16)),
    ...(rest !== undefined ? new Array<number>(missing).fill(0) : []),
    ...restGroups.map((group) => Number.parseInt(group, 16)),
  ];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  });
  return bytes;
}

function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  // Let the URL parser produce the canonical (RFC 5952) text.
  const words = Array.from({ length: 8 }, (_, i) => ((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!).toString(16));
  return unbracket(new URL(`http://[${words.join(':')}]/`).hostname);
}

function unbracket(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function stripZone(address: string): string {
  const percent = address.indexOf('%');
  return percent === -1 ? address : address.slice(0, percent);
}
