/**
 * Where Promptly may send a request on a store's behalf: channel URLs, helpdesk `baseUrl`s and
 * ShipEngine's key set. A store admin chooses these, so without a check one tenant could make the
 * shared service call loopback services, the private network or a cloud metadata endpoint, and
 * read the answers back through the delivery log.
 *
 * Pure (no Workers APIs, no env): the caller passes the deployment's loopback allowance
 * (`ALLOW_LOOPBACK_DESTINATIONS`), so the same check runs when rules are saved and again just
 * before each request (a document saved under other settings, or before this check existed).
 *
 * The host is read with the WHATWG URL parser, which is also what `fetch` uses: every spelling of
 * an IPv4 address (0x7f000001, 2130706433, 0177.0.0.1, 127.1) arrives here as dotted quads, and
 * IPv6 in its compressed form, so a form the parser accepts cannot slip past.
 */

export interface DestinationPolicy {
  /**
   * Loopback (127.0.0.0/8, ::1, localhost) over http or https: for `npm start` and the tests,
   * whose receivers listen on 127.0.0.1. Private, link-local and metadata hosts stay refused.
   */
  allowLoopback: boolean;
}

export type DestinationVerdict = { ok: true } | { ok: false; reason: string };

/** The env var's value as the policy: only the exact string "true" opens loopback. */
export function destinationPolicy(allowLoopbackVar: string | undefined): DestinationPolicy {
  return { allowLoopback: allowLoopbackVar?.trim().toLowerCase() === "true" };
}

const refuse = (reason: string): DestinationVerdict => ({ ok: false, reason });

/** Names that are private by definition or by convention (RFC 6761, RFC 8375, cloud metadata). */
const PRIVATE_SUFFIXES = [".internal", ".local", ".localdomain", ".home.arpa", ".intranet", ".lan", ".corp", ".private"];
/** Public wildcard-DNS services whose names resolve to the address written in them (127.0.0.1.nip.io). */
const ADDRESS_ECHO_SUFFIXES = [".nip.io", ".sslip.io", ".xip.io", ".localtest.me", ".lvh.me", ".traefik.me"];
const ADDRESS_ECHO_NAMES = ["localtest.me", "lvh.me", "vcap.me"];
/** Single names cloud providers answer for the instance metadata service. */
const METADATA_NAMES = ["metadata", "metadata.google.internal", "instance-data", "metadata.azure.internal", "kubernetes.default.svc"];

type Ipv4 = [number, number, number, number];

function parseIpv4(host: string): Ipv4 | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number) as Ipv4;
  return parts.every((p) => p <= 255) ? parts : null;
}

/** What an IPv4 address is, or null for an ordinary public one. */
function ipv4Class(a: Ipv4): "loopback" | string | null {
  const [x, y] = a;
  if (x === 127) return "loopback";
  if (x === 0) return "an unspecified address (0.0.0.0/8)";
  if (x === 10) return "a private network address (10.0.0.0/8)";
  if (x === 172 && y >= 16 && y <= 31) return "a private network address (172.16.0.0/12)";
  if (x === 192 && y === 168) return "a private network address (192.168.0.0/16)";
  if (x === 169 && y === 254) return "a link-local or cloud metadata address (169.254.0.0/16)";
  if (x === 100 && y >= 64 && y <= 127) return "a carrier-grade NAT address (100.64.0.0/10)";
  if (x === 192 && y === 0 && a[2] === 0) return "a reserved address (192.0.0.0/24)";
  if (x === 198 && (y === 18 || y === 19)) return "a benchmarking address (198.18.0.0/15)";
  if (x >= 224) return "a multicast or reserved address (224.0.0.0/3)";
  return null;
}

