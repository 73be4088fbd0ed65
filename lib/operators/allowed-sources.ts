import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { Logger } from '../log/logger.js';

/** The part of `dns.promises` the allow-list needs; tests pass their own. */
export interface HostResolver {
  resolve4(hostname: string): Promise<string[]>;
  resolve6(hostname: string): Promise<string[]>;
}

/** The system's DNS servers, with a bound on waiting so start-up cannot hang on DNS. */
export const systemResolver: HostResolver = new dns.Resolver({ timeout: 3000, tries: 2 });

/** Sender addresses that may send datagrams. */
export interface AllowedSources {
  has(address: string): boolean;
  readonly size: number;
}

/** The allow-list, or `undefined` when validation is off; `pending` until names are resolved. */
export interface AllowedSourcesLoader {
  current(): AllowedSources | undefined | 'pending';
  /** Resolves the entries on the first call; later calls share that result. */
  load(): Promise<AllowedSources | undefined>;
}

/**
 * Builds the allow-list at most once. IP literals are kept, host names resolved to their A and
 * AAAA records; unresolvable entries are logged and skipped. `entries` undefined means validation
 * is off; a list that ends up empty switches validation off with a warning.
 */
export function allowedSourcesLoader(
  entries: readonly string[] | undefined,
  resolver: HostResolver,
  log: Logger,
): AllowedSourcesLoader {
  let state: AllowedSources | undefined | 'pending' = 'pending';
  let loading: Promise<AllowedSources | undefined> | undefined;

  const settle = (list: AllowedSources): AllowedSources | undefined => {
    state = list.size > 0 ? list : undefined;
    if (state === undefined) {
      log.warn(
        { event: 'udp.source-validation-off', allowedSources: entries },
        'source validation is enabled but no allowed source gives an address; it is switched off',
      );
    }
    return state;
  };

  if (entries === undefined) state = undefined;
  else if (entries.every((entry) => isIP(entry) !== 0)) settle(allowListOf(entries));

  return {
    current: () => state,
    load: () => {
      if (state !== 'pending') return Promise.resolve(state);
      loading ??= Promise.all(
        (entries ?? []).map((entry) => addressesOf(entry, resolver, log)),
      ).then((addresses) => settle(allowListOf(addresses.flat())));
      return loading;
    },
  };
}

function allowListOf(addresses: readonly string[]): AllowedSources {
  // BlockList compares addresses rather than spellings, and matches an IPv4-mapped IPv6 sender
  // (`::ffff:a.b.c.d`, as a dual-stack socket reports IPv4 senders) to an IPv4 entry.
  const list = new BlockList();
  const unique = new Set(addresses);
  for (const address of unique) list.addAddress(address, familyOf(address));
  return {
    size: unique.size,
    has: (address) => isIP(address) !== 0 && list.check(address, familyOf(address)),
  };
}

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

async function addressesOf(entry: string, resolver: HostResolver, log: Logger): Promise<string[]> {
  if (isIP(entry) !== 0) return [entry];
  // Promise.resolve().then turns a resolver that throws into one that rejects.
  const [v4, v6] = await Promise.allSettled([
    Promise.resolve(entry).then((name) => resolver.resolve4(name)),
    Promise.resolve(entry).then((name) => resolver.resolve6(name)),
  ]);
  const found = [
    ...(v4.status === 'fulfilled' ? v4.value : []),
    ...(v6.status === 'fulfilled' ? v6.value : []),
  ];
  if (found.length === 0) {
    log.error(
      { event: 'udp.allowed-source-unresolved', entry, err: rejectionOf(v4) ?? rejectionOf(v6) },
      `allowed source "${entry}" does not resolve to any address; it is skipped`,
    );
  } else {
    log.info(
      { event: 'udp.allowed-source-resolved', entry, addresses: found },
      `allowed source "${entry}" resolves to ${found.join(', ')}`,
    );
  }
  return found;
}

function rejectionOf(result: PromiseSettledResult<unknown>): unknown {
  return result.status === 'rejected' ? result.reason : undefined;
}