/** Eight 16-bit groups from the URL parser's bracketed, compressed form, or null. */
function parseIpv6(host: string): number[] | null {
  if (!host.startsWith("[") || !host.endsWith("]")) return null;
  let body = host.slice(1, -1).toLowerCase();
  // The parser writes an embedded IPv4 tail as hex groups, but accept dotted quads too.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (dotted) {
    const v4 = parseIpv4(dotted[1]!);
    if (!v4) return null;
    body = body.slice(0, -dotted[1]!.length) + `${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const [head = "", tail] = body.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  if (fill < 0) return null;
  const groups = [...left, ...Array<string>(fill).fill("0"), ...right].map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  return groups.length === 8 && groups.every((g) => Number.isFinite(g)) ? groups : null;
}

function ipv6Class(g: number[]): "loopback" | string | null {
  const zeroes = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroes(7) && g[7] === 1) return "loopback";
  if (zeroes(8)) return "an unspecified address (::)";
  const embedded = (hi: number, lo: number): Ipv4 => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the IPv4 inside.
  if ((zeroes(5) && g[5] === 0xffff) || zeroes(6) || (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0))) {
    const inner = ipv4Class(embedded(g[6]!, g[7]!));
    return inner ?? null;
  }
  if ((g[0]! & 0xfe00) === 0xfc00) return "a private network address (fc00::/7)";
  if ((g[0]! & 0xffc0) === 0xfe80) return "a link-local address (fe80::/10)";
  if ((g[0]! & 0xffc0) === 0xfec0) return "a site-local address (fec0::/10)";
  if ((g[0]! & 0xff00) === 0xff00) return "a multicast address (ff00::/8)";
  return null;
}

/** What the host is: "loopback", a reason it is refused, or null for a public host. */
function hostClass(hostname: string): "loopback" | string | null {
  const v6 = parseIpv6(hostname);
  if (v6) return ipv6Class(v6);
  if (hostname.startsWith("[")) return "an IPv6 address that cannot be read";
  const v4 = parseIpv4(hostname);
  if (v4) return ipv4Class(v4);
  const name = hostname.toLowerCase().replace(/\.+$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return "loopback";
  if (METADATA_NAMES.includes(name)) return "a cloud metadata host";
  if (PRIVATE_SUFFIXES.some((s) => name.endsWith(s))) return `a private name (*${PRIVATE_SUFFIXES.find((s) => name.endsWith(s))!})`;
  if (ADDRESS_ECHO_NAMES.includes(name) || ADDRESS_ECHO_SUFFIXES.some((s) => name.endsWith(s))) return "a wildcard-DNS name that resolves to the address written in it";
  // An all-numeric last label is an address the parser did not read (it would have normalised a real one).
  if (/(^|\.)\d+$/.test(name)) return "a numeric host that is not a plain IPv4 address";
  if (!name.includes(".")) return "a single-label name, which only resolves inside a private network";
  return null;
}

/**
 * Whether Promptly may send a request to `url`. https to a public host always; http and https to
 * loopback only when the policy allows it; never userinfo, private, link-local or metadata hosts.
 * The reason names what is wrong without echoing the URL (a Slack URL is itself a credential).
 */
export function checkDestination(url: string, policy: DestinationPolicy): DestinationVerdict {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return refuse("is not a URL");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return refuse("must be an http(s) URL");
  if (u.username !== "" || u.password !== "") return refuse("must not carry a user name or password (user:pass@host): put credentials in the channel's own fields");
  const kind = hostClass(u.hostname);
  if (kind === "loopback") {
    if (policy.allowLoopback) return { ok: true };
    return refuse("points at this machine (loopback); only public https hosts are allowed");
  }
  if (kind !== null) return refuse(`points at ${kind}; only public https hosts are allowed`);
  if (u.protocol !== "https:") return refuse("must use https");
  return { ok: true };
}

function parsesAsUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** The fields of a rules channel that name where its requests go. */
const DESTINATION_FIELDS = ["url", "webhookUrl", "baseUrl"] as const;
/** What write-only fields read back as (see SECRET_MASK in src/rules/schema.ts): resolved before this check. */
const MASK = "********";

/**
 * Every refused destination among the document's channels, as `{ path, message }`. Walks the raw
 * input, like the referential checks, so an admin sees these next to schema problems.
 */
export function channelDestinationIssues(input: unknown, policy: DestinationPolicy): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  if (typeof input !== "object" || input === null) return out;
  const channels = (input as Record<string, unknown>).channels;
  if (typeof channels !== "object" || channels === null || Array.isArray(channels)) return out;
  for (const [name, channel] of Object.entries(channels)) {
    if (typeof channel !== "object" || channel === null) continue;
    for (const field of DESTINATION_FIELDS) {
      if (!Object.hasOwn(channel, field)) continue;
      const value = (channel as Record<string, unknown>)[field];
      if (typeof value !== "string" || value === MASK) continue;
      // Not an http(s) URL at all is the schema's to report; only one that parses is judged here.
      if (!/^https?:/i.test(value) || !parsesAsUrl(value)) continue;
      const verdict = checkDestination(value, policy);
      if (!verdict.ok) out.push({ path: ["channels", name, field], message: `destination refused: ${verdict.reason}` });
    }
  }
  return out;
}
